// Who a OneNET call is about: the signed caller, or the device `dev_id` names when the caller
// may act for it (its gateway, or its product's key, which must name one).
import type { FastifyRequest } from 'fastify';
import {
  type AccessCaller,
  type AccessDevice,
  isProductCaller,
} from '../../modules/device-access/device-access.ts';
import type { OneNetContext, Query } from './context.ts';
import {
  authErrno,
  badParams,
  type Errno,
  foreignDeviceErrno,
  type OneNetEndpoint,
  type PathStyle,
} from './errno.ts';

export async function deviceOf(
  ctx: OneNetContext,
  request: FastifyRequest,
  endpoint: OneNetEndpoint,
  paths: PathStyle,
): Promise<{ device: AccessDevice; caller: AccessCaller } | { errno: Errno }> {
  const caller = await ctx.authenticate(request.headers.authorization);
  if ('problem' in caller) return { errno: authErrno(caller.problem) };
  const devId = (request.query as Query)['dev_id'];
  if (devId === undefined || devId === '') {
    if (!isProductCaller(caller)) return { device: caller, caller };
    return { errno: badParams('dev_id is required with a product key') };
  }
  if (!/^\d{1,15}$/.test(devId)) return { errno: badParams('dev_id') };
  const device = await ctx.access.actingFor(caller, Number(devId));
  if (!device) return { errno: foreignDeviceErrno(endpoint, paths) };
  return { device, caller };
}
