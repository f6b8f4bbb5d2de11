// Test and benchmark support: a product with many devices, a firmware package and the plans
// module wired on a database, without HTTP. Devices are inserted with multi-row INSERTs.
import { UpdraftError } from '@updraft/core';
import { createManualClock } from '../../adapters/clock/clock.ts';
import type { Database } from '../../adapters/db/database.ts';
import { createKyselyPlanStore } from '../../adapters/db/kysely-plan-store.ts';
import { createRecordingNotifier } from './notifier.ts';
import { createPlanService, type PackageLookup } from './plan-service.ts';
import { createUpgradeEngine } from './upgrade-engine.ts';

export interface Fleet {
  productId: number;
  deviceIds: number[];
}

/** A product with `count` devices; `versionOf(i)` is device i's version of module default. */
export async function seedFleet(
  database: Database,
  count: number,
  options: { versionOf?: (i: number) => string | null; now?: number; key?: string } = {},
): Promise<Fleet> {
  const { db } = database;
  const now = options.now ?? Date.UTC(2026, 0, 1);
  const key = options.key ?? `pk_fleet_${Math.random().toString(36).slice(2, 10)}`;
  const product = await db
    .insertInto('products')
    .values({
      name: 'fleet',
      product_key: key,
      manufacturer: '',
      model: '',
      node_type: 'direct',
      protocols: '["mqtt"]',
      description: '',
      sign_method: 'md5',
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('modules')
    .values({ product_id: product.id, name: 'default', kind: 'firmware', description: '', created_at: now })
    .execute();
  const deviceIds: number[] = [];
  const chunk = 1000;
  for (let start = 0; start < count; start += chunk) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + chunk); i++) {
      rows.push({
        product_id: product.id,
        name: `d${i}`,
        secret_salt: 's',
        secret_hash: 'h',
        online: 1,
        tags: '[]',
        created_at: now,
        updated_at: now,
      });
    }
    const ids = await db.insertInto('devices').values(rows).returning('id').execute();
    const versions = [];
    for (const [offset, { id }] of ids.entries()) {
      deviceIds.push(Number(id));
      const version = options.versionOf ? options.versionOf(start + offset) : '1.0';
      if (version !== null) versions.push({ device_id: id, module: 'default', version, reported_at: now });
    }
    if (versions.length > 0) await db.insertInto('device_versions').values(versions).execute();
  }
  return { productId: Number(product.id), deviceIds };
}

export async function seedPackage(
  database: Database,
  productId: number,
  version: string,
  options: { sourceVersion?: string; verified?: boolean; module?: string } = {},
): Promise<number> {
  const row = await database.db
    .insertInto('firmware_packages')
    .values({
      product_id: productId,
      module: options.module ?? 'default',
      version,
      type: options.sourceVersion ? 'delta' : 'full',
      source_version: options.sourceVersion ?? null,
      variant: options.sourceVersion ?? '',
      release_notes: '',
      ext_data: '{}',
      verified: options.verified ? 1 : 0,
      total_size: 1,
      created_by: 'test',
      created_at: 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export function packageLookupOn(database: Database): PackageLookup {
  return {
    async getPackage(id) {
      const row = await database.db
        .selectFrom('firmware_packages')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row)
        throw new UpdraftError('NOT_FOUND', `no firmware package ${id}`, { resource: 'firmware', id });
      return {
        id: Number(row.id),
        productId: Number(row.product_id),
        module: row.module,
        version: row.version,
        type: row.type as 'full' | 'delta',
        sourceVersion: row.source_version,
        verified: row.verified === 1,
      };
    },
  };
}

/** The plans module on a database with a manual clock and a recording notifier. */
export function wirePlans(database: Database, options: { start?: number; batchSize?: number } = {}) {
  const clock = createManualClock(options.start ?? Date.UTC(2026, 0, 1));
  const store = createKyselyPlanStore(database.db, database.dialect);
  const notifier = createRecordingNotifier();
  const engine = createUpgradeEngine({
    store,
    notifier,
    clock,
    ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
  });
  const plans = createPlanService({ store, engine, packages: packageLookupOn(database), clock });
  return { clock, store, notifier, engine, plans };
}
