// Appointments (Quectel's enduserapi "appoint", protocols.md §3.5): the owner of a device in a
// manual plan confirms its upgrade for a window of at least an hour. Before the window the
// upgrade is neither pushed nor offered; it is pushed when the window opens; a device that has
// not taken it when the window closes is no longer offered it, and the upgrade waits for the
// owner's next decision (confirm, appoint again, reject). A device that started keeps going.
import {
  minAppointmentMs,
  type UpgradeEffect,
  type UpgradeEvent,
  type UpgradePolicy,
  type UpgradeRefusal,
  type UpgradeState,
} from '../upgrade-state.ts';
import { formatTime, type Step, timerEffects } from './upgrade-steps.ts';

type Refused = { readonly refusal: UpgradeRefusal; readonly message: string };

export const isAppointed = (state: UpgradeState) => state.appointedFrom !== null;

/** Whether the appointed window has not begun at `now` (false without an appointment). */
export const beforeWindow = (state: UpgradeState, now: number) =>
  state.appointedFrom !== null && now < state.appointedFrom;

/** Whether the appointed window is over at `now` (false without an appointment). */
export const afterWindow = (state: UpgradeState, now: number) =>
  state.appointedUntil !== null && now >= state.appointedUntil;

/** Why an appointed upgrade may not be offered now, or null (no appointment, or inside it). */
export function windowRefusal(state: UpgradeState, now: number): Refused | null {
  if (beforeWindow(state, now)) {
    return {
      refusal: 'appointment_wait',
      message: `appointed for ${formatTime(state.appointedFrom!)} to ${formatTime(state.appointedUntil!)}`,
    };
  }
  if (afterWindow(state, now)) {
    return {
      refusal: 'appointment_passed',
      message: `the appointed window ended at ${formatTime(state.appointedUntil!)}`,
    };
  }
  return null;
}

/**
 * The appointed window closed before the device took the upgrade: back to awaiting the owner's
 * decision, no timer; a device that was pushed is told the upgrade is off.
 */
export function lapse(state: UpgradeState): Step {
  const withdraw: UpgradeEffect[] = state.status === 'pushed' ? [{ type: 'withdraw' }] : [];
  const next: UpgradeState = {
    ...state,
    status: 'pending',
    stage: null,
    progress: 0,
    confirmation: 'awaiting',
    appointedFrom: null,
    appointedUntil: null,
    nextAction: null,
    nextActionAt: null,
  };
  return {
    state: next,
    effects: withdraw,
    message: `the appointed window ended at ${formatTime(state.appointedUntil!)} before the device took the upgrade; awaiting a new decision`,
  };
}

/**
 * The owner appoints a window: allowed while the upgrade waits for a decision, or to move the
 * window of an appointment the device has not taken yet.
 */
export function onAppointed(
  state: UpgradeState,
  event: Extract<UpgradeEvent, { type: 'appointed' }>,
  policy: UpgradePolicy,
  now: number,
): Step | Refused {
  const { from, until } = event;
  if (!policy.manual) return { refusal: 'not_manual', message: 'the plan is silent; nothing to appoint' };
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(until) || until - from < minAppointmentMs) {
    return { refusal: 'invalid_event', message: 'an appointed window lasts an hour at least' };
  }
  if (until <= now) return { refusal: 'invalid_event', message: 'the appointed window is over' };
  const open = state.status === 'pending' && state.confirmation === 'awaiting';
  const movable = state.status === 'pending' && state.confirmation === 'confirmed' && isAppointed(state);
  if (!open && !movable) {
    return { refusal: 'invalid_state', message: 'not awaiting a decision' };
  }
  const next: UpgradeState = {
    ...state,
    confirmation: 'confirmed',
    appointedFrom: from,
    appointedUntil: until,
    nextAction: 'push',
    nextActionAt: Math.max(from, now),
  };
  return {
    state: next,
    effects: timerEffects(next),
    message: `appointed for ${formatTime(from)} to ${formatTime(until)}`,
  };
}
