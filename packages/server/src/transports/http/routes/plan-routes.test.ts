import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedFleet, seedPackage } from '../../../test-support/plan-fleet.ts';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('plans API', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    // The tests tick the scheduler by hand.
    await t.app.scheduler.stop();
  });
  after(() => t.close());

  async function fleet(count: number) {
    const seeded = await seedFleet(t.app.database, count, { versionOf: (i) => (i % 2 ? '1.0' : '1.1') });
    const packageId = await seedPackage(t.app.database, seeded.productId, '2.0');
    return { ...seeded, packageId };
  }

  it('lets an operator create, publish and drive a plan that viewers can read, report and export', async () => {
    const { productId, packageId, deviceIds } = await fleet(6);
    const viewer = await t.as('viewer');
    const operator = await t.as('operator');
    const body = {
      name: 'Спокойной ночи rollout',
      productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
      blacklist: [deviceIds[5]],
      retry: { attempts: 0 },
      concurrency: 10,
    };
    assert.equal((await viewer.post('/api/v1/plans', body)).json().code, 'FORBIDDEN');
    const created = await operator.post('/api/v1/plans', body);
    assert.equal(created.statusCode, 201, created.body);
    const plan = created.json();
    assert.equal(plan.status, 'draft');
    assert.equal(plan.targetVersion, '2.0');
    assert.deepEqual(plan.blacklist, [deviceIds[5]]);

    const preview = await viewer.get(`/api/v1/plans/${plan.id}/targets`);
    assert.deepEqual(
      preview.json(),
      { devices: 5, waves: [], busy: 0, busyDeviceIds: [] },
      'all six but the blacklisted one',
    );

    const published = await operator.post(`/api/v1/plans/${plan.id}/publish`, {});
    assert.equal(published.json().status, 'running', published.body);
    await t.app.scheduler.tick();
    const { upgrades } = t.app.services;
    const pushed = (await viewer.get(`/api/v1/plans/${plan.id}/upgrades?status=pushed`)).json();
    assert.equal(pushed.items.length, 5);
    const [a, b, ...rest] = pushed.items as { deviceId: number; id: number }[];
    await upgrades.reportDeviceEvents([
      { deviceId: a!.deviceId, event: { type: 'progress', percent: 30, stage: 'downloading' } },
      { deviceId: b!.deviceId, event: { type: 'failed', reason: 'check_failed', detail: 'md5' } },
      ...rest.map((r) => ({
        deviceId: r.deviceId,
        event: { type: 'version_reported' as const, version: '2.0' },
      })),
    ]);

    const detail = (await viewer.get(`/api/v1/plans/${plan.id}`)).json();
    assert.deepEqual(
      { success: detail.counts.success, failure: detail.counts.failure, upgrading: detail.counts.upgrading },
      { success: 3, failure: 1, upgrading: 1 },
    );
    assert.equal(detail.summary.successRate, 0.75);
    const report = (await viewer.get(`/api/v1/plans/${plan.id}/report?bucketMinutes=5`)).json();
    assert.equal(report.progressBuckets[3], 1);
    assert.deepEqual(report.failureReasons, [{ reason: 'check_failed', count: 1 }]);
    assert.equal(
      report.completions.reduce((n: number, c: { success: number }) => n + c.success, 0),
      3,
    );

    const log = (await viewer.get(`/api/v1/device-upgrades/${b!.id}`)).json();
    assert.equal(log.status, 'failure');
    assert.deepEqual(
      log.log.map((e: { event: string }) => e.event),
      ['pushed', 'failed'],
    );

    const csv = await viewer.get(`/api/v1/plans/${plan.id}/export?format=csv`);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(lines.length, 6);
    assert.ok(lines[0]!.startsWith('upgradeId,deviceId,deviceName,status'));
    const json = (await viewer.get(`/api/v1/plans/${plan.id}/export?format=json`)).json();
    assert.equal(json.length, 5);

    const retried = (await operator.post(`/api/v1/plans/${plan.id}/upgrades/retry`, {})).json();
    assert.equal(retried.affected, 1);
    const retry = await operator.post(`/api/v1/device-upgrades/${a!.id}/retry`);
    assert.equal(retry.statusCode, 409);
    assert.equal(retry.json().code, 'UPGRADE_INVALID_TRANSITION');

    assert.equal(
      (await operator.post(`/api/v1/plans/${plan.id}/pause`, { reason: 'night' })).json().status,
      'paused',
    );
    assert.equal((await operator.post(`/api/v1/plans/${plan.id}/resume`)).json().status, 'running');
    const transitions = (await viewer.get(`/api/v1/plans/${plan.id}/transitions`)).json();
    assert.deepEqual(
      transitions.items.map((r: { action: string; reason: string | null }) => [r.action, r.reason]),
      [
        ['start', null],
        ['pause', 'night'],
        ['resume', null],
      ],
    );
    assert.ok(transitions.items.every((r: { actor: string }) => r.actor === 'key:test operator'));

    const history = (await viewer.get(`/api/v1/devices/${b!.deviceId}/upgrades`)).json();
    assert.equal(history.items[0].attempts, 2);
    const pending = (await viewer.get(`/api/v1/devices/${a!.deviceId}/pending-upgrades`)).json();
    assert.equal(pending.items[0].planId, plan.id);
    const fleetView = (await viewer.get(`/api/v1/products/${productId}/fleet`)).json();
    assert.deepEqual(
      fleetView.items.map((v: { version: string }) => v.version),
      ['1.0', '1.1'],
    );
    assert.equal((await operator.post(`/api/v1/plans/${plan.id}/cancel`)).json().status, 'cancelled');
  });

  it('refuses an overlapping plan with 409 PLAN_CONFLICT naming the devices, and edits only drafts', async () => {
    const { productId, packageId, deviceIds } = await fleet(3);
    const base = { productId, firmwarePackageId: packageId, target: { kind: 'devices', deviceIds } };
    const first = (await t.admin.post('/api/v1/plans', { ...base, name: 'one' })).json();
    await t.admin.post(`/api/v1/plans/${first.id}/publish`);
    const second = (await t.admin.post('/api/v1/plans', { ...base, name: 'two' })).json();
    const edited = await t.admin.request({
      method: 'PUT',
      url: `/api/v1/plans/${second.id}`,
      payload: { ...base, name: 'two, edited', concurrency: 2 },
    });
    assert.equal(edited.json().concurrency, 2, edited.body);
    const preview = (await (await t.as('viewer')).get(`/api/v1/plans/${second.id}/targets`)).json();
    assert.deepEqual(preview, { devices: 3, waves: [], busy: 3, busyDeviceIds: deviceIds });
    const refused = await t.admin.post(`/api/v1/plans/${second.id}/publish`, {});
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'PLAN_CONFLICT');
    assert.deepEqual(refused.json().details.deviceIds, deviceIds);
    assert.equal(second.takeOver, false);
    const taken = await t.admin.post(`/api/v1/plans/${second.id}/publish`, { takeOver: true });
    assert.equal(taken.json().status, 'running');
    assert.equal(taken.json().takeOver, true);
    const frozen = await t.admin.request({
      method: 'PUT',
      url: `/api/v1/plans/${second.id}`,
      payload: { ...base, name: 'x' },
    });
    assert.equal(frozen.json().code, 'PLAN_INVALID_TRANSITION');
  });

  it('answers a retry of a device another plan now holds with 409 PLAN_CONFLICT, in bulk with a refusal', async () => {
    const { productId, packageId, deviceIds } = await fleet(2);
    const make = async (name: string, target: object) => {
      const plan = (
        await t.admin.post('/api/v1/plans', { name, productId, firmwarePackageId: packageId, target })
      ).json();
      assert.equal((await t.admin.post(`/api/v1/plans/${plan.id}/publish`)).json().status, 'running');
      return plan.id as number;
    };
    const first = await make('first', { kind: 'devices', deviceIds: [deviceIds[0]] });
    await t.app.scheduler.tick();
    await t.app.services.upgrades.reportDeviceEvents([
      { deviceId: deviceIds[0]!, event: { type: 'failed', reason: 'write_failed' } },
    ]);
    await t.app.scheduler.tick();
    const [failed] = (await t.admin.get(`/api/v1/plans/${first}/upgrades`)).json().items;
    assert.equal(failed.status, 'failure');
    const second = await make('second', { kind: 'all' });

    const refused = await t.admin.post(`/api/v1/device-upgrades/${failed.id}/retry`);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().code, 'PLAN_CONFLICT');
    assert.equal(refused.json().details.planId, second);
    assert.equal((await t.admin.get(`/api/v1/plans/${first}`)).json().status, 'completed');
    const bulk = await t.admin.post(`/api/v1/plans/${first}/upgrades/retry`, { upgradeIds: [failed.id] });
    assert.equal(bulk.statusCode, 200, bulk.body);
    assert.deepEqual(bulk.json(), {
      affected: 0,
      items: [
        {
          upgradeId: failed.id,
          deviceId: deviceIds[0],
          accepted: false,
          refusal: 'device_busy',
          status: 'failure',
        },
      ],
    });
  });

  it('enrols devices added to a targeted group while the plan runs, and not those of other groups', async () => {
    const { productId, packageId, deviceIds } = await fleet(4);
    const group = async (name: string, members: number[]) => {
      const created = (await t.admin.post('/api/v1/groups', { productId, name })).json();
      if (members.length > 0) {
        const added = await t.admin.post(`/api/v1/groups/${created.id}/members`, { deviceIds: members });
        assert.equal(added.json().added, members.length, added.body);
      }
      return created.id as number;
    };
    const targeted = await group('pilot', [deviceIds[0]!]);
    const other = await group('others', []);
    const plan = (
      await t.admin.post('/api/v1/plans', {
        name: 'pilot group',
        productId,
        firmwarePackageId: packageId,
        target: { kind: 'groups', groupIds: [targeted] },
      })
    ).json();
    assert.equal((await t.admin.post(`/api/v1/plans/${plan.id}/publish`)).json().status, 'running');
    await t.app.scheduler.tick();
    const enrolled = async () =>
      ((await t.admin.get(`/api/v1/plans/${plan.id}/upgrades`)).json().items as { deviceId: number }[])
        .map((u) => u.deviceId)
        .sort((a, b) => a - b);
    assert.deepEqual(await enrolled(), [deviceIds[0]]);

    t.clock.advance(60_000);
    await t.admin.post(`/api/v1/groups/${targeted}/members`, { deviceIds: [deviceIds[1], deviceIds[2]] });
    await t.admin.post(`/api/v1/groups/${other}/members`, { deviceIds: [deviceIds[3]] });
    t.clock.advance(60_000);
    await t.app.scheduler.tick();
    assert.deepEqual(await enrolled(), deviceIds.slice(0, 3));
  });

  it('counts the targets of a plan body before it is saved, as the saved plan counts them, storing nothing', async () => {
    const { productId, packageId, deviceIds } = await fleet(6);
    const [d0, d1, d2] = deviceIds as [number, number, number];
    const viewer = await t.as('viewer');
    const count = async (fields: object, firmwarePackageId = packageId) => {
      const answer = await viewer.post('/api/v1/plans/targets', { productId, firmwarePackageId, ...fields });
      assert.equal(answer.statusCode, 200, answer.body);
      return answer.json();
    };
    assert.deepEqual(await count({ target: { kind: 'all' } }), {
      devices: 6,
      waves: [],
      busy: 0,
      busyDeviceIds: [],
    });
    const group = (await t.admin.post('/api/v1/groups', { productId, name: 'preview' })).json();
    await t.admin.post(`/api/v1/groups/${group.id}/members`, { deviceIds: [d0, d1] });
    assert.equal((await count({ target: { kind: 'groups', groupIds: [group.id] } })).devices, 2);
    assert.equal((await count({ target: { kind: 'versions', versions: ['1.0'] } })).devices, 3);
    const listed = { target: { kind: 'all' }, whitelist: [d0, d1, d2], blacklist: [d1] };
    assert.equal((await count(listed)).devices, 2, 'the blacklist wins over the whitelist');
    const delta = await seedPackage(t.app.database, productId, '2.0', { sourceVersion: '1.1' });
    assert.equal((await count({ target: { kind: 'all' } }, delta)).devices, 3, 'devices at 1.1 only');

    const before = (await viewer.get(`/api/v1/plans?productId=${productId}`)).json().items.length;
    const busy = {
      name: 'busy',
      productId,
      firmwarePackageId: packageId,
      target: { kind: 'devices', deviceIds: [d2] },
    };
    const held = (await t.admin.post('/api/v1/plans', busy)).json();
    assert.equal((await t.admin.post(`/api/v1/plans/${held.id}/publish`)).json().status, 'running');
    assert.deepEqual(await count({ target: { kind: 'all' } }), {
      devices: 6,
      waves: [],
      busy: 1,
      busyDeviceIds: [d2],
    });
    const saved = (await viewer.get(`/api/v1/plans?productId=${productId}`)).json().items.length;
    assert.equal(saved, before + 1, 'only the plan created here is stored');

    const bad = await viewer.post('/api/v1/plans/targets', {
      productId,
      firmwarePackageId: packageId,
      target: { kind: 'devices', deviceIds: [] },
      concurrency: 20_000,
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'VALIDATION_FAILED');
    assert.deepEqual(
      bad
        .json()
        .details.issues.map((i: { path: string }) => i.path)
        .sort(),
      ['concurrency', 'target.deviceIds'],
    );
    const unknown = await viewer.post('/api/v1/plans/targets', {
      productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
      colour: 1,
    });
    assert.equal(unknown.json().code, 'UNKNOWN_FIELD');
    assert.equal((await viewer.get(`/api/v1/plans?productId=${productId}`)).json().items.length, saved);
  });

  it('validates plan bodies with coded issues and refuses unknown fields', async () => {
    const { productId, packageId } = await fleet(1);
    const bad = await t.admin.post('/api/v1/plans', {
      name: '',
      productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
      concurrency: 20_000,
    });
    assert.equal(bad.json().code, 'VALIDATION_FAILED');
    assert.deepEqual(
      bad
        .json()
        .details.issues.map((i: { path: string }) => i.path)
        .sort(),
      ['concurrency', 'name'],
    );
    const unknown = await t.admin.post('/api/v1/plans', {
      name: 'n',
      productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
      colour: 1,
    });
    assert.equal(unknown.json().code, 'UNKNOWN_FIELD');
  });

  it('publishes every plan route in the OpenAPI document', async () => {
    const doc = (await t.anonymous.get('/openapi.json')).json();
    for (const path of [
      '/api/v1/plans',
      '/api/v1/plans/{id}',
      '/api/v1/plans/{id}/publish',
      '/api/v1/plans/{id}/pause',
      '/api/v1/plans/{id}/report',
      '/api/v1/plans/{id}/targets',
      '/api/v1/plans/targets',
      '/api/v1/plans/{id}/export',
      '/api/v1/plans/{id}/upgrades/retry',
      '/api/v1/plans/{id}/upgrades/confirm',
      '/api/v1/device-upgrades/{id}',
      '/api/v1/device-upgrades/{id}/reject',
      '/api/v1/devices/{id}/pending-upgrades',
      '/api/v1/products/{id}/fleet',
      '/api/v1/plan-settings',
    ]) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
  });
});
