// The group part of the device store: groups, and their members added by id or by a device
// filter (`insert … select`, never loading ids).
import { UpdraftError } from '@updraft/core';
import { type Kysely, sql } from 'kysely';
import type { DeviceFilter, DeviceStore } from '../../../modules/devices/device-store.ts';
import { type PageRequest, toPage } from '../../../modules/pagination.ts';
import type { DatabaseSchema } from '../schema.ts';
import { containsText, isUniqueViolation } from '../sql-helpers.ts';
import {
  chunks,
  type DeviceQuery,
  filtered,
  type MemberRow,
  rowsPerStatement,
  toGroup,
} from './device-rows.ts';

export type GroupMethods = Pick<
  DeviceStore,
  | 'insertGroup'
  | 'getGroup'
  | 'updateGroup'
  | 'memberCounts'
  | 'listGroups'
  | 'deleteGroup'
  | 'findForeignDevices'
  | 'addMembers'
  | 'addMembersMatching'
  | 'removeMembers'
  | 'listMembers'
>;

export function createGroupMethods(
  db: Kysely<DatabaseSchema>,
  list: (filter: DeviceFilter, page: PageRequest) => ReturnType<DeviceStore['list']>,
): GroupMethods {
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

  return {
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

    async updateGroup(id, patch) {
      try {
        const row = await db
          .updateTable('device_groups')
          .set({
            ...(patch.name !== undefined && { name: patch.name }),
            ...(patch.description !== undefined && { description: patch.description }),
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        return row && toGroup(row);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new UpdraftError('GROUP_NAME_TAKEN', `the product has a group ${patch.name}`, {
          name: patch.name,
        });
      }
    },

    async memberCounts(groupIds) {
      const counts = new Map<number, number>();
      if (groupIds.length === 0) return counts;
      const rows = await db
        .selectFrom('group_members')
        .select(['group_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('group_id', 'in', groupIds)
        .groupBy('group_id')
        .execute();
      for (const row of rows) counts.set(Number(row.group_id), Number(row.n));
      return counts;
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
}
