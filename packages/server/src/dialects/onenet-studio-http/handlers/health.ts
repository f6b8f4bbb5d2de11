// Updraft's addition to Studio's API (docs/device-http.md, "Health after the install"):
// POST /{pro_id}/{dev_name}/{tid}/health with {"healthy": true|false, "version"?, "detail"?},
// the device's health after it runs task `tid`'s version, for a plan with a health window. The
// body and its meaning are the OneNET route's (../onenet-http/handlers/health.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { endedProblem } from '../../../modules/device-access/device-problems.ts';
import { badParams, succ } from '../../onenet-http/errno.ts';
import { healthEventOf } from '../../onenet-http/handlers/health.ts';
import { problemCode } from '../codes.ts';
import type { StudioContext } from '../context.ts';
import { studioEnvelope } from '../envelope.ts';
import { subjectOf, taskIdOf } from '../subject.ts';

export const reportHealth = (ctx: StudioContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const found = await subjectOf(ctx, request);
  if ('errno' in found) return studioEnvelope(reply, found.errno);
  const event = healthEventOf(request.body);
  if ('bad' in event) return studioEnvelope(reply, badParams(event.bad));
  const { device } = found;
  const resolved = await ctx.access.upgradeOfTask(device, taskIdOf(request));
  if ('problem' in resolved) return studioEnvelope(reply, problemCode(resolved.problem, 'status'));
  const { upgrade } = resolved;
  // A repeated healthy report (its answer was lost) of the upgrade it confirmed.
  if (upgrade.status === 'success' && event.type === 'health_confirmed') return studioEnvelope(reply, succ);
  if (upgrade.status === 'failure' || upgrade.status === 'cancelled' || upgrade.status === 'success') {
    return studioEnvelope(reply, problemCode(endedProblem(upgrade.status), 'status'));
  }
  const { problem } = await ctx.access.report(device, upgrade.module, event, { upgradeId: upgrade.id });
  return studioEnvelope(reply, problem === null ? succ : problemCode(problem, 'status'));
};
