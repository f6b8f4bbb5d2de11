// `updraft migrate` as a child process on a temporary data folder (SQLite).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig, openAdminTools } from '@updraft/server';
import { runCli } from '../test-support/run-cli.ts';

describe('updraft migrate', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-cli-migrate-'));
  const env = { UPDRAFT_DATA_DIR: dataDir };
  const dbPath = join(dataDir, 'updraft.db');
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('leaves commands that need the schema refusing until it has run, and names it', async () => {
    const run = await runCli(['users', 'list'], { UPDRAFT_DATA_DIR: dataDir });
    assert.equal(run.status, 1, run.stdout);
    assert.match(run.stderr, /^updraft: .*run `updraft migrate`/);
  });

  it('applies every migration to a fresh database, once', async () => {
    const first = await runCli(['migrate'], env);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^applied migrations 1(, \\d+)+ to ${dbPath}\\n$`));
    assert.ok(existsSync(dbPath));
    const second = await runCli(['migrate'], env);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, `${dbPath} is up to date\n`);
    // What needed the schema now works on it.
    const tools = await openAdminTools(loadConfig(env));
    try {
      assert.deepEqual((await tools.accounts.listUsers({}, { limit: 10 })).items, []);
    } finally {
      await tools.close();
    }
  });

  it('migrates the database named by UPDRAFT_DATABASE_URL', async () => {
    const elsewhere = join(dataDir, 'elsewhere.db');
    const run = await runCli(['migrate'], { ...env, UPDRAFT_DATABASE_URL: `sqlite:${elsewhere}` });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`to ${elsewhere}\\n$`));
    assert.ok(existsSync(elsewhere));
  });

  it('refuses a bad setting in one line that names it', async () => {
    const run = await runCli(['migrate'], { ...env, UPDRAFT_DATABASE_URL: 'mysql://db/updraft' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^updraft: .*UPDRAFT_DATABASE_URL.*\n$/);
    assert.equal(run.stdout, '');
  });
});
