// Building blocks of applyUpgradeEvent: each returns the next state and its effects.
import { type FailureReason, isAutomaticallyRetried } from '../failure-reason.ts';
import type { UpgradeEffect, UpgradePolicy, UpgradeState } from '../upgrade-state.ts';
import type { UpgradeStage } from '../upgrade-status.ts';

export interface Step {
  readonly state: UpgradeState;
  readonly effects: readonly UpgradeEffect[];
  readonly message: string;
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
  const next: UpgradeState = {
    ...state,
    status: 'pushed',
    stage: null,
    progress: 0,
    startedAt: null,
    offeredAt: now,
    pushCount: how === 'notify' ? state.pushCount + 1 : state.pushCount,
    nextAction: policy.pushPeriodMs === null ? null : 'repush',
    nextActionAt: policy.pushPeriodMs === null ? null : now + policy.pushPeriodMs,
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

export function succeed(state: UpgradeState, now: number, message: string): Step {
  const next: UpgradeState = {
    ...state,
    status: 'success',
    stage: null,
    progress: 100,
    nextAction: null,
    nextActionAt: null,
    finishedAt: now,
  };
  return { state: next, effects: [{ type: 'finished', outcome: 'success', reason: null }], message };
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
  const base: UpgradeState = { ...state, lastFailureReason: reason, failureDetail: detail };
  const text = detail === null ? reason : `${reason} (${detail})`;
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
  signal: number | undefined,
  battery: number | undefined,
): string | null {
  if (battery !== undefined && policy.minBattery !== null && battery < policy.minBattery) {
    return `battery ${battery} below minimum ${policy.minBattery}`;
  }
  if (signal !== undefined && policy.minSignal !== null && signal < policy.minSignal) {
    return `signal ${signal} below minimum ${policy.minSignal}`;
  }
  return null;
}
