import { UpdraftError } from '@updraft/core';
import type { Kysely, Selectable } from 'kysely';
import type {
  FirmwareFile,
  FirmwarePackage,
  FirmwareStore,
  PackageSlot,
  PackageType,
} from '../../modules/firmware/firmware-store.ts';
import { toPage } from '../../modules/pagination.ts';
import type { DatabaseSchema, FirmwareFilesTable, FirmwarePackagesTable } from './schema.ts';
import { isUniqueViolation } from './sql-helpers.ts';

/** A full package takes the slot '' of its version; a delta takes the slot of its source. */
const variantOf = (sourceVersion: string | null) => sourceVersion ?? '';

function toFile(row: Selectable<FirmwareFilesTable>): FirmwareFile {
  return { position: row.position, name: row.name, size: row.size, sha256: row.sha256, md5: row.md5 };
}

function toPackage(row: Selectable<FirmwarePackagesTable>, files: FirmwareFile[]): FirmwarePackage {
  return {
    id: row.id,
    productId: row.product_id,
    module: row.module,
    version: row.version,
    type: row.type as PackageType,
    sourceVersion: row.source_version,
    releaseNotes: row.release_notes,
    extData: JSON.parse(row.ext_data) as Record<string, string>,
    verified: row.verified === 1,
    totalSize: row.total_size,
    createdBy: row.created_by,
    createdAt: row.created_at,
    files,
  };
}

export function createKyselyFirmwareStore(db: Kysely<DatabaseSchema>): FirmwareStore {
  async function withFiles(rows: Selectable<FirmwarePackagesTable>[]): Promise<FirmwarePackage[]> {
    if (rows.length === 0) return [];
    const files = await db
      .selectFrom('firmware_files')
      .selectAll()
      .where(
        'package_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('package_id')
      .orderBy('position')
      .execute();
    return rows.map((row) => toPackage(row, files.filter((f) => f.package_id === row.id).map(toFile)));
  }

  async function getPackage(id: number): Promise<FirmwarePackage | undefined> {
    const row = await db.selectFrom('firmware_packages').selectAll().where('id', '=', id).executeTakeFirst();
    return row && (await withFiles([row]))[0];
  }

  return {
    async insertPackage(pkg, files, beforeCommit) {
      try {
        const id = await db.transaction().execute(async (trx) => {
          const row = await trx
            .insertInto('firmware_packages')
            .values({
              product_id: pkg.productId,
              module: pkg.module,
              version: pkg.version,
              type: pkg.type,
              source_version: pkg.sourceVersion,
              variant: variantOf(pkg.sourceVersion),
              release_notes: pkg.releaseNotes,
              ext_data: JSON.stringify(pkg.extData),
              verified: 0,
              total_size: pkg.totalSize,
              created_by: pkg.createdBy,
              created_at: pkg.createdAt,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await trx
            .insertInto('firmware_files')
            .values(files.map((f) => ({ package_id: row.id, ...f })))
            .execute();
          await beforeCommit();
          return row.id;
        });
        return (await getPackage(id))!;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new UpdraftError(
          'FIRMWARE_VERSION_EXISTS',
          `module ${pkg.module} of product ${pkg.productId} already has version ${pkg.version}`,
          { module: pkg.module, version: pkg.version, sourceVersion: pkg.sourceVersion },
        );
      }
    },

    async isSlotTaken(slot: PackageSlot) {
      const row = await db
        .selectFrom('firmware_packages')
        .select('id')
        .where('product_id', '=', slot.productId)
        .where('module', '=', slot.module)
        .where('version', '=', slot.version)
        .where('variant', '=', variantOf(slot.sourceVersion))
        .executeTakeFirst();
      return row !== undefined;
    },

    getPackage,

    async listPackages(filter, { after, limit }) {
      const rows = await db
        .selectFrom('firmware_packages')
        .selectAll()
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .$if(filter.productId !== undefined, (q) => q.where('product_id', '=', filter.productId!))
        .$if(filter.module !== undefined, (q) => q.where('module', '=', filter.module!))
        .$if(filter.version !== undefined, (q) => q.where('version', '=', filter.version!))
        .$if(filter.type !== undefined, (q) => q.where('type', '=', filter.type!))
        .$if(filter.sourceVersion !== undefined, (q) => q.where('source_version', '=', filter.sourceVersion!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(await withFiles(rows), limit);
    },

    async updatePackage(id, patch) {
      if (patch.releaseNotes !== undefined || patch.extData !== undefined) {
        await db
          .updateTable('firmware_packages')
          .set({
            ...(patch.releaseNotes !== undefined && { release_notes: patch.releaseNotes }),
            ...(patch.extData !== undefined && { ext_data: JSON.stringify(patch.extData) }),
          })
          .where('id', '=', id)
          .execute();
      }
      return getPackage(id);
    },

    async deletePackage(id) {
      return db.transaction().execute(async (trx) => {
        const files = await trx
          .selectFrom('firmware_files')
          .select('sha256')
          .where('package_id', '=', id)
          .execute();
        const result = await trx.deleteFrom('firmware_packages').where('id', '=', id).executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) return undefined;
        // firmware_files rows go with their package (on delete cascade).
        return files.map((f) => f.sha256);
      });
    },

    async isBlobReferenced(sha256) {
      const row = await db
        .selectFrom('firmware_files')
        .select('id')
        .where('sha256', '=', sha256)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
