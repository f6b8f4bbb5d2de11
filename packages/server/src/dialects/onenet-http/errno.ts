// OneNET's errno numbers (protocols.md §2.4), per endpoint and path style: D1 `/ota/…`,
// D2 `/ota/south/…`. The device service says what went wrong, in canonical problems; this table
// says how OneNET devices are told.
import type {
  AccessProblem,
  DecisionProblem,
  NoOfferReason,
} from '../../modules/device-access/device-access.ts';
import type { AuthProblem } from './authenticate.ts';

/** OneNET's two path styles (protocols.md §2.1): D1 `/ota/…`, D2 `/ota/south/…`. */
export type PathStyle = 'd1' | 'd2';
export type OneNetEndpoint = 'check' | 'token_check' | 'progress' | 'report' | 'version' | 'confirmation';

export interface Errno {
  errno: number;
  error: string;
}

export const succ: Errno = { errno: 0, error: 'succ' };
export const badParams = (what: string): Errno => ({ errno: 2, error: `bad params: ${what}` });
export const internalError: Errno = { errno: 7, error: 'internal error' };
const taskFinished: Errno = { errno: 20, error: 'task finished' };
const taskCancelled: Errno = { errno: 22, error: 'task cancelled' };

/** What a device hears when the device named is unknown, not its to act for, or the signature is wrong. */
export const unknownOrForged = 'auth failed: unknown device or bad signature';

const authMessages: Record<AuthProblem, string> = {
  missing: 'auth failed: no Authorization header',
  malformed: 'auth failed: malformed Authorization token',
  expired: 'auth failed: token expired (et)',
  // One answer for both (issue 12): telling them apart lets a caller list which device names exist.
  bad_signature: unknownOrForged,
  unknown_device: unknownOrForged,
};

export function authErrno(problem: AuthProblem): Errno {
  return { errno: 1, error: authMessages[problem] };
}

/** dev_id names a device that is neither the caller nor one of its sub-devices. */
export function foreignDeviceErrno(endpoint: OneNetEndpoint, paths: PathStyle): Errno {
  if (endpoint === 'check' || endpoint === 'version' || endpoint === 'confirmation')
    return { errno: 1, error: unknownOrForged };
  return { errno: paths === 'd1' ? 23 : 4, error: 'token and dev_id do not match' };
}

export function noOfferErrno(reason: NoOfferReason, paths: PathStyle): Errno {
  switch (reason) {
    case 'below_threshold':
      // D1 has its own number; D2 only says "no task".
      return {
        errno: paths === 'd1' ? 10 : 11,
        error: 'no task: signal, battery or free space below the threshold',
      };
    case 'awaiting_confirmation':
      return { errno: 11, error: 'no task: waiting for confirmation' };
    case 'retry_wait':
      return { errno: 11, error: 'no task: waiting for the retry interval' };
    case 'outside_window':
      return { errno: 11, error: "no task yet: outside the plan's push window" };
    case 'refusal_wait':
      return { errno: 11, error: 'no task: the device refused it; offered again after the rejection period' };
    case 'up_to_date':
      return { errno: 11, error: 'no task: the device has the target version' };
    case 'not_dispatching':
      // D1 has "task suspended" (protocols.md §2.4 (1)): the plan is paused.
      if (paths === 'd1') return { errno: 19, error: 'task suspended: the plan is paused' };
      return { errno: 11, error: 'no task: the plan is not dispatching now' };
    case 'concurrency_full':
      return { errno: 11, error: 'no task: the plan is not dispatching now' };
    case 'earlier_component':
      return { errno: 11, error: 'no task yet: an earlier component of the plan comes first' };
    default:
      return { errno: 11, error: 'no task' };
  }
}

export function problemErrno(problem: AccessProblem, endpoint: OneNetEndpoint, paths: PathStyle): Errno {
  const d1 = paths === 'd1';
  switch (problem) {
    case 'unknown_module':
      return badParams('the product has no such module');
    case 'token_unknown':
      if (endpoint === 'report') return { errno: 1, error: 'token auth failed' };
      return { errno: d1 ? 18 : 12, error: 'wrong token (flow ended)' };
    case 'token_expired':
      return { errno: 12, error: 'token expired' };
    case 'token_superseded':
      return { errno: d1 ? 15 : 12, error: 'not the latest token' };
    case 'token_device_mismatch':
      return { errno: d1 ? 23 : 4, error: 'token and dev_id do not match' };
    case 'finished':
      return taskFinished;
    case 'cancelled':
      return taskCancelled;
    case 'awaiting_confirmation':
    case 'invalid_state':
      return endpoint === 'report'
        ? { errno: 21, error: 'invalid operation in this state' }
        : { errno: 17, error: 'invalid state' };
    case 'bad_result':
      return { errno: 24, error: 'bad result or step' };
    case 'suspended':
      // D1 "task suspended" (the device decides when to check again); D2 has no such number.
      return d1
        ? { errno: 19, error: 'task suspended: the plan is paused' }
        : { errno: 17, error: 'invalid state: the plan is paused' };
  }
}

/** A confirmation or rejection of a manual plan's upgrade (docs/device-http.md, "Confirmations"). */
export function decisionErrno(problem: DecisionProblem, refusal: string | null): Errno {
  switch (problem) {
    case 'no_such_upgrade':
      return { errno: 11, error: 'no task: no such upgrade waits for this device' };
    case 'not_manual':
      return { errno: 17, error: 'invalid state: the upgrade needs no confirmation' };
    case 'finished':
      return taskFinished;
    case 'cancelled':
      return taskCancelled;
    case 'invalid_state':
      return { errno: 17, error: `invalid state: ${refusal ?? 'refused'}` };
  }
}
