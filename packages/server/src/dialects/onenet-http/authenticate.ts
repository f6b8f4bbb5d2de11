// OneNET's Authorization header (protocols.md §2.2): `res = products/{productKey or id}/devices/{name}`
// signed with the device's secret, or, when the product has its product-level key on,
// `res = products/{productKey or id}` signed with that key.
import { parseOneNetResource, parseOneNetToken, verifyOneNetToken } from '@updraft/protocol';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { AccessCaller, DeviceAccess } from '../../modules/device-access/device-access.ts';

export type AuthProblem = 'missing' | 'malformed' | 'expired' | 'bad_signature' | 'unknown_device';

export type OneNetAuthenticator = (
  header: string | undefined,
) => Promise<AccessCaller | { problem: AuthProblem }>;

export function createOneNetAuthenticator({
  access,
  clock,
  cacheMs = 30_000,
}: {
  access: Pick<DeviceAccess, 'deviceByKey' | 'deviceInProduct' | 'productAccess' | 'secretOf'>;
  clock: Clock;
  /** How long a verified header is remembered (ms); 0 checks every call. */
  cacheMs?: number;
}): OneNetAuthenticator {
  // A device sends the same Authorization until its `et`: a verified header is kept for a short
  // while (never past its `et`), so a secret rotation takes effect within cacheMs.
  const verified = new Map<string, { caller: AccessCaller; until: number }>();

  return async (header) => {
    if (!header) return { problem: 'missing' };
    const now = clock.now();
    const known = verified.get(header);
    if (known && known.until > now) return known.caller;
    const token = parseOneNetToken(header);
    if ('problem' in token) return { problem: 'malformed' };
    const res = parseOneNetResource(token.res);
    if (!res) return { problem: 'malformed' };
    let caller: AccessCaller;
    let key: string;
    if (res.device === undefined) {
      const product = await access.productAccess(res.product);
      if (!product) return { problem: 'unknown_device' };
      caller = { productWide: true, productId: product.productId };
      key = product.accessKey;
    } else {
      const device =
        (await access.deviceByKey(res.product, res.device)) ??
        (/^\d{1,15}$/.test(res.product)
          ? await access.deviceInProduct(Number(res.product), res.device)
          : undefined);
      if (!device) return { problem: 'unknown_device' };
      caller = device;
      key = await access.secretOf(device);
    }
    const problem = verifyOneNetToken(token, key, Math.floor(clock.now() / 1000));
    if (problem === 'expired') return { problem: 'expired' };
    if (problem !== null) return { problem: 'bad_signature' };
    if (cacheMs > 0) {
      if (verified.size >= 50_000) verified.clear();
      verified.set(header, { caller, until: Math.min(now + cacheMs, token.et * 1000) });
    }
    return caller;
  };
}
