import type { Page, PageRequest } from '../pagination.ts';

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
  version: string;
  type: PackageType;
  /** The version a delta package applies to; null for a full package. */
  sourceVersion: string | null;
  releaseNotes: string;
  extData: Record<string, string>;
  verified: boolean;
  totalSize: number;
  createdBy: string;
  createdAt: number;
  files: FirmwareFile[];
}

export type NewFirmwarePackage = Omit<FirmwarePackage, 'id' | 'verified' | 'files'>;

export interface FirmwareFilter {
  productId?: number | undefined;
  module?: string | undefined;
  version?: string | undefined;
  type?: PackageType | undefined;
  /** Delta packages that apply to this version. */
  sourceVersion?: string | undefined;
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
   * it throws, nothing is kept. A taken slot fails with FIRMWARE_VERSION_EXISTS.
   */
  insertPackage(
    pkg: NewFirmwarePackage,
    files: FirmwareFile[],
    beforeCommit: () => Promise<void>,
  ): Promise<FirmwarePackage>;
  isSlotTaken(slot: PackageSlot): Promise<boolean>;
  getPackage(id: number): Promise<FirmwarePackage | undefined>;
  listPackages(filter: FirmwareFilter, page: PageRequest): Promise<Page<FirmwarePackage>>;
  updatePackage(
    id: number,
    patch: { releaseNotes?: string; extData?: Record<string, string> },
  ): Promise<FirmwarePackage | undefined>;
  /** Deletes a package with its files; returns the sha256 of each file it had. */
  deletePackage(id: number): Promise<string[] | undefined>;
  isBlobReferenced(sha256: string): Promise<boolean>;
}
