// Pushes over the embedded broker when a plan starts: every online device of the plan is pushed
// (QoS 1), offline ones when they come online, manual plans only after confirmation.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../test-support/test-app.ts';
import { skipReason } from '../../test-support/test-database.ts';
import { connectDevice, eventually, type TestMqttDevice } from './test-mqtt-device.ts';

const skip = (await skipReason()) ?? false;

describe('MQTT pushes when a plan starts', { skip }, () => {
  let t: TestApp;
  let url: string;
  let productId: number;
  let productKey: string;
  let packageId: number;
  const secrets = new Map<string, string>();
  const open: TestMqttDevice[] = [];
  before(async () => {
    t = await createTestApp({ mqttPort: 0, mqttHost: '127.0.0.1' });
    const product = (await t.admin.post('/api/v1/products', { name: 'Lamp', signMethod: 'sha256' })).json();
    productId = product.id;
    productKey = product.productKey;
    for (const name of ['on-1', 'on-2', 'on-3', 'off-1', 'man-1']) {
      const res = await t.admin.post(`/api/v1/products/${productId}/devices`, {
        name,
        versions: { default: '1.0' },
      });
      secrets.set(name, res.json().secret);
    }
    const boundary = 'push-test';
    const upload = await t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${productId}/firmware`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n3.0\r\n`),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="lamp.bin"\r\n\r\n`,
        ),
        Buffer.alloc(4096, 7),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
    packageId = upload.json().id;
    await t.app.scheduler.stop();
    await t.app.http.listen({ host: '127.0.0.1', port: 0 });
    url = (await t.app.startMqtt()).url;
  });
  after(async () => {
    for (const device of open) await device.close().catch(() => {});
    await t.close();
  });

  async function online(name: string) {
    const device = await connectDevice(url, `${productKey}.${name}`, secrets.get(name)!);
    open.push(device);
    await device.client.subscribeAsync(`ota/device/inform/${device.username}`, { qos: 1 });
    return device;
  }
  async function startPlan(spec: { target: { kind: 'devices'; deviceIds: number[] }; mode?: 'manual' }) {
    const plans = t.app.services.plans;
    const plan = await plans.createPlan(
      { name: 'lamps', productId, firmwarePackageId: packageId, ...spec },
      'test',
    );
    await plans.publish(plan.id, 'test');
    await plans.tickPlan(plan.id, 'test', 60_000);
    return plan.id;
  }

  it('pushes every online device at start, and an offline one when it comes online', async () => {
    const devices = await Promise.all(['on-1', 'on-2', 'on-3'].map(online));
    // Nothing waits yet: connecting pushed nothing.
    assert.equal(devices.flatMap((d) => d.received).length, 0);
    const ids = await Promise.all(
      ['on-1', 'on-2', 'on-3', 'off-1'].map(
        async (name) =>
          (await t.app.services.devices.listDevices({ productId, q: name }, { limit: 1 })).items[0]!.id,
      ),
    );
    const planId = await startPlan({ target: { kind: 'devices', deviceIds: ids } });
    for (const device of devices) {
      const push = await device.next(`ota/device/inform/${device.username}`);
      const params = push['params'] as Record<string, unknown>;
      assert.equal(params['version'], '3.0');
      assert.equal(params['signMethod'], 'SHA256');
      assert.equal(String(params['sign']).length, 64);
    }
    const late = await online('off-1');
    const push = await late.next(`ota/device/inform/${late.username}`);
    assert.equal((push['params'] as Record<string, unknown>)['version'], '3.0');
    const report = await t.app.services.plans.report(planId, 60_000);
    assert.equal(report.counts.pushed, 4);
  });

  it('pushes a manual plan only once the upgrade is confirmed', async () => {
    const device = await online('man-1');
    const id = (await t.app.services.devices.listDevices({ productId, q: 'man-1' }, { limit: 1 })).items[0]!
      .id;
    const planId = await startPlan({ target: { kind: 'devices', deviceIds: [id] }, mode: 'manual' });
    // An inform while waiting for confirmation is no push.
    await device.publish('ota/device/inform', { id: '1', params: { version: '1.0' } });
    await eventually(async () => {
      const found = await t.app.services.devices.getDevice(id);
      return found.lastSeenAt !== null ? true : undefined;
    });
    assert.equal(device.received.length, 0);
    const upgrade = (await t.app.services.plans.listUpgrades(planId, { deviceId: id }, { limit: 1 }))
      .items[0]!;
    assert.equal(upgrade.state.confirmation, 'awaiting');
    const confirmed = await t.admin.post(`/api/v1/device-upgrades/${upgrade.id}/confirm`, {});
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    await t.app.services.plans.tickPlan(planId, 'test', 60_000);
    const push = await device.next(`ota/device/inform/${device.username}`);
    assert.equal((push['params'] as Record<string, unknown>)['version'], '3.0');
    const port = (t.app.http.server.address() as AddressInfo).port;
    const link = String((push['params'] as Record<string, unknown>)['url']);
    assert.match(link, new RegExp(`:${port}/device/v1/download/ota_`));
  });
});
