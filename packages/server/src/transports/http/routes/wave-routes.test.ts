// Waves through the API (issue 18): a group wave counted before publishing, the plan's waves and
// their states, the approval of a manual gate (and its refusal), the report's and the export's wave.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedFleet, seedPackage } from '../../../test-support/plan-fleet.ts';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('waves API', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await t.app.scheduler.stop();
  });
  after(() => t.close());

  it('counts a group canary before publishing, gates the next wave and approves it', async () => {
    const { productId, deviceIds } = await seedFleet(t.app.database, 5);
    const packageId = await seedPackage(t.app.database, productId, '2.0');
    const operator = await t.as('operator');
    const group = await operator.post('/api/v1/groups', { productId, name: 'canaries' });
    assert.equal(group.statusCode, 201, group.body);
    const added = await operator.post(`/api/v1/groups/${group.json().id}/members`, {
      deviceIds: deviceIds.slice(0, 2),
    });
    assert.ok(added.statusCode < 300, added.body);
    const body = {
      name: 'canary first',
      productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
      waves: [{ groupIds: [group.json().id], manualGate: true, errorPercent: 0 }, {}],
    };
    const counted = await operator.post('/api/v1/plans/targets', body);
    assert.deepEqual(counted.json().waves, [2, 3], counted.body);
    const bad = await operator.post('/api/v1/plans', { ...body, waves: [{ count: 1, percent: 5 }, {}] });
    assert.equal(bad.json().code, 'VALIDATION_FAILED');
    assert.equal(bad.json().details.issues[0].path, 'waves.0.count');

    const plan = (await operator.post('/api/v1/plans', body)).json();
    assert.equal((await operator.post(`/api/v1/plans/${plan.id}/publish`, {})).statusCode, 200);
    await t.app.scheduler.tick();
    const early = await operator.post(`/api/v1/plans/${plan.id}/waves/approve`);
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().code, 'PLAN_WAVE_NOT_GATED');

    const canaries = deviceIds.slice(0, 2);
    await t.app.services.upgrades.reportDeviceEvents(
      canaries.map((deviceId) => ({ deviceId, event: { type: 'progress', percent: 100 } })),
    );
    await t.app.scheduler.tick();
    const gated = (await operator.get(`/api/v1/plans/${plan.id}`)).json();
    assert.deepEqual(
      gated.waves.map((w: { state: string; groupIds?: number[] }) => [w.state, w.groupIds ?? null]),
      [
        ['gated', [group.json().id]],
        ['waiting', null],
      ],
    );
    assert.deepEqual(gated.wave, { index: 0, phase: 'gated', soakUntil: null });

    const viewer = await t.as('viewer');
    assert.equal((await viewer.post(`/api/v1/plans/${plan.id}/waves/approve`)).json().code, 'FORBIDDEN');
    const approved = await operator.post(`/api/v1/plans/${plan.id}/waves/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().wave.index, 1);
    await t.app.scheduler.tick();
    const report = (await viewer.get(`/api/v1/plans/${plan.id}/report`)).json();
    assert.deepEqual(
      report.waves.map((w: { state: string; counts: { success: number; pushed: number } }) => [
        w.state,
        w.counts.success,
        w.counts.pushed,
      ]),
      [
        ['completed', 2, 0],
        ['rolling', 0, 3],
      ],
    );
    const csv = (await viewer.get(`/api/v1/plans/${plan.id}/export`)).body.trim().split('\r\n');
    const column = csv[0]!.split(',').indexOf('wave');
    const waveByDevice = new Map(
      csv.slice(1).map((line) => [Number(line.split(',')[1]), line.split(',')[column]]),
    );
    assert.deepEqual(
      deviceIds.map((id) => waveByDevice.get(id)),
      ['0', '0', '1', '1', '1'],
    );

    // A running plan is not rolled back; a cancelled one is, once a package of the old version exists.
    const running = await operator.post(`/api/v1/plans/${plan.id}/rollback`);
    assert.equal(running.json().code, 'PLAN_INVALID_TRANSITION');
    await operator.post(`/api/v1/plans/${plan.id}/cancel`, {});
    const none = await operator.post(`/api/v1/plans/${plan.id}/rollback`);
    assert.equal(none.json().code, 'VALIDATION_FAILED', 'no package of 1.0 yet');
    const oldPackage = await seedPackage(t.app.database, productId, '1.0');
    const rolled = await operator.post(`/api/v1/plans/${plan.id}/rollback`);
    assert.equal(rolled.statusCode, 201, rolled.body);
    assert.deepEqual(
      rolled
        .json()
        .plans.map((p: { firmwarePackageId: number; target: unknown; status: string }) => [
          p.firmwarePackageId,
          p.target,
          p.status,
        ]),
      [[oldPackage, { kind: 'devices', deviceIds: canaries }, 'draft']],
    );
  });
});
