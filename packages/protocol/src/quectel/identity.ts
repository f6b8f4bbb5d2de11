// Who a QuecThing device is on MQTT (protocols.md §3.2): client id `qd{ProductKey}{DeviceKey}`,
// subscription `q/1/d/{clientId}/+`, uplinks `q/2/d/{clientId}/{ota|bus|sys}`. Updraft's
// ProductKey is the product key and the DeviceKey the device name. The password is Updraft's
// signed form (decisions.ts), made here for the SDK and checked here by the server.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { quectelDecisions } from './decisions.ts';

export type QuectelTopicType = 'ota' | 'bus' | 'sys';

export const quectelTopics = {
  /** What a device subscribes to. */
  subscription: (clientId: string) => `q/1/d/${clientId}/+`,
  /** Where the platform publishes to the device. */
  downlink: (clientId: string, type: string = quectelDecisions.downlinkTopicType) =>
    `q/1/d/${clientId}/${type}`,
  /** Where the device publishes (0x0112, 0x0114 and 0x0115 on `ota`). */
  uplink: (clientId: string, type: QuectelTopicType = 'ota') => `q/2/d/${clientId}/${type}`,
} as const;

export function quectelClientId(productKey: string, deviceKey: string): string {
  return `qd${productKey}${deviceKey}`;
}

function signature(secret: string, clientId: string, et: number): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${clientId};${et}`).digest('base64url');
}

/** The signed password (`qs1;{et};{sig}`) of a device, valid until `et` (Unix seconds). */
export function createQuectelPassword(clientId: string, secret: string, et: number): string {
  return `${quectelDecisions.password.scheme};${et};${signature(secret, clientId, et)}`;
}

export type QuectelPassword =
  | { kind: 'signed'; et: number; sig: string }
  | { kind: 'plain'; secret: string }
  | { kind: 'malformed' };

/** What a password claims to be: Updraft's signed form, or (anything else) the plain secret. */
export function parseQuectelPassword(password: string): QuectelPassword {
  const scheme = `${quectelDecisions.password.scheme};`;
  if (!password.startsWith(scheme)) return { kind: 'plain', secret: password };
  const match = /^(\d{1,12});([A-Za-z0-9_-]{43})$/.exec(password.slice(scheme.length));
  return match ? { kind: 'signed', et: Number(match[1]), sig: match[2]! } : { kind: 'malformed' };
}

/**
 * Whether a signed password is this device's: the signature is right and `et` lies ahead of
 * `nowSeconds`, by no more than the lifetime decisions.ts allows.
 */
export function verifyQuectelPassword(
  password: Extract<QuectelPassword, { kind: 'signed' }>,
  clientId: string,
  secret: string,
  nowSeconds: number,
): boolean {
  if (password.et <= nowSeconds || password.et > nowSeconds + quectelDecisions.password.maxLifetimeSeconds)
    return false;
  const expected = Buffer.from(signature(secret, clientId, password.et));
  const given = Buffer.from(password.sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
