// How a ThingsPanel device is told its message was dropped: an error reply on its push topic
// (docs/mqtt.md, "Errors"), with the reason logged too. The codes, once: 400 a message that does
// not parse, 403 a device or topic that is not the sender's, 404 a module the product does not
// have, 409 a report no upgrade takes now.
import type { OtaErrorReply } from '@updraft/protocol';
import type { AccessProblem } from '../../modules/device-access/device-access.ts';

/** Why an uplink was dropped: logged, and sent back to the device as an OtaErrorReply. */
export interface Dropped {
  code: OtaErrorReply['code'];
  reason: string;
}

export const malformed = (reason: string): Dropped => ({ code: 400, reason });
export const forbidden = (reason: string): Dropped => ({ code: 403, reason });

/** A problem the device service found with an inform (`unknown_module` is the one it has). */
export function informDropped(problem: AccessProblem, module: string): Dropped {
  return { code: 404, reason: `${problem}: ${module}` };
}

/** A problem the device service found with a progress report. */
export function progressDropped(problem: AccessProblem, module: string): Dropped {
  return { code: 409, reason: `${problem}: no upgrade of ${module} takes this step now` };
}
