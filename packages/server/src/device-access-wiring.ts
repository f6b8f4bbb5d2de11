// The device service's ports (modules/device-access/ports.ts) over the devices, catalog, plans
// and firmware modules: part of the composition root (app.ts), which calls these once.
import type { Clock } from './adapters/clock/clock.ts';
import type { CatalogService } from './modules/catalog/catalog-service.ts';
import type { DeviceDirectory, UpgradeDirectory } from './modules/device-access/ports.ts';
import type { DeviceService } from './modules/devices/device-service.ts';
import type { DeviceStore } from './modules/devices/device-store.ts';
import type { BlobStore } from './modules/firmware/blob-store.ts';
import type { FirmwareService } from './modules/firmware/firmware-service.ts';
import type { FirmwarePackage, FirmwareStore } from './modules/firmware/firmware-store.ts';
import type { PlanStore } from './modules/plans/plan-store.ts';
import type { UpgradeEngine } from './modules/plans/upgrade-engine.ts';
import type { UpgradeStore } from './modules/plans/upgrade-store.ts';
import type { PackageSignature } from './modules/signing/signing-store.ts';

export function deviceDirectoryOn({
  deviceStore,
  devices,
  catalog,
}: {
  deviceStore: DeviceStore;
  devices: DeviceService;
  catalog: CatalogService;
}): DeviceDirectory {
  return {
    get: (id) => deviceStore.get(id),
    findByProductKey: (key, name) => deviceStore.findByProductKey(key, name),
    findByName: (productId, name) => deviceStore.findByName(productId, name),
    secretOf: (id) => devices.secretOf({ id }),
    verifySecret: (productKey, name, secret) => devices.authenticate(productKey, name, secret),
    async subDevicesOf(gatewayId) {
      const found = [];
      for (let after: number | undefined; ; ) {
        const page = await deviceStore.list({ gatewayId }, { after, limit: 1000 });
        found.push(...page.items);
        if (page.next === null) return found;
        after = page.next;
      }
    },
    recordSeen: (entries) => devices.recordSeen(entries),
    async productAccess(product) {
      const found =
        (await catalog.findProductByKey(product)) ??
        (/^\d{1,15}$/.test(product) ? await catalog.findProduct(Number(product)) : undefined);
      const accessKey = found?.productKeyAuth ? await catalog.accessKeyOf(found.id) : undefined;
      return found && accessKey ? { productId: found.id, accessKey } : undefined;
    },
    versionOf: (id, module) => deviceStore.versionOf(id, module),
    reportVersions: (entries) => devices.reportVersions(entries),
    async moduleCodes(productId, module) {
      const found = await catalog.findModule(productId, module);
      return found && { manufacturer: found.manufacturerCode, model: found.modelCode, kind: found.kind };
    },
    async productProfile(productId) {
      const product = await catalog.findProduct(productId);
      return (
        product && {
          productKey: product.productKey,
          signMethod: product.signMethod,
          protocols: product.protocols,
        }
      );
    },
  };
}

export function upgradeDirectoryOn({
  engine,
  upgradeStore,
  planStore,
  firmware,
  firmwareStore,
  blobs,
  urlTtlSeconds,
  clock,
  signatures,
}: {
  engine: UpgradeEngine;
  upgradeStore: UpgradeStore;
  planStore: PlanStore;
  firmware: FirmwareService;
  firmwareStore: FirmwareStore;
  blobs: BlobStore;
  /** With these, devices may be sent to the store's presigned URLs (S3), valid this long. */
  urlTtlSeconds?: number;
  clock?: Clock;
  /** A package's signed manifest (docs/signing.md), offered with it. */
  signatures?: (packageId: number) => Promise<PackageSignature | undefined>;
}): UpgradeDirectory {
  const { downloadUrl } = blobs;
  const signed = async (pkg: FirmwarePackage): Promise<FirmwarePackage> =>
    signatures ? { ...pkg, signature: (await signatures(pkg.id)) ?? null } : pkg;
  return {
    report: (inputs) => engine.reportDeviceEvents(inputs),
    getUpgrade: (id) => upgradeStore.upgradeRow(id).then((u) => u && { ...u, status: u.state.status }),
    pushSubjects: async (ids) =>
      (await upgradeStore.pushSubjects(ids)).map(({ upgrade, device, version }) => ({
        upgrade: { ...upgrade, status: upgrade.state.status },
        device,
        version: version ?? undefined,
      })),
    activeUpgradesOf: async (deviceIds) =>
      (await upgradeStore.activeUpgradesOfDevices(deviceIds)).map((u) => ({ ...u, status: u.state.status })),
    activeUpgrades: async (deviceId) =>
      (await upgradeStore.activeUpgradesOfDevice(deviceId)).map((u) => ({
        ...u,
        status: u.state.status,
      })),
    async lastUpgrade(deviceId, module) {
      const found = await upgradeStore.lastUpgradeRow(deviceId, module);
      return found && { ...found, status: found.state.status };
    },
    async activeUpgrade(deviceId, module) {
      const found = await upgradeStore.activeUpgradeRow(deviceId, module);
      return found && { ...found, status: found.state.status };
    },
    async versionAndActiveUpgrade(deviceId, module) {
      const { upgrade, version } = await upgradeStore.activeUpgradeRowWithVersion(deviceId, module);
      return { version, active: upgrade && { ...upgrade, status: upgrade.state.status } };
    },
    getPlan: (id) => planStore.getPlan(id),
    getPackage: async (id) => signed(await firmware.getPackage(id)),
    async deltaFor(productId, module, sourceVersion, version) {
      const page = await firmwareStore.listPackages(
        { productId, module, version, sourceVersion, type: 'delta' },
        { limit: 1 },
      );
      return page.items[0] && signed(page.items[0]);
    },
    openBlob: (key, range) => blobs.open(key, range),
    ...(downloadUrl &&
      urlTtlSeconds !== undefined &&
      clock && {
        async blobUrl(key: string, fileName: string) {
          const url = await downloadUrl(key, { expiresInSeconds: urlTtlSeconds, fileName });
          return { url, expiresAt: clock.now() + urlTtlSeconds * 1000 };
        },
      }),
  };
}
