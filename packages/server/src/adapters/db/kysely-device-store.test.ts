// Contract of the DeviceStore port, run on the database this test pass uses (SQLite or PostgreSQL).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceStore, NewDevice } from '../../modules/devices/device-store.ts';
import { deviceDraft } from '../../test-support/device-draft.ts';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';
import { createKyselyCatalogStore } from './kysely-catalog-store.ts';
import { createKyselyDeviceStore } from './kysely-device-store.ts';

const skip = (await skipReason()) ?? false;

describe('DeviceStore contract', { skip }, () => {
  let t: TestDatabase;
  let store: DeviceStore;
  let meter: number;
  let hub: number;
  let other: number;
  const draft = (name: string, more: Partial<NewDevice> = {}) => deviceDraft(meter, name, more);
  const names = (page: { items: { name: string }[] }) => page.items.map((d) => d.name);

  before(async () => {
    t = await createTestDatabase();
    store = createKyselyDeviceStore(t.database.db, t.database.dialect, t.database.copy);
    const catalog = createKyselyCatalogStore(t.database.db);
    const base = {
      manufacturer: '',
      model: '',
      protocols: ['mqtt' as const],
      description: '',
      signMethod: 'md5' as const,
    };
    meter = (
      await catalog.insertProduct({ ...base, name: 'm', productKey: 'pk_meter', nodeType: 'subdevice' }, 1)
    ).id;
    hub = (await catalog.insertProduct({ ...base, name: 'h', productKey: 'pk_hub', nodeType: 'gateway' }, 1))
      .id;
    other = (
      await catalog.insertProduct({ ...base, name: 'o', productKey: 'pk_other', nodeType: 'direct' }, 1)
    ).id;
  });
  after(() => t.dispose());

  it('round-trips a device with tags, versions and credential, and finds it by name or key', async () => {
    const d = await store.insert(
      draft('rt', { tags: ['a', 'b'], versions: { default: '1.0', MCU: '2' } }),
      7,
    );
    assert.deepEqual(await store.get(d.id), d);
    assert.deepEqual(d.tags, ['a', 'b']);
    assert.equal(d.online, false);
    assert.equal(d.createdAt, 7);
    assert.deepEqual(await store.findByName(meter, 'rt'), d);
    assert.deepEqual(await store.findByProductKey('pk_meter', 'rt'), d);
    assert.equal(await store.findByProductKey('pk_hub', 'rt'), undefined);
    assert.deepEqual(await store.getCredential(d.id), { secretSalt: 'salt-rt', secretHash: 'hash-rt' });
    assert.deepEqual(await store.versionsOf(d.id), [
      { module: 'MCU', version: '2', reportedAt: 7 },
      { module: 'default', version: '1.0', reportedAt: 7 },
    ]);
    await assert.rejects(store.insert(draft('rt'), 8), { code: 'DEVICE_NAME_TAKEN' });
  });

  it('inserts a batch, reporting names taken in the database or earlier in the batch', async () => {
    await store.insert(draft('b-old'), 1);
    const outcomes = await store.insertMany(
      [
        draft('b-1', { tags: ['x'] }),
        draft('b-old'),
        draft('b-2'),
        draft('b-1', { tags: ['y'], versions: { default: '4' } }),
        draft('b-3', { versions: { default: '3' } }),
      ],
      2,
    );
    assert.deepEqual(
      outcomes.map((o) => ('device' in o ? o.device.name : 'taken')),
      ['b-1', 'taken', 'b-2', 'taken', 'b-3'],
    );
    assert.deepEqual(names(await store.list({ tag: 'x' }, { limit: 10 })), ['b-1']);
    assert.deepEqual(names(await store.list({ version: '3' }, { limit: 10 })), ['b-3']);
    // The repeat of b-1 in the batch is taken: none of its tags or versions are stored.
    assert.deepEqual(names(await store.list({ tag: 'y' }, { limit: 10 })), []);
    assert.deepEqual(names(await store.list({ version: '4' }, { limit: 10 })), []);
    assert.deepEqual(await store.insertMany([], 3), []);
  });

  it('upserts versions, records telemetry and rotates credentials', async () => {
    const d = await store.insert(draft('tele'), 1);
    await store.setVersion(d.id, 'default', '1', 2);
    await store.setVersion(d.id, 'default', '2', 3);
    assert.deepEqual(await store.versionsOf(d.id), [{ module: 'default', version: '2', reportedAt: 3 }]);
    // Several devices in one statement; a device's last entry of a module wins.
    const one = await store.insert(draft('tele-one', { versions: { default: '1' } }), 1);
    const two = await store.insert(draft('tele-two'), 1);
    await store.setVersions(
      [
        { id: one.id, module: 'default', version: '3' },
        { id: two.id, module: 'default', version: '5' },
        { id: one.id, module: 'default', version: '4' },
      ],
      4,
    );
    assert.deepEqual(await store.versionsOf(one.id), [{ module: 'default', version: '4', reportedAt: 4 }]);
    assert.deepEqual(await store.versionsOf(two.id), [{ module: 'default', version: '5', reportedAt: 4 }]);
    await store.setVersions([], 5);
    const other = await store.insert(draft('tele-2', { versions: { default: '7', MCU: '8' } }), 2);
    const none = await store.insert(draft('tele-3'), 2);
    assert.deepEqual(
      [await store.versionOf(other.id, 'default'), await store.versionOf(other.id, 'MCU')],
      ['7', '8'],
    );
    assert.equal(await store.versionOf(none.id, 'default'), undefined);
    const fetched = await store.getMany([other.id, 999999, d.id]);
    assert.deepEqual(
      fetched.sort((x, y) => x.id - y.id),
      [await store.get(d.id), await store.get(other.id)],
    );
    assert.deepEqual(await store.getMany([]), []);
    const seen = await store.recordTelemetry(d.id, { online: true, signal: -80, battery: 50 }, 4);
    assert.deepEqual([seen?.online, seen?.signal, seen?.battery, seen?.lastSeenAt], [true, -80, 50, 4]);
    const again = await store.recordTelemetry(d.id, { battery: 49 }, 5);
    assert.deepEqual([again?.online, again?.signal, again?.battery, again?.lastSeenAt], [true, -80, 49, 5]);
    assert.equal(await store.recordTelemetry(999999, {}, 5), undefined);
    await store.recordTelemetryMany(
      [
        { id: d.id, telemetry: { signal: -90 } },
        { id: 999999, telemetry: {} },
      ],
      6,
    );
    const many = await store.get(d.id);
    assert.deepEqual([many?.lastSeenAt, many?.signal, many?.battery], [6, -90, 49]);
    await store.recordTelemetryMany([], 7);
    // Entries apply as if one by one: a device's later value wins, earlier other fields stay.
    await store.recordTelemetryMany(
      [
        { id: d.id, telemetry: { online: false, battery: 40 } },
        { id: other.id, telemetry: {} },
        { id: d.id, telemetry: { online: true } },
        { id: none.id, telemetry: {} },
      ],
      8,
    );
    const merged = await store.get(d.id);
    assert.deepEqual(
      [merged?.lastSeenAt, merged?.online, merged?.battery, merged?.signal],
      [8, true, 40, -90],
    );
    assert.deepEqual(
      [(await store.get(other.id))?.lastSeenAt, (await store.get(none.id))?.lastSeenAt],
      [8, 8],
    );
    assert.equal(await store.setCredential(d.id, { secretSalt: 's2', secretHash: 'h2' }, 6), true);
    assert.deepEqual(await store.getCredential(d.id), { secretSalt: 's2', secretHash: 'h2' });
    assert.equal(await store.setCredential(999999, { secretSalt: 's', secretHash: 'h' }, 6), false);
  });

  it('links gateways, finds gateway ids, updates tags and counts', async () => {
    const gw = await store.insert(draft('gw', { productId: hub }), 1);
    const plain = await store.insert(draft('plain', { productId: other }), 1);
    const sub = await store.insert(draft('sub', { gatewayId: gw.id }), 1);
    assert.deepEqual([...(await store.findGatewayIds([gw.id, plain.id, 999999]))], [gw.id]);
    assert.deepEqual([...(await store.findGatewayIds([]))], []);
    assert.equal(await store.countDevices({ gatewayId: gw.id }), 1);
    const changed = await store.update(sub.id, { tags: ['t1'], gatewayId: null }, 9);
    assert.deepEqual([changed?.tags, changed?.gatewayId, changed?.updatedAt], [['t1'], null, 9]);
    assert.deepEqual(names(await store.list({ tag: 't1' }, { limit: 10 })), ['sub']);
    await store.update(sub.id, { gatewayId: gw.id }, 10);
    assert.equal(await store.delete(gw.id), true);
    assert.equal((await store.get(sub.id))?.gatewayId, null);
    assert.equal(await store.delete(gw.id), false);
    assert.equal(await store.update(999999, { tags: [] }, 1), undefined);
  });

  it('pages by id and combines filters', async () => {
    for (let i = 0; i < 5; i++) await store.insert(draft(`pg-${i}`, { tags: i % 2 ? ['odd'] : [] }), 1);
    const first = await store.list({ q: 'PG-' }, { limit: 2 });
    assert.deepEqual(names(first), ['pg-0', 'pg-1']);
    const second = await store.list({ q: 'pg-' }, { after: first.next!, limit: 2 });
    assert.deepEqual(names(second), ['pg-2', 'pg-3']);
    const last = await store.list({ q: 'pg-' }, { after: second.next!, limit: 2 });
    assert.deepEqual([names(last), last.next], [['pg-4'], null]);
    assert.deepEqual(names(await store.list({ q: 'pg-', tag: 'odd', online: false }, { limit: 10 })), [
      'pg-1',
      'pg-3',
    ]);
    assert.equal(await store.countDevices({ q: 'pg-', productId: other }), 0);
  });

  it('keeps group names unique per product and manages members in bulk', async () => {
    const g = await store.insertGroup({ productId: meter, name: 'G', description: '' }, 1);
    await assert.rejects(store.insertGroup({ productId: meter, name: 'G', description: '' }, 1), {
      code: 'GROUP_NAME_TAKEN',
    });
    await store.insertGroup({ productId: other, name: 'G', description: '' }, 1);
    assert.deepEqual(await store.getGroup(g.id), g);
    assert.deepEqual(
      (await store.listGroups({ productId: meter }, { limit: 10 })).items.map((x) => x.id),
      [g.id],
    );
    const a = await store.insert(draft('ga'), 1);
    await store.insert(draft('gb', { tags: ['grp'] }), 1);
    const foreign = await store.insert(draft('gf', { productId: other, tags: ['grp'] }), 1);
    assert.deepEqual(await store.findForeignDevices(meter, [a.id, foreign.id, a.id]), [foreign.id]);
    assert.equal(await store.addMembers(g.id, [a.id, a.id, foreign.id], 2), 1);
    assert.equal(await store.addMembersMatching(g.id, { tag: 'grp' }, 3), 1);
    assert.equal(await store.addMembersMatching(g.id, { tag: 'grp' }, 3), 0);
    assert.deepEqual(names(await store.listMembers(g.id, {}, { limit: 10 })), ['ga', 'gb']);
    assert.deepEqual(names(await store.listMembers(g.id, { tag: 'grp' }, { limit: 10 })), ['gb']);
    assert.deepEqual(names(await store.listMembers(g.id, { q: 'A' }, { limit: 10 })), ['ga']);
    assert.equal(await store.removeMembers(g.id, [a.id, foreign.id]), 1);
    assert.deepEqual(names(await store.list({ groupId: g.id }, { limit: 10 })), ['gb']);
    assert.equal(await store.deleteGroup(g.id), true);
    assert.equal(await store.deleteGroup(g.id), false);
    assert.equal(await store.getGroup(g.id), undefined);
  });
});
