// SettingStore on Kysely: the server_settings table, one row per key.
import type { Kysely } from 'kysely';
import type { SettingStore } from '../../modules/settings/setting-store.ts';
import type { DatabaseSchema } from './schema.ts';

export function createKyselySettingStore(db: Kysely<DatabaseSchema>): SettingStore {
  return {
    async getSetting(key) {
      const row = await db
        .selectFrom('server_settings')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst();
      return row?.value;
    },

    async setSetting(key, value) {
      await db
        .insertInto('server_settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
  };
}
