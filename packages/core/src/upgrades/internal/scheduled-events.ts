// What the engine's scheduler says of a device upgrade: a push is due, a timer fired, the deadline
// passed, an offline device's place is given back, silence, another plan holds the next
// component's module (docs/state-machines.md, "Device upgrade").
import { onSilence } from '../silence.ts';
import { releasedState, slotHoldMs } from '../slot-release.ts';
import type { SchedulerEvent, UpgradePolicy, UpgradeState } from '../upgrade-state.ts';
import { afterWindow, lapse } from './appointment.ts';
import { currentComponent } from './components.ts';
import { pendingBlock } from './device-reports.ts';
import { onHealthWindowElapsed } from './health.ts';
import { fail, formatTime, type Outcome, offer, refuse, succeed, timerEffects } from './upgrade-steps.ts';

function onTimer(
  state: UpgradeState,
  expected: { status: UpgradeState['status']; action: UpgradeState['nextAction'] },
  now: number,
  run: () => Outcome,
): Outcome {
  if (state.status !== expected.status || state.nextAction !== expected.action) {
    return refuse('invalid_state', `no ${expected.action} timer is set`);
  }
  if (state.nextActionAt !== null && state.nextActionAt > now) {
    return refuse('not_due', `${expected.action} is due at ${state.nextActionAt}`);
  }
  return run();
}

/** One scheduler event on an unfinished record that is not waiting for its health report. */
export function onScheduled(
  state: UpgradeState,
  event: SchedulerEvent,
  policy: UpgradePolicy,
  now: number,
): Outcome {
  switch (event.type) {
    case 'pushed': {
      if (state.status !== 'pending') return refuse('invalid_state', `already ${state.status}`);
      // Due while the plan could not push (paused, at its cap) until the window closed.
      if (afterWindow(state, now) && state.confirmation === 'confirmed') return lapse(state);
      const block = pendingBlock(state, now);
      if (block !== null) return block;
      // A component the device already runs at its target is skipped, not pushed; when that is
      // every component the device needed no update (Quectel's No Update Required).
      const { targetVersion } = currentComponent(policy, state);
      if (event.version === targetVersion) {
        return succeed(state, policy, now, `already on target version ${targetVersion}`);
      }
      return offer(state, policy, now, 'notify');
    }
    case 'retry_due':
      return onTimer(state, { status: 'pending', action: 'retry' }, now, () =>
        offer(state, policy, now, 'notify'),
      );
    case 'repush_due':
      return onTimer(state, { status: 'pushed', action: 'repush' }, now, () => {
        if (afterWindow(state, now)) return lapse(state);
        const step = offer(state, policy, now, 'notify');
        return { ...step, message: `no reaction; ${step.message}` };
      });
    case 'timeout_elapsed':
      return onTimer(state, { status: 'upgrading', action: 'timeout' }, now, () =>
        fail(
          state,
          policy,
          now,
          'timeout',
          `no progress since ${formatTime(state.nextActionAt! - policy.upgradeTimeoutMs)}`,
          true,
        ),
      );
    case 'health_window_elapsed':
      return onTimer(state, { status: 'upgrading', action: 'health' }, now, () =>
        onHealthWindowElapsed(state, policy, now),
      );
    case 'deadline_reached':
      return fail(state, policy, now, 'deadline', null, state.status !== 'pending');
    case 'slot_released': {
      if (state.status !== 'pushed') return refuse('invalid_state', `not pushed (${state.status})`);
      const released = releasedState(state, policy, now);
      if (released === null) {
        const held = slotHoldMs(policy) / 1000;
        return refuse(
          'not_due',
          `pushed at ${formatTime(state.offeredAt ?? now)}; the place is held ${held} s`,
        );
      }
      return {
        state: released,
        effects: timerEffects(released),
        message: 'the device is offline; its place under the concurrency cap is given back',
      };
    }
    case 'silence_elapsed':
      return onSilence(state, event.seenAt ?? null, policy, now);
    case 'module_busy':
      return fail(
        state,
        policy,
        now,
        'device_busy',
        `module ${event.module} is in another active plan`,
        false,
      );
  }
}
