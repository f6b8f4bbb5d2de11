// Upgrades under way that nothing was heard of for two push periods are offered again by the
// plan's step (core silence.ts; issue 21: a broker dropped the devices' last reports after it
// acknowledged them): a device whose download makes progress, or that was seen downloading, is
// left alone, the cap is unchanged, and the device's answer ends the upgrade.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { silentUpgradingQuery } from '../../adapters/db/internal/upgrade-claims.ts';
import { publishPlan, seedFleet, seedPackage, wirePlans } from '../../test-support/plan-fleet.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const minute = 60_000;
// The plan's push period is 10 minutes (the default): the silence is 20.
const silence = 20 * minute;

describe('silent upgrades under way', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  it('offers again an upgrade nothing was heard of, and leaves those with news alone', async () => {
    const fleet = await seedFleet(t.database, 4);
    const packageId = await seedPackage(t.database, fleet.productId, '2.0');
    const { plans, engine, notifier, clock } = wirePlans(t.database);
    const plan = await publishPlan(plans, {
      name: 'silent',
      productId: fleet.productId,
      firmwarePackageId: packageId,
      concurrency: 3,
    });
    const tick = () => plans.tickPlan(plan.id, 'a', minute);
    await tick();
    const [quiet, progressing, downloading] = notifier.notified.splice(0).map((n) => n.deviceId);
    assert.ok(quiet && progressing && downloading, 'three pushed under the cap');
    const progress = (deviceId: number, percent: number) =>
      engine.reportDeviceEvents([{ deviceId, event: { type: 'progress', percent, stage: 'downloading' } }]);
    for (const id of [quiet, progressing, downloading]) await progress(id, 10);
    const upgradeOf = async (deviceId: number) =>
      (await plans.listUpgrades(plan.id, { deviceId }, { limit: 1 })).items[0]!;
    const started = clock.now();

    clock.advance(10 * minute);
    await progress(progressing, 50);
    // A download request of the third device: seen by the server, no report.
    await t.database.db
      .updateTable('devices')
      .set({ last_seen_at: clock.now() })
      .where('id', '=', downloading)
      .execute();

    clock.advance(silence - 10 * minute - 1);
    await tick();
    assert.equal(notifier.notified.length, 0, 'nothing before the silence is over');
    clock.advance(1);
    await tick();
    assert.deepEqual(
      notifier.notified.splice(0).map((n) => n.deviceId),
      [quiet],
      'only the upgrade nothing was heard of for two push periods',
    );
    const offered = await upgradeOf(quiet);
    assert.equal(offered.state.status, 'upgrading', 'still upgrading');
    assert.equal(offered.state.pushCount, 2);
    assert.equal(offered.state.offeredAt, started + silence);
    assert.equal(
      offered.state.nextActionAt,
      started + 60 * minute,
      'the timeout still counts from the last progress',
    );
    const counts = (await plans.report(plan.id, minute)).counts;
    assert.deepEqual([counts.upgrading, counts.pending], [3, 1], 'the cap is unchanged: nothing new pushed');

    await tick();
    assert.equal(notifier.notified.length, 0, 'offered once per silence');

    clock.advance(10 * minute);
    await tick();
    assert.deepEqual(
      notifier.notified
        .splice(0)
        .map((n) => n.deviceId)
        .sort(),
      [progressing, downloading].sort(),
      'the others, once silent for as long',
    );

    // The device runs the target already (its last report was lost): its answer ends it.
    const [answer] = await engine.reportDeviceEvents([
      { deviceId: quiet, event: { type: 'version_reported', version: '2.0' } },
    ]);
    assert.equal(answer?.status, 'success');
    const log = await plans.upgradeLog(offered.id);
    assert.ok(
      log.some((e) => e.event === 'silence_elapsed' && /nothing heard since/.test(e.message)),
      JSON.stringify(log),
    );
    await tick();
    assert.equal(notifier.notified.length, 1, 'its place went to the device that waited');
  });

  it('lets the upgrade timeout fail a device that stays silent', async () => {
    const fleet = await seedFleet(t.database, 1);
    const packageId = await seedPackage(t.database, fleet.productId, '2.0');
    const { plans, engine, notifier, clock } = wirePlans(t.database);
    const plan = await publishPlan(plans, {
      name: 'gone',
      productId: fleet.productId,
      firmwarePackageId: packageId,
    });
    await plans.tickPlan(plan.id, 'a', minute);
    const [device] = notifier.notified.splice(0).map((n) => n.deviceId);
    await engine.reportDeviceEvents([{ deviceId: device!, event: { type: 'accepted' } }]);
    for (let i = 0; i < 60; i++) {
      clock.advance(minute);
      await plans.tickPlan(plan.id, 'a', minute);
    }
    assert.equal(notifier.notified.length, 2, 'offered again at 20 and 40 minutes');
    const [upgrade] = (await plans.listUpgrades(plan.id, { deviceId: device! }, { limit: 1 })).items;
    assert.equal(upgrade?.state.status, 'failure');
    assert.equal(upgrade?.state.failureReason, 'timeout');
  });

  it('reads the range of the timeout timer on its index, not every upgrading record of the plan', async () => {
    const db = t.database.db as unknown as Kysely<unknown>;
    const selector = { kind: 'silent_upgrading', planId: 1, timeoutBefore: 100, heardBefore: 50 } as const;
    const pg = t.database.dialect === 'postgres';
    const query = silentUpgradingQuery(selector, 1000, false);
    if (pg) {
      // Without statistics the planner may read anything; with scans priced out, the index
      // that holds the range must be the one it takes.
      await db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        await sql`set local enable_bitmapscan = off`.execute(trx);
        const plan = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(trx);
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        assert.match(text, /device_upgrades_due on device_upgrades u/, text);
      });
    } else {
      const plan = await sql<{ detail: string }>`explain query plan ${query}`.execute(db);
      const text = plan.rows.map((r) => r.detail).join('\n');
      assert.match(
        text,
        /USING INDEX device_upgrades_due \(plan_id=\? AND next_action=\? AND next_action_at<\?\)/,
        text,
      );
    }
  });
});
