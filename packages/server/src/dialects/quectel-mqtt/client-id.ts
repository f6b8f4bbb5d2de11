// Who a QuecThing client id names (protocols.md §3.2: `qd{ProductKey}{DeviceKey}`), read
// without a database first (the carriers pick a dialect by it), then looked up. ProductKey and
// DeviceKey are joined with no separator, so a client id can be split in several places: every
// product key length Updraft allows (4..64) is a candidate, the length of the keys Updraft makes
// (`pk_` and 12 characters) first, and the first split that names a device (and, at sign-in,
// whose credentials hold) wins (docs/quectel.md, "Identity").
import type { AccessDevice, DeviceAccess } from '../../modules/device-access/device-access.ts';
import type { MqttCredentials } from '../../transports/mqtt/mqtt-dialect.ts';

/** `qd`, a product key (4..64 of `[A-Za-z0-9_-]`) and a device name (catalogue rules). */
const clientIdPattern = /^qd[A-Za-z0-9_-]{4,64}[A-Za-z0-9._:@-]{1,64}$/;
/** The length of product keys Updraft makes (`pk_` and 12 base64url characters). */
const generatedKeyLength = 15;

export function isQuectelClientId(clientId: string): boolean {
  return clientIdPattern.test(clientId);
}

/**
 * The session key (the client id) of credentials in QuecThing's form: a `qd…` client id and no
 * username (as the QuecThing SDK sends), an empty one or the client id itself.
 */
export function quectelKeyOf({ clientId, username }: MqttCredentials): string | null {
  if (!isQuectelClientId(clientId)) return null;
  return username === undefined || username === '' || username === clientId ? clientId : null;
}

/** Every way to read a client id as product key and device key, the likeliest first. */
export function splitsOf(clientId: string): { productKey: string; deviceKey: string }[] {
  if (!isQuectelClientId(clientId)) return [];
  const body = clientId.slice(2);
  const lengths = [generatedKeyLength];
  for (let n = 4; n <= Math.min(64, body.length - 1); n++) if (n !== generatedKeyLength) lengths.push(n);
  return lengths
    .filter((n) => n < body.length && /^[A-Za-z0-9_-]+$/.test(body.slice(0, n)))
    .map((n) => ({ productKey: body.slice(0, n), deviceKey: body.slice(n) }));
}

/** The first device a split of the client id names (and that `accept` takes, when given). */
export async function deviceOfClientId(
  access: Pick<DeviceAccess, 'deviceByKey'>,
  clientId: string,
  accept: (device: AccessDevice, productKey: string) => Promise<boolean> = async () => true,
): Promise<AccessDevice | undefined> {
  for (const { productKey, deviceKey } of splitsOf(clientId)) {
    const device = await access.deviceByKey(productKey, deviceKey);
    if (device && (await accept(device, productKey))) return device;
  }
  return undefined;
}
