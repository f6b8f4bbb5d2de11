// Updraft's addition to OneNET's flow (docs/device-http.md, "Health after the install"):
// POST /ota/south/device/health?module= (or OneNET's `type`), the device's health after it runs
// the new version, for a plan with a health window (docs/state-machines.md). JSON body
// {"healthy": true|false, "version"?: the version it runs, "detail"?: text for the log}:
// healthy confirms the upgrade; unhealthy fails it with `not_confirmed`, or `rolled_back` when
// `version` is not the target. An upgrade that already ended answers errno 20 or 22 (task
// finished, cancelled): a device that did not confirm in time learns so and rolls back.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CanonicalEvent } from '../../../modules/device-access/device-access.ts';
import type { OneNetContext, Query } from '../context.ts';
import { deviceOf } from '../device-of.ts';
import { envelope } from '../envelope.ts';
import { badParams, problemErrno, succ } from '../errno.ts';
import { moduleOf } from '../offer-data.ts';

const text = (value: unknown, max: number) =>
  typeof value === 'string' && value.length > 0 && value.length <= max && !/\p{Cc}/u.test(value);

/** The body as a canonical event, or the field that is wrong. */
export function healthEventOf(body: unknown): CanonicalEvent | { bad: string } {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (typeof b['healthy'] !== 'boolean') return { bad: 'healthy must be true or false' };
  const { version, detail } = b;
  if (version !== undefined && !text(version, 64)) return { bad: 'version is a text of 1 to 64 characters' };
  if (detail !== undefined && !text(detail, 256)) return { bad: 'detail is a text of 1 to 256 characters' };
  const said = { ...(detail !== undefined && { detail: detail as string }) };
  return b['healthy']
    ? { type: 'health_confirmed', ...said }
    : { type: 'health_failed', ...said, ...(version !== undefined && { version: version as string }) };
}

export const reportHealth = (ctx: OneNetContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const found = await deviceOf(ctx, request, 'report', 'd2');
  if ('errno' in found) return envelope(reply, found.errno);
  const event = healthEventOf(request.body);
  if ('bad' in event) return envelope(reply, badParams(event.bad));
  const query = request.query as Query;
  const module = moduleOf(query, query['type']);
  const { problem } = await ctx.access.report(found.device, module, event);
  return envelope(reply, problem === null ? succ : problemErrno(problem, 'report', 'd2'));
};
