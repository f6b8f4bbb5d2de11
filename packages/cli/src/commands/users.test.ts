// `updraft users` as a child process on a temporary data folder (SQLite); what each command did
// is read back through the accounts service on the same database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, openAdminTools } from '@updraft/server';
import { runCli } from '../test-support/run-cli.ts';

describe('updraft users', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-cli-users-'));
  const env = { UPDRAFT_DATA_DIR: dataDir };
  const users = (...args: string[]) => runCli(['users', ...args], env);
  let olgaPassword = '';

  /** Runs `check` with the accounts service on the data folder the commands use. */
  async function withAccounts<T>(
    check: (accounts: Awaited<ReturnType<typeof openAdminTools>>['accounts']) => Promise<T>,
  ): Promise<T> {
    const tools = await openAdminTools(loadConfig(env));
    try {
      return await check(tools.accounts);
    } finally {
      await tools.close();
    }
  }
  const canSignIn = (username: string, password: string) =>
    withAccounts((a) =>
      a.login(username, password).then(
        () => true,
        (error: { code?: string }) => {
          assert.equal(error.code, 'INVALID_CREDENTIALS');
          return false;
        },
      ),
    );

  before(async () => {
    const migrated = await runCli(['migrate'], env);
    assert.equal(migrated.status, 0, migrated.stderr);
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lists nobody on a fresh database', async () => {
    const run = await users('list');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '(none)\n');
  });

  it('adds a user with a generated password, shown once, that signs in', async () => {
    const run = await users('add', 'olga', '--role', 'operator');
    assert.equal(run.status, 0, run.stderr);
    const password = /^created olga \(operator\), password: (\S+)\n$/.exec(run.stdout)?.[1];
    assert.ok(password, run.stdout);
    olgaPassword = password;
    assert.equal(await canSignIn('olga', password), true);
    assert.equal(await canSignIn('olga', 'not-the-password'), false);
  });

  it('adds a user with the password given, and does not echo it', async () => {
    const run = await users('add', 'vera', '--role', 'viewer', '--password', 'viewer-pass-1');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'created vera (viewer)\n');
    assert.equal(await canSignIn('vera', 'viewer-pass-1'), true);
  });

  it('lists users as a table', async () => {
    const run = await users('list');
    assert.equal(run.status, 0, run.stderr);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    assert.match(header!, /^id\s+username\s+role\s+disabled$/);
    assert.deepEqual(
      rows.map((r) => r.split(/\s+/).slice(1)),
      [
        ['olga', 'operator', 'false'],
        ['vera', 'viewer', 'false'],
      ],
    );
  });

  it('refuses a taken name, a weak password and an unknown role, in one line each', async () => {
    for (const [args, pattern] of [
      [['add', 'olga', '--role', 'viewer'], /^updraft: USERNAME_TAKEN: /],
      [['add', 'wes', '--role', 'viewer', '--password', 'short'], /^updraft: VALIDATION_FAILED: /],
      [
        ['add', 'ray', '--role', 'root'],
        /^updraft: VALIDATION_FAILED: role must be one of viewer, operator, admin/,
      ],
      [['add', 'nora'], /^updraft: VALIDATION_FAILED: role must be one of/],
    ] as const) {
      const run = await users(...args);
      assert.equal(run.status, 1, args.join(' '));
      assert.match(run.stderr, pattern, args.join(' '));
      assert.equal(run.stderr.split('\n').length, 2, 'one line');
    }
    assert.equal(await withAccounts(async (a) => (await a.listUsers({}, { limit: 10 })).items.length), 2);
  });

  it('resets a password: the new one signs in, the old one does not, sessions end', async () => {
    const session = await withAccounts((a) => a.login('vera', 'viewer-pass-1'));
    const run = await users('reset-password', 'vera');
    assert.equal(run.status, 0, run.stderr);
    const password = /^new password for vera: (\S+)\n\(shown once; their sessions were ended\)\n$/.exec(
      run.stdout,
    )?.[1];
    assert.ok(password, run.stdout);
    assert.equal(await canSignIn('vera', password), true);
    assert.equal(await canSignIn('vera', 'viewer-pass-1'), false);
    assert.equal(await withAccounts((a) => a.authenticateSession(session.token)), undefined);
  });

  it('sets a role and ends the user’s sessions', async () => {
    const session = await withAccounts((a) => a.login('olga', olgaPassword));
    const run = await users('set-role', 'olga', 'admin');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'olga is now admin\n');
    const olga = await withAccounts(async (a) =>
      (await a.listUsers({ q: 'olga' }, { limit: 10 })).items.find((u) => u.username === 'olga'),
    );
    assert.equal(olga?.role, 'admin');
    assert.equal(await withAccounts((a) => a.authenticateSession(session.token)), undefined);
    assert.equal(await canSignIn('olga', olgaPassword), true, 'the password stays');
    const refused = await users('set-role', 'olga', 'superuser');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^updraft: VALIDATION_FAILED: role must be one of/);
  });

  it('disables a user, who can no longer sign in, and enables them again', async () => {
    await withAccounts((a) => a.createUser({ username: 'dora', password: 'dora-pass-123', role: 'viewer' }));
    const session = await withAccounts((a) => a.login('dora', 'dora-pass-123'));
    const disabled = await users('disable', 'dora');
    assert.equal(disabled.status, 0, disabled.stderr);
    assert.equal(disabled.stdout, 'dora disabled\n');
    assert.equal(await canSignIn('dora', 'dora-pass-123'), false);
    assert.equal(await withAccounts((a) => a.authenticateSession(session.token)), undefined);
    const listed = await users('list');
    assert.match(listed.stdout, /^\d+\s+dora\s+viewer\s+true$/m);
    const enabled = await users('enable', 'dora');
    assert.equal(enabled.status, 0, enabled.stderr);
    assert.equal(enabled.stdout, 'dora enabled\n');
    assert.equal(await canSignIn('dora', 'dora-pass-123'), true);
  });

  it('says NOT_FOUND for a user that does not exist, and prints usage for a bad command', async () => {
    for (const args of [
      ['disable', 'nobody'],
      ['set-role', 'nobody', 'viewer'],
      ['reset-password', 'nobody'],
    ]) {
      const run = await users(...args);
      assert.equal(run.status, 1, args.join(' '));
      assert.match(run.stderr, /^updraft: NOT_FOUND: no user nobody\n$/, args.join(' '));
    }
    // A name that is a prefix of others is matched exactly.
    assert.match((await users('disable', 'dor')).stderr, /NOT_FOUND: no user dor/);
    for (const args of [[], ['add'], ['frobnicate', 'x']]) {
      const run = await users(...args);
      assert.equal(run.status, 2, args.join(' '));
      assert.match(run.stderr, /^usage: updraft users list/);
    }
  });
});
