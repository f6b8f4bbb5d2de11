// ReportStore on Kysely: a plan's records in groups for its report, and the fleet's completions.
import type { UpgradeStatus } from '@updraft/core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Completions, ReportGroup, ReportStore } from '../../modules/plans/report-store.ts';
import type { SqlDialect } from './migrations/migration.ts';
import type { DatabaseSchema } from './schema.ts';
import { readAtScale } from './sql-helpers.ts';

export function createKyselyReportStore(db: Kysely<DatabaseSchema>, dialect: SqlDialect): ReportStore {
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
    async reportGroups(planId, bucketMs) {
      const bucket = sql`cast(${bucketMs} as bigint)`;
      const failedEver = sql`(attempts > 1 or status = 'failure')`;
      // One pass over the plan's records (issue 25): every figure of the report is a sum over
      // these groups, which are few (statuses x components x waves x buckets x reasons).
      const query = sql<Record<string, string | number | null>>`select status, component, skipped, wave,
          case when active = 0 and finished_at is not null then finished_at / ${bucket} end as b,
          case when ${failedEver} then coalesce(failure_reason, last_failure_reason) end as ever,
          case when status = 'failure' then failure_reason end as reason,
          case when status = 'upgrading' then progress end as upgrading_at,
          count(*) as n,
          sum(case when ${failedEver} then 1 else 0 end) as failed,
          sum(attempts - 1) as retries,
          sum(case when attempts = 1 then 1 else 0 end) as first,
          sum(case when confirmation = 'awaiting' and active = 1 then 1 else 0 end) as awaiting,
          sum(case when refusals > 0 then 1 else 0 end) as refused,
          sum(refusals) as refusals,
          sum(case when refusals > 0 and next_action = 'reoffer' then 1 else 0 end) as reoffer
        from device_upgrades where plan_id = ${planId}
        group by status, component, skipped, wave, b, ever, reason, upgrading_at`;
      const rows = await readAtScale(db, dialect, query, { hashGroups: true });
      return rows.rows.map(
        (r): ReportGroup => ({
          status: r['status'] as UpgradeStatus,
          component: Number(r['component']),
          skipped: Number(r['skipped']),
          wave: Number(r['wave']),
          finishedBucket: r['b'] == null ? null : Number(r['b']) * bucketMs,
          reasonEver: (r['ever'] ?? null) as string | null,
          failureReason: (r['reason'] ?? null) as string | null,
          progress: r['upgrading_at'] == null ? null : Number(r['upgrading_at']),
          count: Number(r['n']),
          failedEver: Number(r['failed']),
          retries: Number(r['retries']),
          firstAttempt: Number(r['first']),
          awaiting: Number(r['awaiting']),
          refused: Number(r['refused']),
          refusals: Number(r['refusals']),
          reoffer: Number(r['reoffer']),
        }),
      );
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
