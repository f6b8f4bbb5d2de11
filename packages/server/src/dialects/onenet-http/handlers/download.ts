// protocols.md §2.4 (3) GET /ota/south/download/{token}: the file, with OneNET's range rules;
// a token that does not download answers OneNET's one-digit error body (3: no such resource).
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendFirmware } from '../../../transports/http/send-firmware.ts';
import type { OneNetContext } from '../context.ts';

/**
 * OneNET signals download errors with a 200, a one-digit body without Content-Length and the
 * digit in `Ota-Errno` (Studio devices read the header; the digits are each generation's).
 */
export function sendOneNetDownloadError(reply: FastifyReply, digit: 1 | 2 | 3 | 4 | 5 | 6): FastifyReply {
  return reply
    .status(200)
    .header('content-type', 'text/plain')
    .header('ota-errno', String(digit))
    .send(Readable.from([Buffer.from(String(digit))]));
}

export const download = (ctx: OneNetContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const { token } = request.params as { token: string };
  const file = await ctx.access.openDownload(token, { byDevice: true });
  if ('problem' in file) return sendOneNetDownloadError(reply, 3);
  return sendFirmware(request, reply, ctx.access, file, 'onenet', ctx.download);
};
