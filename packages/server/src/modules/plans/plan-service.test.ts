import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isUpdraftError } from '@updraft/core';
import { createKyselyFirmwareStore } from '../../adapters/db/kysely-firmware-store.ts';
import { testTexts } from '../../test-support/device-fleet.ts';
import { seedFleet, seedPackage, wirePlans } from '../../test-support/plan-fleet.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const minute = 60_000;

async function rejectsWith(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (error) => isUpdraftError(error) && error.code === code);
}

describe('plan service and upgrade engine', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.dispose());

  async function setup(count: number, versionOf?: (i: number) => string | null) {
    const fleet = await seedFleet(t.database, count, versionOf ? { versionOf } : {});
    const packageId = await seedPackage(t.database, fleet.productId, '2.0');
    return { ...fleet, packageId, ...wirePlans(t.database) };
  }

  it('keeps a plan a draft until published, edits it only then, and records who moved it', async () => {
    const { productId, packageId, plans } = await setup(3);
    const draft = await plans.createPlan(
      { name: 'Winter rollout ❄', productId, firmwarePackageId: packageId, target: { kind: 'all' } },
      'user:1',
    );
    assert.equal(draft.status, 'draft');
    assert.equal(draft.spec.firmware.targetVersion, '2.0');
    const edited = await plans.updatePlan(draft.id, {
      name: 'Renamed',
      productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
      concurrency: 2,
    });
    assert.equal(edited.name, 'Renamed');
    assert.equal(edited.spec.concurrency, 2);
    const running = await plans.publish(draft.id, 'user:2');
    assert.equal(running.status, 'running');
    await rejectsWith(
      plans.updatePlan(draft.id, {
        name: 'x',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
      }),
      'PLAN_INVALID_TRANSITION',
    );
    const transitions = await plans.listTransitions(draft.id);
    assert.deepEqual(
      transitions.map((r) => [r.from, r.to, r.action, r.actor]),
      [['draft', 'running', 'start', 'user:2']],
    );
    const counts = (await plans.report(draft.id, minute)).counts;
    assert.equal(counts.pending, 3);
  });

  it('refuses an invalid spec with coded issues', async () => {
    const { productId, packageId, plans } = await setup(1);
    await assert.rejects(
      plans.createPlan(
        {
          name: 'x'.repeat(101),
          productId,
          firmwarePackageId: packageId,
          target: { kind: 'all' },
          colour: 1,
        },
        'u',
      ),
      (error) => {
        assert.ok(isUpdraftError(error));
        assert.equal(error.code, 'VALIDATION_FAILED');
        const paths = (error.details['issues'] as { path: string }[]).map((i) => i.path).sort();
        assert.deepEqual(paths, ['colour', 'name']);
        return true;
      },
    );
  });

  it('pushes within the concurrency cap, applies device reports and completes with correct counts', async () => {
    const { productId, packageId, plans, engine, notifier, clock, deviceIds } = await setup(10);
    const plan = await plans.createPlan(
      { name: 'capped', productId, firmwarePackageId: packageId, target: { kind: 'all' }, concurrency: 3 },
      'u',
    );
    await plans.publish(plan.id, 'u');
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 3);
    let counts = (await plans.report(plan.id, minute)).counts;
    assert.equal(counts.pushed, 3);
    // A second tick with no room pushes nothing more.
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 3);
    for (let round = 0; round < 10; round++) {
      const pushed = notifier.notified.splice(0);
      const outcomes = await engine.reportDeviceEvents(
        pushed.flatMap((n) => [
          { deviceId: n.deviceId, event: { type: 'progress' as const, percent: 40 } },
          { deviceId: n.deviceId, event: { type: 'progress' as const, percent: 100 } },
        ]),
      );
      assert.ok(outcomes.every((o) => o.accepted));
      clock.advance(1000);
      await plans.tickPlan(plan.id, 'a', minute);
    }
    counts = (await plans.report(plan.id, minute)).counts;
    assert.equal(counts.success, 10);
    const done = await plans.getPlan(plan.id);
    assert.equal(done.status, 'completed');
    const log = await plans.upgradeLog((await plans.activeUpgradesOfDevice(deviceIds[0]!)).length);
    assert.ok(Array.isArray(log));
  });

  it('answers a device with no upgrade, and a check while the cap is full with concurrency_full', async () => {
    const { productId, packageId, plans, engine, deviceIds } = await setup(3);
    const plan = await plans.createPlan(
      { name: 'checks', productId, firmwarePackageId: packageId, target: { kind: 'all' }, concurrency: 1 },
      'u',
    );
    await plans.publish(plan.id, 'u');
    const [first, second] = await engine.reportDeviceEvents([
      { deviceId: deviceIds[0]!, event: { type: 'checked', signal: -80, battery: 90 } },
      { deviceId: deviceIds[1]!, event: { type: 'checked' } },
    ]);
    assert.equal(first?.offered, true);
    assert.equal(first?.status, 'pushed');
    assert.equal(second?.refusal, 'concurrency_full');
    const [none] = await engine.reportDeviceEvents([{ deviceId: 999_999, event: { type: 'accepted' } }]);
    assert.equal(none?.refusal, 'no_upgrade');
  });

  it('refuses an overlapping plan with the conflicting devices, or takes them over', async () => {
    const { productId, packageId, plans, deviceIds } = await setup(4);
    const first = await plans.createPlan(
      {
        name: 'first',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'devices', deviceIds: deviceIds.slice(0, 2) },
      },
      'u',
    );
    await plans.publish(first.id, 'u');
    const second = await plans.createPlan(
      { name: 'second', productId, firmwarePackageId: packageId, target: { kind: 'all' } },
      'u',
    );
    await assert.rejects(plans.publish(second.id, 'u'), (error) => {
      assert.ok(isUpdraftError(error));
      assert.equal(error.code, 'PLAN_CONFLICT');
      assert.deepEqual(error.details['deviceIds'], deviceIds.slice(0, 2));
      return true;
    });
    assert.equal((await plans.getPlan(second.id)).status, 'draft');
    await plans.publish(second.id, 'u', true);
    assert.equal((await plans.report(second.id, minute)).counts.pending, 4);
    assert.equal((await plans.report(first.id, minute)).counts.cancelled, 2);
  });

  it('refuses to schedule an overlapping plan unless it takes over, and takes over when it starts', async () => {
    const { productId, packageId, plans, clock, deviceIds } = await setup(3);
    const first = await plans.createPlan(
      {
        name: 'first',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'devices', deviceIds: [deviceIds[0]!] },
      },
      'u',
    );
    await plans.publish(first.id, 'u');
    for (const start of [{ mode: 'at', at: clock.now() + minute }, { mode: 'manual' }]) {
      const later = await plans.createPlan(
        {
          name: `later ${start.mode}`,
          productId,
          firmwarePackageId: packageId,
          target: { kind: 'all' },
          start,
        },
        'u',
      );
      await assert.rejects(plans.publish(later.id, 'u'), (error) => {
        assert.ok(isUpdraftError(error));
        assert.equal(error.code, 'PLAN_CONFLICT');
        assert.deepEqual(error.details, { count: 1, deviceIds: [deviceIds[0]] });
        return true;
      });
      assert.equal((await plans.getPlan(later.id)).status, 'draft');
      await plans.runAction(later.id, 'cancel', 'u');
    }
    const later = await plans.createPlan(
      {
        name: 'later',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
        start: { mode: 'at', at: clock.now() + minute },
      },
      'u',
    );
    const scheduled = await plans.publish(later.id, 'u', true);
    assert.equal(scheduled.status, 'scheduled');
    assert.equal(scheduled.takeOver, true);
    assert.equal((await plans.report(first.id, minute)).counts.pending, 1, 'nothing taken before the start');
    clock.advance(minute);
    await plans.tickPlan(later.id, 'a', minute);
    assert.equal((await plans.getPlan(later.id)).status, 'running');
    assert.equal((await plans.report(later.id, minute)).counts.pushed, 3);
    assert.equal((await plans.report(first.id, minute)).counts.cancelled, 1);
  });

  it('starts a scheduled plan without devices that got busy meanwhile, says which, and enrols them once free', async () => {
    const { productId, packageId, plans, clock, deviceIds } = await setup(4);
    const later = await plans.createPlan(
      {
        name: 'later',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
        start: { mode: 'at', at: clock.now() + minute },
      },
      'u',
    );
    assert.equal((await plans.publish(later.id, 'u')).status, 'scheduled');
    const busy = deviceIds.slice(1, 3);
    const first = await plans.createPlan(
      {
        name: 'first',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'devices', deviceIds: busy },
      },
      'u',
    );
    await plans.publish(first.id, 'u');
    clock.advance(minute);
    await plans.tickPlan(later.id, 'a', minute);
    assert.equal((await plans.getPlan(later.id)).status, 'running');
    assert.equal((await plans.report(later.id, minute)).counts.pushed, 2);
    const start = (await plans.listTransitions(later.id)).at(-1);
    assert.equal(start?.action, 'start');
    assert.equal(
      start?.reason,
      `2 targeted devices are busy in another plan of module default and join when it ends: ${busy.join(', ')}`,
    );
    // A rescan while they are still busy adds nothing.
    clock.advance(2 * minute);
    await plans.tickPlan(later.id, 'a', minute);
    assert.equal((await plans.report(later.id, minute)).counts.pushed, 2);
    await plans.runAction(first.id, 'cancel', 'u');
    clock.advance(2 * minute);
    await plans.tickPlan(later.id, 'a', minute);
    assert.equal((await plans.report(later.id, minute)).counts.pushed, 4, 'the freed devices joined');
    for (const id of busy) assert.equal((await plans.activeUpgradesOfDevice(id))[0]?.planId, later.id);
  });

  it('pauses dispatching, resumes it, retries failures automatically and by operator, and reopens', async () => {
    const { productId, packageId, plans, engine, notifier, clock } = await setup(4);
    const plan = await plans.createPlan(
      {
        name: 'retries',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
        retry: { attempts: 1, intervalSeconds: 60 },
      },
      'u',
    );
    await plans.publish(plan.id, 'u');
    await plans.runAction(plan.id, 'pause', 'u');
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 0, 'a paused plan pushes nothing');
    await plans.runAction(plan.id, 'resume', 'u');
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 4);
    const fail = (ids: number[]) =>
      engine.reportDeviceEvents(
        ids.map((deviceId) => ({ deviceId, event: { type: 'failed', reason: 'download_failed' } as const })),
      );
    const ids = notifier.notified.splice(0).map((n) => n.deviceId);
    await fail(ids);
    // Waiting for the automatic retry: pending, not failed.
    assert.equal((await plans.report(plan.id, minute)).counts.pending, 4);
    clock.advance(2 * minute);
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 4, 'retried after the interval');
    await fail(notifier.notified.splice(0).map((n) => n.deviceId));
    await plans.tickPlan(plan.id, 'a', minute);
    const report = await plans.report(plan.id, minute);
    assert.equal(report.counts.failure, 4);
    assert.deepEqual(report.failureReasons, [{ reason: 'retries_exhausted', count: 4 }]);
    assert.equal((await plans.getPlan(plan.id)).status, 'completed');
    assert.equal(await plans.retryFailed(plan.id, 'u'), 4);
    assert.equal((await plans.getPlan(plan.id)).status, 'running');
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 4);
    const actions = (await plans.listTransitions(plan.id)).map((r) => r.action);
    assert.deepEqual(actions, ['start', 'pause', 'resume', 'complete', 'reopen']);
  });

  it('refuses to retry a device another plan of the module now holds, and leaves the plan completed', async () => {
    const { productId, packageId, plans, engine, notifier, deviceIds } = await setup(2);
    const first = await plans.createPlan(
      {
        name: 'first',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'devices', deviceIds: [deviceIds[0]!] },
      },
      'u',
    );
    await plans.publish(first.id, 'u');
    await plans.tickPlan(first.id, 'a', minute);
    const [pushed] = notifier.notified.splice(0);
    await engine.reportDeviceEvents([
      { deviceId: pushed!.deviceId, event: { type: 'failed', reason: 'write_failed' } },
    ]);
    await plans.tickPlan(first.id, 'a', minute);
    assert.equal((await plans.getPlan(first.id)).status, 'completed');
    // The failed device is free, so a second plan of the module enrols it.
    const second = await plans.createPlan(
      { name: 'second', productId, firmwarePackageId: packageId, target: { kind: 'all' } },
      'u',
    );
    await plans.publish(second.id, 'u');
    const [held] = await plans.activeUpgradesOfDevice(deviceIds[0]!);
    assert.equal(held?.planId, second.id);

    await assert.rejects(plans.actOnUpgrade(pushed!.upgradeId, 'operator_retry', 'u'), (error) => {
      assert.ok(isUpdraftError(error));
      assert.equal(error.code, 'PLAN_CONFLICT');
      assert.deepEqual(error.details, {
        count: 1,
        deviceIds: [deviceIds[0]],
        planId: second.id,
        upgradeId: held!.id,
      });
      return true;
    });
    assert.equal((await plans.getPlan(first.id)).status, 'completed', 'not reopened');
    assert.deepEqual(
      (await plans.listTransitions(first.id)).map((r) => r.action),
      ['start', 'complete'],
    );
    assert.equal((await plans.getUpgrade(pushed!.upgradeId)).state.status, 'failure');

    // Named in a bulk retry it is reported and skipped; the rest of the batch goes on.
    const outcomes = await plans.actOnUpgrades(first.id, [pushed!.upgradeId], 'operator_retry', 'u');
    assert.deepEqual(
      outcomes.map((o) => [o.upgradeId, o.accepted, o.refusal]),
      [[pushed!.upgradeId, false, 'device_busy']],
    );
    assert.equal((await plans.getUpgrade(pushed!.upgradeId)).state.status, 'failure');
    assert.equal((await plans.activeUpgradesOfDevice(deviceIds[0]!))[0]?.planId, second.id);
  });

  it('pauses itself on the failure threshold, and counts only new outcomes after a resume', async () => {
    const { productId, packageId, plans, engine, notifier } = await setup(6);
    const plan = await plans.createPlan(
      {
        name: 'threshold',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
        concurrency: 3,
        failureThreshold: { percent: 50, minFinished: 2 },
      },
      'u',
    );
    await plans.publish(plan.id, 'u');
    await plans.tickPlan(plan.id, 'a', minute);
    const [a, b] = notifier.notified.splice(0);
    await engine.reportDeviceEvents([
      { deviceId: a!.deviceId, event: { type: 'failed', reason: 'write_failed' } },
      { deviceId: b!.deviceId, event: { type: 'failed', reason: 'write_failed' } },
    ]);
    await plans.tickPlan(plan.id, 'a', minute);
    const paused = await plans.getPlan(plan.id);
    assert.equal(paused.status, 'paused');
    const last = (await plans.listTransitions(plan.id)).at(-1);
    assert.deepEqual([last?.action, last?.actor], ['auto_pause', 'system']);
    await plans.runAction(plan.id, 'resume', 'u');
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal((await plans.getPlan(plan.id)).status, 'running', 'old failures do not pause it again');
  });

  it('cancels a whole plan, and one device upgrade with UPGRADE_INVALID_TRANSITION when finished', async () => {
    const { productId, packageId, plans, notifier } = await setup(3);
    const plan = await plans.createPlan(
      { name: 'cancel', productId, firmwarePackageId: packageId, target: { kind: 'all' } },
      'u',
    );
    await plans.publish(plan.id, 'u');
    await plans.tickPlan(plan.id, 'a', minute);
    const [one] = notifier.notified;
    const cancelled = await plans.actOnUpgrade(one!.upgradeId, 'operator_cancel', 'u');
    assert.equal(cancelled.state.status, 'cancelled');
    await rejectsWith(
      plans.actOnUpgrade(one!.upgradeId, 'operator_cancel', 'u'),
      'UPGRADE_INVALID_TRANSITION',
    );
    // Said in words (issue 19: it read "cannot confirmed: finished").
    await assert.rejects(plans.actOnUpgrade(one!.upgradeId, 'confirmed', 'u'), {
      message: 'cannot confirm this device upgrade: it has ended (cancelled)',
    });
    await plans.runAction(plan.id, 'cancel', 'u', { reason: 'wrong build' });
    const counts = (await plans.report(plan.id, minute)).counts;
    assert.equal(counts.cancelled, 3);
    assert.equal(notifier.withdrawn.length, 3);
    assert.equal((await plans.listTransitions(plan.id)).at(-1)?.reason, 'wrong build');
  });

  it('waits for confirmation in manual mode; confirms all, and a rejection fails the device', async () => {
    const { productId, packageId, plans, notifier, deviceIds } = await setup(3);
    const plan = await plans.createPlan(
      {
        name: 'manual',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
        mode: 'manual',
        texts: testTexts,
      },
      'u',
    );
    await plans.publish(plan.id, 'u');
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 0);
    const waiting = await plans.activeUpgradesOfDevice(deviceIds[0]!);
    assert.equal(waiting[0]?.state.confirmation, 'awaiting');
    await plans.actOnUpgrade(waiting[0]!.id, 'rejected', 'app');
    assert.equal(await plans.decideAwaiting(plan.id, 'confirmed', 'u'), 2);
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 2);
    const counts = (await plans.report(plan.id, minute)).counts;
    assert.equal(counts.failure, 1);
  });

  it('lets devices registered while the plan runs join it when they match', async () => {
    const { productId, packageId, plans, clock } = await setup(2);
    const plan = await plans.createPlan(
      {
        name: 'joiners',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'versions', versions: ['1.0'] },
      },
      'u',
    );
    await plans.publish(plan.id, 'u');
    clock.advance(2 * minute);
    const now = clock.now();
    const rows = await t.database.db
      .insertInto('devices')
      .values(
        ['late-a', 'late-b'].map((name) => ({
          product_id: productId,
          name,
          secret_salt: 's',
          secret_hash: 'h',
          online: 1,
          tags: '[]',
          created_at: now,
          updated_at: now,
        })),
      )
      .returning('id')
      .execute();
    await t.database.db
      .insertInto('device_versions')
      .values([
        { device_id: rows[0]!.id, module: 'default', version: '1.0', reported_at: now },
        { device_id: rows[1]!.id, module: 'default', version: '0.9', reported_at: now },
      ])
      .execute();
    await plans.tickPlan(plan.id, 'a', minute);
    const counts = (await plans.report(plan.id, minute)).counts;
    assert.equal(counts.pending + counts.pushed, 3, 'only the matching newcomer joined');
  });

  it('marks a package verified when a verification plan succeeds, and can require verified packages', async () => {
    const { productId, packageId, plans, engine, notifier, deviceIds } = await setup(2);
    await plans.setRequireVerified(true);
    try {
      await rejectsWith(
        plans.createPlan(
          { name: 'n', productId, firmwarePackageId: packageId, target: { kind: 'all' } },
          'u',
        ),
        'FIRMWARE_NOT_VERIFIED',
      );
      // One test device, as Quectel's verification plan: two are refused.
      const verify = (ids: number[]) => ({
        name: 'verify',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'devices' as const, deviceIds: ids },
        verification: true,
      });
      await rejectsWith(plans.createPlan(verify(deviceIds), 'u'), 'VALIDATION_FAILED');
      const check = await plans.createPlan(verify([deviceIds[0]!]), 'u');
      await plans.publish(check.id, 'u');
      await plans.tickPlan(check.id, 'a', minute);
      await engine.reportDeviceEvents(
        notifier.notified.map((n) => ({
          deviceId: n.deviceId,
          event: { type: 'version_reported', version: '2.0' },
        })),
      );
      await plans.tickPlan(check.id, 'a', minute);
      assert.equal((await plans.getPlan(check.id)).status, 'completed');
      const plan = await plans.createPlan(
        { name: 'now allowed', productId, firmwarePackageId: packageId, target: { kind: 'all' } },
        'u',
      );
      assert.equal(plan.status, 'draft');
    } finally {
      await plans.setRequireVerified(false);
    }
  });

  it('gives a verification plan an hour: what has not ended then fails, and the package says failed', async () => {
    const { productId, packageId, plans, deviceIds, clock } = await setup(1);
    const packages = createKyselyFirmwareStore(t.database.db);
    assert.equal((await packages.getPackage(packageId))!.verification, null);
    const check = await plans.createPlan(
      {
        name: 'one hour',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'devices', deviceIds },
        verification: true,
      },
      'u',
    );
    assert.equal(
      (await packages.getPackage(packageId))!.verification,
      null,
      'a draft is no verification yet',
    );
    await plans.publish(check.id, 'u');
    await plans.tickPlan(check.id, 'a', minute);
    assert.deepEqual((await packages.getPackage(packageId))!.verification, {
      planId: check.id,
      state: 'running',
    });
    clock.advance(59 * minute);
    await plans.tickPlan(check.id, 'a', minute);
    assert.equal((await plans.getPlan(check.id)).status, 'running', 'within its hour');
    clock.advance(minute);
    await plans.tickPlan(check.id, 'a', minute);
    assert.equal((await plans.getPlan(check.id)).status, 'expired');
    await plans.tickPlan(check.id, 'a', minute);
    const [upgrade] = (await plans.listUpgrades(check.id, {}, { limit: 5 })).items;
    assert.equal(upgrade!.state.status, 'failure');
    assert.equal(upgrade!.state.status === 'failure' && upgrade!.state.failureReason, 'deadline');
    const pkg = (await packages.getPackage(packageId))!;
    assert.deepEqual([pkg.verified, pkg.verification], [false, { planId: check.id, state: 'failed' }]);
  });

  it('turns a draft into a verification plan and back by editing it', async () => {
    const { productId, packageId, plans, deviceIds } = await setup(2);
    const base = { name: 'check', productId, firmwarePackageId: packageId };
    const draft = await plans.createPlan({ ...base, target: { kind: 'devices', deviceIds } }, 'u');
    assert.equal(draft.verification, false);
    const edited = await plans.updatePlan(draft.id, {
      ...base,
      target: { kind: 'devices', deviceIds: [deviceIds[0]!] },
      verification: true,
    });
    assert.equal(edited.verification, true);
    assert.equal((await plans.getPlan(draft.id)).verification, true);
    await rejectsWith(
      plans.updatePlan(draft.id, { ...base, target: { kind: 'all' }, verification: true }),
      'VALIDATION_FAILED',
    );
    // The whole plan is given again: leaving the flag out makes it a normal plan.
    const normal = await plans.updatePlan(draft.id, { ...base, target: { kind: 'all' } });
    assert.equal(normal.verification, false);
  });

  it('keeps device text with quotes, braces, backslashes and any script intact', async () => {
    const { productId, packageId, plans, engine, notifier } = await setup(1);
    const plan = await plans.createPlan(
      { name: 'text', productId, firmwarePackageId: packageId, target: { kind: 'all' } },
      'u',
    );
    await plans.publish(plan.id, 'u');
    await plans.tickPlan(plan.id, 'a', minute);
    const [pushed] = notifier.notified;
    const detail = 'md5 "bad", {x} \\ NULL \u00e9 ошибка';
    await engine.reportDeviceEvents([
      { deviceId: pushed!.deviceId, event: { type: 'failed', reason: 'check_failed', detail } },
    ]);
    const record = await plans.getUpgrade(pushed!.upgradeId);
    assert.equal(record.state.failureDetail, detail);
    const log = await plans.upgradeLog(record.id);
    assert.ok(log.at(-1)?.message.includes(detail));
  });

  it('expires a plan at its deadline and fails what is left with reason deadline', async () => {
    const { productId, packageId, plans, clock } = await setup(2);
    const plan = await plans.createPlan(
      {
        name: 'deadline',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
        start: { mode: 'at', at: clock.now() + minute },
        deadline: clock.now() + 10 * minute,
      },
      'u',
    );
    assert.equal((await plans.publish(plan.id, 'u')).status, 'scheduled');
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal((await plans.getPlan(plan.id)).status, 'scheduled');
    clock.advance(minute);
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal((await plans.getPlan(plan.id)).status, 'running');
    clock.advance(10 * minute);
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal((await plans.getPlan(plan.id)).status, 'expired');
    const report = await plans.report(plan.id, minute);
    assert.deepEqual(report.failureReasons, [{ reason: 'deadline', count: 2 }]);
  });
});
