// Plans of several components through the plans module and its store (docs/adr/0011): module
// firmware, then MCU firmware, on the test database (SQLite, or PostgreSQL in that pass).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isUpdraftError } from '@updraft/core';
import { seedFleet, seedModule, seedPackage, wirePlans } from '../../test-support/plan-fleet.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const minute = 60_000;

describe('plans of several components', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  /** Devices on default 1.0 and mcu `mcuOf(i)`, packages default 2.0 and mcu 3.0, a plan of both. */
  async function setup(count: number, mcuOf: (i: number) => string | null = () => '2.5') {
    const fleet = await seedFleet(t.database, count);
    await seedModule(t.database, fleet, 'mcu', 'mcu', mcuOf);
    const modulePackage = await seedPackage(t.database, fleet.productId, '2.0');
    const mcuPackage = await seedPackage(t.database, fleet.productId, '3.0', { module: 'mcu' });
    const wired = wirePlans(t.database, {
      products: {
        productShape: async () => ({
          nodeType: 'direct',
          moduleKinds: new Map([
            ['default', 'firmware'],
            ['mcu', 'mcu'],
          ]),
        }),
      },
    });
    const plan = await wired.plans.createPlan(
      {
        name: 'module then mcu',
        productId: fleet.productId,
        components: [{ firmwarePackageId: modulePackage }, { firmwarePackageId: mcuPackage }],
        target: { kind: 'all' },
      },
      'user:1',
    );
    return { ...fleet, ...wired, plan, modulePackage, mcuPackage };
  }

  it('upgrades the module, then the MCU, and ends naming the component that failed', async () => {
    const { plans, engine, notifier, plan, deviceIds } = await setup(2);
    assert.deepEqual(
      plan.spec.laterComponents?.map((c) => c.moduleId),
      ['mcu'],
    );
    await plans.publish(plan.id, 'user:1');
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 2, 'the first component is pushed to both');
    const [a, b] = deviceIds as [number, number];
    // The module firmware succeeds on both.
    await engine
      .reportDeviceEvents([
        { deviceId: a, module: 'default', event: { type: 'progress', percent: 100 } },
        { deviceId: b, module: 'default', event: { type: 'version_reported', version: '2.0' } },
        // A late repeat of the module's success is not taken for the MCU's.
        { deviceId: a, module: 'default', event: { type: 'progress', percent: 100 } },
      ])
      .then((outcomes) =>
        assert.deepEqual(
          outcomes.map((o) => [o.accepted, o.refusal, o.status]),
          [
            [true, null, 'pending'],
            [true, null, 'pending'],
            [false, 'no_upgrade', null],
          ],
        ),
      );
    let upgrades = (await plans.listUpgrades(plan.id, {}, { limit: 10 })).items;
    assert.deepEqual(
      upgrades.map((u) => [u.module, u.state.component, u.components.map((c) => c.status)]),
      [
        ['mcu', 1, ['success', 'pending']],
        ['mcu', 1, ['success', 'pending']],
      ],
    );
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 4, 'then the MCU component is pushed');
    const outcomes = await engine.reportDeviceEvents([
      { deviceId: a, module: 'mcu', event: { type: 'version_reported', version: '3.0' } },
      { deviceId: b, module: 'mcu', event: { type: 'failed', reason: 'write_failed', detail: 'flash' } },
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['success', 'failure'],
    );
    upgrades = (await plans.listUpgrades(plan.id, {}, { limit: 10 })).items;
    const failed = upgrades.find((u) => u.deviceId === b)!;
    assert.equal(failed.state.failureDetail, 'component 2 of 2 (mcu): flash');
    assert.deepEqual(
      failed.components.map((c) => [c.module, c.targetVersion, c.status]),
      [
        ['default', '2.0', 'success'],
        ['mcu', '3.0', 'failure'],
      ],
    );
    const report = await plans.report(plan.id, minute);
    assert.deepEqual([report.counts.success, report.counts.failure], [1, 1]);
    assert.deepEqual(
      report.components.map((c) => [c.module, c.counts.success, c.counts.failure]),
      [
        ['default', 2, 0],
        ['mcu', 1, 1],
      ],
    );
    // An operator retry resumes at the MCU.
    const retried = await plans.actOnUpgrade(failed.id, 'operator_retry', 'user:1');
    assert.deepEqual([retried.state.status, retried.module, retried.state.component], ['pending', 'mcu', 1]);
  });

  it('skips a component the device already runs, without pushing it', async () => {
    const { plans, engine, notifier, plan, deviceIds } = await setup(1, () => '3.0');
    await plans.publish(plan.id, 'user:1');
    await plans.tickPlan(plan.id, 'a', minute);
    await engine.reportDeviceEvents([
      { deviceId: deviceIds[0]!, module: 'default', event: { type: 'version_reported', version: '2.0' } },
    ]);
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 1, 'only the first component was pushed');
    const [upgrade] = (await plans.listUpgrades(plan.id, {}, { limit: 10 })).items;
    assert.equal(upgrade!.state.status, 'success');
    assert.deepEqual(
      upgrade!.components.map((c) => c.status),
      ['success', 'skipped'],
    );
    const report = await plans.report(plan.id, minute);
    assert.deepEqual(
      report.components.map((c) => [c.counts.success, c.counts.skipped]),
      [
        [1, 0],
        [0, 1],
      ],
    );
  });

  it('targets by each component: a delta MCU takes devices on its source or already on its target', async () => {
    const fleet = await seedFleet(t.database, 4);
    await seedModule(t.database, fleet, 'mcu', 'mcu', (i) => ['2.5', '2.4', '3.0', null][i]!);
    const modulePackage = await seedPackage(t.database, fleet.productId, '2.0');
    const mcuDelta = await seedPackage(t.database, fleet.productId, '3.0', {
      module: 'mcu',
      sourceVersion: '2.5',
    });
    const { plans } = wirePlans(t.database);
    const input = {
      name: 'delta mcu',
      productId: fleet.productId,
      components: [{ firmwarePackageId: modulePackage }, { firmwarePackageId: mcuDelta }],
      target: { kind: 'all' as const },
    };
    assert.equal((await plans.previewSpec(input)).devices, 2);
    const plan = await plans.createPlan(input, 'user:1');
    await plans.publish(plan.id, 'user:1');
    const enrolled = (await plans.listUpgrades(plan.id, {}, { limit: 10 })).items.map((u) => u.deviceId);
    assert.deepEqual(enrolled, [fleet.deviceIds[0], fleet.deviceIds[2]]);
  });

  it('holds every module of the plan: another plan of a later module is refused, or taken over', async () => {
    const { plans, plan, productId, mcuPackage, deviceIds } = await setup(2);
    await plans.publish(plan.id, 'user:1');
    const mcuOnly = {
      name: 'mcu only',
      productId,
      firmwarePackageId: mcuPackage,
      target: { kind: 'all' as const },
    };
    const preview = await plans.previewSpec(mcuOnly);
    assert.deepEqual([preview.devices, preview.busy.count], [2, 2]);
    const other = await plans.createPlan(mcuOnly, 'user:1');
    await assert.rejects(
      plans.publish(other.id, 'user:1'),
      (e) => isUpdraftError(e) && e.code === 'PLAN_CONFLICT',
    );
    await plans.publish(other.id, 'user:1', true);
    const taken = (await plans.listUpgrades(plan.id, {}, { limit: 10 })).items;
    assert.deepEqual(
      taken.map((u) => [u.state.status, u.state.failureReason]),
      [
        ['cancelled', 'cancelled_by_operator'],
        ['cancelled', 'cancelled_by_operator'],
      ],
    );
    assert.equal((await plans.listUpgrades(other.id, {}, { limit: 10 })).items.length, deviceIds.length);
  });

  it('ends a record that goes on to a module another plan holds with device_busy, changing nothing else', async () => {
    const { plans, engine, plan, deviceIds, productId, mcuPackage, store } = await setup(2);
    await plans.publish(plan.id, 'user:1');
    // A plan that took the MCU of device 0 in a race the checks could not see: its record is
    // written straight into the store.
    const other = await plans.createPlan(
      {
        name: 'race',
        productId,
        firmwarePackageId: mcuPackage,
        target: { kind: 'devices', deviceIds: [deviceIds[0]!] },
      },
      'user:1',
    );
    await t.database.db
      .insertInto('device_upgrades')
      .values({
        plan_id: other.id,
        device_id: deviceIds[0]!,
        module: 'mcu',
        active: 1,
        status: 'pending',
        progress: 0,
        attempts: 1,
        auto_retries: 0,
        push_count: 0,
        mismatch_count: 0,
        confirmation: 'none',
        created_at: 0,
        updated_at: 0,
      })
      .execute();
    const outcomes = await engine.reportDeviceEvents(
      deviceIds.map((deviceId) => ({
        deviceId,
        module: 'default',
        event: { type: 'version_reported', version: '2.0' } as const,
      })),
    );
    assert.deepEqual(
      outcomes.map((o) => o.accepted),
      [true, true],
    );
    const [busy, moved] = (await plans.listUpgrades(plan.id, {}, { limit: 10 })).items;
    assert.deepEqual(
      [busy!.module, busy!.state.status, busy!.state.failureReason, busy!.state.component],
      ['default', 'failure', 'device_busy', 1],
    );
    assert.equal(busy!.state.failureDetail, 'component 2 of 2 (mcu): module mcu is in another active plan');
    assert.deepEqual([moved!.module, moved!.state.status], ['mcu', 'pending']);
    const log = await store.upgradeLog(busy!.id);
    assert.deepEqual(
      log.map((e) => [e.event, e.to]),
      [
        ['version_reported', 'pending'],
        ['module_busy', 'failure'],
      ],
    );
  });

  it('gives sub-devices module firmware only', async () => {
    const fleet = await seedFleet(t.database, 1);
    await seedModule(t.database, fleet, 'mcu', 'mcu', () => '1.0');
    const mcuPackage = await seedPackage(t.database, fleet.productId, '3.0', { module: 'mcu' });
    const { plans } = wirePlans(t.database, {
      products: {
        productShape: async () => ({ nodeType: 'subdevice', moduleKinds: new Map([['mcu', 'mcu']]) }),
      },
    });
    await assert.rejects(
      plans.createPlan(
        {
          name: 'sub',
          productId: fleet.productId,
          components: [{ firmwarePackageId: mcuPackage }],
          target: { kind: 'all' },
        },
        'user:1',
      ),
      (e) =>
        isUpdraftError(e) &&
        e.code === 'VALIDATION_FAILED' &&
        e.details['field'] === 'components.0.firmwarePackageId',
    );
  });
});
