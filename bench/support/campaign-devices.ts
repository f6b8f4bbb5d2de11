// The device side of `npm run bench -- campaign`, in a process of its own: every device in the
// file named by argv[2] is an SDK device (MQTT at argv[3], state folders under argv[4]) that
// signs in, informs its version and then takes whatever it is pushed: download with Range,
// sha256 check, install (nothing to write), progress reports, success. Tells the parent (IPC)
// when all are connected, and on request how many messages went each way.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createDevice, type Device } from '@updraft/sdk';
import { MqttClient } from 'mqtt';

interface DeviceLogin {
  productKey: string;
  name: string;
  secret: string;
}

const logins = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as DeviceLogin[];
const mqttUrl = process.argv[3]!;
const stateRoot = process.argv[4]!;
const server = process.argv[5]!;
const send = (message: object) => process.send?.(message);

// What crosses the broker, counted at every client: publishes sent and messages received.
let published = 0;
let received = 0;
const proto = MqttClient.prototype as unknown as {
  publish: (...args: unknown[]) => unknown;
  emit: (event: string, ...args: unknown[]) => boolean;
};
const publish = proto.publish;
proto.publish = function (this: unknown, ...args: unknown[]) {
  published++;
  return publish.apply(this, args);
};
const emit = proto.emit;
proto.emit = function (this: unknown, event: string, ...args: unknown[]) {
  if (event === 'message') received++;
  return emit.apply(this, [event, ...args]);
};

// Downloads over keep-alive connections, at most 256 at once, as devices behind one uplink
// would; fetch's own pool opens a connection per request when the previous one is not yet free.
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
let downloadBytes = 0;
const agentFetch: typeof fetch = (input, init) =>
  new Promise((resolve, reject) => {
    const req = request(
      String(input),
      {
        agent,
        method: init?.method ?? 'GET',
        headers: (init?.headers ?? {}) as Record<string, string>,
        ...(init?.signal && { signal: init.signal }),
      },
      (res) => {
        res.on('data', (chunk: Buffer) => {
          downloadBytes += chunk.length;
        });
        const headers = Object.entries(res.headers).map(([k, v]): [string, string] => [
          k,
          Array.isArray(v) ? v.join(', ') : (v ?? ''),
        ]);
        resolve(
          new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, {
            status: res.statusCode!,
            headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });

let succeeded = 0;
let failed = 0;
const devices: Device[] = [];
const started = performance.now();
let next = 0;
// A few hundred connections in flight at a time: a burst of 10,000 SYNs overflows the backlog.
async function connectWorker(): Promise<void> {
  while (next < logins.length) {
    const login = logins[next++]!;
    const device = createDevice({
      server,
      transport: 'mqtt',
      mqttUrl,
      credentials: login,
      stateDir: join(stateRoot, login.name),
      modules: { default: { version: '1.0', async install() {} } },
      fetch: agentFetch,
      onEvent(event) {
        if (event.type === 'installed') succeeded++;
        if (event.type === 'failed') failed++;
      },
    });
    await device.start();
    devices.push(device);
  }
}
await Promise.all(Array.from({ length: 200 }, connectWorker));
send({
  type: 'ready',
  connectSeconds: (performance.now() - started) / 1000,
  rssMb: process.memoryUsage.rss() / 2 ** 20,
});

// The bench gone (killed, or crashed), its devices go too instead of loading the machine.
process.on('disconnect', () => process.exit(1));
process.on('message', async (message: { type: 'stats' | 'close' }) => {
  if (message.type === 'stats') {
    send({ type: 'stats', published, received, downloadBytes, succeeded, failed });
    return;
  }
  await Promise.all(devices.map((d) => d.stop().catch(() => {})));
  send({ type: 'closed', rssMb: process.resourceUsage().maxRSS / 1024 });
  setTimeout(() => process.exit(0), 100).unref();
});
