// Orphan blobs on both databases, and the race the foundation left open: a package deleted while
// another upload reuses the same bytes. On PostgreSQL the sweeper's claim and the upload's
// transaction meet on the orphan row; on SQLite transactions run one at a time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { FirmwareFile, NewFirmwarePackage } from '../../modules/firmware/firmware-store.ts';
import {
  createTestDatabase,
  skipReason,
  type TestDatabase,
  testDatabaseKind,
} from '../../test-support/test-database.ts';
import { createKyselyBlobOrphanStore } from './kysely-blob-orphan-store.ts';
import { createKyselyCatalogStore } from './kysely-catalog-store.ts';
import { createKyselyFirmwareStore } from './kysely-firmware-store.ts';

const skip = (await skipReason()) ?? false;
const noop = async () => {};

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('kysely-blob-orphan-store', { skip }, () => {
  let t: TestDatabase;
  let productId: number;
  let firmware: ReturnType<typeof createKyselyFirmwareStore>;
  let orphans: ReturnType<typeof createKyselyBlobOrphanStore>;
  let versions = 0;
  const key = (c: string) => c.repeat(64);
  const file = (position: number, sha256: string): FirmwareFile => ({
    position,
    name: `f${position}.bin`,
    size: 1,
    sha256,
    md5: '0'.repeat(32),
  });
  const pkg = (): NewFirmwarePackage => ({
    productId,
    module: 'default',
    name: `1.0.${versions + 1}`,
    remark: '',
    version: `1.0.${++versions}`,
    type: 'full',
    sourceVersion: null,
    releaseNotes: '',
    extData: {},
    totalSize: 1,
    createdBy: 'tester',
    createdAt: 1,
  });
  const insert = (keys: string[], beforeCommit = noop) =>
    firmware.insertPackage(
      pkg(),
      keys.map((k, i) => file(i + 1, k)),
      beforeCommit,
    );

  /** Resolves once another session of this database waits for a row lock (PostgreSQL), or soon (SQLite). */
  async function someoneWaitsForALock(settled: Promise<unknown>): Promise<void> {
    if (testDatabaseKind !== 'postgres') return sleep(50);
    const until = Date.now() + 5000;
    let done = false;
    settled.finally(() => {
      done = true;
    });
    while (!done && Date.now() < until) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(t.database.db);
      if (rows[0]!.n > 0) return;
      await sleep(10);
    }
  }

  before(async () => {
    t = await createTestDatabase();
    firmware = createKyselyFirmwareStore(t.database.db);
    orphans = createKyselyBlobOrphanStore(t.database.db);
    const product = await createKyselyCatalogStore(t.database.db).insertProduct(
      {
        name: 'p',
        productKey: 'pk-orphans',
        manufacturer: '',
        model: '',
        nodeType: 'direct',
        protocols: ['mqtt'],
        description: '',
        signMethod: 'md5',
      },
      1,
    );
    productId = product.id;
  });
  after(() => t.dispose());

  it('records the blobs a deleted package leaves unreferenced, at the time of the deletion', async () => {
    const a = await insert([key('a'), key('b')]);
    await insert([key('a')]);
    assert.deepEqual(await firmware.deletePackage(a.id, 5_000), [key('a'), key('b')]);
    assert.deepEqual(await orphans.dueOrphans(4_999, 10), []);
    assert.deepEqual(await orphans.dueOrphans(5_000, 10), [key('b')], 'a is still in the other package');
    await firmware.markOrphanBlobs([key('b'), key('c')], 9_000);
    assert.deepEqual(await orphans.dueOrphans(5_000, 10), [key('b')], 'an earlier record is kept');
    assert.deepEqual(await orphans.dueOrphans(9_000, 10), [key('b'), key('c')]);
    assert.deepEqual(await orphans.untracked([key('a'), key('b'), key('c'), key('d')]), [key('d')]);
  });

  it('claims an orphan only once due and unreferenced, removing it inside the claim', async () => {
    const removed: string[] = [];
    const remove = (k: string) => async () => {
      removed.push(k);
    };
    assert.equal(await orphans.claimOrphan(key('c'), 8_999, remove(key('c'))), false, 'not yet due');
    assert.equal(await orphans.claimOrphan(key('c'), 9_000, remove(key('c'))), true);
    assert.equal(await orphans.claimOrphan(key('c'), 9_000, remove(key('c'))), false, 'taken once');
    assert.deepEqual(removed, [key('c')]);
  });

  it('takes a blob out of the orphans when an upload refers to it again', async () => {
    await insert([key('b')]);
    assert.deepEqual(await orphans.dueOrphans(Number.MAX_SAFE_INTEGER, 10), []);
    // A stale record (written while the upload was committing) is dropped by the claim.
    await t.database.db
      .insertInto('blob_orphans')
      .values({ sha256: key('b'), since: 1 })
      .execute();
    let removed = false;
    assert.equal(
      await orphans.claimOrphan(key('b'), 10, async () => {
        removed = true;
      }),
      false,
    );
    assert.equal(removed, false);
    assert.deepEqual(await orphans.dueOrphans(Number.MAX_SAFE_INTEGER, 10), []);
  });

  it('keeps the record when removing the blob fails, for the next sweep', async () => {
    await firmware.markOrphanBlobs([key('e')], 100);
    await assert.rejects(
      orphans.claimOrphan(key('e'), 100, async () => {
        throw new Error('S3 is down');
      }),
      /S3 is down/,
    );
    assert.deepEqual(await orphans.dueOrphans(100, 10), [key('e')]);
    assert.equal(await orphans.claimOrphan(key('e'), 100, noop), true);
  });

  it('never removes a blob an upload has found stored and is about to refer to', async () => {
    const shared = key('f');
    const first = await insert([shared]);
    await firmware.deletePackage(first.id, 100);
    // The upload has looked the blob up ("already stored") and not yet committed its rows.
    const found = gate();
    const paused = gate();
    const upload = insert([shared], async () => {
      found.open();
      await paused.opened;
    });
    await found.opened;
    let removed = false;
    const claim = orphans.claimOrphan(shared, 100, async () => {
      removed = true;
    });
    await someoneWaitsForALock(claim);
    paused.open();
    const [stored, claimed] = await Promise.all([upload, claim]);
    assert.equal(claimed, false);
    assert.equal(removed, false, 'the blob of a committed package was deleted');
    assert.deepEqual(
      stored.files.map((f) => f.sha256),
      [shared],
    );
    assert.deepEqual(await orphans.dueOrphans(Number.MAX_SAFE_INTEGER, 10), []);
  });

  it('lets an upload that meets a sweeper deleting its blob look the blob up only afterwards', async () => {
    const shared = key('9');
    const first = await insert([shared]);
    await firmware.deletePackage(first.id, 100);
    const events: string[] = [];
    const deleting = gate();
    const finishDelete = gate();
    const claim = orphans.claimOrphan(shared, 100, async () => {
      events.push('delete started');
      deleting.open();
      await finishDelete.opened;
      events.push('blob deleted');
    });
    await deleting.opened;
    const upload = insert([shared], async () => {
      events.push('upload looks the blob up');
    });
    await someoneWaitsForALock(upload);
    finishDelete.open();
    await Promise.all([claim, upload]);
    // Looking up after the deletion, the upload finds no blob and stores its own copy.
    assert.deepEqual(events, ['delete started', 'blob deleted', 'upload looks the blob up']);
  });
});
