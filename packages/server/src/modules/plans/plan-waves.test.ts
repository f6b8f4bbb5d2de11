// Waves (issue 18) on a real database: a canary that passes, a second wave that halts on its
// error threshold, a manual gate with a soak, membership fixed and reproducible, devices that
// join later in the last wave, and the wave webhooks in the outbox.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assignWaves, isUpdraftError } from '@updraft/core';
import { seedFleet, seedPackage, wirePlans } from '../../test-support/plan-fleet.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const minute = 60_000;

describe('plan waves', { skip }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    // One subscriber to every wave event, so the outbox keeps them.
    await t.database.db
      .insertInto('webhooks')
      .values({
        url: 'https://hooks.example.com/w',
        secret: 's',
        event_types: JSON.stringify(['wave.started', 'wave.completed', 'wave.halted']),
        enabled: 1,
        description: '',
        created_by: 'test',
        created_at: 0,
        updated_at: 0,
      })
      .execute();
  });
  after(() => t.dispose());

  async function setup(count: number) {
    const fleet = await seedFleet(t.database, count);
    const packageId = await seedPackage(t.database, fleet.productId, '2.0');
    return { ...fleet, packageId, ...wirePlans(t.database) };
  }

  async function waveEvents(planId: number) {
    const rows = await t.database.db
      .selectFrom('webhook_deliveries')
      .select(['event_type', 'payload'])
      .orderBy('id')
      .execute();
    return rows
      .map((r) => ({ type: r.event_type, ...(JSON.parse(r.payload) as { planId: number; wave: number }) }))
      .filter((e) => e.planId === planId)
      .map((e) => `${e.type} ${e.wave}`);
  }

  it('passes a canary, then halts the second wave on its error threshold, holding the third back', async () => {
    const { productId, packageId, plans, engine, notifier, clock, deviceIds } = await setup(20);
    const input = {
      name: 'three waves',
      productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' as const },
      waves: [{ count: 2, errorPercent: 0 }, { percent: 40, successPercent: 90, errorPercent: 20 }, {}],
    };
    // Counted before anything is saved, and again for the draft: 2, 8 (40 % of 20), the rest.
    assert.deepEqual((await plans.previewSpec(input)).waves, [2, 8, 10]);
    const draft = await plans.createPlan(input, 'u');
    assert.deepEqual((await plans.previewTargets(draft.id)).waves, [2, 8, 10]);
    await plans.publish(draft.id, 'u');
    await plans.tickPlan(draft.id, 'a', minute);

    // Fixed at the start, as core assigns them for this plan: the same devices in the same waves.
    const records = await plans.listUpgrades(draft.id, {}, { limit: 100 });
    const expected = assignWaves(
      (await plans.getPlan(draft.id)).spec.waves,
      deviceIds.map((id) => ({ id: String(id), groupIds: [] })),
      String(draft.id),
    );
    const waveOf = new Map(records.items.map((r) => [r.deviceId, r.wave]));
    assert.deepEqual(
      deviceIds.map((id) => waveOf.get(id)),
      expected,
    );

    // Only the canary is pushed; a device of a later wave that asks is told to wait.
    const canary = notifier.notified.splice(0);
    assert.equal(canary.length, 2);
    assert.ok(canary.every((n) => waveOf.get(n.deviceId) === 0));
    const later = deviceIds.find((id) => waveOf.get(id) === 2)!;
    const [waiting] = await engine.reportDeviceEvents([{ deviceId: later, event: { type: 'checked' } }]);
    assert.equal(waiting?.refusal, 'not_dispatching');

    await engine.reportDeviceEvents(
      canary.map((n) => ({ deviceId: n.deviceId, event: { type: 'progress' as const, percent: 100 } })),
    );
    clock.advance(1000);
    await plans.tickPlan(draft.id, 'a', minute);
    const second = notifier.notified.splice(0);
    assert.equal(second.length, 8);
    assert.ok(second.every((n) => waveOf.get(n.deviceId) === 1));
    assert.equal((await plans.getPlan(draft.id)).wave.index, 1);

    // Two of eight fail (25 % > 20 %): the plan pauses with the reason, the third wave waits.
    await engine.reportDeviceEvents(
      second.map((n, i) => ({
        deviceId: n.deviceId,
        event:
          i < 2
            ? { type: 'failed' as const, reason: 'write_failed' as const }
            : { type: 'progress' as const, percent: 100 },
      })),
    );
    clock.advance(1000);
    await plans.tickPlan(draft.id, 'a', minute);
    const halted = await plans.getPlan(draft.id);
    assert.equal(halted.status, 'paused');
    assert.deepEqual(halted.wave, { index: 1, phase: 'halted', until: null });
    const last = (await plans.listTransitions(draft.id)).at(-1)!;
    assert.equal(last.action, 'auto_pause');
    assert.match(last.reason ?? '', /wave 2 hit its error threshold: 2 of 8 devices failed/);
    assert.equal(notifier.notified.length, 0);

    const report = await plans.report(draft.id, minute);
    assert.deepEqual(
      report.waves.map((w) => [w.index, w.state, w.counts.success, w.counts.failure, w.counts.pending]),
      [
        [0, 'completed', 2, 0, 0],
        [1, 'halted', 6, 2, 0],
        [2, 'waiting', 0, 0, 10],
      ],
    );
    assert.deepEqual(await waveEvents(draft.id), [
      'wave.started 0',
      'wave.completed 0',
      'wave.started 1',
      'wave.halted 1',
    ]);

    // Resumed, the operator has accepted the wave's failures: the third wave starts.
    await plans.runAction(draft.id, 'resume', 'u');
    await plans.tickPlan(draft.id, 'a', minute);
    assert.equal((await plans.getPlan(draft.id)).wave.index, 2);
    assert.equal(notifier.notified.splice(0).length, 10);
  });

  it('soaks, waits at a manual gate until approved, and puts devices that join later in the last wave', async () => {
    const { productId, packageId, plans, engine, notifier, clock } = await setup(6);
    const plan = await plans.createPlan(
      {
        name: 'gated',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'all' },
        waves: [{ percent: 50, soakSeconds: 120, manualGate: true }, {}],
      },
      'u',
    );
    await plans.publish(plan.id, 'u');
    await plans.tickPlan(plan.id, 'a', minute);
    const first = notifier.notified.splice(0);
    assert.equal(first.length, 3);
    await assert.rejects(
      plans.approveWave(plan.id, 'u'),
      (e) => isUpdraftError(e) && e.code === 'PLAN_WAVE_NOT_GATED',
    );
    await engine.reportDeviceEvents(
      first.map((n) => ({
        deviceId: n.deviceId,
        event: { type: 'version_reported' as const, version: '2.0' },
      })),
    );
    await plans.tickPlan(plan.id, 'a', minute);
    const soaking = await plans.getPlan(plan.id);
    assert.equal(soaking.wave.phase, 'soaking');
    clock.advance(2 * minute);
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal((await plans.getPlan(plan.id)).wave.phase, 'gated');
    clock.advance(10 * minute);
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 0, 'nothing past the gate without an approval');

    // A device registered now joins the plan at the rescan, in the last wave.
    const [newcomer] = await t.database.db
      .insertInto('devices')
      .values({
        product_id: productId,
        name: 'late',
        secret_salt: 's',
        secret_hash: 'h',
        online: 1,
        tags: '[]',
        created_at: clock.now(),
        updated_at: clock.now(),
      })
      .returning('id')
      .execute();
    clock.advance(2 * minute);
    await plans.tickPlan(plan.id, 'a', minute);
    const late = (await plans.activeUpgradesOfDevice(Number(newcomer!.id)))[0];
    assert.equal(late?.wave, 1);

    const approved = await plans.approveWave(plan.id, 'user:7');
    assert.deepEqual(approved.wave, { index: 1, phase: 'rolling', until: null });
    await plans.tickPlan(plan.id, 'a', minute);
    assert.equal(notifier.notified.length, 4);
    assert.deepEqual(await waveEvents(plan.id), ['wave.started 0', 'wave.completed 0', 'wave.started 1']);
  });
});
