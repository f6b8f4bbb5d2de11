// protocols.md §2.10 report version, POST /{pro_id}/{dev_name}/version with
// `{"s_version","f_version"}`, and query version, GET: as the legacy API's (versions.ts of
// onenet-http: `f_version` the FOTA module, `s_version` the `sota` module).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Query } from '../../onenet-http/context.ts';
import { succ } from '../../onenet-http/errno.ts';
import { moduleOf } from '../../onenet-http/offer-data.ts';
import { recordVersions, reportedVersions } from '../../onenet-http/versions.ts';
import type { StudioContext } from '../context.ts';
import { studioEnvelope } from '../envelope.ts';
import { subjectOf } from '../subject.ts';

export const reportVersion = (ctx: StudioContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const found = await subjectOf(ctx, request);
  if ('errno' in found) return studioEnvelope(reply, found.errno);
  const module = moduleOf(request.query as Query);
  return studioEnvelope(reply, await recordVersions(ctx.access, found.device, request.body, module));
};

export const readVersions = (ctx: StudioContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const found = await subjectOf(ctx, request);
  if ('errno' in found) return studioEnvelope(reply, found.errno);
  const module = moduleOf(request.query as Query);
  return studioEnvelope(reply, succ, await reportedVersions(ctx.access, found.device, module));
};
