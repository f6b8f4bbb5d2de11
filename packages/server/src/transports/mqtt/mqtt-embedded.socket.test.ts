// The MQTT transport on the embedded broker (aedes), over real sockets with mqtt.js devices:
// the shared suite (mqtt-transport.contract.ts), then what only the embedded broker does itself:
// sign-in with device secrets, the per-device ACL, MQTT 5 through the translator, TLS, the packet size limit
// and the online flag.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'mqtt';
import {
  type BrokerHarness,
  describeMqttTransport,
  pushesOf,
  stateOf,
  usernameOf,
} from '../../test-support/contracts/mqtt-transport.contract.ts';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../../test-support/device-fleet.ts';
import { connectDevice, eventually, type TestMqttDevice } from '../../test-support/mqtt-device.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

const embedded: BrokerHarness = {
  name: 'embedded broker',
  settings: () => ({ mqttPort: 0, mqttHost: '127.0.0.1' }),
  acknowledgesDevices: true,
  async connect(_f, url, d, { subscribe = true, ...options } = {}) {
    const device = await connectDevice(url, usernameOf(d), d.secret, options);
    if (subscribe) await device.client.subscribeAsync(pushesOf(device), { qos: 1 });
    return device;
  },
  // ThingsPanel v0.5 devices publish on the shared topics: the session says who they are.
  uplink: (_username, kind) => `ota/device/${kind}`,
};

describeMqttTransport(embedded, skip);
// The same suite with MQTT 5 devices, through the translator (mqtt5-bridge.ts).
describeMqttTransport(
  {
    ...embedded,
    name: 'embedded broker, MQTT 5 devices',
    connect: (f, url, d, options = {}) => embedded.connect(f, url, d, { ...options, protocolVersion: 5 }),
  },
  skip,
);

describe('MQTT transport (embedded broker): sign-in and topic ACL', { skip }, () => {
  let f: DeviceFleet;
  let url: string;
  const open: TestMqttDevice[] = [];
  before(async () => {
    f = await createDeviceFleet({ count: 4, settings: embedded.settings() });
    url = (await f.t.app.startMqtt()).url;
  });
  after(async () => {
    for (const device of open) await device.close().catch(() => {});
    await f?.close();
  });
  async function connect(d: TestDevice) {
    const device = await embedded.connect(f, url, d);
    open.push(device);
    return device;
  }

  it('refuses wrong secrets, unknown devices and missing passwords (CONNACK 4)', async () => {
    const d = f.devices[0]!;
    await assert.rejects(connectDevice(url, usernameOf(d), 'not-the-secret'), /Bad username or password/);
    await assert.rejects(connectDevice(url, `${f.productKey}.nobody`, d.secret), /Bad username or password/);
    await assert.rejects(connectDevice(url, 'no-dot-here', d.secret), /Bad username or password/);
    await assert.rejects(connectDevice(url, usernameOf(d), ''), /Bad username or password/);
  });

  it('speaks MQTT 5 too: sign-in, the push, progress to Success; a wrong secret is reason 0x86', async () => {
    const d = f.devices[3]!;
    await assert.rejects(
      connectDevice(url, usernameOf(d), 'not-the-secret', { protocolVersion: 5 }),
      (error: Error & { code?: number }) => error.code === 0x86,
    );
    const device = await connectDevice(url, usernameOf(d), d.secret, { protocolVersion: 5 });
    open.push(device);
    const own = await device.client.subscribeAsync(pushesOf(device), { qos: 1 });
    assert.deepEqual(
      own.map((g) => g.qos),
      [1],
    );
    // MQTT 5 §3.9.3: reason code 0x80 in the SUBACK, which mqtt.js turns into an error.
    const other = pushesOf({ username: usernameOf(f.devices[2]!) } as TestMqttDevice);
    await assert.rejects(device.client.subscribeAsync(other, { qos: 1 }), /Subscribe error/);
    const push = await device.next(pushesOf(device), (b) => b['code'] === 200);
    assert.equal((push['params'] as Record<string, unknown>)['version'], '2.0');
    await device.publish('ota/device/progress', { step: 100 });
    await eventually(async () => ((await stateOf(f, d)).status === 'success' ? true : undefined));
    await device.client.unsubscribeAsync(pushesOf(device));
    assert.ok(device.client.connected, 'the session stays up');

    const v31 = await connectDevice(url, usernameOf(d), d.secret, {
      protocolVersion: 3,
      protocolId: 'MQIsdp',
    });
    open.push(v31);
    assert.ok(v31.client.connected, 'MQTT 3.1 is served');
  });

  it('grants a device its own push topic only', async () => {
    const device = await connect(f.devices[0]!);
    for (const topic of [
      pushesOf({ username: usernameOf(f.devices[1]!) } as TestMqttDevice),
      'ota/device/inform/+',
      'ota/#',
      '#',
      'ota/device/inform',
      `ota/up/${device.username}/progress`,
    ]) {
      const granted = await device.client.subscribeAsync(topic, { qos: 1 }).catch((e: Error) => e);
      // mqtt.js rejects a SUBACK with 0x80 (MQTT 3.1.1 §3.9.3).
      assert.ok(granted instanceof Error, topic);
    }
    assert.ok(device.client.connected, 'the session stays up');
  });

  it('drops a publish for another device or outside the OTA topics with a 403, and forwards nothing', async () => {
    const device = await connect(f.devices[1]!);
    const other = await connect(f.devices[2]!);
    await device.next(pushesOf(device), (b) => b['code'] === 200);
    await other.next(pushesOf(other), (b) => b['code'] === 200);
    const before = await stateOf(f, f.devices[2]!);
    const forged = { id: '1', code: 200, params: { version: '6.6.6', url: 'http://evil.example/x.bin' } };
    const cases: [string, unknown, RegExp][] = [
      [`ota/up/${other.username}/progress`, { step: 100 }, /is not this device's topic/],
      [pushesOf(other), forged, /not allowed to publish/],
      ['v1/devices/me/telemetry', { temperature: 21 }, /not allowed to publish/],
      ['$SYS/broker/uptime', 'x', /not allowed to publish/],
    ];
    for (const [topic, payload, message] of cases) {
      await device.publish(topic, payload);
      const refusal = await device.next(pushesOf(device), (b) => b['code'] === 403);
      assert.match(String(refusal['message']), message, topic);
    }
    assert.ok(device.client.connected, 'the session stays up');
    assert.deepEqual(await stateOf(f, f.devices[2]!), before, 'nothing changed for the other device');
    assert.ok(
      !other.received.some(
        (m) => (m.body['params'] as { version?: string } | undefined)?.version === '6.6.6',
      ),
      'the forged push was not delivered',
    );
    // Its own per-device uplink topic works as the shared one does.
    await device.publish(`ota/up/${device.username}/progress`, { step: 20 });
    await eventually(async () => ((await stateOf(f, f.devices[1]!)).progress === 20 ? true : undefined));
  });

  it('closes a connection that sends a packet over the size limit', async () => {
    const device = await connect(f.devices[0]!);
    const closed = new Promise<void>((resolve) => device.client.once('close', () => resolve()));
    device.client.publish('ota/device/progress', Buffer.alloc(200_000, 0x20), { qos: 0 });
    await closed;
    // The broker itself is fine.
    const again = await connect(f.devices[0]!);
    assert.ok(again.client.connected);
  });

  it('marks devices online while a session is open, offline after the last one closes', async () => {
    const d = f.devices[2]!;
    const first = await connectDevice(url, usernameOf(d), d.secret);
    await eventually(async () =>
      (await f.t.app.services.devices.getDevice(d.id)).online ? true : undefined,
    );
    await first.close();
    for (const device of open.filter((o) => o.username === usernameOf(d))) await device.close();
    await eventually(async () =>
      !(await f.t.app.services.devices.getDevice(d.id)).online ? true : undefined,
    );
  });
});

describe('MQTT transport (embedded broker): TLS', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-mqtt-tls-'));
  let f: DeviceFleet;
  before(async () => {
    execFileSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    f = await createDeviceFleet({
      count: 1,
      settings: {
        ...embedded.settings(),
        mqttTlsCert: join(dir, 'cert.pem'),
        mqttTlsKey: join(dir, 'key.pem'),
      },
    });
  });
  after(async () => {
    await f?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks MQTT over TLS only when a certificate and key are configured', async () => {
    const transport = await f.t.app.startMqtt();
    assert.match(transport.url, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const d = f.devices[0]!;
    const device = await connectDevice(transport.url, usernameOf(d), d.secret, {
      ca: readFileSync(join(dir, 'cert.pem')),
    });
    await device.client.subscribeAsync(pushesOf(device), { qos: 1 });
    await device.next(pushesOf(device), (b) => b['code'] === 200);
    await device.close();
    // A plain client gets no CONNACK: the TLS listener drops bytes that are not a handshake.
    // (mqtt.js's connectAsync never settles on a close without CONNACK, so watch the events.)
    const plain = connect(transport.url.replace('mqtts:', 'mqtt:'), {
      username: usernameOf(d),
      password: d.secret,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const outcome = await new Promise<string>((resolve) => {
      plain.once('connect', () => resolve('connected'));
      plain.once('close', () => resolve('closed'));
      plain.once('error', () => resolve('closed'));
    });
    plain.end(true);
    assert.equal(outcome, 'closed');
  });
});
