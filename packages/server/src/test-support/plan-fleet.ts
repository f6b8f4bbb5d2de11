// Test and benchmark support: a product with many devices, a firmware package and the plans
// module wired on a database, without HTTP. Devices are inserted with multi-row INSERTs.
import { UpdraftError } from '@updraft/core';
import type { Database } from '../adapters/db/database.ts';
import { createKyselyPlanStore } from '../adapters/db/kysely-plan-store.ts';
import { createKyselyReportStore } from '../adapters/db/kysely-report-store.ts';
import { createKyselySettingStore } from '../adapters/db/kysely-setting-store.ts';
import { createKyselyUpgradeStore } from '../adapters/db/kysely-upgrade-store.ts';
import type { PlanInput } from '../modules/plans/plan-input.ts';
import { createPlanService, type PackageLookup, type ProductLookup } from '../modules/plans/plan-service.ts';
import type { PlanStore } from '../modules/plans/plan-store.ts';
import type { ReportStore } from '../modules/plans/report-store.ts';
import { createUpgradeEngine } from '../modules/plans/upgrade-engine.ts';
import type { UpgradeStore } from '../modules/plans/upgrade-store.ts';
import type { SettingStore } from '../modules/settings/setting-store.ts';
import { createManualClock } from './manual-clock.ts';
import { createRecordingNotifier } from './recording-notifier.ts';

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
      name: options.sourceVersion ? `${version} from ${options.sourceVersion}` : version,
      remark: '',
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
    async listPackages(filter, page) {
      const rows = await database.db
        .selectFrom('firmware_packages')
        .select('id')
        .where('product_id', '=', filter.productId)
        .where('module', '=', filter.module)
        .where('version', '=', filter.version)
        .where('type', '=', filter.type)
        .orderBy('id')
        .limit(page.limit)
        .execute();
      return { items: rows.map((r) => ({ id: Number(r.id) })) };
    },
  };
}

/** Every store of the plans module on one database, as one object (tests patch its methods). */
export type PlanStores = PlanStore & UpgradeStore & ReportStore & SettingStore;

export function createPlanStores(database: Database): PlanStores {
  return {
    ...createKyselyPlanStore(database.db, database.dialect),
    ...createKyselyUpgradeStore(database.db, database.dialect),
    ...createKyselyReportStore(database.db, database.dialect),
    ...createKyselySettingStore(database.db),
  };
}

/** Adds module `name` of `kind` to the product, and each device's version of it (null: none). */
export async function seedModule(
  database: Database,
  fleet: Fleet,
  name: string,
  kind: 'module' | 'mcu',
  versionOf: (i: number) => string | null,
): Promise<void> {
  const { db } = database;
  await db
    .insertInto('modules')
    .values({ product_id: fleet.productId, name, kind, description: '', created_at: 0 })
    .execute();
  const versions = fleet.deviceIds.flatMap((id, i) => {
    const version = versionOf(i);
    return version === null ? [] : [{ device_id: id, module: name, version, reported_at: 0 }];
  });
  if (versions.length > 0) await db.insertInto('device_versions').values(versions).execute();
}

/**
 * The plans module on a database with a manual clock and a recording notifier. `store` is the
 * one object behind every store port, so a test that replaces one of its methods reaches the
 * service and the engine alike.
 */
export function wirePlans(
  database: Database,
  options: { start?: number; batchSize?: number; products?: ProductLookup } = {},
) {
  const clock = createManualClock(options.start ?? Date.UTC(2026, 0, 1));
  const store = createPlanStores(database);
  const notifier = createRecordingNotifier();
  const engine = createUpgradeEngine({
    store,
    notifier,
    clock,
    ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
  });
  const plans = createPlanService({
    plans: store,
    upgrades: store,
    reports: store,
    settings: store,
    engine,
    packages: packageLookupOn(database),
    clock,
    ...(options.products && { products: options.products }),
  });
  return { clock, store, notifier, engine, plans };
}

/** A plan (for every device of its product unless `target` says otherwise), created and published. */
export async function publishPlan(
  plans: ReturnType<typeof wirePlans>['plans'],
  input: Omit<PlanInput, 'target'> &
    Pick<PlanInput, 'name' | 'productId'> &
    Partial<Pick<PlanInput, 'target'>>,
) {
  const plan = await plans.createPlan({ target: { kind: 'all' }, ...input }, 'u');
  await plans.publish(plan.id, 'u');
  return plan;
}
