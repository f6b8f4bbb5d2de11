import type { Role } from '@updraft/core';
import type { Kysely, Selectable } from 'kysely';
import type { AccountStore, ApiKey, User } from '../../modules/accounts/account-store.ts';
import { toPage } from '../../modules/pagination.ts';
import type { ApiKeysTable, DatabaseSchema, UsersTable } from './schema.ts';
import { containsText } from './sql-helpers.ts';

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role as Role,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.key_prefix,
    role: row.role as Role,
    createdBy: row.created_by,
    owned: row.owned === 1,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export function createKyselyAccountStore(db: Kysely<DatabaseSchema>): AccountStore {
  return {
    async countUsers() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async insertUser({ username, passwordHash, role, now }) {
      const row = await db
        .insertInto('users')
        .values({
          username,
          password_hash: passwordHash,
          role,
          disabled: 0,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUser(row);
    },
    async findUserByName(username) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      return row && { ...toUser(row), passwordHash: row.password_hash };
    },
    async getUser(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async listUsers(filter, { after, limit }) {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .$if(filter.role !== undefined, (q) => q.where('role', '=', filter.role!))
        .$if(filter.disabled !== undefined, (q) => q.where('disabled', '=', filter.disabled ? 1 : 0))
        .$if(!!filter.q, (q) => q.where(containsText('username', filter.q!)))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toUser), limit);
    },
    async updateUser(id, patch) {
      const row = await db
        .updateTable('users')
        .set({
          updated_at: patch.now,
          ...(patch.role !== undefined && { role: patch.role }),
          ...(patch.disabled !== undefined && { disabled: patch.disabled ? 1 : 0 }),
          ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toUser(row);
    },
    async insertSession(session) {
      await db
        .insertInto('sessions')
        .values({
          id: session.id,
          user_id: session.userId,
          csrf_token: session.csrfToken,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .execute();
    },
    async findSession(id, now) {
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('id', '=', id)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row && { id: row.id, userId: row.user_id, csrfToken: row.csrf_token, expiresAt: row.expires_at };
    },
    async deleteSession(id) {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },
    async deleteSessionsOfUser(userId) {
      await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },
    async insertApiKey({ name, prefix, hash, role, createdBy, now }) {
      const row = await db
        .insertInto('api_keys')
        .values({
          name,
          key_prefix: prefix,
          key_hash: hash,
          role,
          created_by: createdBy,
          owned: createdBy === null ? 0 : 1,
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toKey(row);
    },
    async findApiKeyByPrefix(prefix) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('key_prefix', '=', prefix)
        .executeTakeFirst();
      return row && { ...toKey(row), hash: row.key_hash };
    },
    async listApiKeys(filter, { after, limit }) {
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .$if(filter.role !== undefined, (q) => q.where('role', '=', filter.role!))
        .$if(filter.revoked !== undefined, (q) =>
          q.where('revoked_at', filter.revoked ? 'is not' : 'is', null),
        )
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toKey), limit);
    },
    async revokeApiKey(id, now) {
      const row = await db
        .updateTable('api_keys')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(now)) }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toKey(row);
    },
    async touchApiKey(id, now) {
      await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}
