// protocols.md §2.4 (2) token check, GET /ota/south/download/{token}/check: a valid token moves
// the upgrade to downloading (canonical `accepted`), in the task states OneNET allows (§2.5).
import { isTerminalUpgradeStatus } from '@updraft/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { endedProblem } from '../../../modules/device-access/device-problems.ts';
import type { OneNetContext } from '../context.ts';
import { deviceOf } from '../device-of.ts';
import { envelope } from '../envelope.ts';
import { type PathStyle, problemErrno, succ } from '../errno.ts';
import { oneNetTaskState, oneNetTokenCheckAllowed } from '../task-rules.ts';

export const tokenCheck =
  (ctx: OneNetContext, paths: PathStyle) => async (request: FastifyRequest, reply: FastifyReply) => {
    const found = await deviceOf(ctx, request, 'token_check', paths);
    if ('errno' in found) return envelope(reply, found.errno);
    const { device } = found;
    const { token } = request.params as { token: string };
    const problem = await (async () => {
      const resolved = await ctx.access.upgradeOfToken(token, device);
      if ('problem' in resolved) return resolved.problem;
      const { upgrade } = resolved;
      if (isTerminalUpgradeStatus(upgrade.status)) return endedProblem(upgrade.status);
      if (!oneNetTokenCheckAllowed(upgrade.state)) {
        return oneNetTaskState(upgrade.state) === 'failed_retrying' ? 'finished' : 'invalid_state';
      }
      const reported = await ctx.access.report(
        device,
        upgrade.module,
        { type: 'accepted' },
        { upgradeId: upgrade.id },
      );
      return reported.problem;
    })();
    return envelope(reply, problem === null ? succ : problemErrno(problem, 'token_check', paths));
  };
