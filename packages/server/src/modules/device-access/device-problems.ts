// What a device is told went wrong, in canonical terms, and the one table from the engine's
// refusals to these problems. Each dialect maps problems to its own codes once (OneNET errno,
// ThingsPanel reply codes); none reads the engine's refusals itself.
import type { UpgradeStatus } from '@updraft/core';
import type { EngineRefusal } from '../plans/upgrade-engine-contract.ts';

/** Why a download token does not open its file (download-tokens.ts). */
export type TokenProblem = 'unknown' | 'expired' | 'superseded';

export type AccessProblem =
  | 'unknown_module'
  | `token_${TokenProblem}`
  | 'token_device_mismatch'
  | 'finished'
  | 'cancelled'
  | 'invalid_state'
  | 'awaiting_confirmation'
  | 'bad_result'
  /** The plan is paused and the device has not started: it waits (OneNET D1 errno 19). */
  | 'suspended';

/** Why a check offers nothing. */
export type NoOfferReason =
  | 'no_plan'
  | 'up_to_date'
  | 'below_threshold'
  | 'awaiting_confirmation'
  | 'retry_wait'
  /** The device refused the offer; it is offered again after the plan's rejection period. */
  | 'refusal_wait'
  | 'not_dispatching'
  | 'concurrency_full'
  /** The plan's daily push window is closed (docs/state-machines.md, "Push window"). */
  | 'outside_window'
  /** The module is a later component of a plan the device is in: an earlier one comes first. */
  | 'earlier_component';

/** An upgrade that ended: `cancelled` when an operator (or the plan) cancelled it, else `finished`. */
export function endedProblem(status: UpgradeStatus | null): 'finished' | 'cancelled' {
  return status === 'cancelled' ? 'cancelled' : 'finished';
}

/** The engine's answer to a device event, as a problem (null: applied). */
export function problemOf(outcome: {
  accepted: boolean;
  refusal: EngineRefusal | null;
  status: UpgradeStatus | null;
}): AccessProblem | null {
  if (outcome.accepted) return null;
  switch (outcome.refusal) {
    case 'finished':
      return endedProblem(outcome.status);
    case 'invalid_event':
      return 'bad_result';
    case 'awaiting_confirmation':
      return 'awaiting_confirmation';
    case 'not_dispatching':
      return 'suspended';
    default:
      return 'invalid_state';
  }
}

/** The engine's refusal of a check, as the reason nothing is offered. */
export function noOfferReasonOf(refusal: EngineRefusal | null): NoOfferReason {
  switch (refusal) {
    case 'below_threshold':
    case 'awaiting_confirmation':
    case 'retry_wait':
    case 'refusal_wait':
    case 'not_dispatching':
    case 'concurrency_full':
    case 'outside_window':
      return refusal;
    default:
      return 'no_plan';
  }
}
