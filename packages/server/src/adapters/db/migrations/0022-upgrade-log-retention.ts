// Migration 22 (issue 25): pruning of the upgrade log (UPDRAFT_UPGRADE_LOG_RETENTION_DAYS). A
// plan carries how far the pruning of its device upgrades' log lines has come (log_prune_cursor,
// the last device upgrade id done) and when it finished (log_pruned_at); a reopen clears both.
// The partial index finds the ended plans still to prune, oldest ending first, without reading
// the plans already pruned.
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 22,
  name: 'upgrade-log-retention',
  async up(db, dialect) {
    const big = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
    await sql`alter table plans add column log_prune_cursor ${big} not null default 0`.execute(db);
    await sql`alter table plans add column log_pruned_at ${big}`.execute(db);
    await sql`create index plans_log_prune on plans (finished_at)
      where log_pruned_at is null and finished_at is not null`.execute(db);
  },
};
