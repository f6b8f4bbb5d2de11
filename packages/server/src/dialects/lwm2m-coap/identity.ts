// Who registers (docs/lwm2m.md, "Endpoint names" and "Authentication"). Without DTLS an endpoint
// name proves nothing, so a Register carries Updraft's `ts` (seconds since the epoch) and `sig`
// (hex HMAC-SHA256 of `{ep}\n{ts}` keyed with the device secret): the device proves it holds the
// secret without sending it. A signature is accepted within ±5 minutes of the server's clock and
// only with a `ts` later than the last one the endpoint registered with (no replay on this
// instance). `UPDRAFT_LWM2M_AUTH=none` trusts endpoint names (a DTLS-terminating proxy in front
// that authenticated the device, or a closed network).
import { timingSafeEqual } from 'node:crypto';
import { lwm2mRegistrationSignature, type RegistrationParams } from '@updraft/protocol';
import type { AccessDevice, DeviceAccess } from '../../modules/device-access/device-access.ts';

export type Lwm2mAuth = 'signature' | 'none';

const windowMs = 5 * 60_000;

/** `{productKey}.{deviceName}`: the product key is everything before the first dot. */
export function parseEndpoint(endpoint: string): { productKey: string; name: string } | undefined {
  const dot = endpoint.indexOf('.');
  if (dot <= 0 || dot === endpoint.length - 1) return undefined;
  return { productKey: endpoint.slice(0, dot), name: endpoint.slice(dot + 1) };
}

export type IdentityProblem = 'unknown_endpoint' | 'unsigned' | 'bad_signature' | 'stale' | 'replayed';

export async function identify(
  access: Pick<DeviceAccess, 'deviceByKey' | 'secretOf'>,
  params: RegistrationParams,
  options: { auth: Lwm2mAuth; now: number; lastTimestamp: number | undefined },
): Promise<{ device: AccessDevice } | { problem: IdentityProblem }> {
  const parsed = parseEndpoint(params.endpoint);
  const device = parsed && (await access.deviceByKey(parsed.productKey, parsed.name));
  if (!device) return { problem: 'unknown_endpoint' };
  if (options.auth === 'none') return { device };
  const { timestamp, signature } = params;
  if (timestamp === undefined || signature === undefined) return { problem: 'unsigned' };
  const expected = Buffer.from(
    lwm2mRegistrationSignature(await access.secretOf(device), params.endpoint, timestamp),
  );
  const given = Buffer.from(signature.toLowerCase());
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { problem: 'bad_signature' };
  if (Math.abs(timestamp * 1000 - options.now) > windowMs) return { problem: 'stale' };
  if (options.lastTimestamp !== undefined && timestamp <= options.lastTimestamp)
    return { problem: 'replayed' };
  return { device };
}
