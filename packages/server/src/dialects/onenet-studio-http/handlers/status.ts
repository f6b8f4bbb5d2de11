// protocols.md §2.10 report status, POST /{pro_id}/{dev_name}/{tid}/status with `{"step": n}`:
// the legacy progress codes (0..100 download percent, 101..208 results; result-codes.ts of
// onenet-http) about task `tid`, under Studio's task rules (task-rules.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { succ } from '../../onenet-http/errno.ts';
import { readCode, reportCode } from '../../onenet-http/report-code.ts';
import { problemCode } from '../codes.ts';
import type { StudioContext } from '../context.ts';
import { studioEnvelope } from '../envelope.ts';
import { subjectOf, taskIdOf } from '../subject.ts';
import { studioCodeRule } from '../task-rules.ts';

export const reportStatus = (ctx: StudioContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const found = await subjectOf(ctx, request);
  if ('errno' in found) return studioEnvelope(reply, found.errno);
  const { device } = found;
  const step = readCode(request.body, 'step');
  if (step === null) return studioEnvelope(reply, { errno: 24, error: 'step must be an integer code' });
  const tid = taskIdOf(request);
  const problem = await reportCode(
    ctx.access,
    device,
    () => ctx.access.upgradeOfTask(device, tid),
    step,
    studioCodeRule,
  );
  return studioEnvelope(reply, problem === null ? succ : problemCode(problem, 'status'));
};
