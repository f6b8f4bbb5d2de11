// The stored-state gauges of GET /metrics, read at scrape time: device upgrades by plan and
// status (live plans, and plans finished in the last day), delta jobs by status.
import { type Kysely, sql } from 'kysely';
import type { StatusCount, UpgradeCount } from '../../modules/operations/metrics.ts';
import type { DatabaseSchema } from './schema.ts';

export function createKyselyMetricStore(db: Kysely<DatabaseSchema>) {
  return {
    async upgradeCounts(finishedSince: number): Promise<UpgradeCount[]> {
      const rows = await sql<{ plan_id: number; status: string; n: number }>`
        select u.plan_id, u.status, count(*) as n from device_upgrades u
        join plans p on p.id = u.plan_id
        where p.status in ('scheduled', 'running', 'paused') or p.finished_at >= ${finishedSince}
        group by u.plan_id, u.status`.execute(db);
      return rows.rows.map((r) => ({ planId: Number(r.plan_id), status: r.status, count: Number(r.n) }));
    },
    async deltaJobCounts(): Promise<StatusCount[]> {
      const rows = await sql<{ status: string; n: number }>`
        select status, count(*) as n from delta_jobs group by status`.execute(db);
      return rows.rows.map((r) => ({ status: r.status, count: Number(r.n) }));
    },
  };
}
