// `updraft serve` through the CLI on PostgreSQL, as the README's "Running on PostgreSQL" says:
// a fresh database is migrated at start, the first admin signs in, what they store is in
// PostgreSQL and still there after a restart, and `updraft migrate` finds nothing to do.
// Runs in the PostgreSQL pass (UPDRAFT_TEST_DB=postgres); skips, or fails under CI=true,
// without a reachable PostgreSQL, like every database test.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
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

const skip =
  testDatabaseKind !== 'postgres'
    ? 'runs in the PostgreSQL pass (UPDRAFT_TEST_DB=postgres)'
    : ((await skipReason()) ?? false);

describe('updraft serve on PostgreSQL', { skip }, () => {
  let database: Awaited<ReturnType<typeof createEmptyPostgresDatabase>>;
  let dataDir: string;
  let env: Record<string, string>;
  let server: ServedUpdraft | undefined;

  async function query<T>(text: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  }

  before(async () => {
    database = await createEmptyPostgresDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'updraft-serve-pg-'));
    env = {
      UPDRAFT_DATA_DIR: dataDir,
      UPDRAFT_DATABASE_URL: database.url,
      UPDRAFT_HTTP_PORT: '0',
      UPDRAFT_MQTT_PORT: '0',
      UPDRAFT_COAP_PORT: '0',
      UPDRAFT_HTTP_HOST: '127.0.0.1',
      UPDRAFT_LOG_LEVEL: 'warn',
    };
  });
  after(async () => {
    await server?.stop();
    await database?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates a fresh database, signs the first admin in and stores in PostgreSQL', async () => {
    server = await startServer(env);
    const out = server.output();
    assert.match(out, /Updraft is running \(PostgreSQL\)/);
    const password = printedPassword(out);
    assert.ok(password, out);
    const session = await signIn(server.base, 'admin', password);
    const created = await fetch(`${server.base}/api/v1/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...session },
      body: JSON.stringify({ name: 'Boiler', productKey: 'boiler-pg' }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const product = (await created.json()) as { id: number };

    const image = Buffer.alloc(256 * 1024, 0x5a);
    const form = new FormData();
    form.append('version', '1.0.0');
    form.append('file', new Blob([image]), 'boiler.bin');
    const upload = await fetch(`${server.base}/api/v1/products/${product.id}/firmware`, {
      method: 'POST',
      headers: session,
      body: form,
    });
    assert.equal(upload.status, 201, await upload.clone().text());
    const pkg = (await upload.json()) as { files: { sha256: string }[] };
    assert.equal(pkg.files[0]!.sha256, createHash('sha256').update(image).digest('hex'));

    const rows = await query<{ product_key: string }>('select product_key from products');
    assert.deepEqual(
      rows.map((r) => r.product_key),
      ['boiler-pg'],
    );
    const applied = await query<{ n: number }>('select count(*)::int as n from firmware_packages');
    assert.equal(applied[0]!.n, 1);
  });

  it('keeps its data across a restart and makes no second admin', async () => {
    await server!.stop();
    server = await startServer(env);
    assert.doesNotMatch(server.output(), /First start/);
    // No password is printed now: an API key made through the CLI reads the products.
    const key = await runUpdraft(['keys', 'create', 'pg-test', '--role', 'viewer'], env);
    assert.equal(key.status, 0, key.stderr);
    const secret = /^(upd_\S+)$/m.exec(key.stdout)?.[1];
    assert.ok(secret, key.stdout);
    const products = await fetch(`${server.base}/api/v1/products?q=boiler`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    const body = (await products.json()) as { items: { productKey: string }[] };
    assert.deepEqual(
      body.items.map((p) => p.productKey),
      ['boiler-pg'],
    );
  });

  it('has nothing left for `updraft migrate` to do', async () => {
    const run = await runUpdraft(['migrate'], env);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /PostgreSQL is up to date/);
  });
});
