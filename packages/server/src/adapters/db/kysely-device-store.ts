import { UpdraftError } from '@updraft/core';
import { type Kysely, sql } from 'kysely';
import type { Device, DeviceFilter, DeviceStore } from '../../modules/devices/device-store.ts';
import { type PageRequest, toPage } from '../../modules/pagination.ts';
import { createGroupMethods } from './internal/device-groups.ts';
import { deviceRow, insertDetails, insertMany } from './internal/device-inserts.ts';
import { chunks, filtered, toDevice } from './internal/device-rows.ts';
import type { SqlDialect } from './migrations/migration.ts';
import type { CopyTransaction } from './pg-copy.ts';
import { prepareQuery } from './prepared-query.ts';
import type { DatabaseSchema } from './schema.ts';
import { isUniqueViolation } from './sql-helpers.ts';

/** `copy`: PostgreSQL's COPY for import batches (pg-copy.ts); without it they go by statement. */
export function createKyselyDeviceStore(
  db: Kysely<DatabaseSchema>,
  dialect: SqlDialect,
  copy?: CopyTransaction,
): DeviceStore {
  // Reads every device request makes, built and compiled once.
  const getQuery = prepareQuery(db as Kysely<unknown>, (id: number) =>
    db.selectFrom('devices').selectAll().where('id', '=', id),
  );
  const versionQuery = prepareQuery(db as Kysely<unknown>, (id: number, module: string) =>
    db
      .selectFrom('device_versions')
      .select('version')
      .where('device_id', '=', id)
      .where('module', '=', module),
  );

  async function get(id: number) {
    const [row] = await getQuery(id);
    return row && toDevice(row);
  }

  async function list(filter: DeviceFilter, { after, limit }: PageRequest) {
    const rows = await filtered(db.selectFrom('devices').selectAll('devices'), filter)
      .$if(after !== undefined, (q) => q.where('devices.id', '>', after!))
      .orderBy('devices.id')
      .limit(limit + 1)
      .execute();
    return toPage(rows.map(toDevice), limit);
  }

  return {
    get,

    async getMany(ids) {
      const found: Device[] = [];
      for (const part of chunks([...ids], 500)) {
        const rows = await db.selectFrom('devices').selectAll().where('id', 'in', part).execute();
        for (const row of rows) found.push(toDevice(row));
      }
      return found;
    },

    async insert(input, now) {
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await trx
            .insertInto('devices')
            .values(deviceRow(input, now))
            .returningAll()
            .executeTakeFirstOrThrow();
          await insertDetails(trx, dialect, [{ id: row.id, input }], now);
          return toDevice(row);
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new UpdraftError('DEVICE_NAME_TAKEN', `product ${input.productId} has a device ${input.name}`, {
          name: input.name,
        });
      }
    },

    insertMany: (inputs, now) => insertMany(db, dialect, inputs, now, copy),

    async findByName(productId, name) {
      const row = await db
        .selectFrom('devices')
        .selectAll()
        .where('product_id', '=', productId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toDevice(row);
    },

    async findByProductKey(productKey, name) {
      const row = await db
        .selectFrom('devices')
        .innerJoin('products', 'products.id', 'devices.product_id')
        .selectAll('devices')
        .where('products.product_key', '=', productKey)
        .where('devices.name', '=', name)
        .executeTakeFirst();
      return row && toDevice(row);
    },

    async getCredential(id) {
      const row = await db
        .selectFrom('devices')
        .select(['secret_salt', 'secret_hash'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { secretSalt: row.secret_salt, secretHash: row.secret_hash };
    },

    async setCredential(id, credential, now) {
      const result = await db
        .updateTable('devices')
        .set({ secret_salt: credential.secretSalt, secret_hash: credential.secretHash, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    list,

    async countDevices(filter, atMost) {
      if (atMost === undefined) {
        const row = await filtered(
          db.selectFrom('devices').select((eb) => eb.fn.countAll<number>().as('n')),
          filter,
        ).executeTakeFirstOrThrow();
        return Number(row.n);
      }
      // Counting stops at atMost rows: a filter that matches most of a large product costs what
      // atMost rows cost, not the product.
      const row = await db
        .selectFrom(filtered(db.selectFrom('devices').select('devices.id'), filter).limit(atMost).as('m'))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async totalDevices(productId) {
      const row = await db
        .selectFrom('product_device_counts')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('devices'), eb.lit(0)).as('n'))
        .$if(productId !== undefined, (q) => q.where('product_id', '=', productId!))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async findGatewayIds(ids) {
      if (ids.length === 0) return new Set();
      const rows = await db
        .selectFrom('devices')
        .innerJoin('products', 'products.id', 'devices.product_id')
        .select('devices.id')
        .where('devices.id', 'in', ids)
        .where('products.node_type', '=', 'gateway')
        .execute();
      return new Set(rows.map((r) => r.id));
    },

    async update(id, patch, now) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('devices')
          .set({
            updated_at: now,
            ...(patch.tags !== undefined && { tags: JSON.stringify(patch.tags) }),
            ...(patch.gatewayId !== undefined && { gateway_id: patch.gatewayId }),
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (row && patch.tags !== undefined) {
          await trx.deleteFrom('device_tags').where('device_id', '=', id).execute();
          if (patch.tags.length > 0)
            await trx
              .insertInto('device_tags')
              .values(patch.tags.map((tag) => ({ device_id: id, tag })))
              .execute();
        }
        return row && toDevice(row);
      });
    },

    async delete(id) {
      const result = await db.deleteFrom('devices').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async versionOf(id, module) {
      const [row] = await versionQuery(id, module);
      return row?.version;
    },

    async versionsOfMany(ids) {
      const byDevice = new Map<number, { module: string; version: string }[]>();
      if (ids.length === 0) return byDevice;
      const rows = await db
        .selectFrom('device_versions')
        .select(['device_id', 'module', 'version'])
        .where('device_id', 'in', ids)
        .orderBy('module')
        .execute();
      for (const row of rows) {
        const id = Number(row.device_id);
        const list = byDevice.get(id) ?? [];
        list.push({ module: row.module, version: row.version });
        byDevice.set(id, list);
      }
      return byDevice;
    },

    async versionsOf(id) {
      const rows = await db
        .selectFrom('device_versions')
        .select(['module', 'version', 'reported_at'])
        .where('device_id', '=', id)
        .orderBy('module')
        .execute();
      return rows.map((r) => ({ module: r.module, version: r.version, reportedAt: r.reported_at }));
    },

    async setVersion(id, module, version, now) {
      await db
        .insertInto('device_versions')
        .values({ device_id: id, module, version, reported_at: now })
        .onConflict((oc) => oc.columns(['device_id', 'module']).doUpdateSet({ version, reported_at: now }))
        .execute();
    },

    async setVersions(entries, now) {
      // PostgreSQL refuses to update one row twice in a statement: the last entry of a key wins.
      const last = new Map(entries.map((e) => [`${e.id}\u0000${e.module}`, e]));
      for (const part of chunks([...last.values()], 500)) {
        await db
          .insertInto('device_versions')
          .values(
            part.map((e) => ({ device_id: e.id, module: e.module, version: e.version, reported_at: now })),
          )
          .onConflict((oc) =>
            oc.columns(['device_id', 'module']).doUpdateSet((eb) => ({
              version: eb.ref('excluded.version'),
              reported_at: eb.ref('excluded.reported_at'),
            })),
          )
          .execute();
      }
    },

    async recordTelemetry(id, telemetry, now) {
      const row = await db
        .updateTable('devices')
        .set({
          last_seen_at: now,
          updated_at: now,
          ...(telemetry.online !== undefined && { online: telemetry.online ? 1 : 0 }),
          ...(telemetry.signal !== undefined && { signal: telemetry.signal }),
          ...(telemetry.battery !== undefined && { battery: telemetry.battery }),
          ...(telemetry.freeSpace !== undefined && { free_space: telemetry.freeSpace }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toDevice(row);
    },

    async recordTelemetryMany(entries, now) {
      if (entries.length === 0) return;
      // A device's entries merged in order (a later value wins, as if applied one by one); then
      // devices that set the same columns to the same values share one statement: most are a
      // bare "seen now" (every device of a campaign, once its last write is a minute old).
      const merged = new Map<number, Record<string, number>>();
      for (const { id, telemetry } of entries) {
        merged.set(id, {
          ...merged.get(id),
          ...(telemetry.online !== undefined && { online: telemetry.online ? 1 : 0 }),
          ...(telemetry.signal !== undefined && { signal: telemetry.signal }),
          ...(telemetry.battery !== undefined && { battery: telemetry.battery }),
          ...(telemetry.freeSpace !== undefined && { free_space: telemetry.freeSpace }),
        });
      }
      const groups = new Map<string, { set: Record<string, number>; ids: number[] }>();
      for (const [id, set] of merged) {
        const key = JSON.stringify(Object.entries(set).sort());
        const group = groups.get(key);
        if (group) group.ids.push(id);
        else groups.set(key, { set, ids: [id] });
      }
      await db.transaction().execute(async (trx) => {
        for (const { set, ids } of groups.values()) {
          for (const part of chunks(ids, 500)) {
            await trx
              .updateTable('devices')
              .set({ last_seen_at: now, ...set })
              .where('id', 'in', part)
              .execute();
          }
        }
      });
    },

    async fleetVersions(productId) {
      const rows = await sql<{ module: string; version: string; n: number }>`select dv.module, dv.version,
        count(*) as n from device_versions dv join devices d on d.id = dv.device_id
        where d.product_id = ${productId} group by dv.module, dv.version
        order by dv.module, dv.version`.execute(db);
      return rows.rows.map((r) => ({ module: r.module, version: r.version, devices: Number(r.n) }));
    },

    ...createGroupMethods(db, list),
  };
}
