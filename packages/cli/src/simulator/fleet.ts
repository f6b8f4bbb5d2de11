// The simulated fleet: the devices the simulator imports (or the gateways and their sub-devices),
// with their secrets, kept in a fleet file (`--fleet FILE`, mode 0600) so that a later run drives
// the same devices again instead of importing new ones. Behaviours are not part of the file:
// each run spreads its mix over the fleet's devices in the file's order.
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { UpdraftError } from '@updraft/core';
import type { Behaviour } from './behaviours.ts';
import type { ImportedDevice, ManagementClient } from './management-client.ts';
import type { Subject } from './simulated-device.ts';

/** A device the simulator acts for: `index` is its place in the fleet (its behaviour's). */
export interface FleetSubject {
  index: number;
  deviceId: number;
  /** `{productKey}.{deviceName}` */
  username: string;
}

/** One SDK session: a device, or a gateway acting for its sub-devices. */
export interface FleetSession {
  device: ImportedDevice;
  productKey: string;
  self: FleetSubject | null;
  subDevices: FleetSubject[];
}

/** What the fleet file holds. */
export interface FleetRecord {
  fleet: 1;
  productId: number;
  gatewayProductId: number | null;
  sessions: FleetSession[];
}

/** The fleet as a run sees it: sessions with the subjects whose states it counts. */
export interface Fleet {
  sessions: { device: ImportedDevice; productKey: string; self?: Subject; subDevices: Subject[] }[];
  /** In fleet order. */
  subjects: Subject[];
}

export function fleetSize(record: FleetRecord): number {
  return record.sessions.reduce((n, s) => n + (s.self ? 1 : 0) + s.subDevices.length, 0);
}

/** The run's view of a fleet, each subject with the behaviour at its index. */
export function fleetOf(record: FleetRecord, kinds: readonly Behaviour[]): Fleet {
  const subject = (s: FleetSubject): Subject => {
    const behaviour = kinds[s.index] ?? 'succeed';
    return {
      username: s.username,
      deviceId: s.deviceId,
      behaviour,
      state: behaviour === 'offline' ? 'offline' : 'waiting',
    };
  };
  const sessions = record.sessions.map((s) => ({
    device: s.device,
    productKey: s.productKey,
    ...(s.self && { self: subject(s.self) }),
    subDevices: s.subDevices.map(subject),
  }));
  const indexed = record.sessions.flatMap((s, n) => [
    ...(s.self ? [{ index: s.self.index, subject: sessions[n]!.self! }] : []),
    ...s.subDevices.map((sub, i) => ({ index: sub.index, subject: sessions[n]!.subDevices[i]! })),
  ]);
  indexed.sort((a, b) => a.index - b.index);
  return { sessions, subjects: indexed.map((e) => e.subject) };
}

export interface ImportOptions {
  prefix: string;
  module: string;
  version: string;
  gateways?: number;
  gatewayProduct?: number;
}

/** Imports `count` devices (or sub-devices over gateways) into the product. */
export async function importFleet(
  client: ManagementClient,
  productId: number,
  count: number,
  opts: ImportOptions,
): Promise<FleetRecord> {
  const product = await client.getProduct(productId);
  const versions = { [opts.module]: opts.version };
  const self = (d: ImportedDevice, productKey: string, index: number): FleetSubject => ({
    index,
    deviceId: d.id,
    username: `${productKey}.${d.name}`,
  });
  if (opts.gateways === undefined) {
    if (product.nodeType === 'subdevice') {
      throw new UpdraftError(
        'VALIDATION_FAILED',
        'a sub-device product needs --gateways and --gateway-product',
      );
    }
    const devices = await client.importDevices(
      productId,
      Array.from({ length: count }, (_, i) => ({ name: `${opts.prefix}-${i}`, versions })),
    );
    return {
      fleet: 1,
      productId,
      gatewayProductId: null,
      sessions: devices.map((device, i) => ({
        device,
        productKey: product.productKey,
        self: self(device, product.productKey, i),
        subDevices: [],
      })),
    };
  }
  if (product.nodeType !== 'subdevice' || opts.gatewayProduct === undefined) {
    throw new UpdraftError(
      'VALIDATION_FAILED',
      '--gateways needs a sub-device product (--product or the plan) and --gateway-product',
    );
  }
  const gatewayProduct = await client.getProduct(opts.gatewayProduct);
  const gateways = await client.importDevices(
    gatewayProduct.id,
    Array.from({ length: opts.gateways }, (_, g) => ({ name: `${opts.prefix}-gw-${g}` })),
  );
  const subs = await client.importDevices(
    productId,
    Array.from({ length: count }, (_, i) => ({
      name: `${opts.prefix}-${i}`,
      gatewayId: gateways[i % gateways.length]!.id,
      versions,
    })),
  );
  return {
    fleet: 1,
    productId,
    gatewayProductId: gatewayProduct.id,
    sessions: gateways.map((device, g) => ({
      device,
      productKey: gatewayProduct.productKey,
      self: null,
      subDevices: subs
        .map((d, i) => ({ d, i }))
        .filter(({ i }) => i % gateways.length === g)
        .map(({ d, i }) => self(d, product.productKey, i)),
    })),
  };
}

const invalid = (file: string, why: string) =>
  new UpdraftError('VALIDATION_FAILED', `${file} is not a fleet file of updraft simulate: ${why}`);

/** Reads a fleet file; undefined when there is none yet. */
export async function loadFleet(file: string): Promise<FleetRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UpdraftError('VALIDATION_FAILED', `cannot read ${file}: ${(error as Error).message}`);
  }
  let record: FleetRecord;
  try {
    record = JSON.parse(text) as FleetRecord;
  } catch {
    throw invalid(file, 'not JSON');
  }
  const isSubject = (s: FleetSubject | null) =>
    s !== null &&
    typeof s === 'object' &&
    Number.isInteger(s.index) &&
    Number.isInteger(s.deviceId) &&
    typeof s.username === 'string';
  if (
    record?.fleet !== 1 ||
    !Number.isInteger(record.productId) ||
    !Array.isArray(record.sessions) ||
    record.sessions.length === 0
  ) {
    throw invalid(file, 'it needs fleet 1, productId and sessions');
  }
  for (const s of record.sessions) {
    const ok =
      typeof s?.device?.name === 'string' &&
      typeof s.device.secret === 'string' &&
      Number.isInteger(s.device.id) &&
      typeof s.productKey === 'string' &&
      (s.self === null || isSubject(s.self)) &&
      Array.isArray(s.subDevices) &&
      s.subDevices.every(isSubject);
    if (!ok) throw invalid(file, `session ${JSON.stringify(s?.device?.name ?? null)} is incomplete`);
  }
  return record;
}

/** Writes the fleet file whole (it holds device secrets: this user's only). */
export async function saveFleet(file: string, record: FleetRecord): Promise<void> {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await rename(temp, file);
}
