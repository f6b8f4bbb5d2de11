import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validatePlanSpec } from '@updraft/core';
import { sql } from 'kysely';
import { planReportOf } from '../../modules/plans/report-groups.ts';
import { createPlanStores, seedFleet, seedPackage } from '../../test-support/plan-fleet.ts';
import { seededRandom } from '../../test-support/seeded-random.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';
import { readAtScale } from './sql-helpers.ts';

const skip = (await skipReason()) ?? false;

interface Record {
  status: 'pending' | 'pushed' | 'upgrading' | 'success' | 'failure' | 'cancelled';
  progress: number;
  failure_reason: string | null;
  last_failure_reason: string | null;
  attempts: number;
  confirmation: string;
  refusals: number;
  next_action: string | null;
  finished_at: number | null;
  component: number;
  skipped: number;
  wave: number;
}

const hour = 3_600_000;
const start = Date.UTC(2026, 5, 1);

/** Counts of `keys` as {reason, count}, most first, then by reason, a null reason last. */
function ranked(keys: (string | null)[]) {
  const counts = new Map<string | null, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts]
    .map(([reason, count]) => ({ reason: reason as string, count }))
    .sort(
      (a, b) =>
        b.count - a.count ||
        (a.reason === b.reason
          ? 0
          : a.reason === null
            ? 1
            : b.reason === null
              ? -1
              : a.reason < b.reason
                ? -1
                : 1),
    );
}

/** The report the separate queries before issue 25 gave, worked out record by record. */
function expectedReport(records: readonly Record[]) {
  const terminal = (r: Record) =>
    r.status === 'success' || r.status === 'failure' || r.status === 'cancelled';
  const failedEver = (r: Record) => r.attempts > 1 || r.status === 'failure';
  const counts = { pending: 0, pushed: 0, upgrading: 0, success: 0, failure: 0, cancelled: 0 };
  for (const r of records) counts[r.status]++;
  const progress = new Map<number, number>();
  for (const r of records)
    if (r.status === 'upgrading') progress.set(r.progress, (progress.get(r.progress) ?? 0) + 1);
  const completions = new Map<number, { at: number; success: number; failure: number; cancelled: number }>();
  for (const r of records) {
    if (!terminal(r) || r.finished_at === null) continue;
    const at = Math.floor(r.finished_at / hour) * hour;
    const entry = completions.get(at) ?? { at, success: 0, failure: 0, cancelled: 0 };
    entry[r.status as 'success' | 'failure' | 'cancelled']++;
    completions.set(at, entry);
  }
  const refused = records.filter((r) => r.refusals > 0);
  return {
    counts,
    awaitingConfirmation: records.filter((r) => r.confirmation === 'awaiting' && !terminal(r)).length,
    history: {
      devicesFailed: records.filter(failedEver).length,
      failedAttempts: records.reduce((n, r) => n + r.attempts - 1 + (r.status === 'failure' ? 1 : 0), 0),
      firstAttemptSuccesses: records.filter((r) => r.status === 'success' && r.attempts === 1).length,
      failureReasons: ranked(
        records
          .filter(failedEver)
          .map((r) => r.failure_reason ?? r.last_failure_reason)
          .filter((reason) => reason !== null),
      ),
    },
    refusals: {
      devices: refused.length,
      total: refused.reduce((n, r) => n + r.refusals, 0),
      waiting: refused.filter((r) => r.status === 'pending' && r.next_action === 'reoffer').length,
    },
    progress: [...progress]
      .map(([p, count]) => ({ progress: p, count }))
      .sort((a, b) => a.progress - b.progress),
    failureReasons: ranked(records.filter((r) => r.status === 'failure').map((r) => r.failure_reason)),
    completions: [...completions.values()].sort((a, b) => a.at - b.at),
  };
}

describe('kysely report store', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  it("gives a plan's whole report from one pass, as the records count it", async () => {
    const next = seededRandom(25);
    const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
    const fleet = await seedFleet(t.database, 400);
    const pkg = await seedPackage(t.database, fleet.productId, '2.0');
    const spec = validatePlanSpec({
      name: 'report',
      productId: String(fleet.productId),
      moduleId: 'default',
      firmware: { kind: 'full', packageId: String(pkg), targetVersion: '2.0' },
      target: { kind: 'all' },
    });
    assert.ok(spec.ok);
    const store = createPlanStores(t.database);
    const plan = await store.insertPlan(
      {
        productId: fleet.productId,
        module: 'default',
        name: 'report',
        firmwarePackageId: pkg,
        spec: spec.spec,
        verification: false,
        createdBy: 't',
      },
      0,
    );
    const statuses = ['pending', 'pushed', 'upgrading', 'success', 'failure', 'cancelled'] as const;
    const records = fleet.deviceIds.map((): Record => {
      const status = pick(statuses);
      const ended = status === 'success' || status === 'failure' || status === 'cancelled';
      return {
        status,
        progress: pick([0, 10, 50, 90, 100]),
        failure_reason:
          status === 'failure' ? pick(['download_failed', 'crc_mismatch', 'timeout', null]) : null,
        last_failure_reason: pick([null, null, 'timeout', 'low_battery']),
        attempts: pick([1, 1, 1, 2, 3]),
        confirmation: pick(['none', 'none', 'awaiting']),
        refusals: pick([0, 0, 0, 1, 2]),
        next_action: pick([null, null, 'reoffer', 'retry']),
        finished_at: ended ? start + Math.floor(next() * 5 * hour) : null,
        component: pick([0, 1]),
        skipped: pick([0, 0, 1]),
        wave: pick([0, 1, 2]),
      };
    });
    await t.database.db
      .insertInto('device_upgrades')
      .values(
        records.map((r, i) => ({
          ...r,
          plan_id: plan.id,
          device_id: fleet.deviceIds[i]!,
          module: 'default',
          active: r.finished_at === null ? 1 : 0,
          auto_retries: 0,
          push_count: 1,
          mismatch_count: 0,
          created_at: start,
          updated_at: start,
        })),
      )
      .execute();

    const groups = await store.reportGroups(plan.id, hour);
    assert.ok(groups.length < records.length, `${groups.length} groups for ${records.length} records`);
    const report = planReportOf(groups);
    assert.deepEqual(report, expectedReport(records));
    // Components and waves are counted from the same groups (plan-reports.ts).
    const perWave = (wave: number, status: string) =>
      records.filter((r) => r.wave === wave && r.status === status).length;
    for (const wave of [0, 1, 2]) {
      for (const status of statuses) {
        const counted = groups
          .filter((g) => g.wave === wave && g.status === status)
          .reduce((n, g) => n + g.count, 0);
        assert.equal(counted, perWave(wave, status), `wave ${wave} ${status}`);
      }
    }
    const skippedSecond = groups
      .filter((g) => g.component === 1 && g.skipped === 1)
      .reduce((n, g) => n + g.count, 0);
    assert.equal(skippedSecond, records.filter((r) => r.component === 1 && r.skipped === 1).length);
  });

  it('reads at scale on PostgreSQL without JIT, grouping by hash, for the statement only', async (test) => {
    if (t.database.dialect !== 'postgres') return test.skip('PostgreSQL only');
    const settings = sql<{ sort: string; jit: string }>`select current_setting('enable_sort') as sort,
      current_setting('jit') as jit`;
    const { db, dialect } = t.database;
    const row = async (result: Promise<{ rows: { sort: string; jit: string }[] }>) => ({
      ...(await result).rows[0],
    });
    assert.deepEqual(await row(readAtScale(db, dialect, settings, { hashGroups: true })), {
      sort: 'off',
      jit: 'off',
    });
    assert.deepEqual(await row(readAtScale(db, dialect, settings)), { sort: 'on', jit: 'off' });
    assert.deepEqual(await row(settings.execute(db)), { sort: 'on', jit: 'on' });
  });
});
