// De-register (§6.2.3): DELETE /rd/{id}. 2.02 Deleted; 4.04 for a location not registered.
import type { CoapAnswer } from '../../../transports/coap/coap-dialect.ts';
import type { Lwm2mContext } from '../context.ts';

export async function handleDeregister(ctx: Lwm2mContext, id: string): Promise<CoapAnswer> {
  const reg = ctx.registry.byId(id);
  if (!reg) return { code: '4.04' };
  ctx.registry.drop(reg);
  await ctx.access.markOnline(reg.device, false);
  return { code: '2.02' };
}
