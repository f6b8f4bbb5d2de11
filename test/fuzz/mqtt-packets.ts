// MQTT packets at the embedded broker, MQTT 3.1.1 and 5: CONNECTs with generated fields,
// PUBLISHes on the OTA topics with bad payloads after a real sign-in, bytes that are no packet,
// and packets announcing more than the size limit. Rules: the server never crashes, and after
// every batch a device still signs in and is answered.
import { connect as connectSocket } from 'node:net';
import fc from 'fast-check';
import { connectAsync } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import type { DeviceFleet } from '../../packages/server/src/test-support/device-fleet.ts';
import { anyJson } from './arbitraries.ts';
import { type FuzzReport, forBudget } from './report.ts';

/** mqtt-packet's encoder, with what it refuses to encode as null (it emits those as errors). */
function encode(packet: mqttPacket.Packet, options?: { protocolVersion: number }): Buffer | null {
  const chunks: Buffer[] = [];
  let refused = false;
  const sink = {
    write(chunk: Buffer | string) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
      return true;
    },
    destroy() {
      refused = true;
    },
  };
  mqttPacket.writeToStream(packet, sink as never, options as never);
  return refused ? null : Buffer.concat(chunks);
}

/** Sends the bytes on a fresh connection, then waits a moment for the broker to answer or close. */
function exchange(port: number, chunks: Buffer[]): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const socket = connectSocket(port, '127.0.0.1', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    socket.on('data', () => {});
    socket.on('error', () => {});
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('open');
    }, 60);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

export async function fuzzMqtt(
  f: DeviceFleet,
  url: string,
  port: number,
  budgetMs: number,
  report: FuzzReport,
  seed: number,
) {
  const target = 'mqtt';
  const d = f.devices[1]!;
  const username = `${f.productKey}.${d.name}`;
  const topics = [
    'ota/device/inform',
    'ota/device/progress',
    `ota/up/${username}/inform`,
    `ota/up/${username}/progress`,
    `ota/device/inform/${username}`,
    '#',
    '$SYS/x',
    '',
  ];
  const payload = fc.oneof(
    anyJson.map((v) => Buffer.from(JSON.stringify(v))),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc
      .record({
        id: fc.string(),
        params: fc.record(
          { version: fc.string(), module: fc.string(), step: fc.integer({ min: -300, max: 300 }) },
          { requiredKeys: [] },
        ),
      })
      .map((v) => Buffer.from(JSON.stringify(v))),
  );
  const version = fc.constantFrom(4 as const, 5 as const);
  const sample = fc.oneof(
    fc.record({
      kind: fc.constant('connect' as const),
      protocolVersion: version,
      clientId: fc.oneof(fc.string({ maxLength: 40 }), fc.constant(username), fc.constant(`${username}~x`)),
      username: fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.constant(username)), { freq: 4 }),
      password: fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.constant(d.secret)), { freq: 4 }),
      clean: fc.boolean(),
      keepalive: fc.integer({ min: 0, max: 65535 }),
    }),
    fc.record({
      kind: fc.constant('publish' as const),
      protocolVersion: version,
      topic: fc.oneof(fc.constantFrom(...topics), fc.string({ maxLength: 30 })),
      qos: fc.constantFrom(0 as const, 1 as const, 2 as const),
      payload,
      retain: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('garbage' as const),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 200 }),
    }),
    fc.record({
      kind: fc.constant('oversize' as const),
      first: fc.constantFrom(0x10, 0x30, 0x32, 0x82),
      announced: fc.integer({ min: 64 * 1024 + 1, max: 268_435_455 }),
    }),
    fc.record({
      kind: fc.constant('mutated' as const),
      protocolVersion: version,
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    }),
  );
  const connectOf = (protocolVersion: 4 | 5, n: number) =>
    encode({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion,
      clean: true,
      keepalive: 30,
      clientId: `${username}~fuzz${n}`,
      username,
      password: Buffer.from(d.secret),
    });

  await forBudget('mqtt', budgetMs, async (batch) => {
    const inputs = fc.sample(sample, { numRuns: 20, seed: seed + batch });
    await Promise.all(
      inputs.map(async (input, n) => {
        let chunks: (Buffer | null)[];
        switch (input.kind) {
          case 'connect':
            chunks = [
              encode({
                cmd: 'connect',
                protocolId: 'MQTT',
                protocolVersion: input.protocolVersion,
                clean: input.clean,
                keepalive: input.keepalive,
                clientId: input.clientId,
                ...(input.username !== null && { username: input.username }),
                ...(input.password !== null && { password: Buffer.from(input.password) }),
              }),
            ];
            break;
          case 'publish': {
            const publish = encode(
              {
                cmd: 'publish',
                topic: input.topic || 'x',
                payload: input.payload,
                qos: input.qos,
                retain: input.retain,
                dup: false,
                ...(input.qos > 0 && { messageId: 1 + n }),
              },
              { protocolVersion: input.protocolVersion },
            );
            chunks = [connectOf(input.protocolVersion, n), publish];
            break;
          }
          case 'garbage':
            chunks = [Buffer.from(input.bytes)];
            break;
          case 'oversize': {
            const length: number[] = [];
            for (let x = input.announced; ; ) {
              let byte = x % 128;
              x = Math.floor(x / 128);
              if (x > 0) byte |= 0x80;
              length.push(byte);
              if (x === 0) break;
            }
            chunks = [Buffer.from([input.first, ...length]), Buffer.alloc(70 * 1024, 0x41)];
            break;
          }
          case 'mutated': {
            const packet = Buffer.from(connectOf(input.protocolVersion, n)!);
            for (const [at, value] of input.flips) packet[at % packet.length] = value;
            chunks = [packet];
            break;
          }
        }
        // A packet the encoder refuses (a password without a username in 3.1.1) is not sent.
        if (chunks.some((c) => c === null)) return report.count('mqtt.unencodable');
        report.count(`mqtt.${input.kind}`);
        report.count('mqtt.packets', chunks.length);
        report.count(`mqtt.${await exchange(port, chunks as Buffer[])}`);
      }),
    );
    // The broker still signs a device in after every batch.
    try {
      const client = await connectAsync(
        url,
        {
          username,
          password: d.secret,
          clientId: `${username}~alive`,
          reconnectPeriod: 0,
          connectTimeout: 5000,
          protocolVersion: batch % 2 === 0 ? 4 : 5,
        },
        false,
      );
      // Forced: nothing is in flight, and a graceful end could wait on a stream that never closes.
      await client.endAsync(true);
      report.count('mqtt.liveness');
    } catch (error) {
      report.find(target, 'a device could not sign in after a batch', String(error));
    }
  });
}
