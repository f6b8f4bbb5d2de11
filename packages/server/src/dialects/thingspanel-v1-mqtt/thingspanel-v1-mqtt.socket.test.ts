// ThingsPanel v1 on the embedded broker, over real sockets: plan-start pushes go only to the
// topics a product's devices speak (v0.5, v1, both; v1's typo topic as a product option), v1
// progress on the shared and the per-device topic, step 100 as success with the target as the
// device's version, refusals on the v1 topic, the ACL, and a gateway for its sub-device.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firmwareForm } from '../../test-support/device-fleet.ts';
import { connectDevice, eventually, type TestMqttDevice } from '../../test-support/mqtt-device.ts';
import { createTestApp, type TestApp } from '../../test-support/test-app.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const isPush = (body: Record<string, unknown>) => body['code'] === 200;
const topics = (username: string) => ({
  v05: `ota/device/inform/${username}`,
  v1: `ota/devices/inform/${username}`,
  typo: `ota/devices/infrom/${username}`,
});

interface Device {
  id: number;
  username: string;
  secret: string;
}

describe('ThingsPanel v1 over the embedded broker', { skip }, () => {
  let t: TestApp;
  let url: string;
  const open: TestMqttDevice[] = [];
  before(async () => {
    t = await createTestApp({ mqttPort: 0, mqttHost: '127.0.0.1' });
    await t.app.scheduler.stop();
    url = (await t.app.startMqtt()).url;
  });
  after(async () => {
    for (const device of open) await device.close().catch(() => {});
    await t?.close();
  });

  /** A product speaking `protocols` with devices on 1.0, package 2.0, and a plan waiting for its start. */
  async function productWith(
    name: string,
    protocols: string[],
    options: { nodeType?: string; devices?: string[]; gatewayId?: number } = {},
  ) {
    const product = (
      await t.admin.post('/api/v1/products', { name, protocols, nodeType: options.nodeType ?? 'direct' })
    ).json();
    const devices: Device[] = [];
    for (const device of options.devices ?? [`${name}-0`]) {
      const res = await t.admin.post(`/api/v1/products/${product.id}/devices`, {
        name: device,
        versions: { default: '1.0' },
        ...(options.gatewayId !== undefined && { gatewayId: options.gatewayId }),
      });
      assert.equal(res.statusCode, 201, res.body);
      const { device: created, secret } = res.json();
      devices.push({ id: created.id, username: `${product.productKey}.${device}`, secret });
    }
    const upload = await t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${product.id}/firmware`,
      ...firmwareForm('2.0', [{ name: 'app.bin', content: Buffer.alloc(4096, 7) }]),
    });
    assert.equal(upload.statusCode, 201, upload.body);
    const plans = t.app.services.plans;
    const plan = await plans.createPlan(
      {
        name,
        productId: product.id,
        firmwarePackageId: upload.json().id,
        target: { kind: 'all' },
        start: { mode: 'manual' },
      },
      'test',
    );
    await plans.publish(plan.id, 'test');
    const start = async () => {
      await plans.runAction(plan.id, 'start', 'test');
      await plans.tickPlan(plan.id, 'test', 60_000);
    };
    return { product, devices, planId: plan.id, start };
  }

  async function connect(d: Device, subscribe: string[]) {
    const device = await connectDevice(url, d.username, d.secret);
    open.push(device);
    for (const topic of subscribe) await device.client.subscribeAsync(topic, { qos: 1 });
    return device;
  }
  const stateOf = async (planId: number, deviceId: number) =>
    (await t.app.services.plans.listUpgrades(planId, { deviceId }, { limit: 1 })).items[0]!.state;
  const until = (planId: number, deviceId: number, test: (s: { status: string }) => boolean) =>
    eventually(async () => {
      const state = await stateOf(planId, deviceId);
      return test(state) ? state : undefined;
    });

  it("pushes at a plan's start only on the topics its product's devices speak", async () => {
    const cases = [
      { protocols: ['mqtt'], expected: ['v05'] },
      { protocols: ['thingspanel-v1'], expected: ['v1'] },
      { protocols: ['mqtt', 'thingspanel-v1'], expected: ['v05', 'v1'] },
      { protocols: ['thingspanel-v1', 'thingspanel-v1-infrom'], expected: ['v1', 'typo'] },
      { protocols: ['http'], expected: [] },
    ] as const;
    for (const [i, c] of cases.entries()) {
      const { devices, start } = await productWith(`route-${i}`, [...c.protocols]);
      const d = devices[0]!;
      const named = topics(d.username);
      const device = await connect(d, Object.values(named));
      await start();
      for (const which of c.expected) await device.next(named[which], isPush);
      // Give any other push the time to arrive: none may.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const got = [...new Set(device.received.filter((m) => isPush(m.body)).map((m) => m.topic))];
      assert.deepEqual(got.sort(), c.expected.map((which) => named[which]).sort(), c.protocols.join(','));
    }
  });

  it("takes v1 progress on the shared and the per-device topic; step 100 is success and the target the device's version", async () => {
    const { devices, planId, start } = await productWith('v1-ok', ['thingspanel-v1']);
    await start();
    const d = devices[0]!;
    const device = await connect(d, [topics(d.username).v1]);
    const push = await device.next(topics(d.username).v1, isPush);
    assert.equal((push['params'] as Record<string, unknown>)['version'], '2.0');
    await device.publish('ota/devices/progress', { step: '30', desc: 'downloading' });
    const upgrading = await until(planId, d.id, (s) => s.status === 'upgrading');
    assert.equal((upgrading as { progress: number }).progress, 30);
    await device.publish(`ota/devices/progress/${d.username}`, { step: 100, desc: 'done' });
    await until(planId, d.id, (s) => s.status === 'success');
    const detail = await t.app.services.devices.getDeviceDetail(d.id);
    assert.equal(detail.versions.find((v) => v.module === 'default')?.version, '2.0');
  });

  it('turns an upgrade that only a timeout ended into success on a late step 100, with the version', async () => {
    const { devices, planId, start } = await productWith('v1-late', ['thingspanel-v1']);
    await start();
    const d = devices[0]!;
    const device = await connect(d, [topics(d.username).v1]);
    await device.next(topics(d.username).v1, isPush);
    await device.publish('ota/devices/progress', { step: 40 });
    await until(planId, d.id, (s) => s.status === 'upgrading');
    t.clock.advance(24 * 3600_000);
    await t.app.services.plans.tickPlan(planId, 'test', 60_000);
    const failed = await until(planId, d.id, (s) => s.status === 'failure');
    assert.equal((failed as { failureReason: string }).failureReason, 'timeout');
    await device.publish('ota/devices/progress', { step: 100 });
    await until(planId, d.id, (s) => s.status === 'success');
    const detail = await t.app.services.devices.getDeviceDetail(d.id);
    assert.equal(detail.versions.find((v) => v.module === 'default')?.version, '2.0');
  });

  it('fails on a negative step, and answers a bad message or a foreign topic on the v1 topic', async () => {
    const { devices, planId, start } = await productWith('v1-fail', ['thingspanel-v1'], {
      devices: ['f-0', 'f-1'],
    });
    await start();
    const [d, other] = [devices[0]!, devices[1]!];
    const device = await connect(d, [topics(d.username).v1]);
    await device.next(topics(d.username).v1, isPush);
    await device.publish('ota/devices/progress', { step: 'x' });
    const malformed = await device.next(topics(d.username).v1, (b) => b['code'] === 400);
    assert.match(String(malformed['message']), /step/);
    await device.publish(`ota/devices/progress/${other.username}`, { step: 50 });
    const foreign = await device.next(topics(d.username).v1, (b) => b['code'] === 403);
    assert.match(String(foreign['message']), /not this device's topic/);
    assert.equal(
      (await stateOf(planId, other.id)).status,
      'pushed',
      "the other device's upgrade is untouched",
    );
    await device.publish('ota/devices/progress', { step: -3, desc: 'md5 mismatch' });
    const failed = await until(planId, d.id, (s) => s.status === 'failure');
    assert.equal((failed as { failureReason: string }).failureReason, 'check_failed');
  });

  it("refuses a subscription to another device's v1 topics", async () => {
    const { devices } = await productWith('v1-acl', ['thingspanel-v1'], { devices: ['a-0', 'a-1'] });
    const device = await connect(devices[0]!, []);
    const foreign = [
      topics(devices[1]!.username).v1,
      topics(devices[1]!.username).typo,
      'ota/devices/inform/#',
    ];
    // MQTT 3.1.1 §3.9.3: return code 0x80 in the SUBACK, which mqtt.js turns into an error.
    for (const topic of foreign) {
      await assert.rejects(device.client.subscribeAsync(topic, { qos: 1 }), /Subscribe error/, topic);
    }
    const [own] = await device.client.subscribeAsync(topics(devices[0]!.username).typo, { qos: 1 });
    assert.equal(own?.qos, 1);
  });

  it("lets a v1 gateway take its sub-device's upgrade on its own v1 topic", async () => {
    const gateway = await productWith('v1-gw', ['thingspanel-v1'], {
      nodeType: 'gateway',
      devices: ['gw-0'],
    });
    const gw = gateway.devices[0]!;
    const sensors = await productWith('v1-sensor', ['thingspanel-v1'], {
      nodeType: 'subdevice',
      devices: ['s-0'],
      gatewayId: gw.id,
    });
    const sub = sensors.devices[0]!;
    const device = await connect(gw, [topics(gw.username).v1]);
    await sensors.start();
    const push = await device.next(topics(gw.username).v1, isPush);
    assert.equal(push['device'], sub.username);
    await device.publish('ota/devices/progress', { step: 100, device: sub.username });
    await until(sensors.planId, sub.id, (s) => s.status === 'success');
  });
});
