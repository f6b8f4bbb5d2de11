// The MQTT transport on the embedded broker, over real sockets with mqtt.js devices: ThingsPanel
// v0.5 topics (protocols.md §1), pushes and re-pushes, gateways, persistent sessions, and every
// refusal and malformed input (dropped with a reason, the session stays up, nothing changes).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { skipReason } from '../../test-support/test-database.ts';
import {
  createDeviceFleet,
  type DeviceFleet,
  type TestDevice,
} from '../http/device-api/test-device-fleet.ts';
import { connectDevice, eventually, type TestMqttDevice } from './test-mqtt-device.ts';

const skip = (await skipReason()) ?? false;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

describe('MQTT transport, embedded broker', { skip }, () => {
  let f: DeviceFleet;
  let url: string;
  const open: TestMqttDevice[] = [];
  before(async () => {
    f = await createDeviceFleet({ count: 6, settings: { mqttPort: 0, mqttHost: '127.0.0.1' } });
    url = (await f.t.app.startMqtt()).url;
  });
  after(async () => {
    for (const device of open) await device.close().catch(() => {});
    await f.close();
  });

  const usernameOf = (d: TestDevice) => d.res.replace(/^products\//, '').replace('/devices/', '.');
  async function connect(d: TestDevice, options = {}, subscribe = true) {
    const device = await connectDevice(url, usernameOf(d), d.secret, options);
    open.push(device);
    if (subscribe) await device.client.subscribeAsync(`ota/device/inform/${device.username}`, { qos: 1 });
    return device;
  }
  const pushes = (device: TestMqttDevice) => `ota/device/inform/${device.username}`;
  async function stateOf(d: TestDevice, planId = f.planId) {
    const page = await f.t.app.services.plans.listUpgrades(planId, { deviceId: d.id }, { limit: 10 });
    return page.items[0]!.state;
  }

  it('pushes a waiting upgrade on subscribe; the device downloads it and reports to Success', async () => {
    const d = f.devices[0]!;
    const device = await connect(d);
    const push = await device.next(pushes(device), (b) => b['code'] === 200);
    const params = push['params'] as Record<string, unknown>;
    assert.equal(params['version'], '2.0');
    assert.equal(params['size'], f.firmware.length);
    assert.equal(params['signMethod'], 'MD5');
    assert.equal(params['sign'], md5(f.firmware));
    assert.equal(params['sha256'], sha256(f.firmware));
    assert.equal(params['module'], undefined, 'the default module is left out (§1.4)');
    assert.match(String(push['id']), /^\d{9}$/);
    const res = await fetch(String(params['url']), { headers: { range: 'bytes=0-' } });
    assert.equal(res.status, 206);
    assert.equal(sha256(Buffer.from(await res.arrayBuffer())), sha256(f.firmware));

    await device.publish('ota/device/progress', { step: '30', desc: 'downloading', module: 'default' });
    await eventually(async () => ((await stateOf(d)).progress === 30 ? true : undefined));
    assert.equal((await stateOf(d)).status, 'upgrading');
    await device.publish('ota/device/progress', { step: 100, desc: 'done' });
    await eventually(async () => ((await stateOf(d)).status === 'success' ? true : undefined));
    // The device restarts and informs its new version: nothing more is pushed.
    await device.publish('ota/device/inform', { id: '1', params: { version: '2.0', module: 'default' } });
    const seen = await eventually(async () => {
      const found = await f.t.app.services.devices.getDevice(d.id);
      return found.lastSeenAt !== null ? found : undefined;
    });
    assert.ok(seen.lastSeenAt);
  });

  it('pushes again on each of three mismatching informs while upgrading and fails the fourth (§1.7)', async () => {
    const d = f.devices[1]!;
    const device = await connect(d);
    await device.next(pushes(device), (b) => b['code'] === 200);
    await device.publish('ota/device/progress', { step: 10, desc: 'downloading' });
    await eventually(async () => ((await stateOf(d)).status === 'upgrading' ? true : undefined));
    for (let round = 1; round <= 3; round++) {
      await device.publish('ota/device/inform', { id: String(round), params: { version: '1.0' } });
      await device.next(pushes(device), (b) => b['code'] === 200);
      assert.equal((await stateOf(d)).mismatchCount, round);
    }
    await device.publish('ota/device/inform', { id: '4', params: { version: '1.0' } });
    const failed = await eventually(async () => {
      const state = await stateOf(d);
      return state.status === 'failure' ? state : undefined;
    });
    assert.equal(failed.failureReason, 'version_mismatch');
  });

  it('lets a gateway take upgrades for its own sub-devices only', async () => {
    const gateway = await connect(f.gateway);
    const subName = usernameOf(f.sub);
    const push = await gateway.next(pushes(gateway), (b) => b['device'] === subName);
    assert.equal((push['params'] as Record<string, unknown>)['version'], '2.0');
    const before = await stateOf(f.devices[2]!);
    // Not its sub-device: refused with a reason on its own topic, nothing changes.
    await gateway.publish('ota/device/progress', { step: 100, device: usernameOf(f.devices[2]!) });
    const refusal = await gateway.next(pushes(gateway), (b) => b['code'] === 403);
    assert.match(String(refusal['message']), /not this gateway's sub-device/);
    assert.deepEqual(await stateOf(f.devices[2]!), before);

    const subPlan = (await f.t.app.services.plans.listPlans({}, { limit: 10 })).items.find(
      (p) => p.name === 'sensors',
    )!;
    await gateway.publish('ota/device/progress', { step: 100, device: subName });
    await eventually(async () =>
      (await stateOf(f.sub, subPlan.id)).status === 'success' ? true : undefined,
    );
    assert.ok(gateway.client.connected);
  });

  it('keeps a persistent session across a reconnect mid-upgrade', async () => {
    const d = f.devices[3]!;
    const options = { clientId: `persistent-${d.id}`, clean: false };
    const first = await connect(d, options);
    await first.next(pushes(first), (b) => b['code'] === 200);
    await first.publish('ota/device/progress', { step: 40 });
    await eventually(async () => ((await stateOf(d)).progress === 40 ? true : undefined));
    await first.close();

    // Back without subscribing again: the broker kept the subscription, so a re-push arrives.
    const second = await connect(d, options, false);
    await second.publish('ota/device/inform', { id: '9', params: { version: '1.0' } });
    const again = await second.next(pushes(second), (b) => b['code'] === 200);
    assert.equal((again['params'] as Record<string, unknown>)['version'], '2.0');
    await second.publish('ota/device/progress', { step: 100 });
    await eventually(async () => ((await stateOf(d)).status === 'success' ? true : undefined));
  });

  it('refuses bad credentials, foreign subscriptions and publishing for another device', async () => {
    const d = f.devices[4]!;
    await assert.rejects(connectDevice(url, usernameOf(d), 'not-the-secret'));
    await assert.rejects(connectDevice(url, 'no-such.device', d.secret));
    await assert.rejects(connectDevice(url, usernameOf(d), ''));
    const device = await connect(d);
    await device.next(pushes(device), (b) => b['code'] === 200);
    // A foreign push topic is not granted (SUBACK 0x80; mqtt.js turns it into an error).
    await assert.rejects(
      device.client.subscribeAsync(`ota/device/inform/${usernameOf(f.devices[5]!)}`),
      /Subscribe error/,
    );
    const before = await stateOf(f.devices[5]!);
    await device.publish(`ota/up/${usernameOf(f.devices[5]!)}/progress`, { step: 100 });
    const refusal = await device.next(pushes(device), (b) => b['code'] === 403);
    assert.match(String(refusal['message']), /not this device's topic/);
    assert.deepEqual(await stateOf(f.devices[5]!), before);
    assert.ok(device.client.connected, 'the session stays up');
  });

  it('drops malformed JSON, unknown modules and steps out of range with a reason, changing nothing', async () => {
    const d = f.devices[5]!;
    const device = await connect(d);
    await device.next(pushes(device), (b) => b['code'] === 200);
    const before = await stateOf(d);
    const cases: [string, unknown, number, RegExp][] = [
      ['ota/device/inform', '{"id": "1", "params": ', 400, /not JSON/],
      ['ota/device/inform', { id: '2', params: {} }, 400, /version/],
      ['ota/device/inform', { id: '3', params: { version: '1.0', module: 'flux' } }, 404, /unknown_module/],
      ['ota/device/inform', [1, 2], 400, /not a JSON object/],
      ['ota/device/progress', { step: 150 }, 400, /step/],
      ['ota/device/progress', { step: 0 }, 400, /step/],
      ['ota/device/progress', { step: 'abc' }, 400, /step/],
      ['ota/device/progress', 'x'.repeat(20_000), 400, /16 KiB|not JSON/],
      ['ota/device/progress', { step: 50, module: 'bad module!' }, 400, /module/],
    ];
    for (const [topic, payload, code, message] of cases) {
      await device.publish(topic, payload);
      const reply = await device.next(pushes(device), (b) => b['code'] !== 200);
      assert.equal(reply['code'], code, `${topic} ${JSON.stringify(payload).slice(0, 40)}`);
      assert.match(String(reply['message']), message);
    }
    assert.deepEqual(await stateOf(d), before, 'nothing changed');
    assert.ok(device.client.connected, 'the session stays up');
    // And it still works.
    await device.publish('ota/device/progress', { step: 100 });
    await eventually(async () => ((await stateOf(d)).status === 'success' ? true : undefined));
  });
});
