// MQTT sessions belong to the device that signed in (issue 12), on the embedded broker with
// MQTT 3.1.1 and MQTT 5 devices: a client id of another identity is refused (CONNACK 2, MQTT 5
// 0x85), so no device can push another off or resume another's persistent session and its
// queued pushes; a connection that sends nothing, or half a CONNECT, is closed at the deadline.
import assert from 'node:assert/strict';
import { connect as connectSocket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { usernameOf } from '../../test-support/contracts/mqtt-transport.contract.ts';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('MQTT identities on the embedded broker', { skip }, () => {
  let f: DeviceFleet;
  let url: string;
  let port: number;
  let publish: (topic: string, payload: string) => Promise<void>;
  before(async () => {
    f = await createDeviceFleet({
      count: 3,
      settings: { mqttPort: 0, mqttHost: '127.0.0.1', mqttConnectTimeoutSeconds: 1 },
    });
    const transport = await f.t.app.startMqtt();
    url = transport.url;
    port = transport.port!;
    publish = (topic, payload) => transport.publish(topic, payload);
  });
  after(() => f?.close());

  const device = (i: number) => ({ username: usernameOf(f.devices[i]!), password: f.devices[i]!.secret });
  const refusal = (protocolVersion: 4 | 5) => (protocolVersion === 5 ? 0x85 : 2);

  for (const protocolVersion of [4, 5] as const) {
    it(`refuses another device's client id without disturbing it (MQTT ${protocolVersion === 5 ? 5 : '3.1.1'})`, async () => {
      const b = device(1);
      const c = device(2);
      const id = `${b.username}~v${protocolVersion}`;
      const owner = await connectAsync(
        url,
        { ...b, clientId: id, protocolVersion, reconnectPeriod: 0 },
        false,
      );
      let ownerClosed = false;
      owner.on('close', () => {
        ownerClosed = true;
      });
      try {
        for (const clientId of [id, b.username, `${c.username}x`, 'mqttjs_12345678']) {
          await assert.rejects(
            connectAsync(url, { ...c, clientId, protocolVersion, reconnectPeriod: 0 }, false),
            (error: { code?: number }) => error.code === refusal(protocolVersion),
            clientId,
          );
        }
        await owner.publishAsync(
          'ota/device/inform',
          JSON.stringify({ id: '1', params: { version: '1.0' } }),
          {
            qos: 1,
          },
        );
        assert.equal(ownerClosed, false, 'the owner of the id stayed connected');
        const own = await connectAsync(
          url,
          {
            ...c,
            clientId: `${c.username}~mine`,
            protocolVersion,
            reconnectPeriod: 0,
          },
          false,
        );
        await own.endAsync();
      } finally {
        await owner.endAsync();
      }
    });

    it(`gives a persistent session and its queued push only to its own device (MQTT ${protocolVersion === 5 ? 5 : '3.1.1'})`, async () => {
      const a = device(0);
      const b = device(1);
      const id = `${b.username}~session${protocolVersion}`;
      const push = `ota/device/inform/${b.username}`;
      const persistent = { clientId: id, clean: false, protocolVersion, reconnectPeriod: 0 } as const;
      const first = await connectAsync(url, {
        ...b,
        ...persistent,
        ...(protocolVersion === 5 && { properties: { sessionExpiryInterval: 3600 } }),
      });
      await first.subscribeAsync(push, { qos: 1 });
      await first.endAsync();
      // Queued for the session while its device is away (a push with a download URL in it).
      await publish(
        push,
        JSON.stringify({ id: 'queued', params: { url: 'http://secret.example/download' } }),
      );
      await assert.rejects(
        connectAsync(url, { ...a, ...persistent }),
        (error: { code?: number }) => error.code === refusal(protocolVersion),
      );
      const back = await connectAsync(url, {
        ...b,
        ...persistent,
        ...(protocolVersion === 5 && { properties: { sessionExpiryInterval: 3600 } }),
        manualConnect: false,
      });
      try {
        // The queued message, whichever comes first: the plan's own push to the device (sent when it
        // subscribed, and again when it is back) may be queued before or after it (PostgreSQL in CI).
        const message = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('the queued push never came')), 15_000);
          back.on('message', (_t, p) => {
            if (!String(p).includes('"queued"')) return;
            clearTimeout(timer);
            resolve(String(p));
          });
        });
        assert.match(message, /secret\.example/);
      } finally {
        await back.endAsync();
      }
    });
  }

  /** A raw TCP connection that sends `bytes` and waits; whether the broker closed it in 10 s. */
  function held(bytes: Buffer): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connectSocket(port, '127.0.0.1', () => {
        if (bytes.length > 0) socket.write(bytes);
      });
      socket.on('error', () => {});
      const guard = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 10_000);
      socket.on('close', () => {
        clearTimeout(guard);
        resolve(true);
      });
    });
  }

  it('closes connections that send nothing or half a CONNECT at the connect deadline', async () => {
    // MQTT 3.1.1 §3.1: CONNECT, remaining length 40, then only the protocol name.
    const halfConnect = Buffer.from([0x10, 40, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54]);
    const results = await Promise.all([held(Buffer.alloc(0)), held(halfConnect), held(Buffer.from([0x10]))]);
    assert.deepEqual(results, [true, true, true]);
  });
});
