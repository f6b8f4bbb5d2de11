// EndUserStore on Kysely (migration 13): tokens by hash with their devices, auto-upgrade switches.
import { type Kysely, type Selectable, sql } from 'kysely';
import type { EndUserStore, EndUserToken } from '../../modules/end-users/enduser-store.ts';
import { toPage } from '../../modules/pagination.ts';
import type { DatabaseSchema, EndUserTokensTable } from './schema.ts';

export function createKyselyEndUserStore(db: Kysely<DatabaseSchema>): EndUserStore {
  async function withDevices(rows: Selectable<EndUserTokensTable>[]): Promise<EndUserToken[]> {
    if (rows.length === 0) return [];
    const links = await db
      .selectFrom('enduser_token_devices')
      .select(['token_id', 'device_id'])
      .where(
        'token_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('device_id')
      .execute();
    const devices = new Map<number, number[]>();
    for (const link of links) {
      const list = devices.get(Number(link.token_id)) ?? [];
      list.push(Number(link.device_id));
      devices.set(Number(link.token_id), list);
    }
    return rows.map((r) => ({
      id: Number(r.id),
      label: r.label,
      deviceIds: devices.get(Number(r.id)) ?? [],
      createdBy: r.created_by,
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    }));
  }

  return {
    async createToken(token) {
      const id = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('enduser_tokens')
          .values({
            token_hash: token.hash,
            label: token.label,
            created_by: token.createdBy,
            created_at: token.createdAt,
            expires_at: token.expiresAt,
            revoked_at: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const tokenId = Number(row.id);
        for (let i = 0; i < token.deviceIds.length; i += 500) {
          await trx
            .insertInto('enduser_token_devices')
            .values(token.deviceIds.slice(i, i + 500).map((d) => ({ token_id: tokenId, device_id: d })))
            .execute();
        }
        return tokenId;
      });
      return (await this.getToken(id))!;
    },

    async tokenByHash(hash) {
      const row = await db
        .selectFrom('enduser_tokens')
        .selectAll()
        .where('token_hash', '=', hash)
        .executeTakeFirst();
      return row ? (await withDevices([row]))[0] : undefined;
    },

    async getToken(id) {
      const row = await db.selectFrom('enduser_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? (await withDevices([row]))[0] : undefined;
    },

    async listTokens({ after, limit }) {
      const rows = await db
        .selectFrom('enduser_tokens')
        .selectAll()
        .where('id', '>', after ?? 0)
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(await withDevices(rows), limit);
    },

    async revokeToken(id, at) {
      const found = await db
        .selectFrom('enduser_tokens')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!found) return false;
      await db
        .updateTable('enduser_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      return true;
    },

    async deleteExpired(before) {
      const result = await db
        .deleteFrom('enduser_tokens')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async autoUpgradeOf(deviceIds) {
      const switches = new Map(deviceIds.map((id) => [id, false]));
      if (deviceIds.length === 0) return switches;
      const rows = await db
        .selectFrom('device_auto_upgrades')
        .select(['device_id', 'enabled'])
        .where('device_id', 'in', [...deviceIds])
        .execute();
      for (const row of rows) switches.set(Number(row.device_id), Number(row.enabled) === 1);
      return switches;
    },

    async setAutoUpgrade(deviceId, enabled, by, at) {
      await db
        .insertInto('device_auto_upgrades')
        .values({ device_id: deviceId, enabled: enabled ? 1 : 0, updated_by: by, updated_at: at })
        .onConflict((oc) =>
          oc.column('device_id').doUpdateSet({ enabled: enabled ? 1 : 0, updated_by: by, updated_at: at }),
        )
        .execute();
    },

    async awaitingOnAutoDevices(limit, deviceId) {
      const one = deviceId === undefined ? sql`` : sql`and a.device_id = ${deviceId}`;
      const rows = await sql<{ id: number }>`select u.id from device_auto_upgrades a
        join device_upgrades u on u.device_id = a.device_id and u.active = 1
          and u.confirmation = 'awaiting' and u.status = 'pending'
        where a.enabled = 1 ${one} order by u.id limit ${limit}`.execute(db);
      return rows.rows.map((r) => Number(r.id));
    },
  };
}
