import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isUpdraftError } from '@updraft/core';
import type { FirmwareFile, NewFirmwarePackage } from '../../modules/firmware/firmware-store.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';
import { createKyselyCatalogStore } from './kysely-catalog-store.ts';
import { createKyselyFirmwareStore } from './kysely-firmware-store.ts';

const skip = (await skipReason()) ?? false;
const noop = async () => {};

describe('kysely-firmware-store', { skip }, () => {
  let t: TestDatabase;
  let productId: number;
  let store: ReturnType<typeof createKyselyFirmwareStore>;
  const file = (n: number): FirmwareFile => ({
    position: n,
    name: `part${n}.bin`,
    size: 10 * n,
    sha256: String(n).repeat(64),
    md5: String(n).repeat(32),
  });
  const pkg = (version: string, sourceVersion: string | null = null): NewFirmwarePackage => ({
    productId,
    module: 'default',
    name: sourceVersion ? `${version} from ${sourceVersion}` : version,
    remark: '',
    version,
    type: sourceVersion ? 'delta' : 'full',
    sourceVersion,
    releaseNotes: 'notes',
    extData: { k: 'v' },
    totalSize: 30,
    createdBy: 'tester',
    createdAt: 1_000,
  });

  before(async () => {
    t = await createTestDatabase();
    store = createKyselyFirmwareStore(t.database.db);
    const catalog = createKyselyCatalogStore(t.database.db);
    const product = await catalog.insertProduct(
      {
        name: 'p',
        productKey: 'pk-firmware-store',
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

  it('inserts a package with its files and reads it back', async () => {
    const stored = await store.insertPackage(pkg('1.0.0'), [file(1), file(2)], noop);
    assert.equal(stored.version, '1.0.0');
    assert.equal(stored.verified, false);
    assert.deepEqual(stored.extData, { k: 'v' });
    assert.deepEqual(stored.files, [file(1), file(2)]);
    assert.deepEqual(await store.getPackage(stored.id), stored);
  });

  it('refuses a taken version with FIRMWARE_VERSION_EXISTS but lets deltas of it in', async () => {
    await store.insertPackage(pkg('2.0.0'), [file(1)], noop);
    await assert.rejects(
      store.insertPackage(pkg('2.0.0'), [file(1)], noop),
      (e) => isUpdraftError(e) && e.code === 'FIRMWARE_VERSION_EXISTS',
    );
    await store.insertPackage(pkg('2.0.0', '1.0.0'), [file(3)], noop);
    await assert.rejects(
      store.insertPackage(pkg('2.0.0', '1.0.0'), [file(3)], noop),
      (e) => isUpdraftError(e) && e.code === 'FIRMWARE_VERSION_EXISTS',
    );
    assert.equal(
      await store.isSlotTaken({ productId, module: 'default', version: '2.0.0', sourceVersion: '1.0.0' }),
      true,
    );
    assert.equal(
      await store.isSlotTaken({ productId, module: 'default', version: '2.0.0', sourceVersion: '0.9' }),
      false,
    );
  });

  it('keeps nothing when beforeCommit throws', async () => {
    await assert.rejects(
      store.insertPackage(pkg('3.0.0'), [file(4)], async () => {
        throw new Error('rename failed');
      }),
      /rename failed/,
    );
    assert.equal(
      await store.isSlotTaken({ productId, module: 'default', version: '3.0.0', sourceVersion: null }),
      false,
    );
    assert.equal((await store.listPackages({ productId, version: '3.0.0' }, { limit: 1 })).items.length, 0);
  });

  it('filters, pages, updates and deletes, returning the hashes of the deleted files', async () => {
    const page = await store.listPackages({ productId, type: 'delta' }, { limit: 10 });
    assert.deepEqual(
      page.items.map((p) => [p.version, p.sourceVersion]),
      [['2.0.0', '1.0.0']],
    );
    const first = await store.listPackages({ productId }, { limit: 1 });
    assert.equal(first.items.length, 1);
    assert.ok(first.next);
    const updated = await store.updatePackage(first.items[0]!.id, { releaseNotes: 'new', extData: {} });
    assert.equal(updated?.releaseNotes, 'new');
    assert.deepEqual(updated?.extData, {});
    assert.deepEqual(await store.deletePackage(first.items[0]!.id, 2_000), ['1'.repeat(64), '2'.repeat(64)]);
    assert.equal(await store.deletePackage(first.items[0]!.id, 2_000), undefined);
    // Package 2.0.0 still holds file 1: only file 2 became an orphan (kysely-blob-orphan-store.test.ts).
    const orphans = await t.database.db.selectFrom('blob_orphans').select(['sha256', 'since']).execute();
    assert.deepEqual(
      orphans.map((o) => [o.sha256, Number(o.since)]),
      [['2'.repeat(64), 2_000]],
    );
  });
});
