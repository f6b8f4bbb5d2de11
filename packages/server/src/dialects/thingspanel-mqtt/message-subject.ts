// Who a ThingsPanel message is about: the sender, or (field `device`, docs/mqtt.md gateways)
// one of its sub-devices, named by its username.
import { subDeviceField } from '@updraft/protocol';
import type { AccessCaller, AccessDevice, DeviceAccess } from '../../modules/device-access/device-access.ts';
import type { ThingsPanelContext } from './context.ts';
import { type Dropped, forbidden, malformed } from './replies.ts';

/** The message's `id` and `device` fields, read leniently: a reply must quote them even when the rest is bad. */
export function fieldsOf(payload: Buffer): { id: string; named: unknown } {
  try {
    const body: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof body !== 'object' || body === null) return { id: '', named: undefined };
    const { id, [subDeviceField]: named } = body as Record<string, unknown>;
    return { id: typeof id === 'string' || typeof id === 'number' ? String(id) : '', named };
  } catch {
    return { id: '', named: undefined };
  }
}

export async function subjectOf(
  access: Pick<DeviceAccess, 'deviceByKey' | 'actingFor'>,
  caller: AccessCaller,
  named: unknown,
): Promise<AccessDevice | Dropped> {
  if (named === undefined) {
    if ('productWide' in caller) return malformed('device is required');
    return caller;
  }
  if (typeof named !== 'string') return malformed('device is not a string');
  const device = await deviceOfUsername(access, named);
  const found = device && (await access.actingFor(caller, device.id));
  return found ?? forbidden(`${named} is not this gateway's sub-device`);
}

/** The device whose MQTT username is `{productKey}.{deviceName}`. */
export async function deviceOfUsername(
  access: Pick<DeviceAccess, 'deviceByKey'>,
  username: string,
): Promise<AccessDevice | undefined> {
  const dot = username.indexOf('.');
  if (dot <= 0) return undefined;
  return access.deviceByKey(username.slice(0, dot), username.slice(dot + 1));
}

/**
 * Reads an uplink: its payload parsed, and the device it is about. Anything wrong is dropped
 * (logged, and told to the sender) and answered as `{ dropped }`; otherwise `drop` tells the
 * sender what went wrong later.
 */
export async function openMessage<T extends object>(
  ctx: ThingsPanelContext,
  kind: 'inform' | 'progress',
  sender: AccessDevice,
  username: string,
  payload: Buffer,
  parse: (payload: Buffer) => T | { problem: string },
): Promise<{ dropped: Dropped } | { device: AccessDevice; message: T; drop(d: Dropped): Promise<Dropped> }> {
  const { id, named } = fieldsOf(payload);
  const drop = (d: Dropped) => ctx.drop(kind, username, id, named, d);
  const parsed = parse(payload);
  if ('problem' in parsed) return { dropped: await drop(malformed(parsed.problem)) };
  const device = await subjectOf(ctx.access, sender, named);
  if ('code' in device) return { dropped: await drop(device) };
  return { device, message: parsed, drop };
}
