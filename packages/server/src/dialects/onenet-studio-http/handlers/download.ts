// protocols.md §2.10 download, GET /{pro_id}/{dev_name}/{tid}/download: the file the device was
// offered for task `tid` (file n of a package of several with Updraft's `?file=n`), under the
// same Authorization as every Studio call, with OneNET's range rules (with or without `bytes=`).
// Studio devices read `Ota-Errno`: 0 with the bytes, else the digit of codes.ts with OneNET's
// one-digit body (the HTTP status may be 200 on errors).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendFirmware } from '../../../transports/http/send-firmware.ts';
import type { Query } from '../../onenet-http/context.ts';
import { sendOneNetDownloadError } from '../../onenet-http/handlers/download.ts';
import { downloadErrno } from '../codes.ts';
import type { StudioContext } from '../context.ts';
import { subjectOf, taskIdOf } from '../subject.ts';

export const download = (ctx: StudioContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const found = await subjectOf(ctx, request);
  if ('errno' in found) return sendOneNetDownloadError(reply, downloadErrno('auth'));
  const index = (request.query as Query)['file'] ?? '1';
  if (!/^[1-9]\d{0,2}$/.test(index)) return sendOneNetDownloadError(reply, downloadErrno('token_unknown'));
  const file = await ctx.access.openTaskDownload(found.device, taskIdOf(request), Number(index));
  if ('problem' in file) return sendOneNetDownloadError(reply, downloadErrno(file.problem));
  reply.header('ota-errno', '0');
  return sendFirmware(request, reply, ctx.access, file, 'onenet', ctx.download);
};
