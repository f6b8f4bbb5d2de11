// ReportStore on Kysely: what a plan's report and the fleet's completions read.
import { emptyUpgradeCounts } from '@updraft/core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Completions, ReportStore } from '../../modules/plans/report-store.ts';
import type { DatabaseSchema } from './schema.ts';

export function createKyselyReportStore(db: Kysely<DatabaseSchema>): ReportStore {
  async function countUpgrades(planId: number) {
    const rows = await db
      .selectFrom('device_upgrades')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('plan_id', '=', planId)
      .groupBy('status')
      .execute();
    const counts = emptyUpgradeCounts();
    for (const row of rows) counts[row.status as keyof typeof counts] = Number(row.n);
    return counts;
  }

  /** Ended records matching `where` (over `device_upgrades u`), counted per bucket of finished_at. */
  async function completionSeries(where: RawBuilder<unknown>, bucketMs: number): Promise<Completions[]> {
    const bucket = sql`cast(${bucketMs} as bigint)`;
    const series = await sql<{ b: number; status: string; n: number }>`select b, status, count(*) as n
      from (select u.finished_at / ${bucket} as b, u.status from device_upgrades u where ${where}
        and u.finished_at is not null and u.active = 0) s group by b, status order by b`.execute(db);
    const completions = new Map<number, Completions>();
    for (const row of series.rows) {
      const at = Number(row.b) * bucketMs;
      const entry = completions.get(at) ?? { at, success: 0, failure: 0, cancelled: 0 };
      if (row.status === 'success' || row.status === 'failure' || row.status === 'cancelled') {
        entry[row.status] += Number(row.n);
      }
      completions.set(at, entry);
    }
    return [...completions.values()];
  }

  return {
    async report(planId, bucketMs) {
      const counts = await countUpgrades(planId);
      const progress = await sql<{ progress: number; n: number }>`select progress, count(*) as n
        from device_upgrades where plan_id = ${planId} and status = 'upgrading'
        group by progress order by progress`.execute(db);
      const reasons = await sql<{ reason: string; n: number }>`select failure_reason as reason, count(*) as n
        from device_upgrades where plan_id = ${planId} and status = 'failure'
        group by failure_reason order by n desc, reason`.execute(db);
      const refused = await sql<{ devices: number; total: number | null; waiting: number | null }>`select
          count(*) as devices, sum(refusals) as total,
          sum(case when status = 'pending' and next_action = 'reoffer' then 1 else 0 end) as waiting
        from device_upgrades where plan_id = ${planId} and refusals > 0`.execute(db);
      const r = refused.rows[0];
      const failedEver = sql`(attempts > 1 or status = 'failure')`;
      const history = await sql<{ failed: number; attempts: number; first: number; awaiting: number }>`select
          sum(case when ${failedEver} then 1 else 0 end) as failed,
          sum(attempts - 1 + case when status = 'failure' then 1 else 0 end) as attempts,
          sum(case when status = 'success' and attempts = 1 then 1 else 0 end) as first,
          sum(case when confirmation = 'awaiting' and active = 1 then 1 else 0 end) as awaiting
        from device_upgrades where plan_id = ${planId}`.execute(db);
      const reasonsEver = await sql<{ reason: string; n: number }>`select
          coalesce(failure_reason, last_failure_reason) as reason, count(*) as n from device_upgrades
        where plan_id = ${planId} and ${failedEver} and coalesce(failure_reason, last_failure_reason) is not null
        group by coalesce(failure_reason, last_failure_reason) order by n desc, reason`.execute(db);
      const totals = history.rows[0];
      return {
        counts,
        awaitingConfirmation: Number(totals?.awaiting ?? 0),
        history: {
          devicesFailed: Number(totals?.failed ?? 0),
          failedAttempts: Number(totals?.attempts ?? 0),
          firstAttemptSuccesses: Number(totals?.first ?? 0),
          failureReasons: reasonsEver.rows.map((r) => ({ reason: r.reason, count: Number(r.n) })),
        },
        refusals: {
          devices: Number(r?.devices ?? 0),
          total: Number(r?.total ?? 0),
          waiting: Number(r?.waiting ?? 0),
        },
        progress: progress.rows.map((r) => ({ progress: Number(r.progress), count: Number(r.n) })),
        failureReasons: reasons.rows.map((r) => ({ reason: r.reason, count: Number(r.n) })),
        completions: await completionSeries(sql`u.plan_id = ${planId}`, bucketMs),
      };
    },

    completions({ productId, since }, bucketMs) {
      const product =
        productId === undefined
          ? sql``
          : sql` and u.plan_id in (select id from plans where product_id = ${productId})`;
      return completionSeries(sql`u.finished_at >= ${since}${product}`, bucketMs);
    },
  };
}
