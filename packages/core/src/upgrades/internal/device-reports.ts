// What a device says of its upgrade: its version, a check, acceptance, progress, a failure or a
// refusal of the offer (docs/state-machines.md, "Device upgrade"). Health reports are in
// health.ts, the owner's decisions in decisions.ts.
import { isFailureReason } from '../failure-reason.ts';
import { isWaitingAfterRefusal, refusedState } from '../rejection-period.ts';
import type { UpgradeEvent, UpgradePolicy, UpgradeState } from '../upgrade-state.ts';
import type { UpgradeStage } from '../upgrade-status.ts';
import { afterWindow, windowRefusal } from './appointment.ts';
import { currentComponent, versionRefusal } from './components.ts';
import { onRejected } from './decisions.ts';
import {
  fail,
  formatTime,
  keep,
  type Outcome,
  offer,
  refuse,
  type Step,
  startUpgrading,
  succeed,
  thresholdShortfall,
  timerEffects,
} from './upgrade-steps.ts';

const stageRank: Record<UpgradeStage, number> = {
  downloading: 0,
  downloaded: 1,
  installing: 2,
  confirming: 3,
};

const waitingForRetry = (state: UpgradeState) => state.status === 'pending' && state.nextAction === 'retry';

/** Why a pending record may not be offered now, or null: to a device's check or by a push. */
export function pendingBlock(state: UpgradeState, now: number): Outcome | null {
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

export function onVersionReported(
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

export function onChecked(
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

export function onProgress(
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

export function onAccepted(state: UpgradeState, policy: UpgradePolicy, now: number): Outcome {
  if (state.status === 'upgrading') return keep(state, 'accepted again; already upgrading');
  if (waitingForRetry(state)) return keep(state, 'accepted for the failed attempt; ignored until the retry');
  if (state.confirmation === 'awaiting') return refuse('awaiting_confirmation', 'awaiting confirmation');
  const next = startUpgrading(state, policy, now, 'downloading');
  return { state: next, effects: timerEffects(next), message: 'accepted; downloading' };
}

export function onFailed(
  state: UpgradeState,
  event: Extract<UpgradeEvent, { type: 'failed' }>,
  policy: UpgradePolicy,
  now: number,
): Outcome {
  if (!isFailureReason(event.reason))
    return refuse('invalid_event', `unknown reason ${String(event.reason)}`);
  if (state.confirmation === 'awaiting') return refuse('awaiting_confirmation', 'awaiting confirmation');
  // A repeated failure report (MQTT QoS 1 redelivery, OneNET report called twice) must not
  // use up a second retry: the attempt it belongs to has already failed.
  if (state.status === 'pending' && state.nextAction === 'retry') {
    return keep(state, `${event.reason} reported while waiting for the retry; ignored`);
  }
  return fail(state, policy, now, event.reason, event.detail ?? null, false);
}

/** The device refuses the offer for now (rejection-period.ts). */
export function onRefused(
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
