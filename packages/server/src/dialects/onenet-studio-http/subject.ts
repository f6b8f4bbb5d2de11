// Who a Studio call is about: the device its path names (`/{pro_id}/{dev_name}/…`, pro_id a
// product key or a numeric product id), when the Authorization token's signer may act for it: the
// device itself (`res=products/{pid}/devices/{name}`), its gateway (a gateway signs with its own
// key and names a sub-device in the path), or its product's key when that key is on.
import type { FastifyRequest } from 'fastify';
import type { AccessCaller, AccessDevice } from '../../modules/device-access/device-access.ts';
import { authErrno, type Errno } from '../onenet-http/errno.ts';
import type { StudioContext, StudioParams } from './context.ts';

export async function subjectOf(
  ctx: StudioContext,
  request: FastifyRequest,
): Promise<{ device: AccessDevice; caller: AccessCaller } | { errno: Errno }> {
  const caller = await ctx.authenticate(request.headers.authorization);
  if ('problem' in caller) return { errno: authErrno(caller.problem) };
  const { pro_id: product, dev_name: name } = request.params as StudioParams;
  const named =
    (await ctx.access.deviceByKey(product, name)) ??
    (/^\d{1,15}$/.test(product) ? await ctx.access.deviceInProduct(Number(product), name) : undefined);
  const device = named && (await ctx.access.actingFor(caller, named.id));
  // One answer for an unknown device and one the signer may not act for (issue 12).
  if (!device) return { errno: authErrno('unknown_device') };
  return { device, caller };
}

/** The path's tid; NaN (no such task) when it is not a number. */
export function taskIdOf(request: FastifyRequest): number {
  const { tid } = request.params as StudioParams;
  return tid !== undefined && /^\d{1,15}$/.test(tid) ? Number(tid) : Number.NaN;
}
