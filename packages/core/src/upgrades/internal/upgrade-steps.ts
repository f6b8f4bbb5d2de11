// Building blocks of applyUpgradeEvent: each returns the next state and its effects.
import { type FailureReason, isAutomaticallyRetried } from '../failure-reason.ts';
import type { UpgradeEffect, UpgradePolicy, UpgradeRefusal, UpgradeState } from '../upgrade-state.ts';
import type { UpgradeStage } from '../upgrade-status.ts';
import { componentLabel, componentTotal } from './components.ts';

export interface Step {
  readonly state: UpgradeState;
  readonly effects: readonly UpgradeEffect[];
  readonly message: string;
}

/** What an event comes to: a step, or a refusal that changes nothing. */
export type Outcome = Step | { readonly refusal: UpgradeRefusal; readonly message: string };

export function keep(state: UpgradeState, message: string, effects: readonly UpgradeEffect[] = []): Step {
  return { state, effects, message };
}

export function refuse(refusal: UpgradeRefusal, message: string): Outcome {
  return { refusal, message };
}

export function timerEffects(state: UpgradeState): UpgradeEffect[] {
  if (state.nextAction === null || state.nextActionAt === null) return [];
  return [{ type: 'schedule', action: state.nextAction, at: state.nextActionAt }];
}

export function formatTime(at: number): string {
  return Number.isFinite(at) && Math.abs(at) <= 8.64e15 ? new Date(at).toISOString() : String(at);
}

/** Offer the upgrade: by push (notify, counted) or in answer to a check (offer). */
export function offer(
  state: UpgradeState,
  policy: UpgradePolicy,
  now: number,
  how: 'notify' | 'offer',
): Step {
  let repushAt = policy.pushPeriodMs === null ? null : now + policy.pushPeriodMs;
  // An appointed window (appointment.ts): the timer fires at its end at the latest, to notice a
  // device that never took the upgrade.
  const until = state.appointedUntil;
  if (until !== null && (repushAt === null || repushAt > until)) repushAt = until;
  const next: UpgradeState = {
    ...state,
    status: 'pushed',
    stage: null,
    progress: 0,
    startedAt: null,
    offeredAt: now,
    pushCount: how === 'notify' ? state.pushCount + 1 : state.pushCount,
    nextAction: repushAt === null ? null : 'repush',
    nextActionAt: repushAt,
  };
  const message = how === 'notify' ? `pushed (push ${next.pushCount})` : 'offered in answer to a check';
  return { state: next, effects: [{ type: how }, ...timerEffects(next)], message };
}

export function startUpgrading(
  state: UpgradeState,
  policy: UpgradePolicy,
  now: number,
  stage: UpgradeStage | null,
): UpgradeState {
  return {
    ...state,
    status: 'upgrading',
    stage,
    progress: 0,
    startedAt: now,
    nextAction: 'timeout',
    nextActionAt: now + policy.upgradeTimeoutMs,
  };
}

/**
 * The component under way succeeded. A component the device was never offered (it already ran
 * the target) counts as skipped. With components left the record goes on to the next one:
 * pending, due at once and ahead of devices not started yet (its due time is its creation), or
 * still awaiting the confirmation of a manual plan; otherwise the upgrade ends in success.
 */
export function succeed(
  state: UpgradeState,
  policy: UpgradePolicy,
  now: number,
  message: string,
  /** The device already said it is healthy (a health report): no health window to wait for. */
  healthy = false,
): Step {
  const wasSkipped = state.status === 'pending' && state.offeredAt === null;
  const skipped = wasSkipped ? state.skipped | (1 << state.component) : state.skipped;
  const several = componentTotal(policy) > 1;
  const done = several ? `${message}; ${wasSkipped ? 'skipped' : 'done'}` : message;
  if (state.component + 1 < componentTotal(policy)) {
    const awaiting = state.confirmation === 'awaiting';
    const next: UpgradeState = {
      ...state,
      status: 'pending',
      component: state.component + 1,
      skipped,
      stage: null,
      progress: 0,
      mismatchCount: 0,
      autoRetries: 0,
      reportedVersion: null,
      offeredAt: null,
      startedAt: null,
      nextAction: awaiting ? null : 'push',
      nextActionAt: awaiting ? null : state.createdAt,
    };
    const after = `${done}; next: ${componentLabel(policy, next.component)}`;
    return { state: next, effects: timerEffects(next), message: after };
  }
  const window = policy.healthWindowMs ?? null;
  // Installs confirmed by health (docs/state-machines.md): the last component's target runs; the
  // device has the health window to say it works. A device that already ran it installed nothing.
  if (window !== null && !healthy && !wasSkipped) {
    const until = now + window;
    const next: UpgradeState = {
      ...state,
      status: 'upgrading',
      skipped,
      stage: 'confirming',
      progress: 100,
      failureReason: null,
      startedAt: state.startedAt ?? now,
      finishedAt: null,
      nextAction: 'health',
      nextActionAt: until,
    };
    const waiting = `${done}; waiting for its health report until ${formatTime(until)}`;
    return { state: next, effects: timerEffects(next), message: waiting };
  }
  const next: UpgradeState = {
    ...state,
    status: 'success',
    skipped,
    stage: null,
    progress: 100,
    nextAction: null,
    nextActionAt: null,
    finishedAt: now,
  };
  return { state: next, effects: [{ type: 'finished', outcome: 'success', reason: null }], message: done };
}

/**
 * A failed attempt. With automatic retries left (and a reason that is retried) the record goes
 * back to pending until now + interval; otherwise it ends. It ends with 'retries_exhausted' only
 * when a retry strategy was configured and used up: then the retry limit is what ended it, and
 * lastFailureReason keeps the cause.
 */
export function fail(
  state: UpgradeState,
  policy: UpgradePolicy,
  now: number,
  reason: FailureReason,
  detail: string | null,
  withdraw: boolean,
): Step {
  const withdrawal: UpgradeEffect[] = withdraw ? [{ type: 'withdraw' }] : [];
  // In a plan of several components the detail names the one that failed.
  const label = componentLabel(policy, state.component);
  const named = label === null ? detail : detail === null ? label : `${label}: ${detail}`;
  const base: UpgradeState = { ...state, lastFailureReason: reason, failureDetail: named };
  const text = named === null ? reason : `${reason} (${named})`;
  const retried = isAutomaticallyRetried(reason);
  if (retried && state.autoRetries < policy.retryAttempts) {
    const next: UpgradeState = {
      ...base,
      status: 'pending',
      stage: null,
      progress: 0,
      startedAt: null,
      attempts: state.attempts + 1,
      autoRetries: state.autoRetries + 1,
      mismatchCount: 0,
      nextAction: 'retry',
      nextActionAt: now + policy.retryIntervalMs,
    };
    const message = `${text}; automatic retry ${next.autoRetries} of ${policy.retryAttempts} at ${formatTime(now + policy.retryIntervalMs)}`;
    return { state: next, effects: [...withdrawal, ...timerEffects(next)], message };
  }
  const exhausted = retried && policy.retryAttempts > 0;
  const finalReason: FailureReason = exhausted ? 'retries_exhausted' : reason;
  const next: UpgradeState = {
    ...base,
    status: 'failure',
    failureReason: finalReason,
    stage: null,
    nextAction: null,
    nextActionAt: null,
    finishedAt: now,
  };
  const message = exhausted
    ? `${text}; all ${policy.retryAttempts} automatic retries used`
    : `failed: ${text}`;
  return {
    state: next,
    effects: [...withdrawal, { type: 'finished', outcome: 'failure', reason: finalReason }],
    message,
  };
}

/** The server-side check of the thresholds handed to the device (issue 3). */
export function thresholdShortfall(
  policy: UpgradePolicy,
  measured: { readonly signal?: number; readonly battery?: number; readonly freeSpace?: number },
): string | null {
  const { signal, battery, freeSpace } = measured;
  if (battery !== undefined && policy.minBattery !== null && battery < policy.minBattery) {
    return `battery ${battery} below minimum ${policy.minBattery}`;
  }
  if (signal !== undefined && policy.minSignal !== null && signal < policy.minSignal) {
    return `signal ${signal} below minimum ${policy.minSignal}`;
  }
  const minFreeSpace = policy.minFreeSpace ?? null;
  if (freeSpace !== undefined && minFreeSpace !== null && freeSpace < minFreeSpace) {
    return `free space ${freeSpace} bytes below minimum ${minFreeSpace}`;
  }
  return null;
}
