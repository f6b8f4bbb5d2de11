// `npm run bench -- device-http [--seconds S] [--devices N]`: the device HTTP API under load.
// Updraft with N devices (100,000 by default) and a running plan; beside it Node's bare `http`
// server and Debian's nginx (tuned: sendfile, tcp_nopush off, keep-alive) serving the same
// firmware file. The load comes from Debian's wrk (one thread, keep-alive) for every target.
// Measures check requests/s of devices already offered their upgrade (each device's first check
// runs before the load) vs bare Node, whole-file download MiB/s and 64 KiB Range
// requests/s at random offsets (vs nginx directly, and Updraft behind nginx with
// X-Accel-Redirect), and for each the server's CPU time per request from /proc, which moves
// less than throughput when other work shares the machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOneNetToken } from '../packages/protocol/src/index.ts';
import { type App, buildApp } from '../packages/server/src/app.ts';
import { loadConfig } from '../packages/server/src/config/config.ts';
import { startNginx } from '../packages/server/src/test-support/nginx-harness.ts';
import { seedFleet } from '../packages/server/src/test-support/plan-fleet.ts';
import { cpuMeter, withChildren } from './support/proc-cpu.ts';
import type { Aims } from './support/rounds.ts';
import { rangeBytes, runWrk, type WrkResult, type WrkTarget, wrkMissing } from './support/wrk.ts';

/** The issue's aims: on throughput and, steadier, on CPU time per request (baseline's / Updraft's). */
export const aims: Aims = {
  check_vs_node: { min: 0.5, what: 'checks/s vs bare node:http' },
  check_cpu_vs_node: { min: 0.5, what: 'CPU per request, bare node:http / Updraft check' },
  download_vs_nginx: { min: 0.5, what: 'whole-file MiB/s vs nginx' },
  download_cpu_vs_nginx: { min: 0.5, what: 'CPU per download, nginx / Updraft' },
  range_vs_nginx: { min: 0.3, what: '64 KiB ranges/s vs nginx' },
  range_cpu_vs_nginx: { min: 0.3, what: 'CPU per range, nginx / Updraft' },
};

interface Measured extends WrkResult {
  /** CPU seconds of the serving processes during the load. */
  cpu: number;
}

/** Runs wrk against a target while counting the CPU of the processes that serve it. */
async function measure(target: WrkTarget, servers: (number | 'self')[]): Promise<Measured> {
  const cpu = cpuMeter(servers);
  const result = await runWrk(target);
  return { ...result, cpu: cpu() };
}

function argument(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

async function startBareNode(body: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function listen(app: App): Promise<string> {
  await app.http.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
}

export async function main(argv: string[]): Promise<void> {
  const missing = wrkMissing();
  if (missing) {
    console.error(`device-http: ${missing}`);
    process.exit(1);
  }
  const seconds = argument(argv, 'seconds', 5);
  const deviceCount = argument(argv, 'devices', 100_000);
  const firmwareBytes = 4 * 1024 * 1024;
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-bench-http-'));
  const settings = { dataDir, logLevel: 'silent', adminPassword: 'bench-admin-password' };
  const app = await buildApp(loadConfig({}, settings), { scheduler: false, deltaRunner: false });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // Fleet, firmware and a running plan.
    const t0 = performance.now();
    const productKey = 'pk_bench_http';
    const fleet = await seedFleet(app.database, deviceCount, { key: productKey, now: Date.now() });
    const key = await app.services.accounts.createApiKey(null, { name: 'bench', role: 'admin' });
    const firmware = Buffer.alloc(firmwareBytes);
    for (let i = 0; i < firmware.length; i++) firmware[i] = (i * 2654435761) >>> 24;
    const boundary = 'bench-boundary';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n2.0\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="app.bin"\r\n\r\n`),
      firmware,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const uploaded = await app.http.inject({
      method: 'POST',
      url: `/api/v1/products/${fleet.productId}/firmware`,
      payload,
      headers: {
        authorization: `Bearer ${key.secret}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
    });
    if (uploaded.statusCode !== 201) throw new Error(uploaded.body);
    const pkg = uploaded.json() as { id: number; files: { sha256: string }[] };
    const plan = await app.services.plans.createPlan(
      { name: 'bench', productId: fleet.productId, firmwarePackageId: pkg.id, target: { kind: 'all' } },
      'bench',
    );
    await app.services.plans.publish(plan.id, 'bench');
    await app.services.plans.tickPlan(plan.id, 'bench', 600_000);
    console.log(
      `setup: ${deviceCount} devices, ${firmwareBytes / 1048576} MiB firmware, plan running ` +
        `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );

    // Updraft directly, and a second instance on the same database behind nginx (X-Accel-Redirect).
    const updraft = await listen(app);
    const accelApp = await buildApp(loadConfig({}, { ...settings, downloadAccel: 'nginx' }), {
      scheduler: false,
      deltaRunner: false,
      database: app.database,
    });
    cleanups.push(() => accelApp.close());
    const accel = await listen(accelApp);
    const nginx = await startNginx({
      upstream: accel.replace('http://', ''),
      firmwareDir: app.config.firmwareDir,
      serveFiles: true,
    });
    cleanups.push(() => nginx.stop());

    // Check requests from 2,000 devices, each with its own Authorization.
    const secret = await app.services.devices.secretOf({ id: fleet.deviceIds[0]! });
    const et = Math.floor(Date.now() / 1000) + 3600;
    const checkPath = (id: number) =>
      `/ota/south/check?dev_id=${id}&manuf=100&model=10001&type=1&version=1.0&cdn=true`;
    const checks = fleet.deviceIds.slice(0, 2000).map((id, i) => ({
      path: checkPath(id),
      headers: { authorization: createOneNetToken(secret, `products/${productKey}/devices/d${i}`, et) },
    }));
    // The download token belongs to a device outside the check set, so checks do not supersede it.
    const downloader = fleet.deviceIds[2000]!;
    const probe = await fetch(`${updraft}${checkPath(downloader)}`, {
      headers: { authorization: createOneNetToken(secret, `products/${productKey}/devices/d2000`, et) },
    });
    const answer = (await probe.json()) as { errno: number; data: { token: string } };
    if (answer.errno !== 0) throw new Error(`check failed: ${JSON.stringify(answer)}`);
    const token = answer.data.token;
    const bare = await startBareNode(JSON.stringify(answer));
    cleanups.push(() => bare.close());
    const nginxProcesses = withChildren(nginx.pid);

    const sha = pkg.files[0]!.sha256;
    const downloadTargets = {
      nginx: { base: nginx.url, path: `/files/${sha.slice(0, 2)}/${sha}`, servers: nginxProcesses },
      updraft: { base: updraft, path: `/ota/south/download/${token}`, servers: ['self' as const] },
      accel: {
        base: nginx.url,
        path: `/ota/south/download/${token}`,
        servers: [...nginxProcesses, 'self' as const],
      },
    };
    // Every target answers the same bytes before it is measured: errors would look like speed.
    for (const [name, t] of Object.entries(downloadTargets)) {
      const whole = Buffer.from(await (await fetch(`${t.base}${t.path}`)).arrayBuffer());
      const part = await fetch(`${t.base}${t.path}`, { headers: { range: 'bytes=100-65635' } });
      if (
        !whole.equals(firmware) ||
        part.status !== 206 ||
        (await part.arrayBuffer()).byteLength !== rangeBytes
      ) {
        throw new Error(`${name} does not serve the firmware file (status ${part.status})`);
      }
    }

    // Each device's first check is the engine's offer (a transaction); the load measures the
    // checks after it, as a device that polls while it is offered an upgrade makes them.
    for (const request of checks) {
      const res = await fetch(`${updraft}${request.path}`, { headers: request.headers });
      const first = (await res.json()) as { errno: number };
      if (first.errno !== 0) throw new Error(`first check failed: ${JSON.stringify(first)}`);
    }

    const c = 32;
    const node = await measure({ base: bare.url, requests: [{ path: '/' }], connections: c, seconds }, [
      'self',
    ]);
    const check = await measure({ base: updraft, requests: checks, connections: c, seconds }, ['self']);
    const rps = (r: WrkResult) => r.requests / r.seconds;
    const mibs = (r: WrkResult) => r.bytes / 1048576 / r.seconds;
    const cpuUs = (r: Measured) => (r.cpu / r.requests) * 1e6;
    const line = (r: Measured, rate: string) =>
      `${rate}, ${cpuUs(r).toFixed(0)} µs CPU/request, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms` +
      `${r.errors ? `, ${r.errors} ERRORS` : ''}`;
    console.log(`check     updraft ${line(check, `${rps(check).toFixed(0)} req/s`)}`);
    console.log(`check     bare    ${line(node, `${rps(node).toFixed(0)} req/s`)}`);

    const downloads: Record<string, Measured> = {};
    const ranges: Record<string, Measured> = {};
    for (const [name, t] of Object.entries(downloadTargets)) {
      downloads[name] = await measure(
        { base: t.base, requests: [{ path: t.path }], connections: 8, seconds },
        t.servers,
      );
      ranges[name] = await measure(
        { base: t.base, requests: [{ path: t.path }], connections: c, seconds, rangeOf: firmwareBytes },
        t.servers,
      );
      console.log(
        `download  ${name.padEnd(7)} ${line(downloads[name]!, `${mibs(downloads[name]!).toFixed(0)} MiB/s`)}`,
      );
      console.log(
        `64k range ${name.padEnd(7)} ${line(ranges[name]!, `${rps(ranges[name]!).toFixed(0)} req/s`)}`,
      );
    }
    const errors = [node, check, ...Object.values(downloads), ...Object.values(ranges)].reduce(
      (sum, r) => sum + r.errors,
      0,
    );
    if (errors > 0)
      throw new Error(`${errors} requests failed during the load: the figures would not mean much`);
    const ratio = (a: number, b: number) => (a / b).toFixed(3);
    const [dl, rg] = [downloads, ranges] as const;
    console.log(
      `RESULT device-http check_vs_node=${ratio(rps(check), rps(node))} ` +
        `check_cpu_vs_node=${ratio(cpuUs(node), cpuUs(check))} ` +
        `download_vs_nginx=${ratio(mibs(dl['updraft']!), mibs(dl['nginx']!))} ` +
        `download_cpu_vs_nginx=${ratio(cpuUs(dl['nginx']!), cpuUs(dl['updraft']!))} ` +
        `range_vs_nginx=${ratio(rps(rg['updraft']!), rps(rg['nginx']!))} ` +
        `range_cpu_vs_nginx=${ratio(cpuUs(rg['nginx']!), cpuUs(rg['updraft']!))} ` +
        `download_accel_vs_nginx=${ratio(mibs(dl['accel']!), mibs(dl['nginx']!))} ` +
        `range_accel_vs_nginx=${ratio(rps(rg['accel']!), rps(rg['nginx']!))} ` +
        `check_cpu_us=${cpuUs(check).toFixed(0)} node_cpu_us=${cpuUs(node).toFixed(0)} ` +
        `range_cpu_us=${cpuUs(rg['updraft']!).toFixed(0)} nginx_range_cpu_us=${cpuUs(rg['nginx']!).toFixed(0)}`,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
