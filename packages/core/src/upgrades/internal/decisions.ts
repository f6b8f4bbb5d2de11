// Decisions on a device upgrade: the confirmation or rejection of a manual plan's upgrade (by the
// device's user or an operator) and the operator's retry and cancel (docs/state-machines.md).
// Appointments are in appointment.ts.
import type { UpgradeEffect, UpgradePolicy, UpgradeState } from '../upgrade-state.ts';
import { isAppointed } from './appointment.ts';
import { fail, keep, type Outcome, refuse, timerEffects } from './upgrade-steps.ts';

export function onConfirmed(state: UpgradeState, policy: UpgradePolicy, now: number): Outcome {
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

export function onRejected(state: UpgradeState, policy: UpgradePolicy, now: number): Outcome {
  if (state.status === 'upgrading') return refuse('invalid_state', 'already upgrading; cancel it instead');
  const rejected = policy.manual ? { ...state, confirmation: 'rejected' as const } : state;
  return fail(rejected, policy, now, 'rejected', null, state.status === 'pushed');
}

export function onOperatorRetry(state: UpgradeState, now: number): Outcome {
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

export function onOperatorCancel(state: UpgradeState, now: number): Outcome {
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
