// On PostgreSQL an operator action must wait for a device upgrade that another transaction holds
// (a device report, another instance), not skip it: a skipped confirm answered 200 and was lost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { skipReason, testDatabaseKind } from '../../test-support/test-database.ts';

const skip =
  testDatabaseKind !== 'postgres' ? 'row locks are a PostgreSQL matter' : ((await skipReason()) ?? false);

describe('plan store row locks (PostgreSQL)', { skip }, () => {
  let f: DeviceFleet;
  before(async () => {
    f = await createDeviceFleet({ count: 2, plan: { mode: 'manual' } });
  });
  after(() => f.close());

  /** Until a statement of the app waits for a lock `holder` has. */
  async function untilWaiting(holder: pg.Client) {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const waiting = await holder.query(
        "select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      if (waiting.rowCount) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('confirms an upgrade held by another transaction once that one ends', async () => {
    const plans = f.t.app.services.plans;
    const upgrade = (await plans.listUpgrades(f.planId, { deviceId: f.devices[0]!.id }, { limit: 1 }))
      .items[0]!;
    assert.equal(upgrade.state.confirmation, 'awaiting');
    const holder = new pg.Client({ connectionString: f.t.testDatabase.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select id from device_upgrades where id = $1 for update', [upgrade.id]);
      const confirming = f.t.admin.post(`/api/v1/device-upgrades/${upgrade.id}/confirm`, {});
      // Let the confirm reach the row: it waits on the lock (a skipping claim would not wait,
      // and would answer at once without confirming).
      await untilWaiting(holder);
      await holder.query('commit');
      const answer = await confirming;
      assert.equal(answer.statusCode, 200, answer.body);
      assert.equal(answer.json().confirmation, 'confirmed');
    } finally {
      await holder.end();
    }
    const after = (await plans.listUpgrades(f.planId, { deviceId: f.devices[0]!.id }, { limit: 1 }))
      .items[0]!;
    assert.equal(after.state.confirmation, 'confirmed');
  });

  it('refuses with 409 PLAN_CONFLICT a retry that races another plan enrolling the device', async () => {
    const plans = f.t.app.services.plans;
    const device = f.devices[1]!;
    const [record] = (await plans.listUpgrades(f.planId, { deviceId: device.id }, { limit: 1 })).items;
    await plans.actOnUpgrade(record!.id, 'rejected', 'test');
    const plan = await plans.getPlan(f.planId);
    const other = await plans.createPlan(
      {
        name: 'other',
        productId: plan.productId,
        firmwarePackageId: plan.firmwarePackageId,
        target: { kind: 'all' },
      },
      'test',
    );
    const holder = new pg.Client({ connectionString: f.t.testDatabase.url });
    await holder.connect();
    try {
      // Another transaction enrols the device in the other plan and has not committed yet: the
      // retry's claim cannot see it, and its update waits on the one-active-plan index.
      await holder.query('begin');
      await holder.query(
        `insert into device_upgrades (plan_id, device_id, module, active, status, progress, attempts,
          auto_retries, push_count, mismatch_count, confirmation, created_at, updated_at)
          values ($1, $2, 'default', 1, 'pending', 0, 0, 0, 0, 0, 'none', 0, 0)`,
        [other.id, device.id],
      );
      const retrying = f.t.admin.post(`/api/v1/device-upgrades/${record!.id}/retry`, {});
      await untilWaiting(holder);
      await holder.query('commit');
      const answer = await retrying;
      assert.equal(answer.statusCode, 409, answer.body);
      assert.equal(answer.json().code, 'PLAN_CONFLICT');
    } finally {
      await holder.end();
    }
    assert.equal((await plans.getUpgrade(record!.id)).state.status, 'failure');
  });
});
