// The device-upgrade state machine (docs/state-machines.md, "Device upgrade"). Pure: the
// caller stores the returned state, appends the log line and carries out the effects.
import { isFailureReason } from './failure-reason.ts';
import { afterWindow, isAppointed, lapse, onAppointed, windowRefusal } from './internal/appointment.ts';
import { componentLabel, currentComponent, versionRefusal } from './internal/components.ts';
import { isConfirming, onHealthReported, onHealthWindowElapsed, whileConfirming } from './internal/health.ts';
import {
  fail,
  formatTime,
  offer,
  type Step,
  startUpgrading,
  succeed,
  thresholdShortfall,
  timerEffects,
} from './internal/upgrade-steps.ts';
import { isWaitingAfterRefusal, refusedState } from './rejection-period.ts';
import { onSilence } from './silence.ts';
import { releasedState, slotHoldMs } from './slot-release.ts';
import type {
  UpgradeEffect,
  UpgradeEvent,
  UpgradePolicy,
  UpgradeRefusal,
  UpgradeState,
  UpgradeTransition,
} from './upgrade-state.ts';
import { isTerminalUpgradeStatus, type UpgradeStage } from './upgrade-status.ts';

type Outcome = Step | { readonly refusal: UpgradeRefusal; readonly message: string };

const stageRank: Record<UpgradeStage, number> = {
  downloading: 0,
  downloaded: 1,
  installing: 2,
  confirming: 3,
};

function keep(state: UpgradeState, message: string, effects: readonly UpgradeEffect[] = []): Step {
  return { state, effects, message };
}

function refuse(refusal: UpgradeRefusal, message: string): Outcome {
  return { refusal, message };
}

/** Why a pending record may not be offered now, or null. */
function pendingBlock(state: UpgradeState, now: number): Outcome | null {
  if (state.confirmation === 'awaiting') return refuse('awaiting_confirmation', 'awaiting confirmation');
  const window = windowRefusal(state, now);
  if (window !== null) return window;
  if (state.nextAction === 'retry' && state.nextActionAt !== null && state.nextActionAt > now) {
    return refuse('retry_wait', `waiting for the automatic retry at ${formatTime(state.nextActionAt)}`);
  }
  if (isWaitingAfterRefusal(state, now)) {
    return refuse(
      'refusal_wait',
      `refused by the device; offered again at ${formatTime(state.nextActionAt!)}`,
    );
  }
  return null;
}

function onVersionReported(
  state: UpgradeState,
  event: Extract<UpgradeEvent, { type: 'version_reported' }>,
  policy: UpgradePolicy,
  now: number,
): Outcome {
  const { version } = event;
  const component = currentComponent(policy, state);
  const reported = state.reportedVersion === version ? state : { ...state, reportedVersion: version };
  if (version === component.targetVersion) {
    return succeed(reported, policy, now, `reported target version ${version}`);
  }
  const refusal = versionRefusal(component, version);
  if (refusal !== null) {
    return fail(reported, policy, now, 'version_mismatch', refusal, state.status !== 'pending');
  }
  if (state.status === 'pending') return keep(reported, `reported ${version}; waiting to be pushed`);
  const shortfall = thresholdShortfall(policy, event);
  if (shortfall !== null) return keep(reported, `reported ${version}; re-push deferred: ${shortfall}`);
  // protocols.md §1.7: a version other than the target is pushed again, at most maxRepushes
  // times; the next mismatch fails the attempt.
  const mismatches = state.mismatchCount + 1;
  const counted = { ...reported, mismatchCount: mismatches };
  if (mismatches > policy.maxRepushes) {
    const detail = `reported ${version}, target ${component.targetVersion}, mismatch ${mismatches}`;
    return fail(counted, policy, now, 'version_mismatch', detail, false);
  }
  const pushed = offer(counted, policy, now, 'notify');
  const message = `reported ${version}, target ${component.targetVersion}: re-push ${mismatches} of ${policy.maxRepushes}`;
  return { ...pushed, message };
}

function onChecked(
  state: UpgradeState,
  event: Extract<UpgradeEvent, { type: 'checked' }>,
  policy: UpgradePolicy,
  now: number,
): Outcome {
  if (state.status === 'upgrading')
    return keep(state, 'checked while upgrading; offered again', [{ type: 'offer' }]);
  if (state.status === 'pending') {
    const block = pendingBlock(state, now);
    if (block !== null) return block;
  }
  // Below-threshold devices are deferred, not failed: the condition is usually passing and the
  // device asks again. The log line says why nothing was offered.
  const shortfall = thresholdShortfall(policy, event);
  if (shortfall !== null) return refuse('below_threshold', `not offered: ${shortfall}`);
  if (state.status === 'pushed' && afterWindow(state, now)) {
    return refuse('appointment_passed', 'the appointed window is over');
  }
  if (state.status === 'pushed') return keep(state, 'checked again; offered again', [{ type: 'offer' }]);
  return offer(state, policy, now, 'offer');
}

function advanceProgress(
  state: UpgradeState,
  percent: number,
  stage: UpgradeStage | undefined,
  policy: UpgradePolicy,
  now: number,
): Step {
  if (stage === undefined && percent === 100) return succeed(state, policy, now, 'reported progress 100');
  const nextStage = stage === 'downloading' && percent === 100 ? 'downloaded' : (stage ?? state.stage);
  const nextProgress = nextStage === 'downloaded' ? 100 : percent;
  const rankBefore = state.stage === null ? -1 : stageRank[state.stage];
  const rankAfter = nextStage === null ? -1 : stageRank[nextStage];
  const advances = rankAfter > rankBefore || (rankAfter === rankBefore && nextProgress > state.progress);
  const label = nextStage === null ? `${nextProgress}%` : `${nextStage} ${nextProgress}%`;
  if (!advances) return keep(state, `progress ${label} does not advance; ignored`);
  const next: UpgradeState = {
    ...state,
    stage: nextStage,
    progress: nextProgress,
    nextAction: 'timeout',
    nextActionAt: now + policy.upgradeTimeoutMs,
  };
  return { state: next, effects: timerEffects(next), message: `progress ${label}` };
}

function onProgress(
  state: UpgradeState,
  event: Extract<UpgradeEvent, { type: 'progress' }>,
  policy: UpgradePolicy,
  now: number,
): Outcome {
  const { percent, stage } = event;
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    return refuse('invalid_event', `progress ${String(percent)} is not an integer 0..100`);
  }
  if (state.status === 'upgrading') return advanceProgress(state, percent, stage, policy, now);
  if (state.confirmation === 'awaiting') return refuse('awaiting_confirmation', 'awaiting confirmation');
  // The attempt failed and waits for its automatic retry: a step below success belongs to the
  // failed attempt (a late or reordered message; step monotonicity) and changes nothing.
  if (waitingForRetry(state) && !(percent === 100 && stage === undefined)) {
    return keep(state, `progress ${percent} of the failed attempt; ignored until the retry`);
  }
  const started = startUpgrading(state, policy, now, stage ?? null);
  const step = advanceProgress(started, percent, stage, policy, now);
  return step.state === started ? { ...step, effects: timerEffects(started), message: 'started' } : step;
}

const waitingForRetry = (state: UpgradeState) => state.status === 'pending' && state.nextAction === 'retry';

function onAccepted(state: UpgradeState, policy: UpgradePolicy, now: number): Outcome {
  if (state.status === 'upgrading') return keep(state, 'accepted again; already upgrading');
  if (waitingForRetry(state)) return keep(state, 'accepted for the failed attempt; ignored until the retry');
  if (state.confirmation === 'awaiting') return refuse('awaiting_confirmation', 'awaiting confirmation');
  const next = startUpgrading(state, policy, now, 'downloading');
  return { state: next, effects: timerEffects(next), message: 'accepted; downloading' };
}

function onConfirmed(state: UpgradeState, policy: UpgradePolicy, now: number): Outcome {
  if (!policy.manual) return refuse('not_manual', 'the plan is silent; nothing to confirm');
  if (state.confirmation === 'confirmed' && state.status === 'pending' && isAppointed(state)) {
    // Confirmed without a window: now, instead of the appointment.
    const next: UpgradeState = {
      ...state,
      appointedFrom: null,
      appointedUntil: null,
      nextAction: 'push',
      nextActionAt: now,
    };
    return { state: next, effects: timerEffects(next), message: 'confirmed now; the appointment is dropped' };
  }
  if (state.confirmation === 'confirmed') return keep(state, 'already confirmed');
  if (state.status !== 'pending' || state.confirmation !== 'awaiting') {
    return refuse('invalid_state', 'not awaiting confirmation');
  }
  const next: UpgradeState = { ...state, confirmation: 'confirmed', nextAction: 'push', nextActionAt: now };
  return { state: next, effects: timerEffects(next), message: 'confirmed' };
}

function onRejected(state: UpgradeState, policy: UpgradePolicy, now: number): Outcome {
  if (state.status === 'upgrading') return refuse('invalid_state', 'already upgrading; cancel it instead');
  const rejected = policy.manual ? { ...state, confirmation: 'rejected' as const } : state;
  return fail(rejected, policy, now, 'rejected', null, state.status === 'pushed');
}

/** The device refuses the offer for now (rejection-period.ts). */
function onRefused(
  state: UpgradeState,
  event: Extract<UpgradeEvent, { type: 'refused' }>,
  policy: UpgradePolicy,
  now: number,
): Outcome {
  const said = event.reason === undefined || event.reason === '' ? '' : ` (${event.reason})`;
  const holdsImage = state.status === 'upgrading' && state.stage === 'downloaded';
  // A manual plan's offer is declined once and for all, as by the app (protocols.md §3.5); so is
  // its downloaded image put off before the install (an operator rejects an upgrading device no more).
  if (policy.manual) {
    if (holdsImage) return fail({ ...state, confirmation: 'rejected' }, policy, now, 'rejected', null, false);
    return onRejected(state, policy, now);
  }
  // A device that took the offer but has not downloaded a byte may still refuse it (Quectel's SDK
  // confirms (2) to learn the files, then its application refuses (3)), and so may one holding the
  // whole image before its install starts (LwM2M defers at Update: State stays 2 Downloaded with
  // Update Result 11, protocols.md §4); in between, and once installing, it is too late.
  if (
    state.status === 'upgrading' &&
    !(state.stage === 'downloading' && state.progress === 0) &&
    !holdsImage
  ) {
    return refuse('invalid_state', 'already upgrading; it cannot be refused');
  }
  if (waitingForRetry(state)) return keep(state, `refused${said} while waiting for the retry; ignored`);
  // A repeated refusal (MQTT QoS 1 redelivery) neither counts again nor moves the period.
  if (isWaitingAfterRefusal(state, now)) {
    return keep(state, `refused again${said}; still offered again at ${formatTime(state.nextActionAt!)}`);
  }
  const next = refusedState(state, policy, now);
  return {
    state: next,
    effects: timerEffects(next),
    message: `refused by the device${said} (refusal ${next.refusals}); offered again at ${formatTime(next.nextActionAt!)}`,
  };
}

function onOperatorRetry(state: UpgradeState, now: number): Outcome {
  if (state.status !== 'failure') return refuse('not_failed', `only a failed upgrade can be retried`);
  const confirmation = state.confirmation === 'rejected' ? 'awaiting' : state.confirmation;
  const next: UpgradeState = {
    ...state,
    status: 'pending',
    stage: null,
    progress: 0,
    failureReason: null,
    attempts: state.attempts + 1,
    autoRetries: 0,
    mismatchCount: 0,
    confirmation,
    appointedFrom: null,
    appointedUntil: null,
    nextAction: confirmation === 'awaiting' ? null : 'push',
    nextActionAt: confirmation === 'awaiting' ? null : now,
    startedAt: null,
    finishedAt: null,
  };
  return {
    state: next,
    effects: timerEffects(next),
    message: `retried by operator; attempt ${next.attempts}`,
  };
}

function onOperatorCancel(state: UpgradeState, now: number): Outcome {
  const next: UpgradeState = {
    ...state,
    status: 'cancelled',
    stage: null,
    failureReason: 'cancelled_by_operator',
    nextAction: null,
    nextActionAt: null,
    finishedAt: now,
  };
  const withdraw: UpgradeEffect[] = state.status === 'pending' ? [] : [{ type: 'withdraw' }];
  const finished: UpgradeEffect = { type: 'finished', outcome: 'cancelled', reason: 'cancelled_by_operator' };
  return { state: next, effects: [...withdraw, finished], message: 'cancelled by operator' };
}

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

/** A device's word that it runs the target: success reported, or the target version stated. */
function saysSucceeded(event: UpgradeEvent, target: string): boolean {
  if (event.type === 'progress') return event.percent === 100 && event.stage === undefined;
  return event.type === 'version_reported' && event.version === target;
}

/** Failed by the engine's timer alone (no word from the device said so). */
function failedByTimeout(state: UpgradeState): boolean {
  return (
    state.status === 'failure' &&
    (state.failureReason === 'timeout' ||
      (state.failureReason === 'retries_exhausted' && state.lastFailureReason === 'timeout'))
  );
}

function route(state: UpgradeState, event: UpgradeEvent, policy: UpgradePolicy, now: number): Outcome {
  if (isTerminalUpgradeStatus(state.status)) {
    if (event.type === 'operator_retry') return onOperatorRetry(state, now);
    // Reconciliation: the timeout was the engine's guess (no report came, e.g. while the server
    // was down); the device says it finished, and it did.
    // The component the record failed on (docs/adr/0013-plan-components.md).
    const { targetVersion } = currentComponent(policy, state);
    if (failedByTimeout(state) && saysSucceeded(event, targetVersion)) {
      const healed = { ...state, failureReason: null, failureDetail: null };
      return succeed(
        healed,
        policy,
        now,
        `${event.type === 'progress' ? 'reported progress 100' : `reported target version ${targetVersion}`} after a timeout; reconciled`,
      );
    }
    return refuse('finished', `the upgrade ended in ${state.status}; ${event.type} ignored`);
  }
  const confirming = isConfirming(state) ? whileConfirming(state, event, policy, now) : null;
  if (confirming !== null) return confirming;
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
    case 'health_reported':
      return onHealthReported(state, event, policy, now);
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
    case 'version_reported':
      return onVersionReported(state, event, policy, now);
    case 'checked':
      return onChecked(state, event, policy, now);
    case 'accepted':
      return onAccepted(state, policy, now);
    case 'progress':
      return onProgress(state, event, policy, now);
    case 'failed':
      if (!isFailureReason(event.reason))
        return refuse('invalid_event', `unknown reason ${String(event.reason)}`);
      if (state.confirmation === 'awaiting') return refuse('awaiting_confirmation', 'awaiting confirmation');
      // A repeated failure report (MQTT QoS 1 redelivery, OneNET report called twice) must not
      // use up a second retry: the attempt it belongs to has already failed.
      if (state.status === 'pending' && state.nextAction === 'retry') {
        return keep(state, `${event.reason} reported while waiting for the retry; ignored`);
      }
      return fail(state, policy, now, event.reason, event.detail ?? null, false);
    case 'confirmed':
      return onConfirmed(state, policy, now);
    case 'rejected':
      return onRejected(state, policy, now);
    case 'appointed':
      return onAppointed(state, event, policy, now);
    case 'refused':
      return onRefused(state, event, policy, now);
    case 'operator_retry':
      return onOperatorRetry(state, now);
    case 'operator_cancel':
      return onOperatorCancel(state, now);
  }
}

function sameState(a: UpgradeState, b: UpgradeState): boolean {
  if (a === b) return true;
  for (const key of Object.keys(a) as (keyof UpgradeState)[]) {
    if (key !== 'updatedAt' && a[key] !== b[key]) return false;
  }
  return true;
}

/** Apply one event to one device upgrade; never throws for device input. */
export function applyUpgradeEvent(
  state: UpgradeState,
  event: UpgradeEvent,
  policy: UpgradePolicy,
  now: number,
): UpgradeTransition {
  const routed = route(state, event, policy, now);
  // In a plan of several components every log line names the component the event was about.
  const label = componentLabel(policy, state.component);
  const outcome = label === null ? routed : { ...routed, message: `${label}: ${routed.message}` };
  const actor = 'actor' in event && typeof event.actor === 'string' ? event.actor : null;
  if ('refusal' in outcome) {
    const log = {
      at: now,
      event: event.type,
      from: state.status,
      to: state.status,
      actor,
      message: outcome.message,
    };
    return { state, effects: [], log, accepted: false, refusal: outcome.refusal, changed: false };
  }
  const changed = !sameState(state, outcome.state);
  const next = changed ? { ...outcome.state, updatedAt: now } : state;
  const log = {
    at: now,
    event: event.type,
    from: state.status,
    to: next.status,
    actor,
    message: outcome.message,
  };
  return { state: next, effects: outcome.effects, log, accepted: true, refusal: null, changed };
}
