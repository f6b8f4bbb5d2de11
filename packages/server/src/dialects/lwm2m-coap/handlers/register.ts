// Register (OMA-TS-LightweightM2M-V1_1 §6.2.1): POST /rd?ep=…&lt=…&lwm2m=…&b=… with the client's
// objects in link format. Answered 2.01 Created with the registration's location /rd/{id}; 4.00
// for missing or bad parameters, 4.15 for a payload that is no link format, 4.03 when the
// endpoint is unknown or does not authenticate (identity.ts). The reads and observations follow
// the answer (firmware-session.ts).
import { contentFormats, parseObjectLinks, parseQueryOptions, parseRegistration } from '@updraft/protocol';
import type { CoapAnswer, CoapIncoming } from '../../../transports/coap/coap-dialect.ts';
import type { Lwm2mContext } from '../context.ts';
import type { FirmwareSession } from '../firmware-session.ts';
import { identify } from '../identity.ts';

const text = (s: string) => Buffer.from(s);

export async function handleRegister(
  ctx: Lwm2mContext,
  session: FirmwareSession,
  request: CoapIncoming,
): Promise<CoapAnswer> {
  if (request.contentFormat !== undefined && request.contentFormat !== contentFormats.linkFormat) {
    return { code: '4.15', payload: text('the objects are link format (40)') };
  }
  const params = parseRegistration(parseQueryOptions(request.query));
  if ('problem' in params) return { code: '4.00', payload: text(params.detail) };
  const body = request.payload.toString('utf8');
  const objects = parseObjectLinks(body);
  if (body.trim() !== '' && objects.length === 0 && !body.includes('</>')) {
    return { code: '4.00', payload: text('no object links in the payload') };
  }
  const now = ctx.clock.now();
  const who = await identify(ctx.access, params, {
    auth: ctx.auth,
    now,
    lastTimestamp: ctx.registry.lastTimestamp(params.endpoint),
  });
  if ('problem' in who) {
    ctx.log.warn(
      { endpoint: params.endpoint, problem: who.problem, peer: request.peer },
      'LwM2M registration refused',
    );
    return { code: '4.03' };
  }
  const reg = ctx.registry.add(
    {
      device: who.device,
      endpoint: params.endpoint,
      peer: request.peer,
      lifetime: params.lifetime,
      expiresAt: now + params.lifetime * 1000,
      lwm2mVersion: params.version,
      binding: params.binding,
      queueMode: params.queueMode,
      packageFacts: params.packageFacts,
      objects,
    },
    params.timestamp,
  );
  await ctx.access.markOnline(who.device, true);
  // After the answer has left: the client expects requests once it is registered.
  setImmediate(() => {
    void ctx.serially(reg, () => session.onRegistered(reg, { sendHeld: true }));
  });
  return { code: '2.01', locationPath: ['rd', reg.id] };
}
