// Contract of the AccountStore port, run on the database this test pass uses (SQLite or PostgreSQL).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, skipReason, type TestDatabase } from '../../test-support/test-database.ts';
import { createKyselyAccountStore } from './kysely-account-store.ts';

const skip = (await skipReason()) ?? false;

describe('AccountStore contract', { skip }, () => {
  let t: TestDatabase;
  let store: ReturnType<typeof createKyselyAccountStore>;
  before(async () => {
    t = await createTestDatabase();
    store = createKyselyAccountStore(t.database.db);
  });
  after(() => t.dispose());

  it('inserts, finds, pages and updates users', async () => {
    assert.equal(await store.countUsers(), 0);
    const a = await store.insertUser({ username: 'ann', passwordHash: 'h1', role: 'admin', now: 1000 });
    const b = await store.insertUser({ username: 'bob', passwordHash: 'h2', role: 'viewer', now: 2000 });
    assert.equal(await store.countUsers(), 2);
    assert.equal((await store.findUserByName('ann'))?.passwordHash, 'h1');
    assert.equal(await store.findUserByName('nobody'), undefined);
    const first = await store.listUsers({}, { limit: 1 });
    assert.deepEqual(
      first.items.map((u) => u.id),
      [a.id],
    );
    assert.equal(first.next, a.id);
    const second = await store.listUsers({}, { after: first.next!, limit: 1 });
    assert.deepEqual(
      second.items.map((u) => u.id),
      [b.id],
    );
    assert.equal(second.next, null);
    const updated = await store.updateUser(b.id, { role: 'operator', disabled: true, now: 3000 });
    assert.equal(updated?.role, 'operator');
    assert.equal(updated?.disabled, true);
    assert.equal(updated?.updatedAt, 3000);
    assert.equal(await store.updateUser(999999, { now: 1 }), undefined);
  });

  it('refuses a second user of the same name at the database', async () => {
    await assert.rejects(store.insertUser({ username: 'ann', passwordHash: 'x', role: 'viewer', now: 1 }));
  });

  it('finds sessions only before they expire and deletes them per user', async () => {
    const user = await store.insertUser({ username: 'sam', passwordHash: 'h', role: 'viewer', now: 1 });
    await store.insertSession({ id: 's1', userId: user.id, csrfToken: 'c', expiresAt: 5000, createdAt: 1 });
    await store.insertSession({ id: 's2', userId: user.id, csrfToken: 'c', expiresAt: 5000, createdAt: 1 });
    assert.equal((await store.findSession('s1', 4999))?.userId, user.id);
    assert.equal(await store.findSession('s1', 5000), undefined);
    await store.deleteSession('s1');
    assert.equal(await store.findSession('s1', 1), undefined);
    await store.deleteSessionsOfUser(user.id);
    assert.equal(await store.findSession('s2', 1), undefined);
  });

  it('stores API keys by prefix, touches and revokes them once', async () => {
    const key = await store.insertApiKey({
      name: 'k',
      prefix: 'abcdefabcdef',
      hash: 'ff',
      role: 'operator',
      createdBy: null,
      now: 10,
    });
    assert.equal((await store.findApiKeyByPrefix('abcdefabcdef'))?.hash, 'ff');
    await store.touchApiKey(key.id, 20);
    assert.equal((await store.findApiKeyByPrefix('abcdefabcdef'))?.lastUsedAt, 20);
    assert.equal((await store.revokeApiKey(key.id, 30))?.revokedAt, 30);
    assert.equal(
      (await store.revokeApiKey(key.id, 40))?.revokedAt,
      30,
      'a second revoke keeps the first time',
    );
    assert.equal(await store.revokeApiKey(999999, 1), undefined);
    assert.equal((await store.listApiKeys({}, { limit: 10 })).items.length, 1);
  });

  it('filters users by role, name and disabled, and keys by role and revoked', async () => {
    const names = (page: { items: { username: string }[] }) => page.items.map((u) => u.username);
    await store.insertUser({ username: 'Olga_Ops', passwordHash: 'h', role: 'operator', now: 1 });
    await store.insertUser({ username: 'olaf', passwordHash: 'h', role: 'viewer', now: 1 });
    assert.deepEqual(names(await store.listUsers({ role: 'admin' }, { limit: 10 })), ['ann']);
    assert.deepEqual(names(await store.listUsers({ q: 'OL' }, { limit: 10 })), ['Olga_Ops', 'olaf']);
    assert.deepEqual(names(await store.listUsers({ q: 'a_o' }, { limit: 10 })), ['Olga_Ops']);
    assert.deepEqual(names(await store.listUsers({ q: '%' }, { limit: 10 })), [], 'wildcards are literal');
    assert.deepEqual(names(await store.listUsers({ disabled: true }, { limit: 10 })), ['bob']);
    assert.deepEqual(
      names(await store.listUsers({ role: 'viewer', q: 'ol', disabled: false }, { limit: 10 })),
      ['olaf'],
    );
    const page = await store.listUsers({ q: 'ol' }, { limit: 1 });
    assert.deepEqual(names(page), ['Olga_Ops']);
    assert.deepEqual(names(await store.listUsers({ q: 'ol' }, { after: page.next!, limit: 1 })), ['olaf']);

    const viewerKey = await store.insertApiKey({
      name: 'v',
      prefix: 'vvvvvvvvvvvv',
      hash: 'ee',
      role: 'viewer',
      createdBy: null,
      now: 50,
    });
    const keyNames = (p: { items: { name: string }[] }) => p.items.map((k) => k.name);
    assert.deepEqual(keyNames(await store.listApiKeys({ role: 'viewer' }, { limit: 10 })), ['v']);
    assert.deepEqual(keyNames(await store.listApiKeys({ role: 'admin' }, { limit: 10 })), []);
    assert.deepEqual(keyNames(await store.listApiKeys({ revoked: true }, { limit: 10 })), ['k']);
    assert.deepEqual(keyNames(await store.listApiKeys({ revoked: false }, { limit: 10 })), ['v']);
    assert.ok(viewerKey.id);
  });
});
