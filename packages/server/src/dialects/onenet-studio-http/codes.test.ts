// Studio's answer codes row by row (codes.ts): the no-task codes, the task problems and the
// download digits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessProblem, NoOfferReason } from '../../modules/device-access/device-access.ts';
import { downloadErrno, noTaskCode, problemCode } from './codes.ts';

describe("OneNET Studio's codes (one row each)", () => {
  const noTask: [NoOfferReason, number][] = [
    ['up_to_date', 12013],
    ['no_plan', 12012],
    ['below_threshold', 12012],
    ['awaiting_confirmation', 12012],
    ['retry_wait', 12012],
    ['not_dispatching', 12012],
    ['concurrency_full', 12012],
  ];
  for (const [reason, code] of noTask) {
    it(`answers no task (${reason}) with ${code}`, () => assert.equal(noTaskCode(reason).errno, code));
  }

  const problems: [AccessProblem, 'check' | 'status' | 'version', number][] = [
    ['token_unknown', 'status', 12012],
    ['token_device_mismatch', 'status', 4],
    ['finished', 'status', 20],
    ['cancelled', 'status', 22],
    ['invalid_state', 'status', 17],
    ['bad_result', 'status', 24],
    ['suspended', 'status', 17],
    ['unknown_module', 'check', 2],
    ['unknown_module', 'version', 2],
  ];
  for (const [problem, endpoint, code] of problems) {
    it(`answers ${problem} on ${endpoint} with ${code}`, () =>
      assert.equal(problemCode(problem, endpoint).errno, code));
  }

  const digits: [AccessProblem | 'auth', number][] = [
    ['auth', 6],
    ['token_unknown', 2],
    ['token_device_mismatch', 2],
    ['token_expired', 5],
    ['token_superseded', 5],
    ['finished', 5],
    ['cancelled', 5],
  ];
  for (const [problem, digit] of digits) {
    it(`answers a download refused for ${problem} with Ota-Errno ${digit}`, () =>
      assert.equal(downloadErrno(problem), digit));
  }
});
