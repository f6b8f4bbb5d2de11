import type { Page, PageRequest } from '../pagination.ts';
import type { PackageSignature } from '../signing/signing-store.ts';

export const packageTypes = ['full', 'delta'] as const;
export type PackageType = (typeof packageTypes)[number];

export interface FirmwareFile {
  /** 1-based order of the file inside its package. */
  position: number;
  name: string;
  size: number;
  sha256: string;
  md5: string;
}

export interface FirmwarePackage {
  id: number;
  productId: number;
  module: string;
  /** Unique per product and module, 1 to 100 characters (Quectel's package name). */
  name: string;
  version: string;
  type: PackageType;
  /** The version a delta package applies to; null for a full package. */
  sourceVersion: string | null;
  releaseNotes: string;
  /** The operator's note, at most 200 characters. */
  remark: string;
  extData: Record<string, string>;
  verified: boolean;
  totalSize: number;
  createdBy: string;
  createdAt: number;
  files: FirmwareFile[];
  /** Its signed manifest, where the reader joins it (device access does; docs/signing.md). */
  signature?: PackageSignature | null;
  /** Its latest published verification plan and how it stands; null when it has none. */
  verification?: PackageVerification | null;
}

/**
 * A package's verification (Quectel's verification plan, issue 15): `running` while its plan is
 * scheduled, running or paused; `passed` when it completed with its device upgraded; `failed`
 * when it completed otherwise or ran out of its hour; `cancelled`.
 */
export interface PackageVerification {
  planId: number;
  state: 'running' | 'passed' | 'failed' | 'cancelled';
}

export type NewFirmwarePackage = Omit<
  FirmwarePackage,
  'id' | 'verified' | 'files' | 'signature' | 'verification'
>;

export interface FirmwareFilter {
  productId?: number | undefined;
  module?: string | undefined;
  version?: string | undefined;
  type?: PackageType | undefined;
  /** Delta packages that apply to this version. */
  sourceVersion?: string | undefined;
}

export interface PackagePatch {
  name?: string;
  remark?: string;
  releaseNotes?: string;
  extData?: Record<string, string>;
}

/** Names one package slot: a version is unique per product and module, a delta also per source. */
export interface PackageSlot {
  productId: number;
  module: string;
  version: string;
  sourceVersion: string | null;
}

/** Persistence of firmware packages and their files (owned by the firmware module). */
export interface FirmwareStore {
  /**
   * Inserts a package and its files in one transaction. `beforeCommit` runs inside it, last: if
   * it throws, nothing is kept. A taken slot fails with FIRMWARE_VERSION_EXISTS, a taken name
   * with FIRMWARE_NAME_EXISTS.
   */
  insertPackage(
    pkg: NewFirmwarePackage,
    files: FirmwareFile[],
    beforeCommit: () => Promise<void>,
  ): Promise<FirmwarePackage>;
  isSlotTaken(slot: PackageSlot): Promise<boolean>;
  /** Whether the product's module has a package of this name (other than `exceptId`). */
  isNameTaken(productId: number, module: string, name: string, exceptId?: number): Promise<boolean>;
  getPackage(id: number): Promise<FirmwarePackage | undefined>;
  listPackages(filter: FirmwareFilter, page: PageRequest): Promise<Page<FirmwarePackage>>;
  /** A taken name fails with FIRMWARE_NAME_EXISTS. */
  updatePackage(id: number, patch: PackagePatch): Promise<FirmwarePackage | undefined>;
  /**
   * Deletes a package with its files; returns the sha256 of each file it had. Blobs no other
   * package refers to become orphans since `now` (the blob sweeper deletes them after the grace
   * period). An insert that refers to a blob again takes it out of the orphans.
   */
  deletePackage(id: number, now: number): Promise<string[] | undefined>;
  /** Records stored blobs that no package refers to (an upload that failed after storing them). */
  markOrphanBlobs(keys: readonly string[], now: number): Promise<void>;
}
