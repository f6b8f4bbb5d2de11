// protocols.md §2.4 (6) GET /ota/south/tasking: the task a device is already downloading or
// installing, with a fresh token (only token hashes are stored; the new one supersedes the old,
// as a second check does).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OneNetContext, Query } from '../context.ts';
import { deviceOf } from '../device-of.ts';
import { envelope } from '../envelope.ts';
import { badParams, problemErrno, succ } from '../errno.ts';
import { moduleOf, offerData } from '../offer-data.ts';

export const tasking = (ctx: OneNetContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const found = await deviceOf(ctx, request, 'check', 'd2');
  if ('errno' in found) return envelope(reply, found.errno);
  const query = request.query as Query;
  const type = query['type'] ?? '1';
  if (type !== '1' && type !== '2') return envelope(reply, badParams('type must be 1 or 2'));
  const result = await ctx.access.offerUnderWay(found.device, moduleOf(query, type));
  if (result.kind === 'offer') return envelope(reply, succ, offerData(result.offer, request, 'd2'));
  if (result.kind === 'problem') return envelope(reply, problemErrno(result.problem, 'check', 'd2'));
  return envelope(reply, { errno: 4, error: 'no task is downloading or upgrading' });
};
