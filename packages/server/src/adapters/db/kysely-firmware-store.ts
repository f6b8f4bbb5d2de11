import { UpdraftError } from '@updraft/core';
import type { Kysely, Selectable } from 'kysely';
import type {
  FirmwareFile,
  FirmwarePackage,
  FirmwareStore,
  PackageSlot,
  PackageType,
  PackageVerification,
} from '../../modules/firmware/firmware-store.ts';
import { toPage } from '../../modules/pagination.ts';
import { forgetOrphans, recordOrphans } from './kysely-blob-orphan-store.ts';
import type { DatabaseSchema, FirmwareFilesTable, FirmwarePackagesTable } from './schema.ts';
import { isUniqueViolation, isUniqueViolationOf } from './sql-helpers.ts';

const nameTaken = (pkg: { productId: number; module: string; name: string }) =>
  new UpdraftError(
    'FIRMWARE_NAME_EXISTS',
    `module ${pkg.module} of product ${pkg.productId} already has a package named ${JSON.stringify(pkg.name)}`,
    { module: pkg.module, name: pkg.name },
  );

/** A full package takes the slot '' of its version; a delta takes the slot of its source. */
const variantOf = (sourceVersion: string | null) => sourceVersion ?? '';

function toFile(row: Selectable<FirmwareFilesTable>): FirmwareFile {
  return { position: row.position, name: row.name, size: row.size, sha256: row.sha256, md5: row.md5 };
}

function verificationOf(
  row: Selectable<FirmwarePackagesTable>,
  plan: { id: number; status: string } | undefined,
): PackageVerification | null {
  if (!plan) return null;
  const state =
    plan.status === 'completed'
      ? row.verified === 1
        ? 'passed'
        : 'failed'
      : plan.status === 'expired'
        ? 'failed'
        : plan.status === 'cancelled'
          ? 'cancelled'
          : 'running';
  return { planId: plan.id, state };
}

function toPackage(
  row: Selectable<FirmwarePackagesTable>,
  files: FirmwareFile[],
  plan?: { id: number; status: string },
): FirmwarePackage {
  return {
    id: row.id,
    productId: row.product_id,
    module: row.module,
    name: row.name,
    version: row.version,
    type: row.type as PackageType,
    sourceVersion: row.source_version,
    releaseNotes: row.release_notes,
    remark: row.remark,
    extData: JSON.parse(row.ext_data) as Record<string, string>,
    verified: row.verified === 1,
    totalSize: row.total_size,
    createdBy: row.created_by,
    createdAt: row.created_at,
    files,
    verification: verificationOf(row, plan),
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
    // The latest published verification plan of each package (newest id first).
    const plans = await db
      .selectFrom('plans')
      .select(['id', 'firmware_package_id', 'status'])
      .where('verification', '=', 1)
      .where('status', '<>', 'draft')
      .where(
        'firmware_package_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('id', 'desc')
      .execute();
    return rows.map((row) =>
      toPackage(
        row,
        files.filter((f) => f.package_id === row.id).map(toFile),
        plans.find((p) => p.firmware_package_id === row.id),
      ),
    );
  }

  async function isSlotTaken(slot: PackageSlot): Promise<boolean> {
    const row = await db
      .selectFrom('firmware_packages')
      .select('id')
      .where('product_id', '=', slot.productId)
      .where('module', '=', slot.module)
      .where('version', '=', slot.version)
      .where('variant', '=', variantOf(slot.sourceVersion))
      .executeTakeFirst();
    return row !== undefined;
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
              name: pkg.name,
              remark: pkg.remark,
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
          // Before the blobs are looked up: a sweeper deleting one of them finishes first.
          await forgetOrphans(
            trx,
            files.map((f) => f.sha256),
          );
          await beforeCommit();
          return row.id;
        });
        return (await getPackage(id))!;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // A duplicate version is told as such, even when its (default) name is taken too.
        if (isUniqueViolationOf(error, 'firmware_packages_name', 'name') && !(await isSlotTaken(pkg)))
          throw nameTaken(pkg);
        throw new UpdraftError(
          'FIRMWARE_VERSION_EXISTS',
          `module ${pkg.module} of product ${pkg.productId} already has version ${pkg.version}`,
          { module: pkg.module, version: pkg.version, sourceVersion: pkg.sourceVersion },
        );
      }
    },

    isSlotTaken,

    async isNameTaken(productId, module, name, exceptId) {
      const row = await db
        .selectFrom('firmware_packages')
        .select('id')
        .where('product_id', '=', productId)
        .where('module', '=', module)
        .where('name', '=', name)
        .$if(exceptId !== undefined, (q) => q.where('id', '<>', exceptId!))
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
      const set = {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.remark !== undefined && { remark: patch.remark }),
        ...(patch.releaseNotes !== undefined && { release_notes: patch.releaseNotes }),
        ...(patch.extData !== undefined && { ext_data: JSON.stringify(patch.extData) }),
      };
      if (Object.keys(set).length > 0) {
        try {
          await db.updateTable('firmware_packages').set(set).where('id', '=', id).execute();
        } catch (error) {
          const pkg = await getPackage(id);
          if (pkg && isUniqueViolationOf(error, 'firmware_packages_name', 'name'))
            throw nameTaken({ ...pkg, name: patch.name ?? pkg.name });
          throw error;
        }
      }
      return getPackage(id);
    },

    async deletePackage(id, now) {
      return db.transaction().execute(async (trx) => {
        const files = await trx
          .selectFrom('firmware_files')
          .select('sha256')
          .where('package_id', '=', id)
          .execute();
        const result = await trx.deleteFrom('firmware_packages').where('id', '=', id).executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) return undefined;
        // firmware_files rows go with their package (on delete cascade).
        const keys = files.map((f) => f.sha256);
        await recordOrphans(trx, keys, now);
        return keys;
      });
    },

    markOrphanBlobs: (keys, now) => recordOrphans(db, keys, now),
  };
}
