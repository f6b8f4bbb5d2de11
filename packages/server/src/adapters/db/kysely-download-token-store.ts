// Download tokens in SQL (migration 0003). The table is declared here rather than in schema.ts:
// nothing outside the device-access module reads it.
import { CompiledQuery, type Insertable, type Kysely, type Selectable } from 'kysely';
import type {
  DownloadTokenStore,
  NewDownloadToken,
  StoredDownloadToken,
} from '../../modules/device-access/download-token-store.ts';
import { rowsPerStatement } from './internal/device-rows.ts';
import { toStoredUpgrade, type UpgradeRow } from './internal/plan-rows.ts';
import { prepareQuery } from './prepared-query.ts';
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

/** The columns a token insert writes, in the order of its parameters. */
const tokenColumns = [
  'token_hash',
  'upgrade_id',
  'device_id',
  'package_id',
  'file_position',
  'superseded',
  'created_at',
  'expires_at',
] as const;

function storedOf(row: Selectable<DownloadTokensTable>): StoredDownloadToken {
  return {
    id: Number(row.id),
    upgradeId: Number(row.upgrade_id),
    deviceId: Number(row.device_id),
    packageId: Number(row.package_id),
    filePosition: row.file_position,
    superseded: Number(row.superseded) === 1,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

export function createKyselyDownloadTokenStore(base: Kysely<DatabaseSchema>): DownloadTokenStore {
  const db = base.withTables<{ download_tokens: DownloadTokensTable }>();
  // Every check that reuses a token, and every download request, reads one: compiled once.
  const byHash = prepareQuery(db as Kysely<unknown>, (tokenHash: string) =>
    db.selectFrom('download_tokens').selectAll().where('token_hash', '=', tokenHash),
  );
  // A push chunk's tokens are one insert of hundreds of rows: its SQL is built once per row count
  // (Kysely's builder made and compiled a node per value on every batch).
  const insertSqls = new Map<number, string>();
  function insertSql(rows: number): string {
    let text = insertSqls.get(rows);
    if (text === undefined) {
      const row = Object.fromEntries(
        tokenColumns.map((c) => [c, 0]),
      ) as unknown as Insertable<DownloadTokensTable>;
      text = db
        .insertInto('download_tokens')
        .values(Array.from({ length: rows }, () => row))
        .compile().sql;
      if (insertSqls.size >= 100) insertSqls.clear();
      insertSqls.set(rows, text);
    }
    return text;
  }
  // A download request's one read: the token, its upgrade and the plan's status in one statement
  // (the upgrade's columns under their own names, the token's prefixed).
  const withUpgrade = prepareQuery(db as Kysely<unknown>, (tokenHash: string) =>
    db
      .selectFrom('download_tokens as t')
      .leftJoin('device_upgrades as u', 'u.id', 't.upgrade_id')
      .leftJoin('plans as p', 'p.id', 'u.plan_id')
      .selectAll('u')
      .select([
        'p.status as plan_status',
        't.id as t_id',
        't.upgrade_id as t_upgrade_id',
        't.device_id as t_device_id',
        't.package_id as t_package_id',
        't.file_position as t_file_position',
        't.superseded as t_superseded',
        't.created_at as t_created_at',
        't.expires_at as t_expires_at',
      ])
      .where('t.token_hash', '=', tokenHash),
  );
  return {
    async insertMany(tokens: readonly NewDownloadToken[]) {
      if (tokens.length === 0) return;
      // The last token of each upgrade and file in the batch stays valid.
      const last = new Map<string, NewDownloadToken>();
      const keyOf = (token: NewDownloadToken) => `${token.upgradeId}:${token.filePosition}`;
      for (const token of tokens) last.set(keyOf(token), token);
      const upgrades = [...new Set(tokens.map((token) => token.upgradeId))];
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('download_tokens')
          .set({ superseded: 1 })
          .where('upgrade_id', 'in', upgrades)
          .where('superseded', '=', 0)
          .execute();
        // Row after row, in the columns' order (insertSql).
        const params: unknown[] = [];
        for (const token of tokens) {
          params.push(
            token.tokenHash,
            token.upgradeId,
            token.deviceId,
            token.packageId,
            token.filePosition,
            last.get(keyOf(token)) === token ? 0 : 1,
            token.createdAt,
            token.expiresAt,
          );
        }
        // Eight parameters a row: a batch of grants of packages of many files takes several statements.
        for (let first = 0; first < tokens.length; first += rowsPerStatement) {
          const rows = Math.min(rowsPerStatement, tokens.length - first);
          const part = params.slice(first * tokenColumns.length, (first + rows) * tokenColumns.length);
          await trx.executeQuery(CompiledQuery.raw(insertSql(rows), part));
        }
      });
    },

    async findByHash(tokenHash): Promise<StoredDownloadToken | undefined> {
      const [row] = await byHash(tokenHash);
      return row && storedOf(row);
    },

    async findWithUpgrade(tokenHash) {
      const [row] = await withUpgrade(tokenHash);
      if (!row) return undefined;
      const token = storedOf({
        id: row.t_id,
        token_hash: tokenHash,
        upgrade_id: row.t_upgrade_id,
        device_id: row.t_device_id,
        package_id: row.t_package_id,
        file_position: row.t_file_position,
        superseded: row.t_superseded,
        created_at: row.t_created_at,
        expires_at: row.t_expires_at,
      });
      if (row.id === null || row.plan_status === null) return { token, upgrade: undefined };
      const upgrade = toStoredUpgrade(row as UpgradeRow & { plan_status: string });
      return { token, upgrade: { ...upgrade, status: upgrade.state.status } };
    },

    async findCurrent(upgradeId, filePosition) {
      // download_tokens_upgrade (upgrade_id, id): the newest rows of the upgrade first.
      const row = await db
        .selectFrom('download_tokens')
        .selectAll()
        .where('upgrade_id', '=', upgradeId)
        .where('file_position', '=', filePosition)
        .where('superseded', '=', 0)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && storedOf(row);
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
