// The pieces of bench/fleet-scale.ts that are not its sequence: the import body, PostgreSQL's COPY
// of the same rows as the baseline (through psql's \copy, streamed from this process), a timed
// HTTP call against the running server, the CLI's import as a child process, and an RSS sampler.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';

/** Device i's reported version of module default: 10% 0.9, 10% 0.8, the rest 1.0. */
export const versionOf = (i: number) => (i % 10 === 0 ? '0.9' : i % 10 === 1 ? '0.8' : '1.0');
export const deviceName = (i: number) => `dev-${String(i).padStart(8, '0')}`;

/** The CSV body of the import: a header row, then `name,version` per device, in 64 KiB chunks. */
export function importCsv(count: number): Readable {
  return Readable.from(
    (function* () {
      let chunk = 'name,version\n';
      for (let i = 0; i < count; i++) {
        chunk += `${deviceName(i)},${versionOf(i)}\n`;
        if (chunk.length > 65_536) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    })(),
  );
}

/** Runs psql with one `\copy … from stdin` command, its input streamed from `rows`. */
function psqlCopy(url: string, command: string, rows: Iterable<string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', command], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql ${code}: ${stderr}`))));
    Readable.from(rows).pipe(child.stdin);
  });
}

function* chunked(count: number, line: (i: number) => string): Generator<string> {
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += line(i);
    if (chunk.length > 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Seconds of the two COPY baselines of an import of `count` devices (copyBaselines). */
export interface CopyBaselines {
  /** COPY into the devices and device_versions tables themselves, under another product. */
  schemaS: number;
  /** COPY into tables shaped like them with their indexes, without foreign keys or triggers. */
  bareS: number;
}

/**
 * The baselines: the same rows the import writes (a device with its salt and hash, and its version
 * of module default) loaded with psql's COPY. The one the aim holds on loads them into the tables
 * the import writes, as an operator loading devices by hand would: their foreign keys (product,
 * device) and the device count's trigger checked, as for the import (docs/adr/0020). Its ids are
 * drawn from the devices' sequence beforehand, and its rows deleted afterwards, untimed. The bare
 * one loads them into copies of the tables with their indexes only, the figure of earlier runs.
 */
export async function copyBaselines(
  url: string,
  count: number,
  query: (text: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
  productId: number,
): Promise<CopyBaselines> {
  const salt = randomBytes(16).toString('base64url');
  const hash = randomBytes(32).toString('hex');
  const now = Date.now();
  const timed = async (devices: string, versions: string, idOf: (i: number) => number, product: number) => {
    const started = performance.now();
    await psqlCopy(
      url,
      `\\copy ${devices} (id, product_id, name, secret_salt, secret_hash, online, tags, created_at, updated_at) from stdin with (format csv)`,
      chunked(count, (i) => `${idOf(i)},${product},${deviceName(i)},${salt},${hash},0,[],${now},${now}\n`),
    );
    await psqlCopy(
      url,
      `\\copy ${versions} (device_id, module, version, reported_at) from stdin with (format csv)`,
      chunked(count, (i) => `${idOf(i)},default,${versionOf(i)},${now}\n`),
    );
    return (performance.now() - started) / 1000;
  };

  const drawn = await query(
    `select setval(s, (select coalesce(max(id), 0) from devices) + $1) - $1 as base
       from (select pg_get_serial_sequence('devices', 'id')::regclass as s) q`,
    [count],
  );
  const base = Number(drawn.rows[0]!['base']);
  const schemaS = await timed('devices', 'device_versions', (i) => base + i + 1, productId);
  await query('delete from devices where product_id = $1', [productId]);

  await query('create table bench_copy_devices (like devices including all)');
  await query('create table bench_copy_versions (like device_versions including all)');
  const bareS = await timed('bench_copy_devices', 'bench_copy_versions', (i) => i + 1, 1);
  await query('drop table bench_copy_versions');
  await query('drop table bench_copy_devices');
  return { schemaS, bareS };
}

export interface Api {
  /** A JSON call; throws on a status of 300 or more. */
  json<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** The same, with its time in milliseconds. */
  timed<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<[T, number]>;
  /** A raw fetch with the key. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The server, http://host:port. */
  base: string;
}

export function apiClient(base: string, key: string): Api {
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${base}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) },
    });
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await call(path, {
      method,
      ...(body !== undefined && {
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    json,
    async timed<T>(method: string, path: string, body?: unknown): Promise<[T, number]> {
      const started = performance.now();
      const answer = await json<T>(method, path, body);
      return [answer, performance.now() - started];
    },
    fetch: call,
    base,
  };
}

/**
 * `updraft devices import FILE --product KEY` as a user runs it (a child process), its answer
 * lines (the secrets) thrown away; resolves to the last line it printed on stderr, its result.
 */
export function cliImport(file: string, productKey: string, server: string, apiKey: string): Promise<string> {
  const main = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'src', 'main.ts');
  const args = ['devices', 'import', file, '--product', productKey, '--server', server, '--api-key', apiKey];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => {
      const last = stderr.trim().split('\n').at(-1) ?? '';
      if (status === 0) resolve(last);
      else reject(new Error(`updraft devices import exited ${status}: ${stderr}`));
    });
  });
}

/** Counts the lines of a streamed answer without keeping it. */
export async function countLines(res: Response, onLine?: (line: string) => void): Promise<number> {
  if (!res.body) return 0;
  const decoder = new TextDecoder();
  let pending = '';
  let lines = 0;
  for await (const chunk of res.body) {
    pending += decoder.decode(chunk as Uint8Array, { stream: true });
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines += parts.length;
    if (onLine) for (const line of parts) onLine(line);
  }
  if (pending) {
    lines += 1;
    onLine?.(pending);
  }
  return lines;
}

/** Samples this process's RSS (the server runs in it) every 100 ms; `peakMb()` is the highest. */
export function rssSampler() {
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 100);
  return {
    sample,
    stop: () => clearInterval(timer),
    peakMb: () => {
      sample();
      return peak / (1024 * 1024);
    },
  };
}

/**
 * Lets the server's timers run before the next request: on SQLite the engine's work in this
 * process (the plan's ticks, node:sqlite's load) is synchronous between promises, so the timers
 * phase is not reached for its length, and a keep-alive connection the server timed out meanwhile
 * is closed only once the next request is already on it (ECONNRESET). Untimed.
 */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
