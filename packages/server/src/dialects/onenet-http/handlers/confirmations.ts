// The device side of manual plans (docs/device-http.md, "Confirmations"): the upgrades waiting
// for this device (or sub-device) to confirm, and its decision. The device service decides what
// a confirmation or rejection does (docs/state-machines.md); this says it in OneNET envelopes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isProductCaller } from '../../../modules/device-access/device-access.ts';
import type { OneNetContext } from '../context.ts';
import { deviceOf } from '../device-of.ts';
import { envelope } from '../envelope.ts';
import { decisionErrno, succ } from '../errno.ts';

const seconds = (ms: number) => Math.floor(ms / 1000);

export const listConfirmations =
  (ctx: OneNetContext) => async (request: FastifyRequest, reply: FastifyReply) => {
    const found = await deviceOf(ctx, request, 'confirmation', 'd2');
    if ('errno' in found) return envelope(reply, found.errno);
    const items = (await ctx.access.awaitedConfirmations(found.device)).map((c) => ({
      upgradeId: c.upgradeId,
      planId: c.planId,
      plan: c.plan,
      module: c.module,
      target: c.target,
      type: c.kind === 'delta' ? 2 : 1,
      since: seconds(c.since),
      deadline: c.deadline === null ? null : seconds(c.deadline),
      texts: c.texts,
      releaseNotes: c.releaseNotes,
    }));
    return envelope(reply, succ, { items });
  };

export const decide =
  (ctx: OneNetContext, decision: 'confirm' | 'reject') =>
  async (request: FastifyRequest, reply: FastifyReply) => {
    const found = await deviceOf(ctx, request, 'confirmation', 'd2');
    if ('errno' in found) return envelope(reply, found.errno);
    const { device, caller } = found;
    // Who acts, for the upgrade's log: the device itself, its gateway or its product's key.
    const by = isProductCaller(caller)
      ? 'product key'
      : caller.id === device.id
        ? null
        : `gateway ${caller.id}`;
    const actor = by === null ? `device:${device.id}` : `device:${device.id} (${by})`;
    const upgradeId = Number((request.params as { upgradeId: string }).upgradeId);
    const { problem, refusal } = await ctx.access.decide(
      device,
      upgradeId,
      decision === 'confirm' ? 'confirmed' : 'rejected',
      actor,
    );
    return envelope(reply, problem === null ? succ : decisionErrno(problem, refusal));
  };
