// protocols.md §2.10 "check task": GET /{pro_id}/{dev_name}/check?type=1|2&version=<current>.
// `type` picks the module as the legacy check does (1 FOTA `default`, 2 SOTA `sota`, or Updraft's
// `?module=`); the version is recorded, then the task is answered (offer-data.ts) or code 12012 /
// 12013 says there is none (codes.ts).
import { isVersionName } from '@updraft/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Query } from '../../onenet-http/context.ts';
import { badParams, succ } from '../../onenet-http/errno.ts';
import { freeSpaceParam, moduleOf } from '../../onenet-http/offer-data.ts';
import { noTaskCode, problemCode } from '../codes.ts';
import type { StudioContext } from '../context.ts';
import { studioEnvelope } from '../envelope.ts';
import { studioOfferData } from '../offer-data.ts';
import { subjectOf } from '../subject.ts';
import { studioTaskStatus } from '../task-rules.ts';

export const check = (ctx: StudioContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const found = await subjectOf(ctx, request);
  if ('errno' in found) return studioEnvelope(reply, found.errno);
  const { device } = found;
  const query = request.query as Query;
  const { type, version } = query;
  if (type !== '1' && type !== '2') return studioEnvelope(reply, badParams('type must be 1 or 2'));
  if (version === undefined || version === '') return studioEnvelope(reply, badParams('version required'));
  if (!isVersionName(version)) return studioEnvelope(reply, { errno: 27, error: 'bad version format' });
  const freeSpace = freeSpaceParam(query);
  if (freeSpace === null) return studioEnvelope(reply, badParams('space is a whole number of bytes'));
  const result = await ctx.access.check(device, { module: moduleOf(query, type), version, freeSpace });
  switch (result.kind) {
    case 'problem':
      // A product without a `sota` module has no task of type 2.
      if (result.problem === 'unknown_module' && query['module'] === undefined && type === '2')
        return studioEnvelope(reply, noTaskCode('no_plan'));
      return studioEnvelope(reply, problemCode(result.problem, 'check'));
    case 'product_mismatch':
      return studioEnvelope(reply, { errno: 8, error: `manuf/model mismatch: ${result.detail}` });
    case 'version_mismatch':
      return studioEnvelope(reply, { errno: 9, error: 'version mismatch: the delta package does not apply' });
    case 'none':
      return studioEnvelope(reply, noTaskCode(result.reason));
    case 'offer': {
      const task = await ctx.access.upgradeOfTask(device, result.offer.upgradeId);
      const status = 'upgrade' in task ? studioTaskStatus(task.upgrade.state) : 1;
      return studioEnvelope(reply, succ, studioOfferData(result.offer, status));
    }
  }
};
