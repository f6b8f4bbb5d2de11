// The LwM2M dialect's one dispatch (as aedes' handlers/index.js): /rd for the Registration
// interface (§6.2), /fw/{token} for the firmware download; a method a path does not take is
// 4.05 Method Not Allowed.
import type { CoapAnswer, CoapIncoming } from '../../../transports/coap/coap-dialect.ts';
import type { Lwm2mContext } from '../context.ts';
import type { FirmwareSession } from '../firmware-session.ts';
import { handleDeregister } from './deregister.ts';
import { handleDownload } from './download.ts';
import { handleRegister } from './register.ts';
import { handleUpdate } from './update.ts';

export const registrationRoot = 'rd';
export const downloadRoot = 'fw';

export async function dispatch(
  ctx: Lwm2mContext,
  session: FirmwareSession,
  request: CoapIncoming,
): Promise<CoapAnswer> {
  const [root, id, ...rest] = request.path;
  if (rest.length > 0) return { code: '4.04' };
  if (root === registrationRoot) {
    if (id === undefined)
      return request.method === 'POST' ? handleRegister(ctx, session, request) : { code: '4.05' };
    if (request.method === 'POST') return handleUpdate(ctx, session, id, request);
    if (request.method === 'DELETE') return handleDeregister(ctx, id);
    return { code: '4.05' };
  }
  if (root === downloadRoot && id !== undefined) {
    return request.method === 'GET' ? handleDownload(ctx, id) : { code: '4.05' };
  }
  return { code: '4.04' };
}
