// UpgradeLogPruneStore on Kysely: one batch of a plan's upgrade log deleted in one transaction
// that also moves the plan's prune cursor (migration 22). On PostgreSQL the plan's row is taken
// FOR UPDATE SKIP LOCKED, so two instances never prune the same batch and the second one takes
// the next plan; on SQLite transactions are serial. A batch is bounded by the number of device
// upgrades it covers, read in id order through device_upgrades_plan_page, and their log lines
// are found through device_upgrade_logs_upgrade.
import type { Kysely } from 'kysely';
import type { UpgradeLogPruneStore } from '../../modules/plans/upgrade-log-retention.ts';
import type { SqlDialect } from './migrations/migration.ts';
import type { DatabaseSchema } from './schema.ts';

const ended = ['completed', 'cancelled', 'expired'];

export function createKyselyUpgradeLogPruneStore(
  db: Kysely<DatabaseSchema>,
  dialect: SqlDialect,
): UpgradeLogPruneStore {
  return {
    pruneUpgradeLogBatch(endedBefore, upgrades, now) {
      return db.transaction().execute(async (trx) => {
        let next = trx
          .selectFrom('plans')
          .select(['id', 'log_prune_cursor'])
          .where('log_pruned_at', 'is', null)
          .where('finished_at', 'is not', null)
          .where('finished_at', '<', endedBefore)
          .where('status', 'in', ended)
          .orderBy('finished_at')
          .limit(1);
        if (dialect === 'postgres') next = next.forUpdate().skipLocked();
        const plan = await next.executeTakeFirst();
        if (!plan) return null;
        const planId = Number(plan.id);
        const cursor = Number(plan.log_prune_cursor);
        const ids = await trx
          .selectFrom('device_upgrades')
          .select('id')
          .where('plan_id', '=', planId)
          .where('id', '>', cursor)
          .orderBy('id')
          .limit(upgrades)
          .execute();
        const last = ids.length > 0 ? Number(ids[ids.length - 1]!.id) : cursor;
        let deleted = 0;
        if (ids.length > 0) {
          const result = await trx
            .deleteFrom('device_upgrade_logs')
            .where('upgrade_id', 'in', (eb) =>
              eb
                .selectFrom('device_upgrades')
                .select('id')
                .where('plan_id', '=', planId)
                .where('id', '>', cursor)
                .where('id', '<=', last),
            )
            .executeTakeFirst();
          deleted = Number(result.numDeletedRows);
        }
        const done = ids.length < upgrades;
        await trx
          .updateTable('plans')
          .set({ log_prune_cursor: last, ...(done && { log_pruned_at: now }) })
          .where('id', '=', planId)
          .execute();
        return { planId, deleted, done };
      });
    },
  };
}
