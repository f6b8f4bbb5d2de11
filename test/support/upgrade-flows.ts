// End-to-end support: `updraft serve` as a child process (ports 0; SQLite in a temporary folder,
// or a fresh PostgreSQL database in the PostgreSQL pass, UPDRAFT_TEST_DB=postgres),
// an admin API key, products, packages, devices and plans made through the management API, and
// devices that are the SDK on real sockets. Every wait polls what the server says until it holds
// (or 15 s pass); nothing asserts on elapsed time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevice, type Device, type DeviceOptions } from '@updraft/sdk';
import { brokerSkipReason, testBrokerUrl } from '../../packages/server/src/test-support/test-broker.ts';
import {
  createEmptyPostgresDatabase,
  skipReason,
  testDatabaseKind,
} from '../../packages/server/src/test-support/test-database.ts';
import { printedPassword, type ServedUpdraft, signIn, startServer } from './serve-child.ts';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read field by field in assertions
type Json = any;

export interface RegisteredDevice {
  id: number;
  name: string;
  secret: string;
  productKey: string;
  /** `{productKey}.{name}` */
  username: string;
}

export interface UpgradeFlows {
  server: ServedUpdraft;
  mqttUrl: string;
  /** coap://127.0.0.1:port of the server's LwM2M port. */
  coapUrl: string;
  /** Calls the management API as an admin; refuses any status but `expect` (2xx by default). */
  api(method: string, path: string, body?: unknown, expect?: number): Promise<Json>;
  product(name: string, nodeType?: 'direct' | 'gateway' | 'subdevice'): Promise<Json>;
  /** Uploads a package: `content` as `app.bin`, then the `more` files in order. */
  upload(
    productId: number,
    version: string,
    content: Uint8Array,
    fields?: Record<string, string>,
    more?: readonly { name: string; content: Uint8Array }[],
  ): Promise<Json>;
  register(product: Json, name: string, body?: Record<string, unknown>): Promise<RegisteredDevice>;
  /** Creates and publishes a plan. */
  plan(body: Record<string, unknown>): Promise<Json>;
  upgradeOf(planId: number, deviceId: number): Promise<Json>;
  /** A state folder for a device (or sub-device) of this run. */
  stateDir(name: string): string;
  /** An SDK device with one module `default` on `version`; `installed` collects the images. */
  device(
    d: RegisteredDevice,
    transport: DeviceOptions['transport'],
    extra?: Partial<DeviceOptions> & { version?: string; stateDir?: string },
  ): { device: Device; installed: Buffer[]; options: DeviceOptions };
  close(): Promise<void>;
}

export interface E2eBroker {
  name: string;
  /** The server's environment for it. */
  env: Record<string, string>;
  skip: string | false;
}

/**
 * The brokers MQTT flows run on: the server's embedded one, then this machine's Mosquitto, which
 * Updraft joins in a share group of its own (`tag` and random hex), so that no other test's
 * instance takes its messages.
 */
export async function e2eBrokers(tag: string): Promise<E2eBroker[]> {
  const skip = (await skipReason()) ?? false;
  return [
    { name: 'embedded broker', env: {}, skip },
    {
      name: 'Mosquitto',
      env: {
        UPDRAFT_MQTT_URL: testBrokerUrl,
        UPDRAFT_MQTT_AUTH_TOKEN: 'e2e-broker-token',
        UPDRAFT_MQTT_SHARE_GROUP: `${tag}${randomBytes(6).toString('hex')}`,
      },
      skip: skip || ((await brokerSkipReason()) ?? false),
    },
  ];
}

/** Polls `probe` every 50 ms until it returns something other than undefined. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`, { cause: last });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts an HTTP device and checks until an upgrade ran (the plan enrols devices as it starts). */
export async function upgradeOnce(device: Device) {
  const first = await device.start();
  if (first.length > 0) return first;
  return waitFor('an upgrade', async () => {
    const done = await device.checkNow();
    return done.length > 0 ? done : undefined;
  });
}

/** A deterministic image of `size` bytes, different per `seed`. */
export function image(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7919 + (i >> 8) * seed + seed) & 0xff;
  return out;
}

export async function startUpgradeFlows(env: Record<string, string> = {}): Promise<UpgradeFlows> {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-e2e-'));
  const devicesDir = mkdtempSync(join(tmpdir(), 'updraft-e2e-devices-'));
  const postgres = testDatabaseKind === 'postgres' ? await createEmptyPostgresDatabase() : undefined;
  const server = await startServer({
    ...(postgres && { UPDRAFT_DATABASE_URL: postgres.url }),
    UPDRAFT_DATA_DIR: dataDir,
    UPDRAFT_HTTP_PORT: '0',
    UPDRAFT_MQTT_PORT: '0',
    UPDRAFT_COAP_PORT: '0',
    UPDRAFT_COAP_HOST: '127.0.0.1',
    UPDRAFT_HTTP_HOST: '127.0.0.1',
    UPDRAFT_MQTT_HOST: '127.0.0.1',
    UPDRAFT_LOG_LEVEL: 'warn',
    ...env,
  });
  // Devices reach an external broker at its own address; the embedded one is printed.
  const mqttUrl = env['UPDRAFT_MQTT_URL'] ?? /MQTT\s+(mqtts?:\/\/\S+)/.exec(server.output())?.[1] ?? '';
  const coapUrl = /LwM2M\s+(coap:\/\/\S+)/.exec(server.output())?.[1] ?? '';
  const session = await signIn(server.base, 'admin', printedPassword(server.output())!);
  const created = await fetch(`${server.base}/api/v1/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...session },
    body: JSON.stringify({ name: 'e2e', role: 'admin' }),
  });
  const key = ((await created.json()) as { secret: string }).secret;
  const authorization = `Bearer ${key}`;
  const open: Device[] = [];

  const api: UpgradeFlows['api'] = async (method, path, body, expect) => {
    const response = await fetchOnce(`${server.base}/api/v1${path}`, {
      method,
      headers: { authorization, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const ok = expect === undefined ? response.ok : response.status === expect;
    assert.ok(ok, `${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  return {
    server,
    mqttUrl,
    coapUrl,
    api,
    product: (name, nodeType = 'direct') => api('POST', '/products', { name, nodeType }),
    async upload(productId, version, content, fields = {}, more = []) {
      const form = new FormData();
      form.set('version', version);
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      form.append('file', new Blob([content]), 'app.bin');
      for (const file of more) form.append('file', new Blob([file.content]), file.name);
      const response = await fetchOnce(`${server.base}/api/v1/products/${productId}/firmware`, {
        method: 'POST',
        headers: { authorization },
        body: form,
      });
      const text = await response.text();
      assert.equal(response.status, 201, text);
      return JSON.parse(text);
    },
    async register(product, name, body = { versions: { default: '1.0' } }) {
      const { device, secret } = await api('POST', `/products/${product.id}/devices`, { name, ...body });
      return {
        id: device.id,
        name,
        secret,
        productKey: product.productKey,
        username: `${product.productKey}.${name}`,
      };
    },
    async plan(body) {
      const draft = await api('POST', '/plans', { target: { kind: 'all' }, ...body });
      return api('POST', `/plans/${draft.id}/publish`, {});
    },
    stateDir: (name) => join(devicesDir, name),
    async upgradeOf(planId, deviceId) {
      return (await api('GET', `/plans/${planId}/upgrades?deviceId=${deviceId}`)).items[0];
    },
    device(d, transport, { version = '1.0', stateDir, ...extra } = {}) {
      const installed: Buffer[] = [];
      const options: DeviceOptions = {
        server: server.base,
        transport,
        mqttUrl,
        ...(transport === 'lwm2m' && { coapUrl }),
        credentials: { productKey: d.productKey, name: d.name, secret: d.secret },
        stateDir: stateDir ?? join(devicesDir, d.username),
        modules: {
          default: {
            version,
            async install({ path }) {
              installed.push(await readFile(path));
            },
          },
        },
        ...extra,
      };
      const device = createDevice(options);
      open.push(device);
      return { device, installed, options };
    },
    async close() {
      for (const device of open) await device.stop().catch(() => {});
      await server.stop();
      await postgres?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(devicesDir, { recursive: true, force: true });
    },
  };
}

/**
 * fetch, sent again once when the kept-alive connection it went out on was closed by the server
 * as it left ("other side closed"): the server closes a connection idle for its keep-alive
 * timeout (10 s), and a test that waited about that long for a child process (a packed SDK on
 * another Node) reused one in the instant it closed; the request never reached the server.
 */
async function fetchOnce(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const code = ((error as Error).cause as { code?: string } | undefined)?.code;
    if (code !== 'UND_ERR_SOCKET') throw error;
    return fetch(url, init);
  }
}
