import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyBuffer } from '@updraft/delta';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const boundary = 'updraft-delta-boundary';
const finished = ['succeeded', 'failed', 'cancelled', 'not_worthwhile'];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Deterministic bytes (mulberry32), so that a failure can be replayed. */
function randomBytes(seed: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  let a = seed >>> 0;
  for (let i = 0; i < size; i += 4) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.writeUInt32LE((t ^ (t >>> 14)) >>> 0, i);
  }
  return out;
}

/** A new firmware version: the old one with a few bytes changed and a short insertion. */
function edited(old: Buffer, seed: number): Buffer {
  const copy = Buffer.from(old);
  for (let i = 0; i < 8; i++) {
    const at = (seed * 7919 + i * 24_593) % copy.length;
    copy[at] = copy[at]! ^ 0xff;
  }
  const cut = Math.floor(copy.length / 3);
  return Buffer.concat([copy.subarray(0, cut), Buffer.from('new feature table v2'), copy.subarray(cut)]);
}

function form(fields: Record<string, string>, files: [string, Buffer][]) {
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  for (const [filename, content] of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('delta jobs API', { skip }, () => {
  let t: TestApp;
  let productId: number;

  async function upload(version: string, files: [string, Buffer][], fields: Record<string, string> = {}) {
    const res = await t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${productId}/firmware`,
      ...form({ version, ...fields }, files),
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: number; version: string };
  }

  async function waitFor(id: number, done: (job: { status: string; progress: number }) => boolean) {
    for (let i = 0; i < 3000; i++) {
      const job = (await t.admin.get(`/api/v1/delta-jobs/${id}`)).json();
      if (done(job)) return job;
      await sleep(20);
    }
    throw new Error(`delta job ${id} did not get there in time`);
  }
  const waitFinished = (id: number) => waitFor(id, (job) => finished.includes(job.status));

  const requestDelta = (targetId: number, body: object, caller = t.admin) =>
    caller.post(`/api/v1/firmware/${targetId}/deltas`, body);

  /** Every blob and temporary file under the firmware folder. */
  function storedFiles(): string[] {
    const dir = t.app.config.firmwareDir;
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  }

  before(async () => {
    t = await createTestApp({ firmwareMaxFileBytes: 16 * 1024 * 1024 });
    productId = (await t.admin.post('/api/v1/products', { name: 'Meter' })).json().id;
    await t.admin.post(`/api/v1/products/${productId}/modules`, { name: 'wifi', kind: 'mcu' });
  });
  after(() => t.close());

  it('generates a delta package that rebuilds the target image exactly', async () => {
    const v1 = randomBytes(1, 200 * 1024);
    const v2 = edited(v1, 1);
    const source = await upload('1.0.0', [['app.bin', v1]]);
    const target = await upload('1.1.0', [['app.bin', v2]]);

    const res = await requestDelta(target.id, { fromPackageId: source.id, profile: 'mcu' });
    assert.equal(res.statusCode, 202, res.body);
    const queued = res.json();
    assert.equal(queued.status, 'queued');
    assert.equal(queued.format, 'updraft');
    assert.equal(queued.sourcePackageId, source.id);
    assert.equal(queued.targetPackageId, target.id);

    const job = await waitFinished(queued.id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    assert.equal(job.progress, 100);
    assert.ok(job.patchSize < job.fullCompressedSize);
    assert.ok(job.finishedAt);

    const pkg = (await t.admin.get(`/api/v1/firmware/${job.resultPackageId}`)).json();
    assert.equal(pkg.type, 'delta');
    assert.equal(pkg.version, '1.1.0');
    assert.equal(pkg.sourceVersion, '1.0.0');
    assert.equal(pkg.module, 'default');
    assert.equal(pkg.files.length, 1);
    assert.equal(pkg.files[0].name, '1.1.0-from-1.0.0.mcu.updelta');
    assert.equal(pkg.files[0].size, job.patchSize);
    assert.deepEqual(pkg.extData, {
      deltaProfile: 'mcu',
      deltaFormat: 'updraft',
      sourceSha256: sha256(v1),
      sourceSize: String(v1.length),
      targetSha256: sha256(v2),
      targetSize: String(v2.length),
      generatedFrom: `delta-job/${job.id}`,
    });

    const download = await t.admin.get(`/api/v1/firmware/${pkg.id}/files/1`);
    assert.equal(download.statusCode, 200);
    const rebuilt = await applyBuffer(v1, download.rawPayload);
    assert.ok(Buffer.from(rebuilt).equals(v2), 'the patch rebuilds the target image');

    const again = await requestDelta(target.id, { fromPackageId: source.id, profile: 'linux' });
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json().code, 'FIRMWARE_VERSION_EXISTS');

    const listed = (
      await t.admin.get(`/api/v1/delta-jobs?status=succeeded&targetPackageId=${target.id}`)
    ).json();
    assert.deepEqual(
      listed.items.map((j: { id: number }) => j.id),
      [job.id],
    );
  });

  it('generates a VCDIFF package named .vcdiff whose extData lets a device check both images', async () => {
    const v1 = randomBytes(11, 100 * 1024);
    const v2 = edited(v1, 11);
    const source = await upload('9.0.0', [['app.bin', v1]]);
    const target = await upload('9.1.0', [['app.bin', v2]]);
    const res = await requestDelta(target.id, { fromPackageId: source.id, profile: 'mcu', format: 'vcdiff' });
    assert.equal(res.statusCode, 202, res.body);
    const job = await waitFinished(res.json().id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    const pkg = (await t.admin.get(`/api/v1/firmware/${job.resultPackageId}`)).json();
    assert.equal(pkg.files[0].name, '9.1.0-from-9.0.0.vcdiff');
    assert.equal(pkg.extData.deltaFormat, 'vcdiff');
    assert.equal(pkg.extData.sourceSha256, sha256(v1));
    assert.equal(pkg.extData.sourceSize, String(v1.length));
    assert.equal(pkg.extData.targetSha256, sha256(v2));
    assert.equal(pkg.extData.targetSize, String(v2.length));
    const download = await t.admin.get(`/api/v1/firmware/${pkg.id}/files/1`);
    assert.deepEqual([...download.rawPayload.subarray(0, 3)], [0xd6, 0xc3, 0xc4], 'RFC 3284 §4.1 magic');
  });

  it('says when a delta is not worth it and stores no package', async () => {
    const source = await upload('2.0.0', [['app.bin', randomBytes(2, 64 * 1024)]]);
    const target = await upload('2.1.0', [['app.bin', randomBytes(3, 64 * 1024)]]);
    const blobsBefore = storedFiles().length;
    const res = await requestDelta(target.id, {
      fromPackageId: source.id,
      profile: 'linux',
      format: 'vcdiff',
    });
    assert.equal(res.statusCode, 202, res.body);
    const job = await waitFinished(res.json().id);
    assert.equal(job.status, 'not_worthwhile', JSON.stringify(job));
    assert.equal(job.resultPackageId, null);
    assert.ok(job.patchSize > 0 && job.fullCompressedSize > 0);
    const deltas = (
      await t.admin.get(`/api/v1/firmware?productId=${productId}&version=2.1.0&type=delta`)
    ).json();
    assert.deepEqual(deltas.items, []);
    assert.equal(storedFiles().length, blobsBefore);
  });

  it('refuses pairs it cannot diff', async () => {
    const base = randomBytes(4, 4096);
    const source = await upload('3.0.0', [['app.bin', base]]);
    const target = await upload('3.1.0', [['app.bin', edited(base, 4)]]);
    const otherModule = await upload('3.1.0', [['app.bin', base]], { module: 'wifi' });
    const twoFiles = await upload('3.2.0', [
      ['app.bin', base],
      ['boot.bin', randomBytes(5, 100)],
    ]);
    const delta = await upload('3.3.0', [['app.bin', base]], { type: 'delta', sourceVersion: '3.0.0' });
    const refused = async (targetId: number, body: object, status: number, code: string) => {
      const res = await requestDelta(targetId, body);
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().code, code, res.body);
    };
    await refused(
      otherModule.id,
      { fromPackageId: source.id, profile: 'mcu' },
      400,
      'DELTA_JOB_INVALID_PAIR',
    );
    await refused(twoFiles.id, { fromPackageId: source.id, profile: 'mcu' }, 400, 'DELTA_JOB_INVALID_PAIR');
    await refused(target.id, { fromPackageId: delta.id, profile: 'mcu' }, 400, 'DELTA_JOB_INVALID_PAIR');
    await refused(target.id, { fromPackageId: target.id, profile: 'mcu' }, 400, 'DELTA_JOB_INVALID_PAIR');
    await refused(target.id, { fromPackageId: 99_999, profile: 'mcu' }, 404, 'NOT_FOUND');
    await refused(target.id, { fromPackageId: source.id, profile: 'desktop' }, 400, 'VALIDATION_FAILED');
    await refused(target.id, { fromPackageId: source.id, profile: 'mcu', extra: 1 }, 400, 'UNKNOWN_FIELD');
    const viewer = await t.as('viewer');
    const forbidden = await requestDelta(target.id, { fromPackageId: source.id, profile: 'mcu' }, viewer);
    assert.equal(forbidden.statusCode, 403);
    assert.equal((await viewer.get('/api/v1/delta-jobs')).statusCode, 200);
    assert.equal((await t.admin.get('/api/v1/delta-jobs/99999')).json().code, 'NOT_FOUND');
  });

  it('cancels a running job: the worker stops and no package or blob is left', async () => {
    const big = randomBytes(6, 8 * 1024 * 1024);
    const source = await upload('4.0.0', [['image.bin', big]]);
    const target = await upload('4.1.0', [['image.bin', edited(big, 6)]]);
    const filesBefore = storedFiles().sort();
    const res = await requestDelta(target.id, { fromPackageId: source.id, profile: 'linux' });
    assert.equal(res.statusCode, 202, res.body);
    const { id } = res.json();
    const started = await waitFor(
      id,
      (job) => (job.status === 'running' && job.progress > 0) || finished.includes(job.status),
    );
    assert.equal(started.status, 'running', 'the diff ended before it could be cancelled');

    const cancelled = await t.admin.post(`/api/v1/delta-jobs/${id}/cancel`);
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    assert.equal(cancelled.json().status, 'cancelled');
    // The runner is free again at once: the next job starts while this one stays cancelled.
    await sleep(200);
    const job = (await t.admin.get(`/api/v1/delta-jobs/${id}`)).json();
    assert.equal(job.status, 'cancelled');
    assert.equal(job.resultPackageId, null);
    const deltas = (
      await t.admin.get(`/api/v1/firmware?productId=${productId}&version=4.1.0&type=delta`)
    ).json();
    assert.deepEqual(deltas.items, []);
    assert.deepEqual(storedFiles().sort(), filesBefore, 'no blob and no temporary file');

    const twice = await t.admin.post(`/api/v1/delta-jobs/${id}/cancel`);
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().code, 'DELTA_JOB_INVALID_TRANSITION');
  });

  it('runs again a job whose runner died, once its lease has run out', async () => {
    const base = randomBytes(7, 32 * 1024);
    const source = await upload('5.0.0', [['app.bin', base]]);
    const target = await upload('5.1.0', [['app.bin', edited(base, 7)]]);
    const store = t.app.services.deltas;
    // A job claimed by a process that crashed: running, with a lease nobody renews.
    await t.app.deltaRunner.stop();
    const { id } = await store.requestDelta(target.id, { fromPackageId: source.id, profile: 'mcu' }, 'admin');
    const db = t.testDatabase.database.db;
    await db
      .updateTable('delta_jobs')
      .set({ status: 'running', attempts: 1, lease_owner: 'crashed', lease_until: t.clock.now() + 60_000 })
      .where('id', '=', id)
      .execute();
    t.app.deltaRunner.start();
    await sleep(100);
    assert.equal(
      (await t.admin.get(`/api/v1/delta-jobs/${id}`)).json().status,
      'running',
      'lease still held',
    );

    t.clock.advance(61_000);
    t.app.deltaRunner.queued();
    const job = await waitFinished(id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    assert.equal(job.attempts, 2);
  });
  it('adopts the package a crashed attempt stored before it could mark the job', async () => {
    const base = randomBytes(8, 16 * 1024);
    const source = await upload('6.0.0', [['app.bin', base]]);
    const target = await upload('6.1.0', [['app.bin', edited(base, 8)]]);
    await t.app.deltaRunner.stop();
    const { id } = await t.app.services.deltas.requestDelta(
      target.id,
      { fromPackageId: source.id, profile: 'mcu' },
      'admin',
    );
    // What the first attempt left: its package, and the job still running under a dead lease.
    const stored = await upload('6.1.0', [['6.1.0-from-6.0.0.mcu.bin', Buffer.from('patch')]], {
      type: 'delta',
      sourceVersion: '6.0.0',
      extData: JSON.stringify({
        deltaProfile: 'mcu',
        deltaFormat: 'updraft',
        generatedFrom: `delta-job/${id}`,
      }),
    });
    await t.testDatabase.database.db
      .updateTable('delta_jobs')
      .set({ status: 'running', attempts: 1, lease_owner: 'crashed', lease_until: t.clock.now() - 1 })
      .where('id', '=', id)
      .execute();
    t.app.deltaRunner.start();
    const job = await waitFinished(id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    assert.equal(job.resultPackageId, stored.id);
    assert.equal(job.attempts, 2);
  });
});
