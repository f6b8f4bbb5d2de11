// Updraft's addition to OneNET's flow (docs/device-http.md, "Refusing an offer"): POST
// /ota/south/download/{token}/refuse, the opposite of the token check. The device (or its
// gateway, naming it with dev_id) declines the offer the token stands for, as Quectel's status 3
// REFUSEDOTA: a silent plan offers it again after its rejection period (core rejection-period.ts),
// a manual plan's upgrade ends as rejected. An optional JSON body {"reason"} goes to the log.
import { isTerminalUpgradeStatus } from '@updraft/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { endedProblem } from '../../../modules/device-access/device-problems.ts';
import type { OneNetContext } from '../context.ts';
import { deviceOf } from '../device-of.ts';
import { envelope } from '../envelope.ts';
import { badParams, type PathStyle, problemErrno, succ } from '../errno.ts';

const reasonOf = (body: unknown): string | undefined | null => {
  if (body === undefined || body === null || typeof body !== 'object') return undefined;
  const reason = (body as Record<string, unknown>)['reason'];
  if (reason === undefined) return undefined;
  return typeof reason === 'string' && reason.length <= 128 && !/\p{Cc}/u.test(reason) ? reason : null;
};

export const refuseOffer =
  (ctx: OneNetContext, paths: PathStyle) => async (request: FastifyRequest, reply: FastifyReply) => {
    const found = await deviceOf(ctx, request, 'token_check', paths);
    if ('errno' in found) return envelope(reply, found.errno);
    const reason = reasonOf(request.body);
    if (reason === null) return envelope(reply, badParams('reason is a text of at most 128 characters'));
    const { device } = found;
    const { token } = request.params as { token: string };
    const problem = await (async () => {
      const resolved = await ctx.access.upgradeOfToken(token, device);
      if ('problem' in resolved) return resolved.problem;
      const { upgrade } = resolved;
      if (isTerminalUpgradeStatus(upgrade.status)) return endedProblem(upgrade.status);
      const event =
        reason === undefined ? { type: 'refused' as const } : { type: 'refused' as const, reason };
      return (await ctx.access.report(device, upgrade.module, event, { upgradeId: upgrade.id })).problem;
    })();
    return envelope(reply, problem === null ? succ : problemErrno(problem, 'token_check', paths));
  };
