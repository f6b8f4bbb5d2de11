// OneNET Studio's answer codes, written once (protocols.md §2.10; docs/device-http.md, "OneNET
// Studio"). Studio's code list is not public. Decided here [I]:
// - 0 success, as device code in the wild reads it;
// - 12012 "not exist" when there is no task (and for a tid that names none), 12013 "task succ"
//   when the device already runs the target: the two answers device code in the wild names as
//   measured (third-party firmware treats both as "nothing to do");
// - every other problem keeps the number of OneNET's legacy API (errno.ts, D2), which a OneNET
//   developer knows: 1 auth, 2 bad params, 4 another device's task, 7 internal, 9 delta version
//   mismatch, 17 invalid state, 20 finished, 22 cancelled, 24 bad step, 27 bad version;
// - downloads answer with `Ota-Errno` (HTTP 200): 0 on success; 2 no such task or file, 5 the
//   task expired or ended, 6 authorization failed: the digits third-party firmware documents.
import type { AccessProblem, NoOfferReason } from '../../modules/device-access/device-access.ts';
import { type Errno, noOfferErrno, problemErrno } from '../onenet-http/errno.ts';

/** No task for this device, type and version. */
export function noTaskCode(reason: NoOfferReason): Errno {
  if (reason === 'up_to_date')
    return { errno: 12013, error: 'task succ: the device runs the target version' };
  // The legacy text says why (below the threshold, awaiting confirmation…).
  return { errno: 12012, error: `not exist: ${noOfferErrno(reason, 'd2').error}` };
}

/** The answer to a problem with a task call (status, task check) or a check. */
export function problemCode(problem: AccessProblem, endpoint: 'check' | 'status' | 'version'): Errno {
  switch (problem) {
    case 'token_unknown':
      return { errno: 12012, error: 'not exist: no such task' };
    case 'token_device_mismatch':
      return { errno: 4, error: 'the task is not this device’s' };
    default:
      return problemErrno(problem, endpoint === 'status' ? 'progress' : endpoint, 'd2');
  }
}

export type OtaErrno = 2 | 5 | 6;

/** The `Ota-Errno` of a download that does not serve the file. */
export function downloadErrno(problem: AccessProblem | 'auth'): OtaErrno {
  switch (problem) {
    case 'auth':
      return 6;
    case 'token_unknown':
    case 'token_device_mismatch':
    case 'unknown_module':
      return 2;
    default:
      // Expired or superseded grant, finished or cancelled upgrade: the task is over for this offer.
      return 5;
  }
}
