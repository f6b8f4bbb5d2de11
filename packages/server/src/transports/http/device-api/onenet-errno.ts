// OneNET's errno numbers (protocols.md §2.4), per endpoint and path dialect: D1 `/ota/…`,
// D2 `/ota/south/…`. The device-access service says what went wrong; this table says how
// OneNET devices are told.
import type {
  AccessProblem,
  AuthProblem,
  NoOfferReason,
} from '../../../modules/device-access/device-access-service.ts';

export type OneNetDialect = 'd1' | 'd2';
export type OneNetEndpoint = 'check' | 'token_check' | 'progress' | 'report' | 'version';

export interface Errno {
  errno: number;
  error: string;
}

export const succ: Errno = { errno: 0, error: 'succ' };
export const badParams = (what: string): Errno => ({ errno: 2, error: `bad params: ${what}` });
export const internalError: Errno = { errno: 7, error: 'internal error' };

const authMessages: Record<AuthProblem, string> = {
  missing: 'auth failed: no Authorization header',
  malformed: 'auth failed: malformed Authorization token',
  expired: 'auth failed: token expired (et)',
  bad_signature: 'auth failed: bad signature',
  unknown_device: 'auth failed: device does not exist',
};

export function authErrno(problem: AuthProblem): Errno {
  return { errno: 1, error: authMessages[problem] };
}

/** dev_id names a device that is neither the caller nor one of its sub-devices. */
export function foreignDeviceErrno(endpoint: OneNetEndpoint, dialect: OneNetDialect): Errno {
  if (endpoint === 'check' || endpoint === 'version')
    return { errno: 1, error: 'auth failed: device does not exist' };
  return { errno: dialect === 'd1' ? 23 : 4, error: 'token and dev_id do not match' };
}

export function noOfferErrno(reason: NoOfferReason, dialect: OneNetDialect): Errno {
  switch (reason) {
    case 'below_threshold':
      // D1 has its own number; D2 only says "no task".
      return { errno: dialect === 'd1' ? 10 : 11, error: 'no task: signal or battery below the threshold' };
    case 'awaiting_confirmation':
      return { errno: 11, error: 'no task: waiting for confirmation' };
    case 'retry_wait':
      return { errno: 11, error: 'no task: waiting for the retry interval' };
    case 'up_to_date':
      return { errno: 11, error: 'no task: the device has the target version' };
    case 'not_dispatching':
      // D1 has "task suspended" (protocols.md §2.4 (1)): the plan is paused.
      if (dialect === 'd1') return { errno: 19, error: 'task suspended: the plan is paused' };
      return { errno: 11, error: 'no task: the plan is not dispatching now' };
    case 'concurrency_full':
      return { errno: 11, error: 'no task: the plan is not dispatching now' };
    default:
      return { errno: 11, error: 'no task' };
  }
}

export function problemErrno(
  problem: AccessProblem,
  endpoint: OneNetEndpoint,
  dialect: OneNetDialect,
): Errno {
  const d1 = dialect === 'd1';
  switch (problem) {
    case 'not_your_device':
      return foreignDeviceErrno(endpoint, dialect);
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
      return { errno: 20, error: 'task finished' };
    case 'cancelled':
      return { errno: 22, error: 'task cancelled' };
    case 'awaiting_confirmation':
    case 'invalid_state':
      return endpoint === 'report'
        ? { errno: 21, error: 'invalid operation in this state' }
        : { errno: 17, error: 'invalid state' };
    case 'bad_result':
      return { errno: 24, error: 'bad result or step' };
  }
}
