// Firmware packages: the versions of a product's module that devices can be upgraded to, each
// one to five files kept in the blob store.
import type { Readable } from 'node:stream';
import { UpdraftError } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { PageRequest } from '../pagination.ts';
import type { BlobStore, ByteRange } from './blob-store.ts';
import type { FirmwareFile, FirmwareFilter, FirmwarePackage, FirmwareStore } from './firmware-store.ts';
import { createFirmwareUpload, type FirmwareUpload, type UploadLimits } from './firmware-upload.ts';
import {
  checkExtData,
  checkPackageFields,
  checkPackageName,
  checkReleaseNotes,
  checkRemark,
  type RawPackageFields,
} from './package-rules.ts';
import type { PackageUsage } from './package-usage.ts';

/** What the firmware module needs to know about products (the catalog service fits). */
export interface ProductLookup {
  getProduct(id: number): Promise<unknown>;
  requireModule(productId: number, name: string): Promise<unknown>;
}

export interface FirmwareServiceDeps {
  store: FirmwareStore;
  blobs: BlobStore;
  products: ProductLookup;
  usage: PackageUsage;
  clock: Clock;
  limits: UploadLimits;
}

export function createFirmwareService({ store, blobs, products, usage, clock, limits }: FirmwareServiceDeps) {
  async function getPackage(id: number): Promise<FirmwarePackage> {
    const pkg = await store.getPackage(id);
    if (!pkg) throw new UpdraftError('NOT_FOUND', `no firmware package ${id}`, { resource: 'firmware', id });
    return pkg;
  }

  return {
    limits,
    getPackage,

    /**
     * Checks an upload's fields before any file byte is read, so a bad or duplicate version is
     * refused early; the insert checks the version again in case another upload won the race.
     */
    async startUpload(productId: number, raw: RawPackageFields, createdBy: string): Promise<FirmwareUpload> {
      const fields = checkPackageFields(raw);
      await products.getProduct(productId);
      await products.requireModule(productId, fields.module);
      const slot = { productId, ...fields };
      if (await store.isSlotTaken(slot)) {
        throw new UpdraftError(
          'FIRMWARE_VERSION_EXISTS',
          `module ${fields.module} of product ${productId} already has version ${fields.version}` +
            (fields.sourceVersion ? ` from ${fields.sourceVersion}` : ''),
          { module: fields.module, version: fields.version, sourceVersion: fields.sourceVersion },
        );
      }
      if (await store.isNameTaken(productId, fields.module, fields.name)) {
        throw new UpdraftError(
          'FIRMWARE_NAME_EXISTS',
          `module ${fields.module} of product ${productId} already has a package named ${JSON.stringify(fields.name)}`,
          { module: fields.module, name: fields.name },
        );
      }
      return createFirmwareUpload({
        pkg: { productId, ...fields, createdBy, createdAt: clock.now() },
        store,
        blobs,
        limits,
        clock,
      });
    },

    listPackages: (filter: FirmwareFilter, page: PageRequest) => store.listPackages(filter, page),

    /** Whether a plan uses the package (its content and signature are fixed then). */
    isInUse: (id: number) => usage.isPackageInUse(id),

    async updatePackage(
      id: number,
      patch: { name?: string; remark?: string; releaseNotes?: string; extData?: unknown },
    ): Promise<FirmwarePackage> {
      const checked = {
        ...(patch.name !== undefined && { name: checkPackageName(patch.name) }),
        ...(patch.remark !== undefined && { remark: checkRemark(patch.remark) }),
        ...(patch.releaseNotes !== undefined && { releaseNotes: checkReleaseNotes(patch.releaseNotes) }),
        ...(patch.extData !== undefined && { extData: checkExtData(patch.extData) }),
      };
      const pkg = await store.updatePackage(id, checked);
      if (!pkg)
        throw new UpdraftError('NOT_FOUND', `no firmware package ${id}`, { resource: 'firmware', id });
      return pkg;
    },

    /**
     * Deletes a package no plan uses. Its blobs that no other package shares stay for the grace
     * period and are deleted by the blob sweeper, unless an upload takes them up again.
     */
    async deletePackage(id: number): Promise<void> {
      await getPackage(id);
      if (await usage.isPackageInUse(id)) {
        throw new UpdraftError('FIRMWARE_IN_USE', `firmware package ${id} is used by a plan`, { id });
      }
      const keys = await store.deletePackage(id, clock.now());
      if (!keys)
        throw new UpdraftError('NOT_FOUND', `no firmware package ${id}`, { resource: 'firmware', id });
    },

    async openFile(
      id: number,
      position: number,
      range?: ByteRange,
    ): Promise<{ pkg: FirmwarePackage; file: FirmwareFile; content: Readable }> {
      const pkg = await getPackage(id);
      const file = pkg.files.find((f) => f.position === position);
      if (!file) {
        throw new UpdraftError('NOT_FOUND', `firmware package ${id} has no file ${position}`, {
          resource: 'firmware file',
          id,
          position,
        });
      }
      return { pkg, file, content: await blobs.open(file.sha256, range) };
    },
  };
}

export type FirmwareService = ReturnType<typeof createFirmwareService>;
