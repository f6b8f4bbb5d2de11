// `npm run bench -- campaign [--devices N] [--kib K] [--db sqlite|postgres] [--broker embedded|mosquitto]
// [--instances N] [--limit S]`: a whole upgrade campaign on one machine. Any of --db, --broker and
// --instances other than its default runs the scaled-out form of support/campaign-scaleout.ts
// (the plan must complete within --limit seconds, 600); what follows is the default.
// Updraft in this process (SQLite, the embedded broker, HTTP on loopback, the scheduler running)
// with N devices (10,000 by default) imported through the API and a K KiB package (256); the
// devices are SDK devices over MQTT in a second process. From the operator's start until the
// plan completes, every device is pushed, checks its token, downloads with Range, verifies the
// sha256, reports progress and success. Prints wall time, the server's CPU seconds and peak RSS,
// messages over the broker and database write statements per device, and what the server's memory
// is made of (heap, external, array buffers; with NODE_OPTIONS=--expose-gc, the heap after a full
// collection, which tells garbage from live data).
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { KyselyPlugin, PluginTransformQueryArgs, RootOperationNode } from 'kysely';
import { type Database, openDatabase } from '../packages/server/src/adapters/db/database.ts';
import { buildApp } from '../packages/server/src/app.ts';
import { loadConfig } from '../packages/server/src/config/config.ts';
import { createPlanFleet, option } from './support/bench-fleet.ts';
import { parseScaleOut, runScaledCampaign } from './support/campaign-scaleout.ts';
import type { Aims } from './support/rounds.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Counts the statements that write (insert, update, delete; raw SQL by its first word). */
function writeCounter() {
  const counter = { writes: 0 };
  const plugin: KyselyPlugin = {
    transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
      const kind = node.kind;
      if (kind === 'InsertQueryNode' || kind === 'UpdateQueryNode' || kind === 'DeleteQueryNode') {
        counter.writes++;
      } else if (kind === 'RawNode') {
        const first = (node as { sqlFragments: readonly string[] }).sqlFragments[0] ?? '';
        if (/^\s*(insert|update|delete|with\b[\s\S]*\b(insert|update|delete))\b/i.test(first))
          counter.writes++;
      }
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return { counter, plugin };
}

interface Stats {
  published: number;
  received: number;
  downloadBytes: number;
  succeeded: number;
  failed: number;
}

export function startDevices(loginsFile: string, mqttUrl: string, stateRoot: string, server: string) {
  const child: ChildProcess = fork(
    join(here, 'support', 'campaign-devices.ts'),
    [loginsFile, mqttUrl, stateRoot, server],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const replies = new Map<string, (message: Record<string, unknown>) => void>();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`device process exited with ${code}`))),
  );
  exited.catch(() => {});
  child.on('message', (message: Record<string, unknown>) => replies.get(String(message['type']))?.(message));
  const reply = (type: string) =>
    Promise.race([new Promise<Record<string, unknown>>((resolve) => replies.set(type, resolve)), exited]);
  return {
    /** Rejects when the device process exits. */
    exited,
    ready: reply('ready') as Promise<{ connectSeconds: number; rssMb: number }>,
    async stats(): Promise<Stats> {
      const answer = reply('stats');
      child.send({ type: 'stats' });
      return (await answer) as unknown as Stats;
    },
    async close(): Promise<number> {
      const answer = reply('closed');
      child.send({ type: 'close' });
      const { rssMb } = (await answer) as { rssMb: number };
      // It exits by itself (writing a --cpu-prof profile when asked); killed if it lingers.
      const gone = new Promise((resolve) => child.once('exit', resolve));
      const timer = setTimeout(() => child.kill(), 5000);
      await gone;
      clearTimeout(timer);
      return rssMb;
    },
  };
}

/** An event-stream client, as the console opens one: counts the events it gets, by type. */
async function followEvents(base: string, app: Awaited<ReturnType<typeof buildApp>>) {
  const key = await app.services.accounts.createApiKey(null, { name: 'bench console', role: 'viewer' });
  const controller = new AbortController();
  const answer = await fetch(`${base}/api/v1/events`, {
    headers: { authorization: `Bearer ${key.secret}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (answer.status !== 200 || !answer.body) throw new Error(`event stream answered ${answer.status}`);
  const counts: Record<string, number> = { plan: 0, device_upgrade: 0, delta_job: 0 };
  const decoder = new TextDecoder();
  let rest = '';
  void (async () => {
    try {
      for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
        const text = rest + decoder.decode(chunk, { stream: true });
        const lines = text.split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          const type = line.startsWith('event: ') ? line.slice(7) : undefined;
          if (type && type in counts) counts[type]! += 1;
        }
      }
    } catch {
      // Closed at the end.
    }
  })();
  return {
    close() {
      controller.abort();
      return { plan: counts['plan']!, device_upgrade: counts['device_upgrade']! };
    },
  };
}

/** A full collection by V8's own gc() (the --expose-gc flag, set here at run time). */
function fullCollection(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Issue 21's aims for 10,000 MQTT devices on this 2-core machine. */
export const aims: Aims = {
  wall_s: { max: 60, what: 'wall time, s' },
  server_rss_mb: { max: 500, what: 'server peak RSS, MB' },
  rss_per_device_kb: { max: 20, what: 'server RSS per connected device, KB' },
};

export async function main(argv: string[]): Promise<void> {
  const count = Number(option(argv, 'devices', '10000'));
  const size = Number(option(argv, 'kib', '256')) * 1024;
  const setup = parseScaleOut(
    option(argv, 'db', 'sqlite'),
    option(argv, 'broker', 'embedded'),
    option(argv, 'instances', '1'),
  );
  if (setup.db !== 'sqlite' || setup.broker !== 'embedded' || setup.instances !== 1) {
    await runScaledCampaign(setup, count, size, Number(option(argv, 'limit', '600')));
    process.exit(0);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-campaign-'));
  // Device state folders (partial downloads) on tmpfs when there is one: the bench is about the
  // server, not about this machine's disk.
  const stateRoot = mkdtempSync(
    join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'updraft-devices-'),
  );
  const config = loadConfig(
    {},
    { dataDir, logLevel: 'silent', mqttPort: 0, mqttHost: '127.0.0.1', httpHost: '127.0.0.1', httpPort: 0 },
  );
  const { counter, plugin } = writeCounter();
  const opened = openDatabase(config.database);
  const database: Database = { ...opened, db: opened.db.withPlugin(plugin) };
  const app = await buildApp(config, { database });
  let devices: ReturnType<typeof startDevices> | undefined;
  try {
    const fleet = await createPlanFleet(app, { name: 'campaign', count, firmwareBytes: size });
    const logins = fleet.logins;
    const plan = { id: fleet.planId };
    const plans = app.services.plans;

    const importedRssMb = process.resourceUsage().maxRSS / 1024;
    await app.http.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.http.server.address() as AddressInfo;
    const transport = await app.startMqtt();
    const loginsFile = join(dataDir, 'logins.json');
    writeFileSync(loginsFile, JSON.stringify(logins));
    // What a connected device costs: the server's memory after a full collection, before the
    // devices and with every one connected (the collection leaves live data only).
    fullCollection();
    const idle = process.memoryUsage();
    devices = startDevices(loginsFile, transport.url, stateRoot, `http://127.0.0.1:${port}`);
    const ready = await devices.ready;
    console.log(
      `${count} SDK devices connected in ${ready.connectSeconds.toFixed(1)} s (device process RSS ${ready.rssMb.toFixed(0)} MB)`,
    );
    fullCollection();
    const connected = process.memoryUsage();
    const perDeviceKb = (key: 'rss' | 'heapUsed' | 'external') => (connected[key] - idle[key]) / count / 1024;
    console.log(
      `  per connected device, after a full collection: ${perDeviceKb('rss').toFixed(1)} KB of RSS, ` +
        `of which JS heap ${perDeviceKb('heapUsed').toFixed(1)} KB and external ${perDeviceKb('external').toFixed(1)} KB`,
    );

    // A console following the campaign: the event stream stays open throughout (issue 18).
    const stream = await followEvents(`http://127.0.0.1:${port}`, app);
    const setupRssMb = process.resourceUsage().maxRSS / 1024;
    const setupMemory = process.memoryUsage();
    const setupHeapMb = setupMemory.heapUsed / 2 ** 20;
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
    console.log(
      `  memory with every device connected: rss ${mb(setupMemory.rss)}, heap ${mb(setupMemory.heapUsed)} used of ${mb(setupMemory.heapTotal)}, external ${mb(setupMemory.external)} (array buffers ${mb(setupMemory.arrayBuffers)})`,
    );
    // The campaign: from the operator's start until the scheduler completes the plan.
    const before = await devices.stats();
    const writesBefore = counter.writes;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await plans.runAction(plan.id, 'start', 'bench');
    let last = '';
    // What the peak is made of: the largest heap, external and array-buffer figures seen.
    const peak = { heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0, rss: 0 };
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      for (const k of Object.keys(peak) as (keyof typeof peak)[]) peak[k] = Math.max(peak[k], m[k]);
    }, 100);
    for (;;) {
      const current = await plans.getPlan(plan.id);
      if (current.status === 'completed') break;
      // The counts alone, as GET /plans/:id reads them: the whole report, eight reads of the
      // table four times a second, took a third of the server's SQL time at 3,000 devices.
      const counts = await plans.counts(plan.id);
      const line = `  ${((performance.now() - started) / 1000).toFixed(0)} s: ${Object.entries(counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`;
      if (line !== last && process.stdout.isTTY) process.stdout.write(`\r${line}   `);
      last = line;
      if (performance.now() - started > 600_000) throw new Error(`the plan did not complete: ${line}`);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 250)), devices.exited]);
    }
    const wall = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpuBefore);
    const writes = counter.writes - writesBefore;
    const after = await devices.stats();
    if (process.stdout.isTTY) process.stdout.write('\n');
    const counts = (await plans.report(plan.id, 3_600_000)).counts;
    const serverCpu = (cpu.user + cpu.system) / 1e6;
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const uplinks = (after.published - before.published) / count;
    const downlinks = (after.received - before.received) / count;
    console.log(
      `plan completed in ${wall.toFixed(1)} s: success ${counts.success}, failure ${counts.failure}`,
    );
    console.log(
      `  server CPU ${serverCpu.toFixed(1)} s (${((serverCpu / wall) * 100).toFixed(0)}% of one core)`,
    );
    console.log(
      `  server peak RSS ${rssMb.toFixed(0)} MB (${importedRssMb.toFixed(0)} MB after the import, ` +
        `${setupRssMb.toFixed(0)} MB with every device connected, of which JS heap ${setupHeapMb.toFixed(0)} MB)`,
    );
    console.log(
      `  during the campaign, sampled every 100 ms: rss up to ${mb(peak.rss)}, heap up to ${mb(peak.heapUsed)} used of ${mb(peak.heapTotal)}, external up to ${mb(peak.external)} (array buffers ${mb(peak.arrayBuffers)})`,
    );
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      console.log(`  after a full collection: heap ${mb(process.memoryUsage().heapUsed)} used`);
    }
    console.log(
      `  per device: ${uplinks.toFixed(1)} uplink + ${downlinks.toFixed(1)} downlink MQTT messages, ` +
        `${(writes / count).toFixed(2)} database write statements, ` +
        `${((after.downloadBytes - before.downloadBytes) / count / 1024).toFixed(0)} KiB downloaded`,
    );
    // The last events reach the stream within a poll or two.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const streamed = stream.close();
    console.log(
      `  event stream open throughout: ${streamed.plan} plan and ${streamed.device_upgrade} device-upgrade events`,
    );
    const clientRss = await devices.close();
    devices = undefined;
    console.log(`  device process peak RSS ${clientRss.toFixed(0)} MB`);
    console.log(
      `RESULT campaign devices=${count} wall_s=${wall.toFixed(1)} server_cpu_s=${serverCpu.toFixed(1)} ` +
        `server_rss_mb=${rssMb.toFixed(0)} rss_per_device_kb=${perDeviceKb('rss').toFixed(1)} messages_per_device=${(uplinks + downlinks).toFixed(1)} ` +
        `db_writes_per_device=${(writes / count).toFixed(2)} success=${counts.success} ` +
        `stream_events=${streamed.plan + streamed.device_upgrade}`,
    );
  } finally {
    await devices?.close().catch(() => {});
    await app.close();
    await opened.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateRoot, { recursive: true, force: true });
  }
  process.exit(0);
}
