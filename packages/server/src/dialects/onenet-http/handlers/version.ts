// protocols.md §2.4 (0) POST /ota/device/version: the device states its versions (versions.ts);
// (7) GET: the versions last reported, an empty `data` when the device never reported.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OneNetContext, Query } from '../context.ts';
import { deviceOf } from '../device-of.ts';
import { envelope } from '../envelope.ts';
import { succ } from '../errno.ts';
import { moduleOf } from '../offer-data.ts';
import { recordVersions, reportedVersions } from '../versions.ts';

export const reportVersion = (ctx: OneNetContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const found = await deviceOf(ctx, request, 'version', 'd2');
  if ('errno' in found) return envelope(reply, found.errno);
  const module = moduleOf(request.query as Query);
  return envelope(reply, await recordVersions(ctx.access, found.device, request.body, module));
};

export const readVersions = (ctx: OneNetContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const found = await deviceOf(ctx, request, 'version', 'd2');
  if ('errno' in found) return envelope(reply, found.errno);
  const module = moduleOf(request.query as Query);
  return envelope(reply, succ, await reportedVersions(ctx.access, found.device, module));
};
