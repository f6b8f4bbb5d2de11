// What device access needs of the devices, catalog, plans and firmware modules: narrow ports,
// owned here and wired in app.ts.
import type { Readable } from 'node:stream';
import type { PlanSpec } from '@updraft/core';
import type { FirmwarePackage } from '../firmware/firmware-store.ts';
import type { DeviceEventInput, UpgradeOutcome } from '../plans/upgrade-engine-contract.ts';
import type { AccessDevice, ProductProfile, UpgradeSummary } from './device-access.ts';
import type { ModuleCodes } from './module-codes.ts';

export interface Telemetry {
  signal?: number;
  battery?: number;
  /** Bytes free for an upgrade. */
  freeSpace?: number;
  online?: boolean;
}

/** The devices and catalog modules as device access needs them. */
export interface DeviceDirectory {
  get(id: number): Promise<AccessDevice | undefined>;
  findByProductKey(productKey: string, name: string): Promise<AccessDevice | undefined>;
  findByName(productId: number, name: string): Promise<AccessDevice | undefined>;
  secretOf(id: number): Promise<string>;
  /** The sub-devices whose gateway this is. */
  subDevicesOf(gatewayId: number): Promise<AccessDevice[]>;
  /** The device, when `secret` is its secret (compared in constant time). */
  verifySecret(productKey: string, name: string, secret: string): Promise<AccessDevice | undefined>;
  /** The product (by key, or by id when `product` is all digits) with its access key, when on. */
  productAccess(product: string): Promise<{ productId: number; accessKey: string } | undefined>;
  productProfile(productId: number): Promise<ProductProfile | undefined>;
  /** OneNET's codes of the product's module (§2.7), undefined when there is no such module. */
  moduleCodes(productId: number, module: string): Promise<ModuleCodes | undefined>;
  /** The version last reported for the module, if any. */
  versionOf(id: number, module: string): Promise<string | undefined>;
  /** Marks devices seen now with the signal and battery they reported, or online (one batch). */
  recordSeen(entries: readonly { id: number; telemetry: Telemetry }[]): Promise<void>;
  /**
   * Stores the versions (one statement); per entry null, or the error of a version or module
   * the product does not accept (that entry is not stored).
   */
  reportVersions(
    entries: readonly { id: number; module: string; version: string }[],
  ): Promise<(unknown | null)[]>;
}

export interface AccessPlan {
  name: string;
  firmwarePackageId: number;
  spec: PlanSpec;
}

/** The plans and firmware modules as device access needs them. */
export interface UpgradeDirectory {
  report(inputs: readonly DeviceEventInput[]): Promise<UpgradeOutcome[]>;
  getUpgrade(id: number): Promise<UpgradeSummary | undefined>;
  /**
   * The upgrades of these ids that exist, each with its device and the version the device last
   * reported for the upgrade's module (one query per 500): what a chunk of pushes reads.
   */
  pushSubjects(
    ids: readonly number[],
  ): Promise<{ upgrade: UpgradeSummary; device: AccessDevice; version: string | undefined }[]>;
  activeUpgrade(deviceId: number, module: string): Promise<UpgradeSummary | undefined>;
  /** The version the device last reported for the module and its active upgrade of it, read together. */
  versionAndActiveUpgrade(
    deviceId: number,
    module: string,
  ): Promise<{ version: string | undefined; active: UpgradeSummary | undefined }>;
  /** The device's latest upgrade of the module, active or ended. */
  lastUpgrade(deviceId: number, module: string): Promise<UpgradeSummary | undefined>;
  /** Every active upgrade of the device, one per module at most. */
  activeUpgrades(deviceId: number): Promise<UpgradeSummary[]>;
  /** The active upgrades of these devices (one query per 500). */
  activeUpgradesOf(deviceIds: readonly number[]): Promise<UpgradeSummary[]>;
  getPlan(id: number): Promise<AccessPlan | undefined>;
  getPackage(id: number): Promise<FirmwarePackage>;
  /**
   * The delta package of the product and module from `sourceVersion` to `targetVersion`, if one
   * is stored (uploaded or generated): a full plan offers it to devices on its source version.
   */
  deltaFor(
    productId: number,
    module: string,
    sourceVersion: string,
    targetVersion: string,
  ): Promise<FirmwarePackage | undefined>;
  openBlob(key: string, range?: { start: number; end: number }): Promise<Readable>;
  /**
   * A short-lived URL devices fetch the file from directly (a presigned S3 GET), when the blob
   * store gives one and Updraft is set to send devices there (UPDRAFT_S3_DOWNLOADS=redirect).
   */
  blobUrl?(key: string, fileName: string): Promise<{ url: string; expiresAt: number }>;
}
