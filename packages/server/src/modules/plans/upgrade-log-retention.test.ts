import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKyselyUpgradeLogPruneStore } from '../../adapters/db/kysely-upgrade-log-prune-store.ts';
import { seedFleet, seedPackage, wirePlans } from '../../test-support/plan-fleet.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';
import type { DeviceEventInput } from './upgrade-engine-contract.ts';
import { createUpgradeLogRetention } from './upgrade-log-retention.ts';

const skip = (await skipReason()) ?? false;
const minute = 60_000;
const day = 24 * 3600_000;

describe('upgrade log retention', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  /** A plan over `count` new devices: every third fails, the rest succeed; ended unless `running`. */
  async function runPlan(wired: ReturnType<typeof wirePlans>, count: number, running = false) {
    const { plans, engine, notifier } = wired;
    const fleet = await seedFleet(t.database, count);
    const packageId = await seedPackage(t.database, fleet.productId, '2.0');
    const plan = await plans.createPlan(
      { name: 'p', productId: fleet.productId, firmwarePackageId: packageId, target: { kind: 'all' } },
      'u',
    );
    await plans.publish(plan.id, 'u');
    await plans.tickPlan(plan.id, 'a', minute);
    const pushed = notifier.notified.splice(0).map((n) => n.deviceId);
    const events = pushed.flatMap((deviceId, i): DeviceEventInput[] => {
      if (running && i % 2 === 0) return [{ deviceId, event: { type: 'progress' as const, percent: 30 } }];
      return i % 3 === 0
        ? [{ deviceId, event: { type: 'failed' as const, reason: 'download_failed' } }]
        : [
            { deviceId, event: { type: 'progress' as const, percent: 50 } },
            { deviceId, event: { type: 'version_reported' as const, version: '2.0' } },
          ];
    });
    await engine.reportDeviceEvents(events);
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal((await plans.getPlan(plan.id)).status, running ? 'running' : 'completed');
    return plan.id;
  }

  async function logLines(planId: number): Promise<number> {
    const row = await t.database.db
      .selectFrom('device_upgrade_logs as l')
      .innerJoin('device_upgrades as u', 'u.id', 'l.upgrade_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('u.plan_id', '=', planId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('deletes the log of plans ended before the retention in batches, keeps recent and running plans, and the report', async () => {
    const wired = wirePlans(t.database);
    const { clock, plans } = wired;
    const old = await runPlan(wired, 23);
    clock.advance(20 * day);
    const recent = await runPlan(wired, 5);
    const running = await runPlan(wired, 6, true);
    clock.advance(15 * day);
    const reportOf = async (id: number) => {
      const report = await plans.report(id, day);
      assert.ok(report.counts.success + report.counts.failure > 0);
      return report;
    };
    const before = await reportOf(old);
    const lines = {
      old: await logLines(old),
      recent: await logLines(recent),
      running: await logLines(running),
    };
    assert.ok(lines.old >= 23 * 2 && lines.recent > 0 && lines.running > 0, JSON.stringify(lines));

    const store = createKyselyUpgradeLogPruneStore(t.database.db, t.database.dialect);
    const keep = createUpgradeLogRetention({ store, clock, retentionDays: null });
    assert.equal(await keep.pruneIfDue(), 0, 'no retention: kept for good');
    const retention = createUpgradeLogRetention({
      store,
      clock,
      retentionDays: 30,
      upgradesPerBatch: 5,
      batchesPerPass: 2,
    });
    // 23 upgrades in batches of 5, two batches a pass: 10 upgrades' lines go in the first pass.
    const first = await retention.pruneIfDue();
    assert.ok(first > 0 && first < lines.old, `${first} of ${lines.old}`);
    assert.equal(await logLines(old), lines.old - first);
    let deleted = first;
    for (let pass = 0; pass < 5; pass++) deleted += await retention.pruneIfDue();
    assert.equal(deleted, lines.old);
    assert.equal(await logLines(old), 0);
    assert.equal(await logLines(recent), lines.recent, 'ended 15 days ago: within the retention');
    assert.equal(await logLines(running), lines.running, 'a running plan is never pruned');
    assert.deepEqual(await reportOf(old), before, 'the report reads the device upgrades, which stay');
    const upgrade = (await plans.listUpgrades(old, {}, { limit: 1 })).items[0]!;
    assert.deepEqual(await plans.upgradeLog(upgrade.id), []);

    // Sixteen days on, the recent plan ended 31 days ago.
    clock.advance(16 * day);
    assert.equal(await retention.pruneIfDue(), lines.recent);
    assert.equal(await logLines(running), lines.running);
  });

  it('prunes a reopened plan again only once it has ended anew and the retention passed', async () => {
    const wired = wirePlans(t.database);
    const { clock, plans, notifier, engine } = wired;
    const planId = await runPlan(wired, 6);
    clock.advance(31 * day);
    const store = createKyselyUpgradeLogPruneStore(t.database.db, t.database.dialect);
    const retention = () => createUpgradeLogRetention({ store, clock, retentionDays: 30 });
    assert.ok((await retention().pruneIfDue()) > 0);
    assert.equal(await logLines(planId), 0);
    assert.equal(await plans.retryFailed(planId, 'u'), 2);
    await plans.tickPlan(planId, 'a', minute);
    await engine.reportDeviceEvents(
      notifier.notified
        .splice(0)
        .map((n) => ({ deviceId: n.deviceId, event: { type: 'version_reported', version: '2.0' } })),
    );
    await plans.tickPlan(planId, 'a', minute);
    assert.equal((await plans.getPlan(planId)).status, 'completed');
    const lines = await logLines(planId);
    assert.ok(lines > 0);
    clock.advance(29 * day);
    assert.equal(await retention().pruneIfDue(), 0, 'ended again 29 days ago');
    clock.advance(2 * day);
    assert.equal(await retention().pruneIfDue(), lines);
  });

  it('lets instances prune at once: every line is deleted by exactly one of them', async () => {
    const wired = wirePlans(t.database);
    const { clock } = wired;
    const ids = [await runPlan(wired, 12), await runPlan(wired, 9), await runPlan(wired, 15)];
    clock.advance(400 * day);
    let total = 0;
    for (const id of ids) total += await logLines(id);
    const instances = [0, 1, 2].map(() =>
      createUpgradeLogRetention({
        store: createKyselyUpgradeLogPruneStore(t.database.db, t.database.dialect),
        clock,
        retentionDays: 1,
        upgradesPerBatch: 4,
        batchesPerPass: 1,
      }),
    );
    let deleted = 0;
    for (let pass = 0; pass < 20; pass++) {
      const counts = await Promise.all(instances.map((r) => r.pruneIfDue()));
      deleted += counts.reduce((a, b) => a + b, 0);
    }
    assert.equal(deleted, total);
    for (const id of ids) assert.equal(await logLines(id), 0);
  });
});
