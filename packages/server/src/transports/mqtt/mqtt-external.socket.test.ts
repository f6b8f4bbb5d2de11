// The MQTT transport on an external broker: the real Mosquitto of this machine (127.0.0.1:1883,
// or UPDRAFT_TEST_MQTT_URL), with Updraft joining it as a client. The shared suite
// (mqtt-transport.contract.ts), then what only external mode does: several Updraft instances
// splitting the device traffic through one shared subscription, and a Mosquitto of its own that
// signs devices in and checks their topics with an ACL (docs/mqtt.md, "External broker").
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, connectAsync } from 'mqtt';
import { type App, buildApp } from '../../app.ts';
import { loadConfig } from '../../config/config.ts';
import {
  type BrokerHarness,
  describeMqttTransport,
  pushesOf,
  stateOf,
  usernameOf,
} from '../../test-support/contracts/mqtt-transport.contract.ts';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { connectDevice, eventually, type TestMqttDevice } from '../../test-support/mqtt-device.ts';
import { brokerSkipReason, testBrokerUrl } from '../../test-support/test-broker.ts';
import { skipReason } from '../../test-support/test-database.ts';

const brokerUrl = testBrokerUrl;

const skip = (await skipReason()) ?? (await brokerSkipReason()) ?? false;
const shareGroup = () => `t${randomBytes(6).toString('hex')}`;

const mosquitto: BrokerHarness = {
  name: 'Mosquitto',
  settings: () => ({ mqttUrl: brokerUrl, mqttAuthToken: 'broker-token', mqttShareGroup: shareGroup() }),
  acknowledgesDevices: false,
  async connect(f, _url, d, { subscribe = true, ...options } = {}) {
    const device = await connectDevice(brokerUrl, usernameOf(d), d.secret, options);
    if (!subscribe) return device;
    await device.client.subscribeAsync(pushesOf(device), { qos: 1 });
    // A broker without Updraft's auth hook does not say who connected: the device reports its
    // version at start (ThingsPanel's advice, seed 004), a gateway its sub-devices' versions.
    if (d === f.gateway) {
      await device.publish(`ota/up/${device.username}/inform`, {
        id: 'boot',
        device: usernameOf(f.sub),
        params: { version: '1.0' },
      });
    } else {
      await device.publish(`ota/up/${device.username}/inform`, { id: 'boot', params: { version: '1.0' } });
    }
    return device;
  },
  // On an external broker each device publishes on topics that name it (the ACL checks them).
  uplink: (username, kind) => `ota/up/${username}/${kind}`,
};

describeMqttTransport(mosquitto, skip);

describe('MQTT transport (Mosquitto): two Updraft instances in one share group', { skip }, () => {
  let f: DeviceFleet;
  let second: App;
  const open: TestMqttDevice[] = [];
  const group = shareGroup();
  before(async () => {
    f = await createDeviceFleet({
      count: 12,
      settings: { mqttUrl: brokerUrl, mqttAuthToken: 'broker-token', mqttShareGroup: group },
    });
    // A second process's worth of Updraft on the same database and broker.
    const config = loadConfig(
      {},
      {
        dataDir: f.t.dataDir,
        logLevel: 'silent',
        mqttUrl: brokerUrl,
        mqttAuthToken: 'broker-token',
        mqttShareGroup: group,
        adminPassword: 'second-instance-password',
      },
    );
    second = await buildApp(config, {
      clock: f.t.clock,
      database: f.t.testDatabase.database,
      scheduler: false,
    });
    await f.t.app.startMqtt();
    await second.startMqtt();
  });
  after(async () => {
    for (const device of open) await device.close().catch(() => {});
    await second?.close();
    await f?.close();
  });

  it('answers every device exactly once, the work split between the instances', async () => {
    const devices = await Promise.all(
      f.devices.map(async (d) => {
        const device = await connectDevice(brokerUrl, usernameOf(d), d.secret);
        open.push(device);
        await device.client.subscribeAsync(pushesOf(device), { qos: 1 });
        return device;
      }),
    );
    // Each device reports three times; each report is answered with one push, by one instance.
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        devices.map((device) =>
          device.publish(`ota/up/${device.username}/inform`, { id: `r${round}`, params: { version: '1.0' } }),
        ),
      );
    }
    for (const device of devices) {
      for (let round = 0; round < 3; round++) await device.next(pushesOf(device), (b) => b['code'] === 200);
    }
    // Nothing more arrives: no message was handled twice.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const device of devices) {
      assert.equal(device.received.filter((m) => m.body['code'] === 200).length, 3, device.username);
    }
    const first = (await f.t.app.startMqtt()).uplinksHandled();
    const other = (await second.startMqtt()).uplinksHandled();
    assert.equal(first + other, devices.length * 3);
    assert.ok(first > 0 && other > 0, `split ${first}/${other}`);
    for (const d of f.devices) assert.equal((await stateOf(f, d)).status, 'pushed');
  });
});

/** A free TCP port on loopback (Mosquitto cannot be told to take port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const hasMosquitto = (() => {
  try {
    execFileSync('mosquitto', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // `mosquitto -h` exits 3 after printing its usage.
    return (error as { status?: number }).status === 3;
  }
})();

describe('MQTT transport (Mosquitto with passwords and an ACL): what devices may do', {
  skip: skip || (!hasMosquitto && 'no mosquitto binary'),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-mosquitto-'));
  let broker: ChildProcess;
  let url: string;
  let f: DeviceFleet;
  const open: TestMqttDevice[] = [];
  before(async () => {
    const port = await freePort();
    url = `mqtt://127.0.0.1:${port}`;
    f = await createDeviceFleet({ count: 2, settings: { mqttShareGroup: shareGroup() } });
    // The ACL of docs/mqtt.md: each device its own uplinks and push topic; Updraft everything.
    const passwords = join(dir, 'passwords');
    writeFileSync(passwords, '');
    execFileSync('mosquitto_passwd', ['-b', passwords, 'updraft', 'service-secret']);
    for (const d of [...f.devices, f.gateway]) {
      execFileSync('mosquitto_passwd', ['-b', passwords, usernameOf(d), d.secret]);
    }
    writeFileSync(
      join(dir, 'acl'),
      [
        'user updraft',
        'topic readwrite #',
        '',
        'pattern write ota/up/%u/inform',
        'pattern write ota/up/%u/progress',
        'pattern read ota/device/inform/%u',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous false',
        `password_file ${passwords}`,
        `acl_file ${join(dir, 'acl')}`,
        'persistence false',
        // Started as root, Mosquitto would drop to its own user and lose the temporary files.
        ...(process.getuid?.() === 0 ? ['user root'] : []),
        '',
      ].join('\n'),
    );
    broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await eventually(async () => {
      const probe = await connectAsync(
        url,
        {
          username: 'updraft',
          password: 'service-secret',
          reconnectPeriod: 0,
          connectTimeout: 1000,
        },
        false,
      ).catch(() => undefined);
      if (!probe) return undefined;
      await probe.endAsync(true);
      return true;
    });
    // Updraft signs in to the broker with the account in its URL.
    const config = loadConfig(
      {},
      {
        dataDir: f.t.dataDir,
        logLevel: 'silent',
        mqttUrl: `mqtt://updraft:service-secret@127.0.0.1:${port}`,
        mqttAuthToken: 'broker-token',
        mqttShareGroup: shareGroup(),
        adminPassword: 'acl-instance-password',
      },
    );
    const app = await buildApp(config, {
      clock: f.t.clock,
      database: f.t.testDatabase.database,
      scheduler: false,
    });
    await app.startMqtt();
    closeApp = () => app.close();
  });
  let closeApp: () => Promise<void> = async () => {};
  after(async () => {
    for (const device of open) await device.close().catch(() => {});
    await closeApp();
    broker?.kill();
    await f?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong secret at sign-in (CONNACK 5)', async () => {
    const d = f.devices[0]!;
    const client = connect(url, {
      username: usernameOf(d),
      password: 'not-the-secret',
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const code = await new Promise<number | undefined>((resolve) => {
      client.once('connect', () => resolve(0));
      client.once('error', (error) => resolve((error as { code?: number }).code));
      client.once('close', () => resolve(undefined));
    });
    client.end(true);
    assert.equal(code, 5, 'MQTT 3.1.1 §3.2.2.3: not authorized');
  });

  it("keeps another device's pushes from a device and drops its publishes on another device's uplinks", async () => {
    const [a, b] = f.devices as [(typeof f.devices)[0], (typeof f.devices)[0]];
    const spy = await connectDevice(url, usernameOf(a), a.secret);
    const owner = await connectDevice(url, usernameOf(b), b.secret);
    open.push(spy, owner);
    // Mosquitto grants the subscription and checks the ACL on every delivery instead.
    await spy.client.subscribeAsync([pushesOf(spy), pushesOf(owner)], { qos: 1 });
    await owner.client.subscribeAsync(pushesOf(owner), { qos: 1 });

    const before = await stateOf(f, b);
    // Acknowledged and dropped by the broker (MQTT 3.1.1 has no way to refuse a publish).
    await spy.publish(`ota/up/${usernameOf(b)}/progress`, { step: 100 });
    // b's own report goes through and is answered on b's topic, which only b receives.
    await owner.publish(`ota/up/${owner.username}/inform`, { id: '1', params: { version: '1.0' } });
    const push = await owner.next(pushesOf(owner), (m) => m['code'] === 200);
    assert.equal((push['params'] as Record<string, unknown>)['version'], '2.0');
    assert.equal((await stateOf(f, b)).status, before.status === 'pending' ? 'pushed' : before.status);
    assert.equal((await stateOf(f, b)).progress, before.progress, "the spy's progress report never arrived");

    await spy.publish(`ota/up/${spy.username}/inform`, { id: '2', params: { version: '1.0' } });
    await spy.next(pushesOf(spy), (m) => m['code'] === 200);
    assert.equal(
      spy.received.filter((m) => m.topic === pushesOf(owner)).length,
      0,
      "nothing of b's reached a",
    );
  });
});
