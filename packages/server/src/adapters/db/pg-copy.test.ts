// PostgreSQL's COPY for bulk writes (pg-copy.ts) and the import batches that use it
// (internal/device-copy.ts): one transaction, values escaped, nothing stored of a refused batch,
// the connection given back. PostgreSQL only: SQLite has no COPY and keeps its statements.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { NewDevice } from '../../modules/devices/device-store.ts';
import { deviceDraft } from '../../test-support/device-draft.ts';
import {
  createTestDatabase,
  skipReason,
  type TestDatabase,
  testDatabaseKind,
} from '../../test-support/test-database.ts';
import { copyMany } from './internal/device-copy.ts';
import { createKyselyCatalogStore } from './kysely-catalog-store.ts';
import { createKyselyDeviceStore } from './kysely-device-store.ts';
import { type CopyTransaction, copyText } from './pg-copy.ts';

const skip = testDatabaseKind === 'postgres' ? ((await skipReason()) ?? false) : 'PostgreSQL only';

describe('COPY transactions', { skip }, () => {
  let t: TestDatabase;
  let copy: CopyTransaction;
  let productId: number;
  const draft = (name: string, more: Partial<NewDevice> = {}) => deviceDraft(productId, name, more);
  const countOf = async (table: 'devices' | 'device_versions' | 'device_tags') =>
    Number(
      (
        await t.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    t = await createTestDatabase();
    copy = t.database.copy!;
    productId = (
      await createKyselyCatalogStore(t.database.db).insertProduct(
        {
          name: 'p',
          productKey: 'pk_copy',
          nodeType: 'direct',
          manufacturer: '',
          model: '',
          protocols: ['mqtt'],
          description: '',
          signMethod: 'md5',
        },
        1,
      )
    ).id;
    await sql`create table copy_probe (a text primary key, b bigint)`.execute(t.database.db);
  });
  after(() => t.dispose());

  it('copies text with backslashes, tabs and line breaks as it was, and nulls as nulls', async () => {
    const values = ['plain', 'back\\slash', 'tab\there', 'line\nbreak\r\n', '\\N'];
    await copy(async (session) => {
      await session.copy(
        'copy copy_probe (a, b) from stdin',
        values.map((v, i) => `${copyText(v)}\t${copyText(i === 0 ? null : i)}\n`).join(''),
      );
    });
    const rows = await sql<{
      a: string;
      b: number | null;
    }>`select a, b from copy_probe order by b nulls first`.execute(t.database.db);
    assert.deepEqual(
      rows.rows.map((r) => [r.a, r.b]),
      values.map((v, i) => [v, i === 0 ? null : i]),
    );
  });

  it('stores nothing of a transaction that throws or is refused, and gives its connection back', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from copy_probe`.execute(t.database.db);
    // More attempts than the pool has connections: each failure must release its own.
    for (let i = 0; i < 12; i++) {
      await assert.rejects(
        copy(async (session) => {
          await session.copy('copy copy_probe (a, b) from stdin', `new-${i}\t1\nplain\t2\n`);
        }),
        { code: '23505' },
      );
      await assert.rejects(
        copy(async (session) => {
          await session.copy('copy copy_probe (a, b) from stdin', `other-${i}\t1\n`);
          throw new Error('changed its mind');
        }),
        /changed its mind/,
      );
    }
    const now = await sql<{ n: number }>`select count(*)::int as n from copy_probe`.execute(t.database.db);
    assert.deepEqual(now.rows, before.rows);
  });

  it('stores a clean import batch by COPY, each created device as the store reads it back', async () => {
    const store = createKyselyDeviceStore(t.database.db, 'postgres', copy);
    const outcomes = await copyMany(
      copy,
      [
        draft('c-1', { tags: ['a', 'b'], versions: { default: '1.0', MCU: '2' } }),
        draft('c-2'),
        draft('c-1', { tags: ['z'] }),
        draft('c-3', { versions: { default: '3' } }),
      ],
      5,
    );
    assert.ok(outcomes);
    assert.deepEqual(
      outcomes.map((o) => ('device' in o ? o.device.name : 'taken')),
      ['c-1', 'c-2', 'taken', 'c-3'],
    );
    const devices = outcomes.flatMap((o) => ('device' in o ? [o.device] : []));
    // Ids in row order, as the statement path gives them.
    assert.deepEqual(
      devices.map((d) => d.id),
      devices.map((d) => d.id).sort((a, b) => a - b),
    );
    for (const device of devices) assert.deepEqual(await store.get(device.id), device);
    assert.deepEqual(await store.versionsOf(devices[0]!.id), [
      { module: 'MCU', version: '2', reportedAt: 5 },
      { module: 'default', version: '1.0', reportedAt: 5 },
    ]);
    assert.deepEqual(await store.getCredential(devices[1]!.id), {
      secretSalt: 'salt-c-2',
      secretHash: 'hash-c-2',
    });
    assert.deepEqual(
      (await store.list({ tag: 'z' }, { limit: 10 })).items.map((d) => d.name),
      [],
    );
    assert.equal(await store.totalDevices(productId), 3);
  });

  it('refuses a batch with a name the product has, storing none of its rows; insertMany then stores the rest', async () => {
    const store = createKyselyDeviceStore(t.database.db, 'postgres', copy);
    const counts = [await countOf('devices'), await countOf('device_versions'), await countOf('device_tags')];
    const batch = [
      draft('r-1', { tags: ['t'], versions: { default: '1' } }),
      draft('c-2'),
      draft('r-2', { tags: ['t'], versions: { default: '1' } }),
    ];
    assert.equal(await copyMany(copy, batch, 6), undefined);
    assert.deepEqual(
      [await countOf('devices'), await countOf('device_versions'), await countOf('device_tags')],
      counts,
    );
    const outcomes = await store.insertMany(batch, 6);
    assert.deepEqual(
      outcomes.map((o) => ('device' in o ? o.device.name : 'taken')),
      ['r-1', 'taken', 'r-2'],
    );
    assert.deepEqual(
      [await countOf('devices'), await countOf('device_versions'), await countOf('device_tags')],
      [counts[0]! + 2, counts[1]! + 2, counts[2]! + 2],
    );
    assert.equal(await store.totalDevices(productId), counts[0]! + 2);
  });
});
