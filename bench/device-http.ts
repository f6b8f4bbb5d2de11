// `npm run bench -- device-http [--seconds S] [--devices N]`: the device HTTP API under load.
// Updraft with N devices (100,000 by default) and a running plan; beside it Node's bare `http`
// server and Debian's nginx serving the same firmware file; one load tool (node:http keep-alive
// agents in a worker thread) for every target. Measures check requests/s (vs bare Node),
// whole-file download MiB/s and 64 KiB Range requests/s at random offsets (vs nginx directly,
// and Updraft behind nginx with X-Accel-Redirect).
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createOneNetToken } from '../packages/protocol/src/index.ts';
import { type App, buildApp } from '../packages/server/src/app.ts';
import { loadConfig } from '../packages/server/src/config/config.ts';
import { seedFleet } from '../packages/server/src/modules/plans/test-fleet.ts';
import { startNginx } from '../packages/server/src/transports/http/device-api/nginx-harness.ts';

interface Target {
  /** Requests, used round-robin; `{offset}` in a range header is replaced by a random offset. */
  requests: { url: string; headers: Record<string, string> }[];
  concurrency: number;
  seconds: number;
  /** File size, for random 64 KiB ranges. */
  rangeOf?: number;
}

interface LoadResult {
  requests: number;
  bytes: number;
  seconds: number;
  errors: number;
}

const rangeBytes = 64 * 1024;

/** The load tool: runs in a worker so that it does not share the server's event loop. */
async function runLoad(target: Target): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: target.concurrency });
  let requests = 0;
  let bytes = 0;
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const until = started + target.seconds * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const spec = target.requests[next++ % target.requests.length]!;
      const headers = { ...spec.headers };
      if (target.rangeOf !== undefined) {
        const start = Math.floor(Math.random() * (target.rangeOf - rangeBytes));
        headers['range'] = `bytes=${start}-${start + rangeBytes - 1}`;
      }
      const req = request(spec.url, { agent, headers }, (res) => {
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => {
          // OneNET download errors are a 200 without Content-Length.
          if ((res.statusCode ?? 500) >= 300 || res.headers['ota-errno'] !== undefined) errors++;
          requests++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: target.concurrency }, async () => {
      while (performance.now() < until) await one();
    }),
  );
  agent.destroy();
  return { requests, bytes, errors, seconds: (performance.now() - started) / 1000 };
}

if (!isMainThread) {
  parentPort!.postMessage(await runLoad(workerData as Target));
}

function load(target: Target): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: target });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
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
  const seconds = argument(argv, 'seconds', 5);
  const deviceCount = argument(argv, 'devices', 100_000);
  const firmwareBytes = 4 * 1024 * 1024;
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-bench-http-'));
  const settings = { dataDir, logLevel: 'silent', adminPassword: 'bench-admin-password' };
  const app = await buildApp(loadConfig({}, settings), { scheduler: false });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // Fleet, firmware and a running plan.
    let t0 = performance.now();
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
    const checks = fleet.deviceIds.slice(0, 2000).map((id, i) => ({
      url: `${updraft}/ota/south/check?dev_id=${id}&manuf=100&model=10001&type=1&version=1.0&cdn=true`,
      headers: { authorization: createOneNetToken(secret, `products/${productKey}/devices/d${i}`, et) },
    }));
    // The download token belongs to a device outside the check set, so checks do not supersede it.
    const downloader = fleet.deviceIds[2000]!;
    const probe = await fetch(
      `${updraft}/ota/south/check?dev_id=${downloader}&manuf=100&model=10001&type=1&version=1.0&cdn=true`,
      { headers: { authorization: createOneNetToken(secret, `products/${productKey}/devices/d2000`, et) } },
    );
    const answer = (await probe.json()) as { errno: number; data: { token: string } };
    if (answer.errno !== 0) throw new Error(`check failed: ${JSON.stringify(answer)}`);
    const token = answer.data.token;
    const bare = await startBareNode(JSON.stringify(answer));
    cleanups.push(() => bare.close());

    const c = 32;
    const node = await load({ requests: [{ url: bare.url, headers: {} }], concurrency: c, seconds });
    const check = await load({ requests: checks, concurrency: c, seconds });
    const rps = (r: LoadResult) => r.requests / r.seconds;
    const mibs = (r: LoadResult) => r.bytes / 1048576 / r.seconds;
    console.log(
      `check: updraft ${rps(check).toFixed(0)} req/s (${check.errors} errors), bare node ${rps(node).toFixed(0)} req/s`,
    );

    const sha = pkg.files[0]!.sha256;
    const direct = `${nginx.url}/files/${sha.slice(0, 2)}/${sha}`;
    const targets = {
      nginx: direct,
      updraft: `${updraft}/ota/south/download/${token}`,
      accel: `${nginx.url}/ota/south/download/${token}`,
    };
    const downloads: Record<string, LoadResult> = {};
    const ranges: Record<string, LoadResult> = {};
    for (const [name, url] of Object.entries(targets)) {
      downloads[name] = await load({ requests: [{ url, headers: {} }], concurrency: 8, seconds });
      ranges[name] = await load({
        requests: [{ url, headers: {} }],
        concurrency: c,
        seconds,
        rangeOf: firmwareBytes,
      });
      console.log(
        `${name.padEnd(8)} download ${mibs(downloads[name]!).toFixed(0)} MiB/s, ` +
          `64 KiB ranges ${rps(ranges[name]!).toFixed(0)} req/s ` +
          `(${downloads[name]!.errors + ranges[name]!.errors} errors)`,
      );
    }
    const ratio = (a: number, b: number) => (a / b).toFixed(3);
    console.log(
      `RESULT device-http check_vs_node=${ratio(rps(check), rps(node))} ` +
        `download_vs_nginx=${ratio(mibs(downloads['updraft']!), mibs(downloads['nginx']!))} ` +
        `range_vs_nginx=${ratio(rps(ranges['updraft']!), rps(ranges['nginx']!))} ` +
        `download_accel_vs_nginx=${ratio(mibs(downloads['accel']!), mibs(downloads['nginx']!))} ` +
        `range_accel_vs_nginx=${ratio(rps(ranges['accel']!), rps(ranges['nginx']!))}`,
    );
    t0 = performance.now();
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
