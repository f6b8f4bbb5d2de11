// `npm run bench -- campaign --db postgres --broker mosquitto --instances N` (issue 21): the same
// campaign as bench/campaign.ts, but Updraft as N `updraft serve` processes (the crash campaign's,
// test/chaos/instances.ts) on one fresh PostgreSQL database (the tests' server, UPDRAFT_TEST_PG_URL;
// created and dropped here) or, with one instance, SQLite; with Mosquitto as the external broker, whose shared
// subscription spreads the devices' messages over the instances (a Mosquitto of the bench's own,
// mosquitto-process.ts, without the queue limit that drops messages; UPDRAFT_BENCH_MQTT_URL names
// another, such as the machine's on 127.0.0.1:1883), or the embedded broker of one instance. Each instance's pushes carry its own download links, so a
// device downloads from whichever instance pushed it. Set up through the management API, as an
// operator would. Server CPU and peak RSS are read from /proc and summed over the instances (each
// one listed too).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmptyPostgresDatabase } from '../../packages/server/src/test-support/test-database.ts';
import {
  createInstance,
  createManagement,
  freePort,
  type Instance,
  seedProduct,
} from '../../test/chaos/instances.ts';
import { startDevices } from '../campaign.ts';
import { startMosquitto } from './mosquitto-process.ts';
import { cpuMeter } from './proc-cpu.ts';

export interface ScaleOut {
  db: 'sqlite' | 'postgres';
  broker: 'embedded' | 'mosquitto';
  instances: number;
}

/** Set (e.g. mqtt://127.0.0.1:1883, the machine's Mosquitto): that broker instead of one of the bench's own. */
const givenBrokerUrl = process.env['UPDRAFT_BENCH_MQTT_URL'];
const password = 'Bench-campaign-9-pass';

/** `--db`, `--broker` and `--instances`, checked: several instances share PostgreSQL and a broker. */
export function parseScaleOut(db: string, broker: string, instances: string): ScaleOut {
  const n = Number(instances);
  if (db !== 'sqlite' && db !== 'postgres') throw new Error('--db is sqlite or postgres');
  if (broker !== 'embedded' && broker !== 'mosquitto') throw new Error('--broker is embedded or mosquitto');
  if (!Number.isInteger(n) || n < 1) throw new Error('--instances is 1 or more');
  if (n > 1 && (db !== 'postgres' || broker !== 'mosquitto')) {
    throw new Error(
      'several instances share PostgreSQL and an external broker: --db postgres --broker mosquitto',
    );
  }
  return { db, broker, instances: n };
}

/**
 * Lines of Mosquitto's log (where this machine's is readable) saying that it dropped messages for
 * one of this run's instances: past max_queued_messages, device reports are lost at the broker.
 */
function brokerDrops(group: string): number {
  try {
    const log = readFileSync('/var/log/mosquitto/mosquitto.log', 'utf8');
    return log.split('\n').filter((line) => line.includes(`dropped for client ${group}-`)).length;
  } catch {
    return 0;
  }
}

/** Peak RSS of a live process (VmHWM), MB. */
function peakRssMb(pid: number): number {
  const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? 0) / 1024;
}

/** `limitSeconds`: the plan must complete within it (`--limit`, 600 by default). */
export async function runScaledCampaign(
  setup: ScaleOut,
  count: number,
  size: number,
  limitSeconds = 600,
): Promise<void> {
  const broker = setup.broker === 'mosquitto' && givenBrokerUrl ? 'mosquitto-given' : setup.broker;
  const label = `db=${setup.db} broker=${broker} instances=${setup.instances}`;
  const dir = mkdtempSync(join(tmpdir(), 'updraft-campaign-'));
  const stateRoot = mkdtempSync(
    join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'updraft-devices-'),
  );
  const secret = randomBytes(32).toString('base64');
  const group = `bench${randomBytes(4).toString('hex')}`;
  const external = setup.broker === 'mosquitto';
  const mqttPort = await freePort();
  const mosquitto = external && !givenBrokerUrl ? await startMosquitto(await freePort()) : undefined;
  const brokerUrl = givenBrokerUrl ?? mosquitto?.url ?? '';
  const database = setup.db === 'postgres' ? await createEmptyPostgresDatabase() : undefined;
  const servers: Instance[] = [];
  const bases: string[] = [];
  for (let i = 0; i < setup.instances; i++) {
    const httpPort = await freePort();
    bases.push(`http://127.0.0.1:${httpPort}`);
    const env: Record<string, string> = {
      UPDRAFT_DATA_DIR: join(dir, `data-${i}`),
      UPDRAFT_FIRMWARE_DIR: join(dir, 'firmware'),
      UPDRAFT_HTTP_HOST: '127.0.0.1',
      UPDRAFT_HTTP_PORT: String(httpPort),
      UPDRAFT_SECRET: secret,
      UPDRAFT_ADMIN_PASSWORD: password,
      UPDRAFT_LOG_LEVEL: 'warn',
      UPDRAFT_COAP_PORT: '0',
      ...(database && { UPDRAFT_DATABASE_URL: database.url }),
      ...(external
        ? {
            UPDRAFT_MQTT_URL: brokerUrl,
            UPDRAFT_MQTT_SHARE_GROUP: group,
            UPDRAFT_MQTT_CLIENT_ID: `${group}-${i}`,
            UPDRAFT_MQTT_AUTH_TOKEN: secret,
          }
        : { UPDRAFT_MQTT_HOST: '127.0.0.1', UPDRAFT_MQTT_PORT: String(mqttPort) }),
    };
    servers.push(createInstance(`instance ${i}`, env, join(dir, `server-${i}.log`)));
  }
  let devices: ReturnType<typeof startDevices> | undefined;
  try {
    for (const server of servers) await server.start();
    const api = createManagement(bases, password);
    await api.signIn();
    const { productId, packageId, logins } = await seedProduct(api, {
      name: 'campaign',
      prefix: 'd',
      devices: count,
      version: '2.0',
      bytes: size,
    });
    // As bench-fleet.ts: every device, started by hand; but re-pushed every 60 s (the least a
    // plan may take) instead of 600: a broker that drops device messages (Mosquitto past its
    // max_queued_messages) costs a re-push, and the bench should measure that, not wait it out.
    const plan = await api.json('POST', '/plans', {
      name: 'campaign',
      productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
      start: { mode: 'manual' },
      pushPeriodSeconds: 60,
    });
    await api.json('POST', `/plans/${plan.id}/publish`, {});

    const loginsFile = join(dir, 'logins.json');
    writeFileSync(loginsFile, JSON.stringify(logins));
    devices = startDevices(
      loginsFile,
      external ? brokerUrl : `mqtt://127.0.0.1:${mqttPort}`,
      stateRoot,
      bases[0]!,
    );
    const ready = await devices.ready;
    console.log(
      `${label}: ${count} SDK devices connected in ${ready.connectSeconds.toFixed(1)} s (device process RSS ${ready.rssMb.toFixed(0)} MB)`,
    );
    const pids = servers.map((s) => s.pid()!);
    const setupRss = pids.map(peakRssMb);
    const before = await devices.stats();
    const cpu = pids.map((pid) => cpuMeter([pid]));
    const dropsBefore = brokerDrops(group);
    const started = performance.now();
    await api.json('POST', `/plans/${plan.id}/start`, {});
    let counts: Record<string, number> = {};
    let reported = started;
    for (;;) {
      const current = await api.json('GET', `/plans/${plan.id}`);
      counts = current.counts;
      if (current.status === 'completed') break;
      const seconds = (performance.now() - started) / 1000;
      if (performance.now() - reported > 60_000) {
        reported = performance.now();
        console.log(`  ${seconds.toFixed(0)} s: ${JSON.stringify(counts)}`);
      }
      if (seconds > limitSeconds) {
        throw new Error(`the plan did not complete within ${limitSeconds} s: ${JSON.stringify(counts)}`);
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 250)), devices.exited]);
    }
    const wall = (performance.now() - started) / 1000;
    const cpuEach = cpu.map((read) => read());
    const rssEach = pids.map(peakRssMb);
    const after = await devices.stats();
    const serverCpu = cpuEach.reduce((a, b) => a + b, 0);
    const rssMb = rssEach.reduce((a, b) => a + b, 0);
    const drops = external ? brokerDrops(group) - dropsBefore : 0;
    const messages = (after.published - before.published + after.received - before.received) / count;
    console.log(
      `plan completed in ${wall.toFixed(1)} s: success ${counts['success']}, failure ${counts['failure']}`,
    );
    console.log(
      `  server CPU ${serverCpu.toFixed(1)} s summed over the instances (${cpuEach.map((c) => c.toFixed(1)).join(' + ')})`,
    );
    console.log(
      `  server peak RSS ${rssMb.toFixed(0)} MB summed over the instances (${rssEach.map((r) => r.toFixed(0)).join(' + ')}; ${setupRss.map((r) => r.toFixed(0)).join(' + ')} with every device connected)`,
    );
    console.log(
      `  per device: ${messages.toFixed(1)} MQTT messages, ${((after.downloadBytes - before.downloadBytes) / count / 1024).toFixed(0)} KiB downloaded`,
    );
    if (drops > 0) {
      console.log(
        `  Mosquitto logged ${drops} times that it dropped messages for the instances (max_queued_messages, docs/scale-out.md)`,
      );
    }
    const clientRss = await devices.close();
    devices = undefined;
    console.log(`  device process peak RSS ${clientRss.toFixed(0)} MB`);
    console.log(
      `RESULT campaign ${label} devices=${count} wall_s=${wall.toFixed(1)} server_cpu_s=${serverCpu.toFixed(1)} ` +
        `server_rss_mb=${rssMb.toFixed(0)} server_rss_mb_max=${Math.max(...rssEach).toFixed(0)} ` +
        `messages_per_device=${messages.toFixed(1)} success=${counts['success']}` +
        (external ? ` broker_drop_lines=${drops}` : ''),
    );
  } finally {
    await devices?.close().catch(() => {});
    for (const server of servers) await server.stop().catch(() => {});
    await database?.dispose().catch(() => {});
    await mosquitto?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(stateRoot, { recursive: true, force: true });
  }
}
