import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { NewDeltaJob } from '../../modules/deltas/delta-job.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';
import { createKyselyDeltaJobStore } from './kysely-delta-job-store.ts';

const skip = (await skipReason()) ?? false;

describe('Kysely delta job store', { skip }, () => {
  let t: TestDatabase;
  let store: ReturnType<typeof createKyselyDeltaJobStore>;
  let pair = 0;
  const newJob = (fields: Partial<NewDeltaJob> = {}): NewDeltaJob => {
    pair += 1;
    return {
      productId: 1,
      module: 'default',
      sourcePackageId: pair * 2,
      targetPackageId: pair * 2 + 1,
      profile: 'mcu',
      format: 'updraft',
      createdBy: 'admin',
      createdAt: 1000,
      ...fields,
    };
  };

  before(async () => {
    t = await createTestDatabase();
    store = createKyselyDeltaJobStore(t.database.db);
  });
  beforeEach(async () => {
    await t.database.db.deleteFrom('delta_jobs').execute();
  });
  after(() => t.dispose());

  it('inserts a queued job and reads it back', async () => {
    const job = await store.insertJob(newJob());
    assert.equal(job.status, 'queued');
    assert.equal(job.progress, 0);
    assert.equal(job.attempts, 0);
    assert.equal(job.error, null);
    assert.deepEqual(await store.getJob(job.id), job);
  });

  it('allows one live job per source and target, and a new one once it has finished', async () => {
    const fields = newJob();
    const first = await store.insertJob(fields);
    await assert.rejects(store.insertJob(fields), { code: 'DELTA_JOB_EXISTS' });
    assert.equal(await store.transition(first.id, ['queued'], 'cancelled', { finishedAt: 2000 }), true);
    const second = await store.insertJob(fields);
    assert.equal(second.status, 'queued');
  });

  it('claims the oldest queued job once, even when two runners ask', async () => {
    const a = await store.insertJob(newJob());
    const b = await store.insertJob(newJob());
    const [one, two] = await Promise.all([store.claimNext('r1', 10, 100), store.claimNext('r2', 10, 100)]);
    const claimed = [one, two].filter((j) => j !== undefined);
    assert.ok(claimed.length >= 1);
    assert.equal(new Set(claimed.map((j) => j.id)).size, claimed.length, 'no job claimed twice');
    assert.ok(claimed.some((j) => j.id === a.id));
    const rest = await store.claimNext('r3', 10, 100);
    if (claimed.length === 1) assert.equal(rest?.id, b.id);
    else assert.equal(rest, undefined);
    const job = (await store.getJob(a.id))!;
    assert.equal(job.status, 'running');
    assert.equal(job.attempts, 1);
    assert.equal(job.startedAt, 10);
  });

  it('takes heartbeats only from the runner that holds the job', async () => {
    const { id } = await store.insertJob(newJob());
    await store.claimNext('r1', 10, 100);
    assert.equal(await store.heartbeat(id, 'r2', 50, 200), false);
    assert.equal(await store.heartbeat(id, 'r1', 50, 200), true);
    assert.equal((await store.getJob(id))!.progress, 50);
    await store.transition(id, ['running'], 'cancelled');
    assert.equal(await store.heartbeat(id, 'r1', 55, 300), false);
  });

  it('moves a job only from the statuses given', async () => {
    const { id } = await store.insertJob(newJob());
    assert.equal(await store.transition(id, ['running'], 'succeeded'), false);
    await store.claimNext('r1', 10, 100);
    const done = await store.transition(id, ['running'], 'not_worthwhile', {
      progress: 100,
      patchSize: 900,
      fullCompressedSize: 1000,
      finishedAt: 50,
    });
    assert.equal(done, true);
    const job = (await store.getJob(id))!;
    assert.equal(job.status, 'not_worthwhile');
    assert.equal(job.patchSize, 900);
    assert.equal(job.fullCompressedSize, 1000);
    assert.equal(await store.transition(id, ['queued', 'running'], 'cancelled'), false);
  });

  it('stores the error of a failed job', async () => {
    const { id } = await store.insertJob(newJob());
    await store.transition(id, ['queued'], 'failed', { error: { code: 'NOT_FOUND', message: 'gone' } });
    assert.deepEqual((await store.getJob(id))!.error, { code: 'NOT_FOUND', message: 'gone' });
  });

  it('puts back in the queue only running jobs whose lease has ended', async () => {
    const a = await store.insertJob(newJob());
    const b = await store.insertJob(newJob());
    await store.claimNext('dead', 10, 100);
    await store.claimNext('alive', 10, 500);
    await store.heartbeat(a.id, 'dead', 40, 100);
    assert.deepEqual(await store.requeueExpired(200), [a.id]);
    const job = (await store.getJob(a.id))!;
    assert.equal(job.status, 'queued');
    assert.equal(job.progress, 0);
    assert.equal((await store.getJob(b.id))!.status, 'running');
    const again = await store.claimNext('r2', 300, 900);
    assert.equal(again?.id, a.id);
    assert.equal(again?.attempts, 2);
  });

  it('lists jobs a page at a time with filters', async () => {
    const a = await store.insertJob(newJob({ productId: 1 }));
    const b = await store.insertJob(newJob({ productId: 2 }));
    const c = await store.insertJob(newJob({ productId: 1 }));
    await store.transition(c.id, ['queued'], 'cancelled');
    const first = await store.listJobs({}, { limit: 2 });
    assert.deepEqual(
      first.items.map((j) => j.id),
      [a.id, b.id],
    );
    const second = await store.listJobs({}, { after: first.next!, limit: 2 });
    assert.deepEqual(
      second.items.map((j) => j.id),
      [c.id],
    );
    assert.equal(second.next, null);
    const product1 = await store.listJobs({ productId: 1, status: 'queued' }, { limit: 10 });
    assert.deepEqual(
      product1.items.map((j) => j.id),
      [a.id],
    );
    const byTarget = await store.listJobs({ targetPackageId: b.targetPackageId }, { limit: 10 });
    assert.deepEqual(
      byTarget.items.map((j) => j.id),
      [b.id],
    );
  });
});
