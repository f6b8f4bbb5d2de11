// OneNET's device-task states (protocols.md §2.5) read from an Updraft device upgrade, and what
// each state lets a device do (§2.4 (2), (4), (5)). The engine is protocol-neutral (an MQTT step
// may start an upgrade); these rules hold OneNET devices to their documented contract, so a
// call OneNET refuses is refused here too and changes nothing.
import type { UpgradeState } from '@updraft/core';
import type { CanonicalEvent } from '../../modules/device-access/device-access.ts';

export type OneNetTaskState =
  | 'to_be_upgraded'
  | 'downloading'
  | 'upgrading'
  /** The attempt failed and waits for the plan's automatic retry: failed, for this token. */
  | 'failed_retrying'
  | 'ended';

export function oneNetTaskState(state: UpgradeState): OneNetTaskState {
  switch (state.status) {
    case 'pending':
      return state.nextAction === 'retry' && state.lastFailureReason !== null
        ? 'failed_retrying'
        : 'to_be_upgraded';
    case 'pushed':
      return 'to_be_upgraded';
    case 'upgrading':
      // Step 100 or 101 moves downloading -> upgrading; an MQTT device reports no stage.
      return state.stage === 'downloaded' || state.stage === 'installing' ? 'upgrading' : 'downloading';
    default:
      return 'ended';
  }
}

/**
 * How OneNET treats a step or result code in the upgrade's state: `engine` (the engine decides),
 * `repeat` (it restates the state: success, nothing changes), `invalid_state` (errno 17 on
 * progress, 21 on report) or `finished` (errno 20). Only in `engine` does the engine see it.
 */
export function oneNetCodeRule(
  state: UpgradeState,
  code: number,
  event: CanonicalEvent,
): 'engine' | 'repeat' | 'invalid_state' | 'finished' {
  const task = oneNetTaskState(state);
  if (task === 'ended') return 'engine';
  if (task === 'failed_retrying') {
    // A repeated failure report is the same result; anything else comes after the end.
    return event.type === 'failed' && event.reason === state.lastFailureReason ? 'repeat' : 'finished';
  }
  if (code <= 100) {
    // §2.4 (4): steps 0..100 only while downloading.
    if (task === 'downloading') return 'engine';
    return task === 'upgrading' && code === 100 ? 'repeat' : 'invalid_state';
  }
  if (code < 200 && task === 'upgrading') {
    // §2.4 (4): in upgrading only 2xx; but §2.9 sends 101 after step 100, which restates it.
    return code === 101 ? 'repeat' : 'invalid_state';
  }
  return 'engine';
}

/** §2.4 (2): the token check is taken in to-be-upgraded and downloading only. */
export function oneNetTokenCheckAllowed(state: UpgradeState): boolean {
  const task = oneNetTaskState(state);
  return task === 'to_be_upgraded' || task === 'downloading';
}

/**
 * Whether a code repeats the result an upgrade ended with (docs/device-http.md: idempotent,
 * errno 0): 201 after success, a failure with the same reason after failure.
 */
export function repeatsEnd(state: UpgradeState, code: number, event: CanonicalEvent): boolean {
  if (state.status === 'success') return code === 201;
  return state.status === 'failure' && event.type === 'failed' && event.reason === state.lastFailureReason;
}
