// What the MQTT transport does whichever broker carries it: one suite, run over real sockets
// with mqtt.js devices against the embedded broker and against a real Mosquitto
// (mqtt-embedded.socket.test.ts, mqtt-external.socket.test.ts). ThingsPanel v0.5 topics and
// payloads (protocols.md §1 with §0's corrections); docs/mqtt.md.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { IClientOptions } from 'mqtt';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../device-fleet.ts';
import { eventually, type TestMqttDevice } from '../mqtt-device.ts';

export interface BrokerHarness {
  name: string;
  /** App settings for this broker (a fresh share group, the broker's URL). */
  settings(): Record<string, unknown>;
  /** Connects the device as it would in the field: signs in, subscribes to its push topic. */
  connect(
    f: DeviceFleet,
    url: string,
    d: TestDevice,
    options?: IClientOptions & { subscribe?: boolean },
  ): Promise<TestMqttDevice>;
  /**
   * Whether Updraft itself answers the devices' PUBACKs (the embedded broker). An external
   * broker acknowledges devices by itself; Updraft's acknowledgement to it is tested by a crash
   * (test/mqtt-redelivery.test.ts).
   */
  acknowledgesDevices: boolean;
  /** The topic the device publishes informs or progress on. */
  uplink(username: string, kind: 'inform' | 'progress'): string;
}

export const usernameOf = (d: TestDevice) => d.res.replace(/^products\//, '').replace('/devices/', '.');
export const pushesOf = (device: TestMqttDevice) => `ota/device/inform/${device.username}`;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
const isPush = (b: Record<string, unknown>) => b['code'] === 200;
const paramsOf = (b: Record<string, unknown>) => b['params'] as Record<string, unknown>;

export async function stateOf(f: DeviceFleet, d: TestDevice, planId = f.planId) {
  const page = await f.t.app.services.plans.listUpgrades(planId, { deviceId: d.id }, { limit: 10 });
  return page.items[0]!.state;
}

async function until(
  f: DeviceFleet,
  d: TestDevice,
  test: (s: Awaited<ReturnType<typeof stateOf>>) => boolean,
) {
  return eventually(async () => {
    const state = await stateOf(f, d);
    return test(state) ? state : undefined;
  });
}

/** Runs ack-probe-child.ts: a device publishing while another process holds the write lock. */
async function runAckProbe(args: Record<string, unknown>): Promise<{ ackedWhileLocked: boolean }> {
  const child = new URL('../ack-probe-child.ts', import.meta.url).pathname;
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [child, JSON.stringify(args)], { timeout: 30_000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
    ),
  );
  return JSON.parse(stdout) as { ackedWhileLocked: boolean };
}

export function describeMqttTransport(harness: BrokerHarness, skip: string | false): void {
  describe(`MQTT transport (${harness.name}): one fleet, a running plan`, { skip }, () => {
    let f: DeviceFleet;
    let url: string;
    const open: TestMqttDevice[] = [];
    before(async () => {
      f = await createDeviceFleet({ count: 6, settings: harness.settings() });
      url = (await f.t.app.startMqtt()).url;
    });
    after(async () => {
      for (const device of open) await device.close().catch(() => {});
      await f?.close();
    });
    async function connect(d: TestDevice, options: IClientOptions & { subscribe?: boolean } = {}) {
      const device = await harness.connect(f, url, d, options);
      open.push(device);
      return device;
    }
    const up = (device: TestMqttDevice, kind: 'inform' | 'progress') => harness.uplink(device.username, kind);

    it('pushes the waiting upgrade when the device connects; it downloads and reports to Success', async () => {
      const d = f.devices[0]!;
      const device = await connect(d);
      const push = await device.next(pushesOf(device), isPush);
      const params = paramsOf(push);
      assert.equal(params['version'], '2.0');
      assert.equal(params['size'], f.firmware.length);
      assert.equal(params['signMethod'], 'MD5');
      assert.equal(params['sign'], md5(f.firmware));
      assert.equal(params['sha256'], sha256(f.firmware));
      assert.equal(params['module'], undefined, 'the default module is left out (§1.4)');
      assert.deepEqual(params['extData'], {});
      assert.match(String(push['id']), /^\d{9}$/);
      const res = await fetch(String(params['url']), { headers: { range: 'bytes=0-' } });
      assert.equal(res.status, 206);
      assert.equal(sha256(Buffer.from(await res.arrayBuffer())), sha256(f.firmware));

      await device.publish(up(device, 'progress'), { step: '30', desc: 'downloading', module: 'default' });
      const upgrading = await until(f, d, (s) => s.progress === 30);
      assert.equal(upgrading.status, 'upgrading');
      await device.publish(up(device, 'progress'), { step: 100, desc: 'done' });
      await until(f, d, (s) => s.status === 'success');
      // A late step (reordered, or sent again) changes nothing and is not answered as an error.
      await device.publish(up(device, 'progress'), { step: '60', desc: 'downloading' });
      await device.publish(up(device, 'progress'), { step: 100, desc: 'done' });
      const reply = await device.next(pushesOf(device), (b) => b['code'] !== 200, 400).catch(() => null);
      assert.equal(reply, null, `answered ${JSON.stringify(reply)}`);
      assert.equal((await stateOf(f, d)).status, 'success');
      // The device restarts on its new version and says so: nothing more is pushed.
      await device.publish(up(device, 'inform'), { id: '1', params: { version: '2.0', module: 'default' } });
      await eventually(async () =>
        (await f.t.app.services.devices.getDeviceDetail(d.id)).versions.some((v) => v.version === '2.0')
          ? true
          : undefined,
      );
      assert.equal(device.received.filter((m) => isPush(m.body)).length, 1);
    });

    it('pushes again on each of three mismatching informs and fails the fourth (§1.7)', async () => {
      const d = f.devices[1]!;
      const device = await connect(d);
      await device.next(pushesOf(device), isPush);
      await device.publish(up(device, 'progress'), { step: 10, desc: 'downloading' });
      const upgrading = await until(f, d, (s) => s.status === 'upgrading');
      // A device that reported its old version at connect has had one re-push already.
      const already = upgrading.mismatchCount;
      for (let round = already + 1; round <= 3; round++) {
        await device.publish(up(device, 'inform'), { id: String(round), params: { version: '1.0' } });
        const again = await device.next(pushesOf(device), isPush);
        assert.equal(paramsOf(again)['version'], '2.0');
        assert.equal((await stateOf(f, d)).mismatchCount, round);
      }
      await device.publish(up(device, 'inform'), { id: '4', params: { version: '1.0' } });
      const failed = await until(f, d, (s) => s.status === 'failure');
      assert.equal(failed.failureReason, 'version_mismatch');
      assert.equal(failed.mismatchCount, 4);
      const pushes = device.received.filter((m) => isPush(m.body)).length;
      assert.equal(pushes, already === 0 ? 4 : 3, 'one push and three re-pushes');
    });

    it("lets a gateway take its sub-devices' upgrades, and only theirs", async () => {
      const gateway = await connect(f.gateway);
      const subName = usernameOf(f.sub);
      const push = await gateway.next(pushesOf(gateway), (b) => isPush(b) && b['device'] === subName);
      assert.equal(paramsOf(push)['version'], '2.0');
      // The sub-device's version, reported by its gateway.
      await gateway.publish(up(gateway, 'inform'), { id: 's1', device: subName, params: { version: '1.0' } });

      // Another product's device is not its sub-device: refused with a reason, nothing changes.
      const stranger = f.devices[2]!;
      const before = await stateOf(f, stranger);
      await gateway.publish(up(gateway, 'progress'), { step: 100, device: usernameOf(stranger) });
      const refusal = await gateway.next(pushesOf(gateway), (b) => b['code'] === 403);
      assert.match(String(refusal['message']), /not this gateway's sub-device/);
      assert.equal(refusal['device'], usernameOf(stranger));
      assert.deepEqual(await stateOf(f, stranger), before);

      const subPlan = (await f.t.app.services.plans.listPlans({}, { limit: 10 })).items.find(
        (p) => p.name === 'sensors',
      )!;
      await gateway.publish(up(gateway, 'progress'), { step: 50, device: subName });
      await gateway.publish(up(gateway, 'progress'), { step: 100, device: subName });
      await eventually(async () =>
        (await stateOf(f, f.sub, subPlan.id)).status === 'success' ? true : undefined,
      );
      assert.ok(gateway.client.connected, 'the session stays up');
    });

    it('keeps a persistent session across a reconnect mid-upgrade', async () => {
      const d = f.devices[3]!;
      const options = { clientId: `${usernameOf(d)}~persistent`, clean: false };
      const first = await connect(d, options);
      await first.next(pushesOf(first), isPush);
      await first.publish(up(first, 'progress'), { step: 40 });
      await until(f, d, (s) => s.progress === 40);
      await first.close();

      // Back without subscribing again: the broker kept the subscription, so a re-push arrives.
      const second = await connect(d, { ...options, subscribe: false });
      await second.publish(up(second, 'inform'), { id: '9', params: { version: '1.0' } });
      const again = await second.next(pushesOf(second), isPush);
      assert.equal(paramsOf(again)['version'], '2.0');
      await second.publish(up(second, 'progress'), { step: 100 });
      await until(f, d, (s) => s.status === 'success');
    });

    it('reconciles from where the device says it is, counting no mismatch (issue 14)', async () => {
      const d = f.devices[2]!;
      const device = await connect(d);
      await device.next(pushesOf(device), isPush);
      const inform = (upgrade: unknown, version = '1.0') =>
        device.publish(up(device, 'inform'), { id: 'r', params: { version, upgrade } });
      // An external broker's device informed at connect (a plain inform, which may count).
      const counted = (await stateOf(f, d)).mismatchCount;
      // No upgrade under way on the device (its push was lost): offered again, not a mismatch.
      await inform(null);
      await device.next(pushesOf(device), isPush);
      assert.equal((await stateOf(f, d)).mismatchCount, counted);
      // Under way at 60 %: the progress it took is applied; nothing is pushed.
      await inform({ version: '2.0', step: 60 });
      const upgrading = await until(f, d, (s) => s.progress === 60);
      assert.equal(upgrading.status, 'upgrading');
      assert.equal(upgrading.mismatchCount, counted);
      // Its link answers 410 (a push that superseded it was lost): pushed again, with a new link
      // that downloads, and the upgrade goes on where it was.
      const pushed = device.received.filter((m) => m.topic === pushesOf(device) && isPush(m.body));
      const held = String(paramsOf(pushed.at(-1)!.body)['url']);
      await inform({ version: '2.0', step: 60, relink: true });
      const relinked = paramsOf(await device.next(pushesOf(device), isPush));
      assert.notEqual(String(relinked['url']), held);
      const bytes = await fetch(String(relinked['url']), { headers: { range: 'bytes=0-9' } });
      assert.equal(bytes.status, 206);
      await bytes.arrayBuffer();
      const still = await stateOf(f, d);
      assert.deepEqual([still.status, still.progress, still.mismatchCount], ['upgrading', 60, counted]);
      // Done: the target version, stated again after a reconnect.
      await inform({ version: '2.0', step: 100 }, '2.0');
      const done = await until(f, d, (s) => s.status === 'success');
      assert.equal(done.mismatchCount, counted);
    });

    it('acknowledges a report (PUBACK) only once its effect is committed', {
      skip: !harness.acknowledgesDevices && 'the external broker acknowledges devices itself',
    }, async () => {
      const d = f.devices[4]!;
      const device = await connect(d);
      await device.next(pushesOf(device), isPush);
      // Another process holds the database's write lock while its device publishes progress.
      const probe = await runAckProbe({
        database: f.t.testDatabase.url,
        mqttUrl: url,
        username: device.username,
        password: d.secret,
        topic: up(device, 'progress'),
        payload: JSON.stringify({ step: 40 }),
        holdMs: 700,
      });
      assert.equal(probe.ackedWhileLocked, false, 'acknowledged before its effect was committed');
      // Read at once, no waiting: the PUBACK came after the commit.
      const state = await stateOf(f, d);
      assert.equal(state.status, 'upgrading');
      assert.equal(state.progress, 40);
    });

    it('drops malformed JSON, unknown modules and steps out of range with a reason, changing nothing', async () => {
      const d = f.devices[5]!;
      const device = await connect(d);
      await device.next(pushesOf(device), isPush);
      const before = await stateOf(f, d);
      const inform = up(device, 'inform');
      const progress = up(device, 'progress');
      const cases: [string, unknown, number, RegExp][] = [
        [inform, '{"id": "1", "params": ', 400, /not JSON/],
        [inform, { id: '2', params: {} }, 400, /version/],
        [inform, { id: '3', params: { version: '1.0', module: 'flux' } }, 404, /unknown_module: flux/],
        [inform, [1, 2], 400, /not a JSON object/],
        [inform, { id: '5', device: 7, params: { version: '1.0' } }, 400, /device is not a string/],
        [progress, { step: 150 }, 400, /step/],
        [progress, { step: 0 }, 400, /step/],
        [progress, { step: -5 }, 400, /step/],
        [progress, { step: 'abc' }, 400, /step/],
        [progress, 'x'.repeat(20_000), 400, /16 KiB/],
        [progress, { step: 50, module: 'bad module!' }, 400, /module/],
        [progress, { step: 50, module: 'flux' }, 409, /no upgrade of flux/],
      ];
      for (const [topic, payload, code, message] of cases) {
        await device.publish(topic, payload);
        const reply = await device.next(pushesOf(device), (b) => b['code'] !== 200);
        assert.equal(reply['code'], code, `${topic} ${JSON.stringify(payload).slice(0, 40)}`);
        assert.match(String(reply['message']), message);
      }
      assert.equal((await device.next(pushesOf(device), () => true, 300).catch(() => null)) ?? null, null);
      assert.deepEqual(await stateOf(f, d), before, 'nothing changed');
      assert.ok(device.client.connected, 'the session stays up');
      // And it still works.
      await device.publish(progress, { step: 100 });
      await until(f, d, (s) => s.status === 'success');
    });
  });

  describe(`MQTT transport (${harness.name}): plan start, push period, manual plans`, { skip }, () => {
    let f: DeviceFleet;
    let url: string;
    const open: TestMqttDevice[] = [];
    before(async () => {
      f = await createDeviceFleet({
        count: 4,
        settings: { ...harness.settings(), mqttPushRate: 10 },
        plan: { start: { mode: 'manual' } },
      });
      url = (await f.t.app.startMqtt()).url;
    });
    after(async () => {
      for (const device of open) await device.close().catch(() => {});
      await f?.close();
    });
    async function connect(d: TestDevice, options: IClientOptions & { subscribe?: boolean } = {}) {
      const device = await harness.connect(f, url, d, options);
      open.push(device);
      return device;
    }

    it('pushes every connected device when the plan starts, at the configured rate; the rest when they connect', async () => {
      const online = await Promise.all(f.devices.slice(0, 3).map((d) => connect(d)));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(online[0]!.received.length, 0, 'nothing waits before the start');
      const plans = f.t.app.services.plans;
      const started = performance.now();
      await plans.runAction(f.planId, 'start', 'test');
      await plans.tickPlan(f.planId, 'test', 60_000);
      for (const device of online) await device.next(pushesOf(device), isPush);
      // 10 pushes a second: the third leaves at least 200 ms after the first.
      assert.ok(performance.now() - started >= 190, `${performance.now() - started} ms`);
      for (const d of f.devices) assert.equal((await stateOf(f, d)).status, 'pushed');

      const late = await connect(f.devices[3]!);
      const push = await late.next(pushesOf(late), isPush);
      assert.equal(paramsOf(push)['version'], '2.0');
    });

    it('pushes again after the push period when the device does not react', async () => {
      const device = open[0]!;
      const pushes = () => device.received.filter((m) => isPush(m.body)).length;
      const before = pushes();
      f.t.clock.advance(601_000);
      await f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);
      await device.next(pushesOf(device), isPush);
      assert.equal(pushes(), before + 1);
      assert.equal((await stateOf(f, f.devices[0]!)).pushCount, 2);
    });
  });

  describe(`MQTT transport (${harness.name}): a manual plan`, { skip }, () => {
    let f: DeviceFleet;
    let url: string;
    let device: TestMqttDevice | undefined;
    before(async () => {
      f = await createDeviceFleet({ count: 1, settings: harness.settings(), plan: { mode: 'manual' } });
      url = (await f.t.app.startMqtt()).url;
    });
    after(async () => {
      await device?.close().catch(() => {});
      await f?.close();
    });

    it('pushes only after the upgrade is confirmed', async () => {
      const d = f.devices[0]!;
      device = await harness.connect(f, url, d);
      await device.publish(harness.uplink(device.username, 'inform'), {
        id: '1',
        params: { version: '1.0' },
      });
      await device.publish(harness.uplink(device.username, 'progress'), { step: 10 });
      const refusal = await device.next(pushesOf(device), (b) => b['code'] === 409);
      assert.match(String(refusal['message']), /awaiting_confirmation/);
      assert.equal(device.received.filter((m) => isPush(m.body)).length, 0);
      const state = await stateOf(f, d);
      assert.equal(state.status, 'pending');
      assert.equal(state.confirmation, 'awaiting');

      await f.t.app.services.plans.decideAwaiting(f.planId, 'confirmed', 'operator');
      await f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);
      const push = await device.next(pushesOf(device), isPush);
      assert.equal(paramsOf(push)['version'], '2.0');
    });
  });
}
