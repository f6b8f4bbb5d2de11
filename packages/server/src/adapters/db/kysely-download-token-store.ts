// Download tokens in SQL (migration 0003). The table is declared here rather than in schema.ts:
// nothing outside the device-access module reads it.
import type { Kysely } from 'kysely';
import type {
  DownloadTokenStore,
  NewDownloadToken,
  StoredDownloadToken,
} from '../../modules/device-access/download-token-store.ts';
import type { DatabaseSchema } from './schema.ts';

interface DownloadTokensTable {
  id: import('kysely').Generated<number>;
  token_hash: string;
  upgrade_id: number;
  device_id: number;
  package_id: number;
  file_position: number;
  superseded: number;
  created_at: number;
  expires_at: number;
}

export function createKyselyDownloadTokenStore(base: Kysely<DatabaseSchema>): DownloadTokenStore {
  const db = base.withTables<{ download_tokens: DownloadTokensTable }>();
  return {
    async insertMany(tokens: readonly NewDownloadToken[]) {
      if (tokens.length === 0) return;
      const last = new Map<number, NewDownloadToken>();
      for (const token of tokens) last.set(token.upgradeId, token);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('download_tokens')
          .set({ superseded: 1 })
          .where('upgrade_id', 'in', [...last.keys()])
          .where('superseded', '=', 0)
          .execute();
        await trx
          .insertInto('download_tokens')
          .values(
            tokens.map((token) => ({
              token_hash: token.tokenHash,
              upgrade_id: token.upgradeId,
              device_id: token.deviceId,
              package_id: token.packageId,
              file_position: token.filePosition,
              superseded: last.get(token.upgradeId) === token ? 0 : 1,
              created_at: token.createdAt,
              expires_at: token.expiresAt,
            })),
          )
          .execute();
      });
    },

    async findByHash(tokenHash): Promise<StoredDownloadToken | undefined> {
      const row = await db
        .selectFrom('download_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return (
        row && {
          id: Number(row.id),
          upgradeId: Number(row.upgrade_id),
          deviceId: Number(row.device_id),
          packageId: Number(row.package_id),
          filePosition: row.file_position,
          superseded: Number(row.superseded) === 1,
          createdAt: Number(row.created_at),
          expiresAt: Number(row.expires_at),
        }
      );
    },

    async deleteExpired(before) {
      const result = await db
        .deleteFrom('download_tokens')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
