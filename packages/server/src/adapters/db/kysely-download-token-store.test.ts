// Contract of the DownloadTokenStore port, on the database this test pass uses (SQLite or
// PostgreSQL): batched inserts supersede older tokens of the same upgrade, expiry sweeps.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';
import { createKyselyDownloadTokenStore } from './kysely-download-token-store.ts';

const skip = (await skipReason()) ?? false;

describe('DownloadTokenStore contract', { skip }, () => {
  let f: DeviceFleet;
  let store: ReturnType<typeof createKyselyDownloadTokenStore>;
  let grants: { upgradeId: number; deviceId: number; packageId: number; filePosition: number }[];
  before(async () => {
    f = await createDeviceFleet({ count: 2 });
    store = createKyselyDownloadTokenStore(f.t.app.database.db);
    const page = await f.t.app.services.plans.listUpgrades(f.planId, {}, { limit: 10 });
    grants = page.items.map((u) => ({
      upgradeId: u.id,
      deviceId: u.deviceId,
      packageId: f.packageId,
      filePosition: 1,
    }));
  });
  after(() => f.close());

  const token = (hash: string, grant = grants[0]!, expiresAt = 10_000) => ({
    ...grant,
    tokenHash: hash,
    createdAt: 1,
    expiresAt,
  });

  it('keeps only the last token of an upgrade valid, within a batch and across batches', async () => {
    await store.insertMany([token('a1'), token('b1', grants[1]!), token('a2')]);
    assert.equal((await store.findByHash('a1'))?.superseded, true);
    assert.equal((await store.findByHash('a2'))?.superseded, false);
    assert.equal((await store.findByHash('b1'))?.superseded, false);
    await store.insertMany([token('a3')]);
    assert.equal((await store.findByHash('a2'))?.superseded, true);
    assert.equal((await store.findByHash('a3'))?.superseded, false);
    // Another upgrade's token is untouched.
    assert.equal((await store.findByHash('b1'))?.superseded, false);
    const found = await store.findByHash('a3');
    assert.equal(found?.upgradeId, grants[0]!.upgradeId);
    assert.equal(found?.deviceId, grants[0]!.deviceId);
    assert.equal(await store.findByHash('nope'), undefined);
    await store.insertMany([]);
  });

  it('keeps the tokens of every file of an upgrade valid together, and supersedes them together', async () => {
    const file = (hash: string, filePosition: number) => token(hash, { ...grants[1]!, filePosition });
    await store.insertMany([file('f1', 1), file('f2', 2), file('f3', 3)]);
    for (const hash of ['f1', 'f2', 'f3']) assert.equal((await store.findByHash(hash))?.superseded, false);
    assert.equal((await store.findByHash('f3'))?.filePosition, 3);
    // A newer offer of the upgrade (here of one file) supersedes every older token of it.
    await store.insertMany([file('g1', 1)]);
    for (const hash of ['f1', 'f2', 'f3']) assert.equal((await store.findByHash(hash))?.superseded, true);
    assert.equal((await store.findByHash('g1'))?.superseded, false);
  });

  it("finds an upgrade's current token per file, expired or not, and none once superseded", async () => {
    const grant = (filePosition: number) => ({ ...grants[1]!, filePosition });
    await store.insertMany([token('h1', grant(1), 5), token('h2', grant(2), 5)]);
    assert.equal((await store.findCurrent(grants[1]!.upgradeId, 1))?.id, (await store.findByHash('h1'))?.id);
    assert.equal(
      (await store.findCurrent(grants[1]!.upgradeId, 2))?.expiresAt,
      5,
      'expired is still current',
    );
    await store.insertMany([token('i1', grant(1))]);
    assert.equal((await store.findCurrent(grants[1]!.upgradeId, 1))?.id, (await store.findByHash('i1'))?.id);
    assert.equal(await store.findCurrent(grants[1]!.upgradeId, 2), undefined, 'file 2 was superseded');
    assert.equal(await store.findCurrent(grants[1]!.upgradeId, 3), undefined);
  });

  it('writes nothing of a batch that fails', async () => {
    await assert.rejects(store.insertMany([token('c1'), token('c1', grants[1]!)]));
    assert.equal(await store.findByHash('c1'), undefined);
    assert.equal((await store.findByHash('a3'))?.superseded, false);
  });

  it('reads a token with its upgrade in one go, as findByHash and the upgrade read them', async () => {
    await store.insertMany([token('u1', grants[0]!, 7_000)]);
    const found = await store.findWithUpgrade('u1');
    assert.deepEqual(found?.token, await store.findByHash('u1'));
    const upgrade = await f.t.app.services.plans.getUpgrade(grants[0]!.upgradeId);
    assert.equal(found?.upgrade?.id, grants[0]!.upgradeId);
    assert.equal(found?.upgrade?.deviceId, grants[0]!.deviceId);
    assert.equal(found?.upgrade?.planId, f.planId);
    assert.equal(found?.upgrade?.status, upgrade.state.status);
    assert.deepEqual(found?.upgrade?.state, upgrade.state);
    assert.equal(found?.upgrade?.planStatus, 'running');
    await store.insertMany([token('u2', grants[0]!)]);
    assert.equal((await store.findWithUpgrade('u1'))?.token.superseded, true);
    assert.equal(await store.findWithUpgrade('nope'), undefined);
  });

  it('deletes the tokens that expired before a time', async () => {
    await store.insertMany([token('old', grants[1]!, 50), token('new', grants[1]!, 500_000)]);
    const removed = await store.deleteExpired(100);
    assert.ok(removed >= 1);
    assert.equal(await store.findByHash('old'), undefined);
    assert.ok(await store.findByHash('new'));
  });
});
