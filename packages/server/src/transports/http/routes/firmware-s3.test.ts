// The firmware API with UPDRAFT_FIRMWARE_STORE=s3, against a local S3 server: files go to the
// bucket under the prefix (none to the firmware folder) and come back byte for byte.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';
import { startTestS3Server, type TestS3Server } from '../../../test-support/test-s3-server.ts';

const skip = (await skipReason()) ?? false;
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function form(version: string, files: [name: string, content: string | Buffer][]) {
  const boundary = 'updraft-s3-boundary';
  const parts = [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n${version}\r\n`),
  ];
  for (const [name, content] of files) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`),
      Buffer.from(content),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('firmware API on an S3 store', { skip }, () => {
  let s3: TestS3Server;
  let t: TestApp;
  let productId: number;

  before(async () => {
    s3 = await startTestS3Server();
    // The AWS chain reads these, as it would in production.
    process.env['AWS_ACCESS_KEY_ID'] = s3.credentials.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = s3.credentials.secretAccessKey;
    t = await createTestApp({
      firmwareStore: 's3',
      s3Endpoint: s3.endpoint,
      s3Region: s3.region,
      s3Bucket: s3.bucket,
      s3Prefix: 'updraft/firmware',
      s3PathStyle: true,
      firmwareMaxFileBytes: 1024 * 1024,
    });
    productId = (await t.admin.post('/api/v1/products', { name: 'Meter' })).json().id;
    await t.admin.post(`/api/v1/products/${productId}/modules`, { name: 'MCU', kind: 'mcu' });
  });
  after(async () => {
    await t?.close();
    await s3?.close();
  });

  const upload = (version: string, files: [string, string | Buffer][]) =>
    t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${productId}/firmware`,
      ...form(version, files),
    });
  const objectKeys = () => s3.listKeys();

  it('keeps the files in the bucket under the prefix, none in the firmware folder, and serves them', async () => {
    const image = Buffer.alloc(300_000, 0x5a);
    const res = await upload('1.0.0', [
      ['app.bin', image],
      ['boot.bin', 'boot loader'],
    ]);
    assert.equal(res.statusCode, 201, res.body);
    const pkg = res.json();
    assert.deepEqual(
      pkg.files.map((f: { sha256: string }) => f.sha256),
      [sha256(image), sha256('boot loader')],
    );
    const keys = await objectKeys();
    for (const data of [image, Buffer.from('boot loader')]) {
      const key = sha256(data);
      assert.ok(keys.includes(`updraft/firmware/${key.slice(0, 2)}/${key}`), keys.join());
    }
    assert.ok(!keys.some((k) => k.includes('.tmp/')), 'no temporary copy is left');
    const firmwareDir = t.app.config.firmwareDir;
    assert.ok(!existsSync(firmwareDir) || readdirSync(firmwareDir).length === 0);
    const download = await t.admin.get(`/api/v1/firmware/${pkg.id}/files/1`);
    assert.equal(download.statusCode, 200);
    assert.deepEqual(download.rawPayload, image);
  });

  it('deletes the object of a deleted package once the grace period is over', async () => {
    const bytes = Buffer.from('to be deleted from the bucket');
    const object = `updraft/firmware/${sha256(bytes).slice(0, 2)}/${sha256(bytes)}`;
    const pkg = (await upload('2.0.0', [['gone.bin', bytes]])).json();
    assert.equal((await t.admin.delete(`/api/v1/firmware/${pkg.id}`)).statusCode, 204);
    await t.app.blobSweeper.sweep();
    assert.ok((await objectKeys()).includes(object), 'kept during the grace period');
    t.clock.advance(t.app.config.blobGraceHours * 3600_000 + 1);
    await t.app.blobSweeper.sweep();
    assert.ok(!(await objectKeys()).includes(object));
  });

  it('refuses an oversize file and leaves nothing in the bucket', async () => {
    const before = await objectKeys();
    const res = await upload('1.0.1', [['big.bin', Buffer.alloc(1024 * 1024 + 1)]]);
    assert.equal(res.statusCode, 413, res.body);
    assert.equal(res.json().code, 'FIRMWARE_FILE_TOO_LARGE');
    assert.deepEqual(await objectKeys(), before);
  });
});
