// What the dialect answers on CoAP when the device service refuses (RFC 7252 §5.9 codes), written
// once: a download token that no longer downloads is 4.03 Forbidden, one never issued 4.04.
import type { AccessProblem } from '../../modules/device-access/device-access.ts';

export function codeOfProblem(problem: AccessProblem): string {
  switch (problem) {
    case 'token_unknown':
    case 'unknown_module':
      return '4.04';
    case 'bad_result':
      return '4.00';
    default:
      return '4.03';
  }
}
