// The device side of `npm run bench -- mqtt-fanout`, in a process of its own: connects every
// device given in the file named by argv[2] to the broker at argv[3], subscribes each to its push
// topic (QoS 1; a Quectel device its `q/1/d/{clientId}/+`), and tells the parent (IPC) when every device has had a message in the current
// phase, and the CPU this process spent in it. The same harness receives Updraft's pushes and the
// raw baseline's publishes.
import { readFileSync } from 'node:fs';
import { connectAsync, type MqttClient } from 'mqtt';

interface DeviceLogin {
  username: string;
  password?: string;
  /** The client id (Quectel: `qd…`); `{username}~fanout-{pid}` by default. */
  clientId?: string;
  /** What the device subscribes to: its push topic (ThingsPanel's by default). */
  subscription?: string;
}

type ParentMessage = { type: 'expect'; phase: string } | { type: 'close' };

const send = (message: object) => process.send?.(message);
const devices = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as DeviceLogin[];
const url = process.argv[3]!;

let phase = '';
let reached = new Set<number>();
let messages = 0;
let bytes = 0;
/** This process's CPU when the phase began: what receiving the phase's messages cost it. */
let cpuAtExpect = process.cpuUsage();
const clients: MqttClient[] = [];

function onMessage(index: number, payload: Buffer) {
  messages++;
  bytes += payload.length;
  if (phase === '' || reached.has(index)) return;
  reached.add(index);
  if (reached.size === devices.length) {
    const { user, system } = process.cpuUsage(cpuAtExpect);
    send({ type: 'done', phase, messages, bytes, cpuSeconds: (user + system) / 1e6 });
  }
}

const started = performance.now();
let next = 0;
// A few hundred connections in flight at a time: a burst of 10,000 SYNs overflows the backlog.
async function connectWorker(): Promise<void> {
  while (next < devices.length) {
    const index = next++;
    const device = devices[index]!;
    const client = await connectAsync(
      url,
      {
        username: device.username,
        ...(device.password !== undefined && { password: device.password }),
        // The embedded broker takes only client ids of the signed-in device: `{username}~…`.
        clientId: device.clientId ?? `${device.username}~fanout-${process.pid}`,
        clean: true,
        keepalive: 300,
        reconnectPeriod: 0,
        connectTimeout: 60_000,
      },
      false,
    );
    client.on('message', (_topic, payload) => onMessage(index, payload));
    await client.subscribeAsync(device.subscription ?? `ota/device/inform/${device.username}`, { qos: 1 });
    clients[index] = client;
  }
}
await Promise.all(Array.from({ length: 200 }, connectWorker));
send({
  type: 'ready',
  connectSeconds: (performance.now() - started) / 1000,
  rssMb: process.memoryUsage.rss() / 2 ** 20,
});

process.on('message', (message: ParentMessage) => {
  if (message.type === 'expect') {
    phase = message.phase;
    reached = new Set();
    messages = 0;
    bytes = 0;
    cpuAtExpect = process.cpuUsage();
    return;
  }
  // Close without waiting for each DISCONNECT round trip.
  for (const client of clients) client?.end(true);
  send({ type: 'closed' });
  setTimeout(() => process.exit(0), 100).unref();
});
