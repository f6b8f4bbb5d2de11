// The server secret lives outside the database, in a file only this user reads; installs from
// before move theirs out on the first start; a secret the database does not know stops the start.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isUpdraftError } from '@updraft/core';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config/config.ts';
import {
  createTestDatabase,
  skipReason,
  type TestDatabase,
  testDatabaseKind,
} from '../../test-support/test-database.ts';
import { loadServerSecret } from './server-secret.ts';

const skip = (await skipReason()) ?? false;
const mode = (path: string) => statSync(path).mode & 0o777;
const mismatch = (error: unknown) => isUpdraftError(error) && error.code === 'SERVER_SECRET_MISMATCH';

describe('server secret', { skip }, () => {
  let t: TestDatabase;
  const root = mkdtempSync(join(tmpdir(), 'updraft-secret-'));
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => {
    await t.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  const settings = (key: string) =>
    t.database.db.selectFrom('server_settings').select('value').where('key', '=', key).executeTakeFirst();

  it('moves the secret of an install from before out of the database into a 0600 file', async () => {
    const old = Buffer.alloc(32, 7);
    await t.database.db
      .insertInto('server_settings')
      .values({ key: 'secret', value: old.toString('base64') })
      .execute();
    const file = join(root, 'data', 'server-secret');
    const secret = await loadServerSecret(t.database.db, { file, value: null });
    assert.deepEqual(secret, old, 'device secrets derived before still match');
    assert.equal(await settings('secret'), undefined, 'the database no longer holds it');
    assert.ok(await settings('secret_fingerprint'));
    assert.equal(mode(file), 0o600);
    assert.equal(mode(join(root, 'data')), 0o700);
    assert.deepEqual(
      await loadServerSecret(t.database.db, { file, value: null }),
      old,
      'the next start reads the file',
    );
    assert.deepEqual(
      await loadServerSecret(t.database.db, { file: join(root, 'unused'), value: old.toString('base64') }),
      old,
      'UPDRAFT_SECRET may hold it instead',
    );
  });

  it('refuses a missing or different secret for a database set up with another one', async () => {
    await assert.rejects(
      loadServerSecret(t.database.db, { file: join(root, 'elsewhere', 'none'), value: null }),
      (error) => mismatch(error) && /copy that file/.test((error as Error).message),
    );
    const other = join(root, 'other-secret');
    writeFileSync(other, Buffer.alloc(32, 9).toString('base64'));
    await assert.rejects(loadServerSecret(t.database.db, { file: other, value: null }), mismatch);
    await assert.rejects(
      loadServerSecret(t.database.db, { file: other, value: Buffer.alloc(32, 1).toString('base64') }),
      mismatch,
    );
  });

  it('gives a new SQLite install a 0700 data folder, a 0600 database and a 0600 secret file', async (c) => {
    if (testDatabaseKind !== 'sqlite') return c.skip('SQLite files only');
    const dataDir = join(root, 'fresh');
    const app = await buildApp(
      loadConfig({}, { dataDir, logLevel: 'silent', adminPassword: 'fresh-install-pw' }),
    );
    try {
      assert.equal(mode(dataDir), 0o700);
      assert.equal(mode(join(dataDir, 'updraft.db')), 0o600);
      assert.equal(mode(join(dataDir, 'server-secret')), 0o600);
      const rows = await app.database.db.selectFrom('server_settings').select('key').execute();
      assert.ok(!rows.some((r) => r.key === 'secret'));
    } finally {
      await app.close();
    }
  });
});
