// `updraft blobs migrate --to s3`, as an operator moving an existing store: packages uploaded on
// the filesystem store, the command run as a child process against a local S3 server, and then
// the same database served from S3. Runs in both database passes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type App, buildApp, loadConfig } from '@updraft/server';
import { runCli } from '../packages/cli/src/test-support/run-cli.ts';
import {
  createTestDatabase,
  skipReason,
  type TestDatabase,
} from '../packages/server/src/test-support/test-database.ts';
import { startTestS3Server, type TestS3Server } from '../packages/server/src/test-support/test-s3-server.ts';

const skip = (await skipReason()) ?? false;
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('updraft blobs migrate', { skip }, () => {
  let s3: TestS3Server;
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  const files = {
    'app.bin': Buffer.alloc(200_000, 1),
    'boot.bin': Buffer.from('boot'),
    'x.bin': Buffer.from('x'),
  };

  /** An app on this database with the given store; the caller closes it. */
  async function appOn(store: 'fs' | 's3'): Promise<{ app: App; admin: string }> {
    const config = loadConfig({ ...env, UPDRAFT_FIRMWARE_STORE: store });
    const app = await buildApp(config, { database: db.database, scheduler: false, deltaRunner: false });
    const key = await app.services.accounts.createApiKey(null, { name: `t-${Date.now()}`, role: 'admin' });
    return { app, admin: `Bearer ${key.secret}` };
  }

  async function uploadPackage(app: App, admin: string, productId: number, version: string, names: string[]) {
    const boundary = 'migrate-boundary';
    const parts = [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n${version}\r\n`),
    ];
    for (const name of names) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`,
        ),
        files[name as keyof typeof files],
        Buffer.from('\r\n'),
      );
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    const res = await app.http.inject({
      method: 'POST',
      url: `/api/v1/products/${productId}/firmware`,
      headers: { authorization: admin, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat(parts),
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: number };
  }

  let packageId: number;

  before(async () => {
    s3 = await startTestS3Server();
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'updraft-migrate-'));
    env = {
      UPDRAFT_DATA_DIR: dataDir,
      UPDRAFT_DATABASE_URL: db.url,
      UPDRAFT_LOG_LEVEL: 'silent',
      UPDRAFT_S3_ENDPOINT: s3.endpoint,
      UPDRAFT_S3_REGION: s3.region,
      UPDRAFT_S3_BUCKET: s3.bucket,
      UPDRAFT_S3_PREFIX: 'fw/',
      UPDRAFT_S3_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    };
    // The in-process apps of the S3 checks read the same credentials through the AWS chain.
    process.env['AWS_ACCESS_KEY_ID'] = s3.credentials.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = s3.credentials.secretAccessKey;
    const { app, admin } = await appOn('fs');
    const product = await app.http.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: { authorization: admin },
      payload: { name: 'Meter' },
    });
    const productId = product.json().id;
    packageId = (await uploadPackage(app, admin, productId, '1.0.0', ['app.bin', 'boot.bin'])).id;
    await uploadPackage(app, admin, productId, '1.0.1', ['app.bin']);
    await app.close();
  });
  after(async () => {
    await db?.dispose();
    await s3?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const migrate = (...args: string[]) => runCli(['blobs', 'migrate', ...args], env);

  it('says what it would copy on a dry run, and copies nothing', async () => {
    const run = await migrate('--to', 's3', '--dry-run');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^dry run: firmware files from .* to s3:\/\/updraft-test\/fw\//);
    assert.match(run.stdout, /2 to copy, 0 already there/);
    assert.deepEqual(await s3.listKeys(), []);
  });

  it('copies every file to the bucket, under the prefix, and the same database is then served from S3', async () => {
    const run = await migrate('--to', 's3');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /2 copied \(0\.2 MiB\), 0 already there/);
    assert.match(run.stdout, /set UPDRAFT_FIRMWARE_STORE=s3/);
    const expected = ['app.bin', 'boot.bin'].map((n) => {
      const key = sha256(files[n as keyof typeof files]);
      return `fw/${key.slice(0, 2)}/${key}`;
    });
    assert.deepEqual(await s3.listKeys(), expected.sort());
    // The firmware folder could go now: the app on S3 serves the package without it.
    rmSync(join(dataDir, 'firmware'), { recursive: true, force: true });
    const { app, admin } = await appOn('s3');
    try {
      const res = await app.http.inject({
        method: 'GET',
        url: `/api/v1/firmware/${packageId}/files/1`,
        headers: { authorization: admin },
      });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.rawPayload, files['app.bin']);
    } finally {
      await app.close();
    }
  });

  it('skips what is there on a second run, and names corrupt and missing files with exit code 1', async () => {
    const { app, admin } = await appOn('fs');
    const productId = (
      await app.http.inject({
        method: 'POST',
        url: '/api/v1/products',
        headers: { authorization: admin },
        payload: { name: 'Later' },
      })
    ).json().id;
    await uploadPackage(app, admin, productId, '2.0.0', ['x.bin']);
    await app.close();
    const lost = sha256(files['x.bin']);
    unlinkSync(join(dataDir, 'firmware', lost.slice(0, 2), lost));
    const wrong = sha256('what the name says');
    mkdirSync(join(dataDir, 'firmware', wrong.slice(0, 2)), { recursive: true });
    writeFileSync(join(dataDir, 'firmware', wrong.slice(0, 2), wrong), 'what the disk holds');
    // The first two files are gone from the folder (removed above): only the S3 copies remain.
    const run = await migrate('--to', 's3');
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, new RegExp(`corrupt +${wrong}`));
    assert.match(
      run.stdout,
      new RegExp(`1 not copied: their bytes do not match their sha256 \\(${wrong}\\)`),
    );
    assert.match(run.stdout, new RegExp(`1 referred to by packages but in neither store: ${lost}`));
    assert.ok(!(await s3.listKeys()).some((k) => k.endsWith(wrong)));
  });

  it('refuses without a bucket, and with a wrong --to', async () => {
    const noBucket = await runCli(['blobs', 'migrate', '--to', 's3'], { ...env, UPDRAFT_S3_BUCKET: '' });
    assert.equal(noBucket.status, 1);
    assert.match(noBucket.stderr, /UPDRAFT_S3_BUCKET/);
    const wrong = await runCli(['blobs', 'migrate', '--to', 'gcs'], env);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /usage: updraft blobs migrate --to s3\|fs/);
  });
});
