// Devices: registration with a generated secret (shown once, stored as a salt and a hash),
// gateways and their sub-devices, reported versions per module, telemetry and tags.
import { createSecretKey } from 'node:crypto';
import { UpdraftError } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import { createTokenSource, deriveDeviceSecret, equalHex, sha256Hex } from '../../internal/secrets.ts';
import type { Page, PageRequest } from '../pagination.ts';
import { type ImportLine, type ImportRow, importDevices } from './device-import.ts';
import {
  checkBattery,
  checkDeviceName,
  checkFreeSpace,
  checkSignal,
  checkTags,
  checkVersions,
} from './device-rules.ts';
import type {
  Device,
  DeviceCredential,
  DeviceFilter,
  DeviceStore,
  DeviceVersion,
  MemberFilter,
  Telemetry,
  VersionWrite,
} from './device-store.ts';

/** What the devices module needs to know about products (the catalog service fits). */
export interface ProductLookup {
  getProduct(id: number): Promise<{ id: number; nodeType: string }>;
  listModules(productId: number): Promise<{ name: string }[]>;
}

/** Past this many matches, a filtered device total stops counting (docs/capacity.md). */
export const listCountLimit = 100_000;

export interface DeviceServiceDeps {
  store: DeviceStore;
  products: ProductLookup;
  clock: Clock;
  /** The server secret every device secret is derived from. */
  serverSecret: Buffer;
  /** listCountLimit: listCountLimit below by default (tests lower it). */
  limits: { importMaxBytes: number; listCountLimit?: number };
}

export interface DeviceDraft {
  name: string;
  gatewayId?: number | null | undefined;
  tags?: string[] | undefined;
  versions?: Record<string, string> | undefined;
}

export interface DeviceDetail {
  device: Device;
  versions: DeviceVersion[];
  subDevices: number;
}

export function createDeviceService({ store, products, clock, serverSecret, limits }: DeviceServiceDeps) {
  // Made once: an import derives a secret from them per row.
  const secretKey = createSecretKey(serverSecret);
  const newSalt = createTokenSource(16);

  function newCredential(): DeviceCredential & { secret: string } {
    const secretSalt = newSalt();
    const secret = deriveDeviceSecret(secretKey, secretSalt);
    return { secret, secretSalt, secretHash: sha256Hex(secret) };
  }

  async function getDevice(id: number): Promise<Device> {
    const device = await store.get(id);
    if (!device) throw new UpdraftError('NOT_FOUND', `no device ${id}`, { resource: 'device', id });
    return device;
  }

  /** A gateway is a device of a `gateway` product; only `subdevice` products' devices have one. */
  async function checkGateway(nodeType: string, gatewayId: number | null): Promise<number | null> {
    if (gatewayId === null) return null;
    if (nodeType !== 'subdevice') {
      throw new UpdraftError('VALIDATION_FAILED', 'only devices of a subdevice product have a gateway', {
        field: 'gatewayId',
      });
    }
    if (!(await store.findGatewayIds([gatewayId])).has(gatewayId)) {
      throw new UpdraftError(
        'VALIDATION_FAILED',
        `device ${gatewayId} is not a device of a gateway product`,
        {
          field: 'gatewayId',
          gatewayId,
        },
      );
    }
    return gatewayId;
  }

  async function moduleNames(productId: number): Promise<Set<string>> {
    return new Set((await products.listModules(productId)).map((m) => m.name));
  }

  return {
    limits,
    getDevice,

    async getDeviceDetail(id: number): Promise<DeviceDetail> {
      const device = await getDevice(id);
      const [versions, subDevices] = await Promise.all([
        store.versionsOf(id),
        store.countDevices({ gatewayId: id }),
      ]);
      return { device, versions, subDevices };
    },

    /** Registers one device; its secret is in the answer and nowhere else, ever. */
    async createDevice(productId: number, draft: DeviceDraft): Promise<{ device: Device; secret: string }> {
      const product = await products.getProduct(productId);
      const name = checkDeviceName(draft.name);
      const tags = checkTags(draft.tags ?? []);
      const versions = checkVersions(draft.versions ?? {}, await moduleNames(productId));
      const gatewayId = await checkGateway(product.nodeType, draft.gatewayId ?? null);
      if (await store.findByName(productId, name)) {
        throw new UpdraftError('DEVICE_NAME_TAKEN', `product ${productId} has a device ${name}`, { name });
      }
      const { secret, ...credential } = newCredential();
      const device = await store.insert(
        { productId, name, gatewayId, tags, versions, ...credential },
        clock.now(),
      );
      return { device, secret };
    },

    /**
     * Registers devices from a stream of rows, in batches of one transaction each; yields one
     * line per row and a summary. Rows are never all held at once.
     */
    importDevices(productId: number, rows: AsyncIterable<ImportRow>): AsyncGenerator<ImportLine[]> {
      return importDevices({ store, products, clock, newCredential }, productId, rows);
    },

    listDevices: (filter: DeviceFilter, page: PageRequest): Promise<Page<Device>> => store.list(filter, page),
    /** A page of devices, each with every module's reported version (the console's list). */
    async listDevicesWithVersions(
      filter: DeviceFilter,
      page: PageRequest,
    ): Promise<Page<Device & { versions: { module: string; version: string }[] }>> {
      const listed = await store.list(filter, page);
      const versions = await store.versionsOfMany(listed.items.map((d) => d.id));
      return { ...listed, items: listed.items.map((d) => ({ ...d, versions: versions.get(d.id) ?? [] })) };
    },
    countDevices: (filter: DeviceFilter): Promise<number> => store.countDevices(filter),
    /**
     * The device list's total (GET /devices/count): a product's or the fleet's devices, exact
     * from the kept count; with other filters, exact up to listCountLimit and past it that many
     * with exact false (at least that many match), so that no total counts a whole large fleet.
     */
    async countDeviceList(filter: DeviceFilter): Promise<{ count: number; exact: boolean }> {
      const { productId, ...rest } = filter;
      if (Object.values(rest).every((v) => v === undefined || v === '')) {
        return { count: await store.totalDevices(productId), exact: true };
      }
      const limit = limits.listCountLimit ?? listCountLimit;
      const count = await store.countDevices(filter, limit + 1);
      return count > limit ? { count: limit, exact: false } : { count, exact: true };
    },
    /** How many of the product's devices run each version of each module. */
    fleetVersions: (productId: number) => store.fleetVersions(productId),

    async listSubDevices(gatewayId: number, filter: MemberFilter, page: PageRequest): Promise<Page<Device>> {
      await getDevice(gatewayId);
      return store.list({ ...filter, gatewayId }, page);
    },

    async updateDevice(id: number, patch: { tags?: string[]; gatewayId?: number | null }): Promise<Device> {
      const device = await getDevice(id);
      const checked: { tags?: string[]; gatewayId?: number | null } = {};
      if (patch.tags !== undefined) checked.tags = checkTags(patch.tags);
      if (patch.gatewayId !== undefined) {
        if (patch.gatewayId === id) {
          throw new UpdraftError('VALIDATION_FAILED', 'a device is not its own gateway', {
            field: 'gatewayId',
          });
        }
        const product = await products.getProduct(device.productId);
        checked.gatewayId = await checkGateway(product.nodeType, patch.gatewayId);
      }
      return (await store.update(id, checked, clock.now())) ?? getDevice(id);
    },

    async deleteDevice(id: number): Promise<void> {
      if (!(await store.delete(id))) {
        throw new UpdraftError('NOT_FOUND', `no device ${id}`, { resource: 'device', id });
      }
    },

    /** A new secret (new salt); the old one stops working at once. */
    async rotateSecret(id: number): Promise<{ device: Device; secret: string }> {
      await getDevice(id);
      const { secret, ...credential } = newCredential();
      await store.setCredential(id, credential, clock.now());
      return { device: await getDevice(id), secret };
    },

    async reportVersion(id: number, module: string, version: string): Promise<void> {
      const device = await getDevice(id);
      checkVersions({ [module]: version }, await moduleNames(device.productId));
      await store.setVersion(id, module, version, clock.now());
    },

    /**
     * Versions of several devices (device transports, batched): each checked as reportVersion
     * checks it, the accepted ones written in one statement. Per entry, null or why it was refused.
     */
    async reportVersions(entries: readonly VersionWrite[]): Promise<(unknown | null)[]> {
      const modulesOf = new Map<number, Set<string>>();
      const found = new Map(
        (await store.getMany([...new Set(entries.map((e) => e.id))])).map((d) => [d.id, d]),
      );
      const refusals: (unknown | null)[] = [];
      for (const entry of entries) {
        try {
          const productId = found.get(entry.id)?.productId;
          if (productId === undefined) {
            throw new UpdraftError('NOT_FOUND', `no device ${entry.id}`, {
              resource: 'device',
              id: entry.id,
            });
          }
          let modules = modulesOf.get(productId);
          if (!modules) {
            modules = await moduleNames(productId);
            modulesOf.set(productId, modules);
          }
          checkVersions({ [entry.module]: entry.version }, modules);
          refusals.push(null);
        } catch (error) {
          refusals.push(error);
        }
      }
      // In the order given: a device's later report of the same module wins.
      const accepted = entries.filter((_, index) => refusals[index] === null);
      if (accepted.length > 0) await store.setVersions(accepted, clock.now());
      return refusals;
    },

    /** Marks the device seen now, with what it reported about itself. */
    async recordTelemetry(id: number, telemetry: Telemetry): Promise<Device> {
      const checked: Telemetry = { ...telemetry };
      if (telemetry.signal !== undefined) checked.signal = checkSignal(telemetry.signal);
      if (telemetry.battery !== undefined) checked.battery = checkBattery(telemetry.battery);
      if (telemetry.freeSpace !== undefined) checked.freeSpace = checkFreeSpace(telemetry.freeSpace);
      const device = await store.recordTelemetry(id, checked, clock.now());
      if (!device) throw new UpdraftError('NOT_FOUND', `no device ${id}`, { resource: 'device', id });
      return device;
    },

    /**
     * Marks devices seen now (device transports, batched). Values outside the valid ranges are
     * left out rather than refused: a device's odd report must not fail its upgrade check.
     */
    async recordSeen(entries: readonly { id: number; telemetry: Telemetry }[]): Promise<void> {
      const valid = (check: (n: number) => number, value: number | undefined) => {
        if (value === undefined) return undefined;
        try {
          return check(value);
        } catch {
          return undefined;
        }
      };
      await store.recordTelemetryMany(
        entries.map(({ id, telemetry }) => ({
          id,
          telemetry: {
            online: telemetry.online,
            signal: valid(checkSignal, telemetry.signal),
            battery: valid(checkBattery, telemetry.battery),
            freeSpace: valid(checkFreeSpace, telemetry.freeSpace),
          },
        })),
        clock.now(),
      );
    },

    /** The device whose secret this is, or undefined; hashes compare in constant time. */
    async authenticate(productKeyOrId: string | number, name: string, secret: string) {
      const device =
        typeof productKeyOrId === 'number'
          ? await store.findByName(productKeyOrId, name)
          : await store.findByProductKey(productKeyOrId, name);
      const credential = device && (await store.getCredential(device.id));
      if (!device || !credential) return undefined;
      return equalHex(sha256Hex(secret), credential.secretHash) ? device : undefined;
    },

    /** The device's current secret, for protocols that sign with it (OneNET tokens, HMAC). */
    async secretOf(device: Pick<Device, 'id'>): Promise<string> {
      const credential = await store.getCredential(device.id);
      if (!credential) {
        throw new UpdraftError('NOT_FOUND', `no device ${device.id}`, { resource: 'device', id: device.id });
      }
      return deriveDeviceSecret(secretKey, credential.secretSalt);
    },
  };
}

export type DeviceService = ReturnType<typeof createDeviceService>;
