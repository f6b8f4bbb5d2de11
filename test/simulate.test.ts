// `updraft simulate` as an operator runs it: a server from `updraft serve` (ports 0, SQLite in a
// temporary folder, or PostgreSQL in the PostgreSQL pass), a product, a firmware package and a draft plan made through the API, then the
// simulator as a child process that imports its devices, publishes the plan and runs the fleet.
// Its JSON summary must agree with the mix it was given and with the plan's own counts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createEmptyPostgresDatabase,
  skipReason,
  testDatabaseKind,
} from '../packages/server/src/test-support/test-database.ts';
import {
  printedPassword,
  runUpdraft,
  type ServedUpdraft,
  signIn,
  startServer,
} from './support/serve-child.ts';

interface Summary {
  devices: number;
  outcomes: Record<string, number>;
  behaviours: Record<string, Record<string, number>>;
  downloadBytes: number;
  resumedDownloads: number;
  plan: { id: number; status: string; counts: Record<string, number> };
}

const skip = (await skipReason()) ?? false;

describe('updraft simulate', { skip }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-simulate-'));
  let server: ServedUpdraft;
  let apiKey: string;
  let mqttUrl: string;
  let password: string;
  let postgres: Awaited<ReturnType<typeof createEmptyPostgresDatabase>> | undefined;
  const firmware = Buffer.alloc(64 * 1024, 0);
  for (let i = 0; i < firmware.length; i++) firmware[i] = (i * 31 + (i >> 5)) & 0xff;

  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read field by field in assertions
  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${server.base}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const answer = await response.json();
    assert.ok(response.ok, `${method} ${path}: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** A product (of a node type) with version 2.0 uploaded, and a draft plan for all its devices. */
  async function draftPlan(name: string, plan: Record<string, unknown>, nodeType = 'direct') {
    const product = await api('POST', '/products', { name, nodeType });
    const form = new FormData();
    form.set('version', '2.0');
    form.set('file', new Blob([firmware]), 'app.bin');
    const upload = await fetch(`${server.base}/api/v1/products/${product.id}/firmware`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}` },
      body: form,
    });
    assert.equal(upload.status, 201, await upload.clone().text());
    const pkg = (await upload.json()) as { id: number };
    const draft = await api('POST', '/plans', {
      name,
      productId: product.id,
      firmwarePackageId: pkg.id,
      target: { kind: 'all' },
      ...plan,
    });
    return { product, plan: draft };
  }

  async function simulate(
    args: string[],
    behaviours: object,
    env: Record<string, string> = { UPDRAFT_API_KEY: apiKey },
  ) {
    const file = join(dataDir, `behaviours-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(behaviours));
    const run = await runUpdraft(
      ['simulate', '--server', server.base, '--behaviours', file, '--poll-ms', '200', '--json', ...args],
      env,
    );
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    return JSON.parse(run.stdout) as Summary;
  }

  before(async () => {
    // SQLite, or a fresh PostgreSQL database in the PostgreSQL pass.
    postgres = testDatabaseKind === 'postgres' ? await createEmptyPostgresDatabase() : undefined;
    server = await startServer({
      ...(postgres && { UPDRAFT_DATABASE_URL: postgres.url }),
      UPDRAFT_DATA_DIR: dataDir,
      UPDRAFT_HTTP_PORT: '0',
      UPDRAFT_MQTT_PORT: '0',
      UPDRAFT_COAP_PORT: '0',
      UPDRAFT_HTTP_HOST: '127.0.0.1',
      UPDRAFT_MQTT_HOST: '127.0.0.1',
      UPDRAFT_LOG_LEVEL: 'warn',
    });
    mqttUrl = /MQTT\s+(mqtts?:\/\/\S+)/.exec(server.output())![1]!;
    password = printedPassword(server.output())!;
    const session = await signIn(server.base, 'admin', password);
    const key = await fetch(`${server.base}/api/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...session },
      body: JSON.stringify({ name: 'simulator', role: 'operator' }),
    });
    assert.equal(key.status, 201, await key.clone().text());
    apiKey = ((await key.json()) as { secret: string }).secret;
  });
  after(async () => {
    await server?.stop();
    await postgres?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs 20 HTTP devices through a silent plan: the summary matches the mix and the plan', async () => {
    const { plan } = await draftPlan('Meter', { minBattery: 20 });
    const summary = await simulate(['--plan', String(plan.id), '--start', '--devices', '20'], {
      mix: {
        succeed: 6,
        'fail-download': 2,
        'fail-check': 2,
        'fail-write': 2,
        slow: 2,
        drop: 2,
        offline: 2,
        'low-battery': 2,
      },
      offlineSeconds: 1,
      slowBytesPerSecond: 256 * 1024,
    });
    assert.equal(summary.devices, 20);
    assert.deepEqual(Object.fromEntries(Object.entries(summary.outcomes).filter(([, n]) => n > 0)), {
      success: 12,
      'failed-download': 2,
      'failed-check': 2,
      'failed-write': 2,
      deferred: 2,
    });
    assert.deepEqual(summary.behaviours['drop'], { success: 2 });
    assert.deepEqual(summary.behaviours['low-battery'], { deferred: 2 });
    assert.ok(summary.resumedDownloads >= 2, 'each dropped download resumed with Range');
    assert.ok(summary.downloadBytes >= 12 * firmware.length);
    // The plan's counts, as the simulator read them and as the API answers now.
    const counts = (await api('GET', `/plans/${plan.id}`)).counts as Record<string, number>;
    assert.equal(counts['success'], 12);
    assert.equal(counts['failure'], 6);
    assert.equal((counts['pending'] ?? 0) + (counts['pushed'] ?? 0), 2, 'low battery: not offered');
    assert.deepEqual(summary.plan.counts, counts);
  });

  it('runs MQTT gateways with sub-devices through a manual plan, confirming and rejecting', async () => {
    const gateways = await api('POST', '/products', { name: 'Gateway', nodeType: 'gateway' });
    const { plan } = await draftPlan(
      'Sensor',
      { mode: 'manual', texts: { zh: '修复', en: 'Fixes' } },
      'subdevice',
    );
    const summary = await simulate(
      [
        '--plan',
        String(plan.id),
        '--start',
        '--devices',
        '12',
        '--transport',
        'mqtt',
        '--mqtt',
        mqttUrl,
        '--gateways',
        '3',
        '--gateway-product',
        String(gateways.id),
      ],
      { mix: { succeed: 6, reject: 3, 'fail-check': 3 } },
    );
    assert.equal(summary.devices, 12);
    assert.deepEqual(Object.fromEntries(Object.entries(summary.outcomes).filter(([, n]) => n > 0)), {
      success: 6,
      'failed-check': 3,
      rejected: 3,
    });
    const counts = (await api('GET', `/plans/${plan.id}`)).counts as Record<string, number>;
    assert.equal(counts['success'], 6);
    assert.equal(counts['failure'], 6);
    assert.deepEqual(summary.plan.counts, counts);
  });

  it("refuses a silent plan's offers through the device API: counted as refusals", async () => {
    const { plan } = await draftPlan('Refusing', {});
    const summary = await simulate(['--plan', String(plan.id), '--start', '--devices', '4'], {
      mix: { succeed: 2, reject: 2 },
    });
    assert.deepEqual(Object.fromEntries(Object.entries(summary.outcomes).filter(([, n]) => n > 0)), {
      success: 2,
      deferred: 2,
    });
    const upgrades = (await api('GET', `/plans/${plan.id}/upgrades?limit=100`)).items as {
      status: string;
      refusals: number;
    }[];
    const refused = upgrades.filter((u) => u.refusals > 0);
    assert.equal(refused.length, 2);
    assert.ok(
      refused.every((u) => u.status === 'pending'),
      'waiting out the rejection period',
    );
  });

  it("plays the devices' owners on a manual plan: appointments, auto-upgrade switches, a rejection", async () => {
    const { plan } = await draftPlan('Owned', { mode: 'manual', texts: { zh: '修复', en: 'Fixes' } });
    const summary = await simulate(
      ['--plan', String(plan.id), '--start', '--devices', '8', '--transport', 'mqtt', '--mqtt', mqttUrl],
      { mix: { succeed: 2, appoint: 3, 'auto-upgrade': 2, reject: 1 }, appointDelaySeconds: 2 },
    );
    assert.deepEqual(Object.fromEntries(Object.entries(summary.outcomes).filter(([, n]) => n > 0)), {
      success: 7,
      rejected: 1,
    });
    assert.equal(summary.behaviours['appoint']?.['success'], 3);
    assert.equal(summary.behaviours['auto-upgrade']?.['success'], 2);
    const upgrades = (await api('GET', `/plans/${plan.id}/upgrades?limit=100`)).items as {
      id: number;
      appointedFrom: string | null;
    }[];
    const appointed = upgrades.filter((u) => u.appointedFrom !== null);
    assert.equal(appointed.length, 3, 'three upgrades went through an appointed window');
    const logs = await Promise.all(
      upgrades.map(
        async (u) => (await api('GET', `/device-upgrades/${u.id}`)).log as { actor: string | null }[],
      ),
    );
    assert.equal(logs.filter((l) => l.some((e) => e.actor === 'auto-upgrade')).length, 2);
  });

  it('signs in with a password and runs HTTP gateways, naming each sub-device with dev_id', async () => {
    const gateways = await api('POST', '/products', { name: 'HTTP gateway', nodeType: 'gateway' });
    const { plan } = await draftPlan('HTTP sensor', {}, 'subdevice');
    const summary = await simulate(
      [
        ...['--plan', String(plan.id), '--start', '--devices', '4', '--user', 'admin'],
        ...['--gateways', '2', '--gateway-product', String(gateways.id)],
      ],
      { mix: { succeed: 3, 'fail-write': 1 } },
      { UPDRAFT_PASSWORD: password },
    );
    assert.deepEqual(Object.fromEntries(Object.entries(summary.outcomes).filter(([, n]) => n > 0)), {
      success: 3,
      'failed-write': 1,
    });
    assert.equal(summary.plan.counts['success'], 3);
    assert.equal(summary.plan.counts['failure'], 1);
  });

  it('runs OneNET Studio and ThingsPanel v1 devices: each generation through a silent plan', async () => {
    for (const transport of ['onenet-studio', 'thingspanel-v1'] as const) {
      const { product, plan } = await draftPlan(`Meter ${transport}`, {});
      // A v1 product: its pushes go to v1's topics only.
      if (transport === 'thingspanel-v1')
        await api('PATCH', `/products/${product.id}`, { protocols: [transport] });
      const summary = await simulate(
        [
          ...['--plan', String(plan.id), '--start', '--devices', '6', '--transport', transport],
          ...(transport === 'thingspanel-v1' ? ['--mqtt', mqttUrl] : []),
        ],
        { mix: { succeed: 4, 'fail-check': 1, drop: 1 } },
      );
      assert.deepEqual(
        Object.fromEntries(Object.entries(summary.outcomes).filter(([, n]) => n > 0)),
        { success: 5, 'failed-check': 1 },
        transport,
      );
      assert.ok(summary.resumedDownloads >= 1, `${transport}: the dropped download resumed with Range`);
      const counts = (await api('GET', `/plans/${plan.id}`)).counts as Record<string, number>;
      assert.equal(counts['success'], 5, transport);
      assert.equal(counts['failure'], 1, transport);
    }
  });
  it('runs Quectel devices (QuecThing over MQTT) through a silent plan, refusing with status 3', async () => {
    const { product, plan } = await draftPlan('Meter quectel', {});
    await api('PATCH', `/products/${product.id}`, { protocols: ['quectel'] });
    const summary = await simulate(
      [
        ...['--plan', String(plan.id), '--start', '--devices', '6', '--transport', 'quectel'],
        ...['--mqtt', mqttUrl],
      ],
      { mix: { succeed: 3, 'fail-check': 1, drop: 1, reject: 1 } },
    );
    assert.deepEqual(Object.fromEntries(Object.entries(summary.outcomes).filter(([, n]) => n > 0)), {
      success: 4,
      'failed-check': 1,
      deferred: 1,
    });
    assert.ok(summary.resumedDownloads >= 1, 'the dropped download resumed with Range');
    const counts = (await api('GET', `/plans/${plan.id}`)).counts as Record<string, number>;
    assert.equal(counts['success'], 4);
    assert.equal(counts['failure'], 1, 'a refusal is not a failure');
    const upgrades = (await api('GET', `/plans/${plan.id}/upgrades?limit=100`)).items as {
      status: string;
      refusals: number;
    }[];
    const refused = upgrades.filter((u) => u.refusals > 0);
    assert.equal(refused.length, 1, 'the refusal reached the server');
    assert.equal(refused[0]!.status, 'pending', 'waiting out the rejection period');
  });
  it('runs LwM2M devices (CoAP) through a silent plan: link faults on the block-wise download, a refusal as Update Result 11', async () => {
    const { product, plan } = await draftPlan('Meter lwm2m', {});
    await api('PATCH', `/products/${product.id}`, { protocols: ['lwm2m'] });
    const coapUrl = /LwM2M\s+(coap:\/\/\S+)/.exec(server.output())![1]!.replace('localhost', '127.0.0.1');
    const summary = await simulate(
      [
        ...['--plan', String(plan.id), '--start', '--devices', '6', '--transport', 'lwm2m'],
        ...['--coap', coapUrl],
      ],
      { mix: { succeed: 3, 'fail-check': 1, drop: 1, reject: 1 } },
    );
    assert.deepEqual(Object.fromEntries(Object.entries(summary.outcomes).filter(([, n]) => n > 0)), {
      success: 4,
      'failed-check': 1,
      deferred: 1,
    });
    assert.ok(summary.resumedDownloads >= 1, 'the dropped download resumed at its block');
    assert.ok(
      summary.downloadBytes >= 4 * firmware.length,
      'the CoAP downloads went through the link faults',
    );
    const counts = (await api('GET', `/plans/${plan.id}`)).counts as Record<string, number>;
    assert.equal(counts['success'], 4);
    assert.equal(counts['failure'], 1, 'a refusal is not a failure');
    const upgrades = (await api('GET', `/plans/${plan.id}/upgrades?limit=100`)).items as {
      status: string;
      refusals: number;
    }[];
    const refused = upgrades.filter((u) => u.refusals > 0);
    assert.equal(refused.length, 1, 'Update Result 11 reached the server as a refusal');
    assert.equal(refused[0]!.status, 'pending', 'waiting out the rejection period');
  });
});
