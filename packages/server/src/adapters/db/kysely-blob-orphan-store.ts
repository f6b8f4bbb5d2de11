// Orphan blobs in SQL (migration 0007): what the blob sweeper claims, and the two statements the
// firmware store runs inside its own transactions (recordOrphans when a package goes,
// forgetOrphans when an upload reuses a blob).
import type { Kysely, Transaction } from 'kysely';
import type { BlobOrphanStore } from '../../modules/firmware/blob-sweeper.ts';
import type { DatabaseSchema } from './schema.ts';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** The keys among these that some firmware file refers to. */
async function referenced(db: Db, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('firmware_files')
    .select('sha256')
    .distinct()
    .where('sha256', 'in', [...keys])
    .execute();
  return new Set(rows.map((r) => r.sha256));
}

/** Records the keys no firmware file refers to as orphans since `now`, keeping earlier records. */
export async function recordOrphans(db: Db, keys: readonly string[], now: number): Promise<void> {
  const unique = [...new Set(keys)];
  const used = await referenced(db, unique);
  const orphans = unique.filter((key) => !used.has(key));
  if (orphans.length === 0) return;
  await db
    .insertInto('blob_orphans')
    .values(orphans.map((sha256) => ({ sha256, since: now })))
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
}

/**
 * Drops the orphan records of blobs an upload is about to refer to. Run in the upload's
 * transaction before the blob is looked up: on PostgreSQL the row lock makes it wait for a
 * sweeper that holds the record (the blob is then gone and stored again), or makes a later
 * claim find nothing.
 */
export async function forgetOrphans(db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db
    .deleteFrom('blob_orphans')
    .where('sha256', 'in', [...new Set(keys)])
    .execute();
}

/** Every blob key some firmware file refers to. */
export async function referencedBlobKeys(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('firmware_files').select('sha256').distinct().execute();
  return rows.map((r) => r.sha256);
}

export function createKyselyBlobOrphanStore(db: Kysely<DatabaseSchema>): BlobOrphanStore {
  return {
    async dueOrphans(cutoff, limit) {
      const rows = await db
        .selectFrom('blob_orphans')
        .select('sha256')
        .where('since', '<=', cutoff)
        .orderBy('since')
        .orderBy('sha256')
        .limit(limit)
        .execute();
      return rows.map((r) => r.sha256);
    },

    claimOrphan(key, cutoff, remove) {
      return db.transaction().execute(async (trx) => {
        const claimed = await trx
          .deleteFrom('blob_orphans')
          .where('sha256', '=', key)
          .where('since', '<=', cutoff)
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('firmware_files').select('id').where('firmware_files.sha256', '=', key))),
          )
          .executeTakeFirst();
        if (Number(claimed.numDeletedRows) === 0) {
          // A package took the blob up again: its record is stale.
          await trx
            .deleteFrom('blob_orphans')
            .where('sha256', '=', key)
            .where(({ exists, selectFrom }) =>
              exists(selectFrom('firmware_files').select('id').where('firmware_files.sha256', '=', key)),
            )
            .execute();
          return false;
        }
        // The blob goes while the record is held; if that fails, the record comes back.
        await remove();
        return true;
      });
    },

    markOrphans: (keys, now) => recordOrphans(db, keys, now),

    async untracked(keys) {
      if (keys.length === 0) return [];
      const used = await referenced(db, keys);
      const recorded = await db
        .selectFrom('blob_orphans')
        .select('sha256')
        .where('sha256', 'in', [...keys])
        .execute();
      const known = new Set([...used, ...recorded.map((r) => r.sha256)]);
      return keys.filter((key) => !known.has(key));
    },
  };
}
