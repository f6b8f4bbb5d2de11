// Update (§6.2.2): POST /rd/{id} with the parameters that changed (lt, b) and the objects when
// they changed. It renews the lifetime and the client's address (NAT bindings move); a
// queue-mode client is reachable now, so what was held for it goes (§6.5). 2.04 Changed; 4.04
// for a location that is not registered (the client registers again).
import { parseLifetime, parseObjectLinks, parseQueryOptions } from '@updraft/protocol';
import type { CoapAnswer, CoapIncoming } from '../../../transports/coap/coap-dialect.ts';
import type { Lwm2mContext } from '../context.ts';
import type { FirmwareSession } from '../firmware-session.ts';

export async function handleUpdate(
  ctx: Lwm2mContext,
  session: FirmwareSession,
  id: string,
  request: CoapIncoming,
): Promise<CoapAnswer> {
  const reg = ctx.registry.byId(id);
  if (!reg) return { code: '4.04' };
  const query = parseQueryOptions(request.query);
  const lifetime = parseLifetime(query.get('lt'));
  if (lifetime === null)
    return { code: '4.00', payload: Buffer.from('the lifetime (lt) is not a positive integer') };
  if (lifetime !== undefined) reg.lifetime = lifetime;
  const binding = query.get('b');
  if (binding) {
    reg.binding = binding;
    reg.queueMode = binding.includes('Q') || query.has('Q');
  }
  const objects = parseObjectLinks(request.payload.toString('utf8'));
  if (objects.length > 0) reg.objects = objects;
  reg.peer = request.peer;
  reg.expiresAt = ctx.clock.now() + reg.lifetime * 1000;
  setImmediate(() => {
    void ctx.serially(reg, () => session.onUpdated(reg));
  });
  return { code: '2.04' };
}
