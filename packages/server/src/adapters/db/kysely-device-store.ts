import { UpdraftError } from '@updraft/core';
import { type Kysely, type Selectable, type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import type {
  BatchOutcome,
  Device,
  DeviceFilter,
  DeviceGroup,
  DeviceStore,
  NewDevice,
} from '../../modules/devices/device-store.ts';
import { type PageRequest, toPage } from '../../modules/pagination.ts';
import type { DatabaseSchema, DeviceGroupsTable, DevicesTable } from './schema.ts';
import { containsText, isUniqueViolation } from './sql-helpers.ts';

// Both SQLite (32,766) and PostgreSQL (65,535) cap the parameters of one statement.
const rowsPerStatement = 2000;

function toDevice(row: Selectable<DevicesTable>): Device {
  return {
    id: row.id,
    productId: row.product_id,
    name: row.name,
    gatewayId: row.gateway_id,
    online: row.online === 1,
    lastSeenAt: row.last_seen_at,
    signal: row.signal,
    battery: row.battery,
    tags: JSON.parse(row.tags) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toGroup(row: Selectable<DeviceGroupsTable>): DeviceGroup {
  return {
    id: row.id,
    productId: row.product_id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
  };
}

type DeviceQuery<O> = SelectQueryBuilder<DatabaseSchema, 'devices', O>;
type MemberRow = { group_id: number; device_id: number; added_at: number };

/** The filters of a device list as joins-free `exists` clauses, so every index can serve. */
function filtered<O>(query: DeviceQuery<O>, filter: DeviceFilter): DeviceQuery<O> {
  return query
    .$if(filter.productId !== undefined, (q) => q.where('devices.product_id', '=', filter.productId!))
    .$if(filter.online !== undefined, (q) => q.where('devices.online', '=', filter.online ? 1 : 0))
    .$if(filter.gatewayId !== undefined, (q) => q.where('devices.gateway_id', '=', filter.gatewayId!))
    .$if(!!filter.q, (q) => q.where(containsText('devices.name', filter.q!)))
    .$if(filter.module !== undefined || filter.version !== undefined, (q) =>
      q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('device_versions')
            .select('device_versions.device_id')
            .whereRef('device_versions.device_id', '=', 'devices.id')
            .where('device_versions.module', '=', filter.module ?? 'default')
            .$if(filter.version !== undefined, (s) =>
              s.where('device_versions.version', '=', filter.version!),
            ),
        ),
      ),
    )
    .$if(filter.groupId !== undefined, (q) =>
      q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('group_members')
            .select('group_members.device_id')
            .whereRef('group_members.device_id', '=', 'devices.id')
            .where('group_members.group_id', '=', filter.groupId!),
        ),
      ),
    )
    .$if(filter.tag !== undefined, (q) =>
      q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('device_tags')
            .select('device_tags.device_id')
            .whereRef('device_tags.device_id', '=', 'devices.id')
            .where('device_tags.tag', '=', filter.tag!),
        ),
      ),
    );
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function insertDetails(
  trx: Transaction<DatabaseSchema>,
  pairs: { id: number; input: NewDevice }[],
  now: number,
) {
  const tags = pairs.flatMap(({ id, input }) => input.tags.map((tag) => ({ device_id: id, tag })));
  for (const part of chunks(tags, rowsPerStatement * 4))
    await trx.insertInto('device_tags').values(part).execute();
  const versions = pairs.flatMap(({ id, input }) =>
    Object.entries(input.versions).map(([module, version]) => ({
      device_id: id,
      module,
      version,
      reported_at: now,
    })),
  );
  for (const part of chunks(versions, rowsPerStatement * 2))
    await trx.insertInto('device_versions').values(part).execute();
}

const deviceRow = (input: NewDevice, now: number) => ({
  product_id: input.productId,
  name: input.name,
  secret_salt: input.secretSalt,
  secret_hash: input.secretHash,
  gateway_id: input.gatewayId,
  online: 0,
  tags: JSON.stringify(input.tags),
  created_at: now,
  updated_at: now,
});

export function createKyselyDeviceStore(db: Kysely<DatabaseSchema>): DeviceStore {
  async function get(id: number) {
    const row = await db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
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

    async moduleVersionsOf(ids, module) {
      const found = new Map<number, string>();
      for (const part of chunks([...ids], 500)) {
        const rows = await db
          .selectFrom('device_versions')
          .select(['device_id', 'version'])
          .where('module', '=', module)
          .where('device_id', 'in', part)
          .execute();
        for (const row of rows) found.set(row.device_id, row.version);
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
          await insertDetails(trx, [{ id: row.id, input }], now);
          return toDevice(row);
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new UpdraftError('DEVICE_NAME_TAKEN', `product ${input.productId} has a device ${input.name}`, {
          name: input.name,
        });
      }
    },

    async insertMany(inputs, now) {
      if (inputs.length === 0) return [];
      return db.transaction().execute(async (trx) => {
        const created = new Map<string, Device>();
        for (const part of chunks(inputs, rowsPerStatement)) {
          const rows = await trx
            .insertInto('devices')
            .values(part.map((input) => deviceRow(input, now)))
            .onConflict((oc) => oc.columns(['product_id', 'name']).doNothing())
            .returningAll()
            .execute();
          for (const row of rows) created.set(`${row.product_id}/${row.name}`, toDevice(row));
        }
        // Each created name goes to its first occurrence; a repeat in the batch is taken.
        const outcomes: BatchOutcome[] = [];
        const pairs: { id: number; input: NewDevice }[] = [];
        for (const input of inputs) {
          const key = `${input.productId}/${input.name}`;
          const device = created.get(key);
          if (!device) {
            outcomes.push({ taken: true });
            continue;
          }
          created.delete(key);
          outcomes.push({ device });
          pairs.push({ id: device.id, input });
        }
        await insertDetails(trx, pairs, now);
        return outcomes;
      });
    },

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

    async countDevices(filter) {
      const row = await filtered(
        db.selectFrom('devices').select((eb) => eb.fn.countAll<number>().as('n')),
        filter,
      ).executeTakeFirstOrThrow();
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

    async recordTelemetry(id, telemetry, now) {
      const row = await db
        .updateTable('devices')
        .set({
          last_seen_at: now,
          updated_at: now,
          ...(telemetry.online !== undefined && { online: telemetry.online ? 1 : 0 }),
          ...(telemetry.signal !== undefined && { signal: telemetry.signal }),
          ...(telemetry.battery !== undefined && { battery: telemetry.battery }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toDevice(row);
    },

    async recordTelemetryMany(entries, now) {
      if (entries.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const { id, telemetry } of entries) {
          await trx
            .updateTable('devices')
            .set({
              last_seen_at: now,
              ...(telemetry.online !== undefined && { online: telemetry.online ? 1 : 0 }),
              ...(telemetry.signal !== undefined && { signal: telemetry.signal }),
              ...(telemetry.battery !== undefined && { battery: telemetry.battery }),
            })
            .where('id', '=', id)
            .execute();
        }
      });
    },

    async insertGroup(input, now) {
      try {
        const row = await db
          .insertInto('device_groups')
          .values({
            product_id: input.productId,
            name: input.name,
            description: input.description,
            created_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toGroup(row);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new UpdraftError('GROUP_NAME_TAKEN', `product ${input.productId} has a group ${input.name}`, {
          name: input.name,
        });
      }
    },

    async getGroup(id) {
      const row = await db.selectFrom('device_groups').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toGroup(row);
    },

    async listGroups(filter, { after, limit }) {
      const rows = await db
        .selectFrom('device_groups')
        .selectAll()
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .$if(filter.productId !== undefined, (q) => q.where('product_id', '=', filter.productId!))
        .$if(!!filter.q, (q) => q.where(containsText('name', filter.q!)))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toGroup), limit);
    },

    async deleteGroup(id) {
      const result = await db.deleteFrom('device_groups').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async findForeignDevices(productId, ids) {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return [];
      const rows = await db
        .selectFrom('devices')
        .select('id')
        .where('id', 'in', unique)
        .where('product_id', '=', productId)
        .execute();
      const own = new Set(rows.map((r) => r.id));
      return unique.filter((id) => !own.has(id));
    },

    async addMembers(groupId, ids, now) {
      let added = 0;
      for (const part of chunks([...new Set(ids)], rowsPerStatement)) {
        added += await addMatching(groupId, now, (q) => q.where('devices.id', 'in', part));
      }
      return added;
    },

    addMembersMatching: (groupId, filter, now) => addMatching(groupId, now, (q) => filtered(q, filter)),

    async removeMembers(groupId, ids) {
      let removed = 0;
      for (const part of chunks([...new Set(ids)], rowsPerStatement)) {
        const result = await db
          .deleteFrom('group_members')
          .where('group_id', '=', groupId)
          .where('device_id', 'in', part)
          .executeTakeFirst();
        removed += Number(result.numDeletedRows);
      }
      return removed;
    },

    listMembers: (groupId, filter, page) => list({ ...filter, groupId }, page),
  };

  /** `insert … select` of the group's product's devices that `where` keeps; never loads ids. */
  async function addMatching(
    groupId: number,
    now: number,
    where: (q: DeviceQuery<MemberRow>) => DeviceQuery<MemberRow>,
  ): Promise<number> {
    // Literals, not parameters: PostgreSQL cannot type a bare parameter in a select list.
    if (!Number.isSafeInteger(groupId) || !Number.isSafeInteger(now)) throw new TypeError('not an integer');
    const select = db
      .selectFrom('devices')
      .select([
        sql<number>`${sql.lit(groupId)}`.as('group_id'),
        'devices.id as device_id',
        sql<number>`${sql.lit(now)}`.as('added_at'),
      ])
      .where('devices.product_id', '=', (eb) =>
        eb
          .selectFrom('device_groups')
          .select('device_groups.product_id')
          .where('device_groups.id', '=', groupId),
      );
    const result = await db
      .insertInto('group_members')
      .columns(['group_id', 'device_id', 'added_at'])
      .expression(where(select))
      .onConflict((oc) => oc.columns(['group_id', 'device_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }
}
