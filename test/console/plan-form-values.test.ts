// A saved draft as the plan form's values (plan-form-values.ts) and back (plan-input.ts): a draft
// of every kind of field, read from the API, filled into the form and saved again unchanged with
// PUT /plans/:id; its start and deadline shown as the wall-clock time of the plan's zone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type App, buildApp, loadConfig } from '@updraft/server';
import type { Plan } from '../../packages/console/src/api/types.ts';
import { formValuesOf, pickedOf } from '../../packages/console/src/pages/plans/plan-form-values.ts';
import { toPlanInput } from '../../packages/console/src/pages/plans/plan-input.ts';
import { firmwareForm } from '../../packages/server/src/test-support/device-fleet.ts';

describe('a draft in the plan form', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-plan-form-'));
  let app: App;
  let headers: Record<string, string>;
  const call = async (method: string, url: string, payload?: object) => {
    const answer = await app.http.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload && { payload }),
    });
    assert.ok(answer.statusCode < 300, `${method} ${url}: ${answer.body}`);
    return answer.json();
  };

  before(async () => {
    app = await buildApp(loadConfig({}, { dataDir, logLevel: 'silent' }), { scheduler: false });
    const key = await app.services.accounts.createApiKey(null, { name: 'plan form', role: 'admin' });
    headers = { authorization: `Bearer ${key.secret}` };
  });
  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('saves every field again unchanged', async () => {
    const product = await call('POST', '/api/v1/products', { name: 'Meter' });
    const form = firmwareForm('2.0', [{ name: 'app.bin', content: Buffer.alloc(2048, 3) }]);
    const uploaded = await app.http.inject({
      method: 'POST',
      url: `/api/v1/products/${product.id}/firmware`,
      headers: { ...headers, ...form.headers },
      payload: form.payload,
    });
    assert.equal(uploaded.statusCode, 201, uploaded.body);
    const group = await call('POST', '/api/v1/groups', { productId: product.id, name: 'north' });
    const device = await call('POST', `/api/v1/products/${product.id}/devices`, { name: 'm-1' });
    const created: Plan = await call('POST', '/api/v1/plans', {
      name: 'Everything',
      productId: product.id,
      firmwarePackageId: uploaded.json().id,
      specifiedVersions: ['1.0', '1.1'],
      target: { kind: 'groups', groupIds: [group.id] },
      blacklist: [device.device.id],
      mode: 'manual',
      texts: { zh: '修复', en: 'Fixes' },
      start: { mode: 'at', at: '2031-03-04T01:30:00.000Z' },
      deadline: '2031-03-10T16:00:00.000Z',
      timeZone: 'Asia/Shanghai',
      pushWindow: { fromHour: 22, toHour: 6 },
      pushActively: false,
      minSignal: -90,
      minBattery: 20,
      minFreeSpace: 4096,
      retry: { attempts: 3, intervalSeconds: 120 },
      concurrency: 5,
      failureThreshold: { percent: 10, minFinished: 4 },
      pushPeriodSeconds: 900,
      upgradeTimeoutSeconds: 7200,
      rejectionPeriodSeconds: 3600,
      healthWindowSeconds: 600,
      waves: [{ percent: 10, successPercent: 90, errorPercent: 5, soakSeconds: 300, manualGate: true }, {}],
    });
    const values = formValuesOf(created);
    // The start as the wall-clock time of the plan's zone: 09:30 in Shanghai.
    assert.equal(values.startAt?.format('YYYY-MM-DDTHH:mm:ss'), '2031-03-04T09:30:00');
    const saved: Plan = await call('PUT', `/api/v1/plans/${created.id}`, toPlanInput(values));
    const { updatedAt: _a, ...before } = created;
    const { updatedAt: _b, ...after } = saved;
    assert.deepEqual(after, before);
  });

  it('saves a plan of defaults, a device list and no zone again unchanged', async () => {
    const [product] = (await call('GET', '/api/v1/products')).items;
    const [firmware] = (await call('GET', '/api/v1/firmware')).items;
    const [device] = (await call('GET', '/api/v1/devices')).items;
    const created: Plan = await call('POST', '/api/v1/plans', {
      name: 'Defaults',
      productId: product.id,
      firmwarePackageId: firmware.id,
      target: { kind: 'devices', deviceIds: [device.id] },
      deadline: '2031-03-10T16:00:00.000Z',
    });
    const saved: Plan = await call('PUT', `/api/v1/plans/${created.id}`, toPlanInput(formValuesOf(created)));
    const { updatedAt: _a, ...before } = created;
    const { updatedAt: _b, ...after } = saved;
    assert.deepEqual(after, before);
  });

  it('reads an instant as the wall-clock time of a zone, or of the browser without one', () => {
    assert.equal(
      pickedOf('2031-01-01T23:15:00.000Z', 'Asia/Tokyo').format('YYYY-MM-DD HH:mm'),
      '2031-01-02 08:15',
    );
    assert.equal(pickedOf('2031-01-01T23:15:00.000Z', null).toISOString(), '2031-01-01T23:15:00.000Z');
  });
});
