// protocols.md §2.10 check task status, GET /{pro_id}/{dev_name}/{tid}/check: where task `tid`
// stands, `data {tid, status}` with Studio's status numbers (task-rules.ts), and Updraft's
// `module` and `progress`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { succ } from '../../onenet-http/errno.ts';
import { problemCode } from '../codes.ts';
import type { StudioContext } from '../context.ts';
import { studioEnvelope } from '../envelope.ts';
import { subjectOf, taskIdOf } from '../subject.ts';
import { studioTaskStatus } from '../task-rules.ts';

export const taskStatus = (ctx: StudioContext) => async (request: FastifyRequest, reply: FastifyReply) => {
  const found = await subjectOf(ctx, request);
  if ('errno' in found) return studioEnvelope(reply, found.errno);
  const task = await ctx.access.upgradeOfTask(found.device, taskIdOf(request));
  if ('problem' in task) return studioEnvelope(reply, problemCode(task.problem, 'check'));
  const { upgrade } = task;
  return studioEnvelope(reply, succ, {
    tid: upgrade.id,
    status: studioTaskStatus(upgrade.state),
    module: upgrade.module,
    progress: upgrade.state.progress,
  });
};
