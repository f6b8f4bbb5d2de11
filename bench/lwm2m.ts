// `npm run bench -- lwm2m [--devices N] [--kib K] [--slots S] [--limit SECONDS]`: one plan pulled by N LwM2M
// devices (5,000 by default) over CoAP, beside the same plan over MQTT, in the same run.
// LwM2M: Updraft in this process (SQLite, the CoAP server on loopback, the scheduler running), a
// product listing `lwm2m`, N devices imported through the API, a K KiB package (256); the devices
// are light LwM2M clients in a second process (support/lwm2m-devices.ts, one UDP socket each),
// registered and read before the plan starts. From the operator's start the server writes each
// a Package URI, the device downloads it with CoAP Block2 (1 KiB blocks, S devices at once,
// 256), checks its sha256, goes State 2, is told Update, re-registers with 2.0; the plan
// completes. MQTT: a fresh Updraft and the campaign bench's SDK devices (ThingsPanel v0.5,
// downloads over HTTP with Range), same N, same package size. Prints each wall time, the
// server's CPU seconds, its peak RSS during the LwM2M phase, and the ratio of the wall times.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../packages/server/src/app.ts';
import { loadConfig } from '../packages/server/src/config/config.ts';
import { createPlanFleet, option } from './support/bench-fleet.ts';
import { runPlan, startDeviceProcess } from './support/device-process.ts';

const here = dirname(fileURLToPath(import.meta.url));

interface Lwm2mStats {
  registered: number;
  downloaded: number;
  installed: number;
  retransmits: number;
  blocks: number;
  failed: number;
}

function configFor(dataDir: string) {
  return loadConfig(
    {},
    {
      dataDir,
      logLevel: 'silent',
      mqttPort: 0,
      mqttHost: '127.0.0.1',
      httpHost: '127.0.0.1',
      httpPort: 0,
      coapPort: 0,
      coapHost: '127.0.0.1',
    },
  );
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

async function lwm2mPhase(count: number, size: number, slots: number, limitS: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-lwm2m-'));
  const app = await buildApp(configFor(dataDir));
  let devices:
    | ReturnType<typeof startDeviceProcess<{ registerSeconds: number; rssMb: number }, Lwm2mStats>>
    | undefined;
  try {
    const fleet = await createPlanFleet(app, {
      name: 'lwm2m',
      count,
      firmwareBytes: size,
      protocols: ['lwm2m'],
    });
    await app.http.listen({ host: '127.0.0.1', port: 0 });
    const coap = await app.startCoap();
    const loginsFile = join(dataDir, 'logins.json');
    writeFileSync(loginsFile, JSON.stringify(fleet.logins));
    devices = startDeviceProcess(join(here, 'support', 'lwm2m-devices.ts'), [
      loginsFile,
      '127.0.0.1',
      String(coap.port),
      String(slots),
    ]);
    const ready = await devices.ready;
    console.log(
      `${count} LwM2M devices registered and read in ${ready.registerSeconds.toFixed(1)} s ` +
        `(${app.lwm2m.registrations()} registrations; device process RSS ${ready.rssMb.toFixed(0)} MB)`,
    );
    const setupRssMb = process.resourceUsage().maxRSS / 1024;
    // What the memory is made of at its peaks (sampled every 100 ms).
    const peak = { heapUsed: 0, external: 0, arrayBuffers: 0 };
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
      peak.external = Math.max(peak.external, m.external);
      peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    }, 100);
    const { wall, cpu } = await runPlan(app, fleet.planId, devices.exited, limitS * 1000).finally(() =>
      clearInterval(sampler),
    );
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const stats = await devices.stats();
    const counts = (await app.services.plans.report(fleet.planId, 3_600_000)).counts;
    console.log(
      `LwM2M plan completed in ${wall.toFixed(1)} s: success ${counts.success}, failure ${counts.failure}`,
    );
    console.log(`  server CPU ${cpu.toFixed(1)} s (${((cpu / wall) * 100).toFixed(0)}% of one core)`);
    console.log(
      `  server peak RSS ${rssMb.toFixed(0)} MB (${setupRssMb.toFixed(0)} MB with every device registered); ` +
        `heap used up to ${mb(peak.heapUsed)}, external up to ${mb(peak.external)} (array buffers ${mb(peak.arrayBuffers)})`,
    );
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      console.log(`  after a full collection: heap ${mb(process.memoryUsage().heapUsed)} used`);
    }
    console.log(
      `  devices: ${stats.downloaded} downloads, ${stats.installed} installs, ${stats.failed} failures, ` +
        `${(stats.blocks / count).toFixed(0)} blocks and ${(stats.retransmits / count).toFixed(2)} retransmissions per device`,
    );
    const clientRss = await devices.close();
    devices = undefined;
    console.log(`  device process peak RSS ${clientRss.toFixed(0)} MB`);
    return { wall, cpu, rssMb, success: counts.success };
  } finally {
    await devices?.close().catch(() => {});
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function mqttPhase(count: number, size: number, limitS: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-lwm2m-mqtt-'));
  const stateRoot = mkdtempSync(
    join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'updraft-devices-'),
  );
  const app = await buildApp(configFor(dataDir));
  let devices: ReturnType<typeof startDeviceProcess<{ connectSeconds: number }, unknown>> | undefined;
  try {
    const fleet = await createPlanFleet(app, { name: 'mqtt', count, firmwareBytes: size });
    await app.http.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.http.server.address() as AddressInfo;
    const transport = await app.startMqtt();
    const loginsFile = join(dataDir, 'logins.json');
    writeFileSync(loginsFile, JSON.stringify(fleet.logins));
    devices = startDeviceProcess(join(here, 'support', 'campaign-devices.ts'), [
      loginsFile,
      transport.url,
      stateRoot,
      `http://127.0.0.1:${port}`,
    ]);
    const ready = await devices.ready;
    console.log(`${count} MQTT SDK devices connected in ${ready.connectSeconds.toFixed(1)} s`);
    const { wall, cpu } = await runPlan(app, fleet.planId, devices.exited, limitS * 1000);
    const counts = (await app.services.plans.report(fleet.planId, 3_600_000)).counts;
    console.log(
      `MQTT plan completed in ${wall.toFixed(1)} s: success ${counts.success}, server CPU ${cpu.toFixed(1)} s`,
    );
    await devices.close();
    devices = undefined;
    return { wall, cpu };
  } finally {
    await devices?.close().catch(() => {});
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateRoot, { recursive: true, force: true });
  }
}

export async function main(argv: string[]): Promise<void> {
  const count = Number(option(argv, 'devices', '5000'));
  const size = Number(option(argv, 'kib', '256')) * 1024;
  const slots = Number(option(argv, 'slots', '256'));
  // Each plan gives up after this many seconds (a loaded machine needs more than a quiet one).
  const limitS = Number(option(argv, 'limit', '1800'));
  // LwM2M first: the peak RSS of this process is then the LwM2M phase's alone.
  const lwm2m = await lwm2mPhase(count, size, slots, limitS);
  const mqtt = await mqttPhase(count, size, limitS);
  console.log(
    `RESULT lwm2m devices=${count} wall_s=${lwm2m.wall.toFixed(1)} vs_mqtt=${(lwm2m.wall / mqtt.wall).toFixed(2)} ` +
      `server_rss_mb=${lwm2m.rssMb.toFixed(0)} server_cpu_s=${lwm2m.cpu.toFixed(1)} ` +
      `mqtt_wall_s=${mqtt.wall.toFixed(1)} mqtt_server_cpu_s=${mqtt.cpu.toFixed(1)} success=${lwm2m.success}`,
  );
  process.exit(0);
}
