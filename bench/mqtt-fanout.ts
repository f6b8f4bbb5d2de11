// `npm run bench -- mqtt-fanout [--devices N] [--broker embedded|external|both]
// [--dialect thingspanel|quectel|both] [--profile F]`: N connected MQTT devices (10,000 by
// default, in one client process), one plan start, and the time until every device has its
// upgrade push (ThingsPanel's JSON push, or Quectel's 0x0111 plan frame); beside it, the same
// client harness receiving a raw publish of one message of the same size per device from a bare
// publisher through the same broker. Both brokers: the
// embedded one (aedes in the Updraft process; the raw publisher is the broker's own publish) and
// the machine's Mosquitto (127.0.0.1:1883 or UPDRAFT_BENCH_MQTT_URL; the raw publisher is an
// mqtt.js client). Prints Updraft's time divided by the raw time per broker.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { quectelClientId, quectelTopics } from '../packages/protocol/src/index.ts';
import { type App, buildApp } from '../packages/server/src/app.ts';
import { loadConfig } from '../packages/server/src/config/config.ts';
import { createPlanFleet, option } from './support/bench-fleet.ts';
import type { Aims } from './support/rounds.ts';

const here = dirname(fileURLToPath(import.meta.url));
const externalUrl = process.env['UPDRAFT_BENCH_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';
// The rate limit is a production safeguard (default 5,000/s); here the question is how fast the
// platform can get the pushes out, so it is set out of the way.
const pushRate = 1_000_000;
/** `--profile FILE`: a CPU profile of the Updraft phase only, for looking into where it goes. */
let profileFile: string | undefined;

async function startProfile() {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.log(`  CPU profile of the Updraft phase: ${file}`);
    },
  };
}

/** User and system CPU of this process since `before`, in seconds. */
function cpuSeconds(before: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1e6;
}

interface Login {
  username: string;
  password: string;
  clientId?: string;
  subscription?: string;
  /** Where the device's pushes arrive (the raw baseline publishes there). */
  pushTopic: string;
}

type Dialect = 'thingspanel' | 'quectel';

interface Fleet {
  app: App;
  planId: number;
  logins: Login[];
  close(): Promise<void>;
}

/** Updraft on a fresh SQLite with `count` devices (imported through the API) and a plan to start by hand. */
async function createFleet(count: number, broker: 'embedded' | 'external', dialect: Dialect): Promise<Fleet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-fanout-'));
  const config = loadConfig(
    {},
    {
      dataDir,
      logLevel: 'silent',
      mqttPushRate: pushRate,
      ...(broker === 'embedded'
        ? { mqttPort: 0, mqttHost: '127.0.0.1' }
        : {
            mqttUrl: externalUrl,
            mqttAuthToken: 'bench-broker-token',
            mqttShareGroup: `bench${randomBytes(4).toString('hex')}`,
          }),
    },
  );
  const app = await buildApp(config, { scheduler: false });
  const fleet = await createPlanFleet(app, {
    name: 'fan-out',
    count,
    firmwareBytes: 64 * 1024,
    ...(dialect === 'quectel' && { protocols: ['quectel'] }),
  });
  const logins: Login[] = fleet.logins.map((l) => {
    if (dialect === 'thingspanel') {
      const username = `${l.productKey}.${l.name}`;
      return { username, password: l.secret, pushTopic: `ota/device/inform/${username}` };
    }
    const clientId = quectelClientId(l.productKey, l.name);
    return {
      username: '',
      password: l.secret,
      clientId,
      subscription: quectelTopics.subscription(clientId),
      pushTopic: quectelTopics.downlink(clientId),
    };
  });
  return {
    app,
    planId: fleet.planId,
    logins,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Clients {
  child: ChildProcess;
  /** Resolves when every device has had a message since the call. */
  expect(phase: string): Promise<{ messages: number; bytes: number; cpuSeconds: number }>;
  close(): Promise<void>;
}

async function startClients(logins: Login[], url: string, dir: string): Promise<Clients> {
  const file = join(dir, `logins-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(logins));
  const child = fork(join(here, 'support', 'mqtt-fanout-clients.ts'), [file, url], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, (value: { messages: number; bytes: number; cpuSeconds: number }) => void>();
  let closed: (() => void) | undefined;
  const ready = new Promise<{ connectSeconds: number; rssMb: number }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`client process exited with ${code}`)));
    child.on('message', (message: Record<string, unknown>) => {
      if (message['type'] === 'ready')
        resolve(message as unknown as { connectSeconds: number; rssMb: number });
      if (message['type'] === 'done') {
        waiting.get(String(message['phase']))?.(
          message as unknown as { messages: number; bytes: number; cpuSeconds: number },
        );
      }
      if (message['type'] === 'closed') closed?.();
    });
  });
  const { connectSeconds, rssMb } = await ready;
  console.log(
    `  ${logins.length} devices connected in ${connectSeconds.toFixed(1)} s (client RSS ${rssMb.toFixed(0)} MB)`,
  );
  return {
    child,
    expect(phase) {
      const done = new Promise<{ messages: number; bytes: number; cpuSeconds: number }>((resolve) =>
        waiting.set(phase, resolve),
      );
      child.send({ type: 'expect', phase });
      return done;
    },
    async close() {
      const gone = new Promise<void>((resolve) => {
        closed = resolve;
        child.once('exit', () => resolve());
      });
      child.send({ type: 'close' });
      await gone;
      child.kill();
    },
  };
}

/** A payload the size of an Updraft push, for the raw baseline (Quectel: bytes of a frame's size). */
function rawPayload(size: number, dialect: Dialect): string | Buffer {
  if (dialect === 'quectel') return Buffer.alloc(Math.round(size), 0x5a);
  return JSON.stringify({ id: '123456789', code: 200, params: { pad: 'x'.repeat(Math.max(0, size - 60)) } });
}

async function measure(broker: 'embedded' | 'external', count: number, dir: string, dialect: Dialect) {
  console.log(`${broker} broker, ${dialect}`);
  const fleet = await createFleet(count, broker, dialect);
  let clients: Clients | undefined;
  try {
    const transport = await fleet.app.startMqtt();
    clients = await startClients(fleet.logins, broker === 'embedded' ? transport.url : externalUrl, dir);

    // Warm-up: one raw round, so that neither measurement pays for the harness's first messages.
    const warm = clients.expect('warm-up');
    await Promise.all(fleet.logins.map((login) => transport.publish(login.pushTopic, '{}')));
    await warm;

    // Updraft: from the operator's start until every device has its push.
    let pushBytes = 0;
    const updraftDone = clients.expect('updraft');
    const profiler = profileFile ? await startProfile() : undefined;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await fleet.app.services.plans.runAction(fleet.planId, 'start', 'bench');
    await fleet.app.services.plans.tickPlan(fleet.planId, 'bench', 600_000);
    const dispatched = (performance.now() - started) / 1000;
    const got = await updraftDone;
    const updraft = (performance.now() - started) / 1000;
    const updraftCpu = cpuSeconds(cpuBefore);
    if (profiler && profileFile) await profiler.stop(`${profileFile}.${broker}.cpuprofile`);
    pushBytes = got.bytes / got.messages;
    console.log(
      `  Updraft: ${count} pushes in ${updraft.toFixed(2)} s (plan dispatched in ${dispatched.toFixed(2)} s; ${got.messages} messages, ${pushBytes.toFixed(0)} B each; CPU ${updraftCpu.toFixed(2)} s in this process, ${got.cpuSeconds.toFixed(2)} s in the clients)`,
    );

    // Raw: one bare publish per device of a message of the same size, QoS 1, through the same broker.
    const payload = rawPayload(pushBytes, dialect);
    const publisher =
      broker === 'embedded'
        ? { publish: transport.publish, close: async () => {} }
        : await (async () => {
            const client = await connectAsync(externalUrl, { reconnectPeriod: 0, clean: true }, false);
            return {
              publish: async (topic: string, body: string | Buffer) => {
                await client.publishAsync(topic, body, { qos: 1 });
              },
              close: () => client.endAsync(),
            };
          })();
    const rawDone = clients.expect('raw');
    const rawStarted = performance.now();
    const rawCpuBefore = process.cpuUsage();
    await Promise.all(fleet.logins.map((login) => publisher.publish(login.pushTopic, payload)));
    // Every publish acknowledged: when the publisher was done, against when the clients were.
    const published = (performance.now() - rawStarted) / 1000;
    const rawGot = await rawDone;
    const raw = (performance.now() - rawStarted) / 1000;
    const rawCpu = cpuSeconds(rawCpuBefore);
    await publisher.close();
    console.log(
      `  raw publish: ${count} messages in ${raw.toFixed(2)} s (all acknowledged to the publisher at ${published.toFixed(2)} s; CPU ${rawCpu.toFixed(2)} s in this process, ${rawGot.cpuSeconds.toFixed(2)} s in the clients)`,
    );
    console.log(`  Updraft / raw: ${(updraft / raw).toFixed(2)}`);
    return { updraft, raw, updraftCpu, rawCpu, rssMb: process.memoryUsage.rss() / 2 ** 20 };
  } finally {
    await clients?.close();
    await fleet.close();
  }
}

/** Issue 21's aim: a plan start reaches every device in at most twice the raw publish's time. */
export const aims: Aims = {
  embedded_vs_raw: { max: 2, what: 'embedded broker, time vs raw QoS 1 publish' },
  external_vs_raw: { max: 2, what: 'Mosquitto, time vs raw QoS 1 publish' },
  quectel_vs_raw: { max: 2, what: 'Quectel plans, embedded broker, time vs raw QoS 1 publish' },
  quectel_external_vs_raw: { max: 2, what: 'Quectel plans, Mosquitto, time vs raw QoS 1 publish' },
};

export async function main(argv: string[]): Promise<void> {
  const count = Number(option(argv, 'devices', '10000'));
  const which = option(argv, 'broker', 'both');
  const dialects = option(argv, 'dialect', 'both');
  profileFile = argv.includes('--profile') ? option(argv, 'profile', 'mqtt-fanout') : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'updraft-fanout-logins-'));
  const keys: string[] = [];
  try {
    for (const dialect of ['thingspanel', 'quectel'] as const) {
      if (dialects !== 'both' && dialects !== dialect) continue;
      for (const broker of ['embedded', 'external'] as const) {
        if (which !== 'both' && which !== broker) continue;
        const result = await measure(broker, count, dir, dialect);
        // ThingsPanel's keys are the broker's (embedded_…, external_…); Quectel's quectel_… and quectel_external_….
        const name =
          dialect === 'thingspanel' ? broker : broker === 'embedded' ? 'quectel' : 'quectel_external';
        keys.push(`${name}_vs_raw=${(result.updraft / result.raw).toFixed(2)}`);
        keys.push(`${name}_s=${result.updraft.toFixed(2)}`);
        keys.push(`${name}_raw_s=${result.raw.toFixed(2)}`);
        keys.push(`${name}_cpu_s=${result.updraftCpu.toFixed(2)}`);
        keys.push(`${name}_raw_cpu_s=${result.rawCpu.toFixed(2)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ratios = keys.filter((k) => k.includes('_vs_raw='));
  const figures = keys.filter((k) => !k.includes('_vs_raw='));
  console.log(`RESULT mqtt-fanout ${[...ratios, `devices=${count}`, ...figures].join(' ')}`);
  process.exit(0);
}
