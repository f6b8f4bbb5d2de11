// Rollback plans (issue 18) on a real database: a plan whose canary wave halted is rolled back;
// the rollback plan targets the devices that took the new version, with the package of the
// version they had, and brings them back; a running plan cannot be rolled back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isUpdraftError } from '@updraft/core';
import { publishPlan, seedFleet, seedPackage, wirePlans } from '../../test-support/plan-fleet.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const minute = 60_000;

describe('rollback plans', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  it('brings the devices that took the new version of a halted plan back to the version they had', async () => {
    const fleet = await seedFleet(t.database, 6);
    const oldPackage = await seedPackage(t.database, fleet.productId, '1.0');
    const newPackage = await seedPackage(t.database, fleet.productId, '2.0');
    const { plans, engine, notifier, clock } = wirePlans(t.database);
    const plan = await publishPlan(plans, {
      name: 'bad release',
      productId: fleet.productId,
      firmwarePackageId: newPackage,
      concurrency: 50,
      waves: [{ count: 3, errorPercent: 40 }, {}],
    });
    await assert.rejects(
      plans.createRollback(plan.id, 'u'),
      (e) => isUpdraftError(e) && e.code === 'PLAN_INVALID_TRANSITION',
    );
    await plans.tickPlan(plan.id, 'a', minute);
    const canary = notifier.notified.splice(0);
    assert.equal(canary.length, 3);
    await engine.reportDeviceEvents(
      canary.map((n, i) => ({
        deviceId: n.deviceId,
        event:
          i === 0
            ? { type: 'failed' as const, reason: 'write_failed' as const }
            : { type: 'version_reported' as const, version: '2.0' },
      })),
    );
    // What a device's report through the device APIs also stores: the version it now runs (a
    // device known to run the rollback's target would need no update and be skipped).
    await t.database.db
      .updateTable('device_versions')
      .set({ version: '2.0' })
      .where(
        'device_id',
        'in',
        canary.slice(1).map((n) => n.deviceId),
      )
      .execute();
    clock.advance(1000);
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(
      (await plans.getPlan(plan.id)).status,
      'paused',
      'the canary ended below its success threshold',
    );

    const { plans: created, skipped } = await plans.createRollback(plan.id, 'user:3');
    assert.deepEqual(skipped, []);
    assert.equal(created.length, 1);
    const rollback = created[0]!;
    assert.equal(rollback.status, 'draft');
    assert.equal(rollback.name, 'Rollback of bad release');
    assert.equal(rollback.firmwarePackageId, oldPackage);
    assert.equal(rollback.spec.concurrency, 50);
    const back = canary
      .slice(1)
      .map((n) => n.deviceId)
      .sort((a, b) => a - b);
    assert.deepEqual(rollback.spec.target, { kind: 'devices', deviceIds: back.map(String) });

    // An ordinary plan from here: publish, push, the devices report the old version.
    await plans.publish(rollback.id, 'u');
    await plans.tickPlan(rollback.id, 'a', minute);
    const pushed = notifier.notified.splice(0);
    assert.deepEqual(
      pushed.map((n) => n.deviceId).sort((a, b) => a - b),
      back,
    );
    await engine.reportDeviceEvents(
      pushed.map((n) => ({
        deviceId: n.deviceId,
        event: { type: 'version_reported' as const, version: '1.0' },
      })),
    );
    clock.advance(1000);
    await plans.tickPlan(rollback.id, 'a', minute);
    const done = await plans.getPlan(rollback.id);
    assert.equal(done.status, 'completed');
    assert.equal((await plans.report(rollback.id, minute)).counts.success, 2);
  });
});
