// The server side of the crash campaign (campaign.ts): `updraft serve` processes that can be
// killed with SIGKILL and started again with the same settings, and the management API of
// whichever instance answers, and a product of devices seeded through it.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A seeded generator (mulberry32): the same seed gives the same campaign. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type Instance = ReturnType<typeof createInstance>;

/** Not yet exited: a process killed by a signal keeps exitCode null (its signalCode says why). */
const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** One `updraft serve` that can be killed and started again with the same settings. */
export function createInstance(name: string, env: Record<string, string>, logFile: string) {
  const log = createWriteStream(logFile, { flags: 'a' });
  let child: ChildProcess | undefined;
  return {
    name,
    async start(): Promise<void> {
      log.write(`--- ${name} start ${new Date().toISOString()}\n`);
      const started = spawn(process.execPath, [join(root, 'packages/cli/src/main.ts'), 'serve'], {
        env: { PATH: process.env['PATH'] ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      let out = '';
      let err = '';
      started.stdout!.on('data', (d: Buffer) => {
        out += d;
        log.write(d);
      });
      started.stderr!.on('data', (d: Buffer) => {
        err += d;
        log.write(d);
      });
      // Generous: a start on this shared machine can take many seconds under load.
      const deadline = Date.now() + 120_000;
      while (!out.includes('API docs')) {
        if (started.exitCode !== null) {
          throw new Error(`${name} exited with ${started.exitCode}: ${err.trim().slice(-500)} (${logFile})`);
        }
        if (Date.now() > deadline) throw new Error(`${name} did not start; see ${logFile}`);
        await sleep(50);
      }
    },
    /** The running process's id (the benchmark reads its CPU and RSS from /proc). */
    pid: (): number | undefined => (child && running(child) ? child.pid : undefined),
    /** SIGSTOP (frozen where it stands) or SIGCONT. */
    signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
      if (child && running(child)) child.kill(signal);
    },
    kill(): Promise<void> {
      const victim = child;
      if (!victim || !running(victim)) return Promise.resolve();
      log.write(`--- ${name} SIGKILL ${new Date().toISOString()}\n`);
      return new Promise((resolve) => {
        victim.once('exit', () => resolve());
        victim.kill('SIGKILL');
      });
    },
    async stop(): Promise<void> {
      const victim = child;
      if (victim && running(victim)) {
        await new Promise<void>((resolve) => {
          victim.once('exit', () => resolve());
          victim.kill('SIGTERM');
        });
      }
      log.end();
    },
  };
}

export type Management = ReturnType<typeof createManagement>;

/** The management API of whichever instance answers (one may be down). */
export function createManagement(bases: string[], password: string) {
  let headers: Record<string, string> = {};
  async function call(method: string, path: string, body?: string | FormData, contentType?: string) {
    let lastError: unknown;
    for (let attempt = 0; attempt < 240; attempt++) {
      for (const base of bases) {
        try {
          const response = await fetch(`${base}/api/v1${path}`, {
            method,
            headers: { ...headers, ...(contentType && { 'content-type': contentType }) },
            ...(body !== undefined && { body }),
          });
          if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
          return response;
        } catch (error) {
          lastError = error;
          if (!/fetch failed|ECONNREFUSED|other side closed/.test(String((error as Error).cause ?? error)))
            throw error;
        }
      }
      await sleep(250);
    }
    throw lastError;
  }
  return {
    async signIn() {
      const login = await call(
        'POST',
        '/auth/login',
        JSON.stringify({ username: 'admin', password }),
        'application/json',
      );
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      headers = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': csrfToken };
    },
    // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read field by field
    json: async (method: string, path: string, body?: unknown): Promise<any> =>
      (
        await call(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json')
      ).json(),
    call,
  };
}

export interface SeededProduct {
  productId: number;
  productKey: string;
  packageId: number;
  /** Each imported device's sign-in, in import order. */
  logins: { productKey: string; name: string; secret: string }[];
}

/**
 * A product of `devices` MQTT devices named `${prefix}${i}` on version 1.0, imported in one
 * NDJSON request, and a firmware package of `bytes` random bytes for `version`.
 */
export async function seedProduct(
  api: Management,
  options: { name: string; prefix: string; devices: number; version: string; bytes: number },
): Promise<SeededProduct> {
  const product = await api.json('POST', '/products', { name: options.name, protocols: ['mqtt'] });
  const form = new FormData();
  form.set('version', options.version);
  form.set('file', new Blob([randomBytes(options.bytes)]), 'app.bin');
  const pkg = (await (await api.call('POST', `/products/${product.id}/firmware`, form)).json()) as {
    id: number;
  };
  const rows = Array.from({ length: options.devices }, (_, i) =>
    JSON.stringify({ name: `${options.prefix}${i}`, versions: { default: '1.0' } }),
  );
  const imported = await (
    await api.call(
      'POST',
      `/products/${product.id}/devices/import`,
      `${rows.join('\n')}\n`,
      'application/x-ndjson',
    )
  ).text();
  const logins = imported
    .split('\n')
    .filter((line) => line.includes('"secret"'))
    .map((line) => JSON.parse(line) as { name: string; secret: string })
    .map((d) => ({ productKey: product.productKey as string, name: d.name, secret: d.secret }));
  if (logins.length !== options.devices)
    throw new Error(`imported ${logins.length} of ${options.devices} devices`);
  return { productId: product.id, productKey: product.productKey, packageId: pkg.id, logins };
}
