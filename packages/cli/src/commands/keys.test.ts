// `updraft keys` as a child process on a temporary data folder (SQLite); what each command did
// is read back through the accounts service on the same database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, openAdminTools } from '@updraft/server';
import { runCli } from '../test-support/run-cli.ts';

describe('updraft keys', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-cli-keys-'));
  const env = { UPDRAFT_DATA_DIR: dataDir };
  const keys = (...args: string[]) => runCli(['keys', ...args], env);
  const created: { id: number; secret: string }[] = [];

  /** Who the key authenticates as, through the accounts service on the same database. */
  async function principalOf(secret: string) {
    const tools = await openAdminTools(loadConfig(env));
    try {
      return await tools.accounts.authenticateApiKey(secret);
    } finally {
      await tools.close();
    }
  }

  before(async () => {
    const migrated = await runCli(['migrate'], env);
    assert.equal(migrated.status, 0, migrated.stderr);
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lists no keys on a fresh database', async () => {
    const run = await keys('list');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '(none)\n');
  });

  it('creates a key whose secret is shown once and authenticates with its role', async () => {
    for (const [name, role] of [
      ['ci deploy', 'operator'],
      ['dashboards', 'viewer'],
    ] as const) {
      const run = await keys('create', name, '--role', role);
      assert.equal(run.status, 0, run.stderr);
      const match = new RegExp(
        `^created key (\\d+) \\(${role}\\); the secret is shown only now:\\n(upd_\\S+)\\n$`,
      ).exec(run.stdout);
      assert.ok(match, run.stdout);
      const [, id, secret] = match;
      created.push({ id: Number(id), secret: secret! });
      const principal = await principalOf(secret!);
      assert.deepEqual(
        { kind: principal?.kind, name: principal?.name, role: principal?.role },
        { kind: 'api_key', name, role },
      );
    }
  });

  it('lists keys by prefix and role, never with their secret', async () => {
    const run = await keys('list');
    assert.equal(run.status, 0, run.stderr);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    assert.match(header!, /^id\s+name\s+prefix\s+role\s+revoked$/);
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, new RegExp(`^${created[0]!.id}\\s+ci deploy\\s+\\w{12}\\s+operator\\s+-$`));
    assert.match(rows[1]!, new RegExp(`^${created[1]!.id}\\s+dashboards\\s+\\w{12}\\s+viewer\\s+-$`));
    for (const { secret } of created) {
      assert.ok(!run.stdout.includes(secret), 'no secret is listed');
      // The prefix shown is the one inside the secret, to recognise a key by.
      assert.ok(rows.some((r) => r.includes(secret.slice(4, 16))));
    }
  });

  it('revokes a key: it stops working and the list says when', async () => {
    const [ci, dashboards] = created as [(typeof created)[0], (typeof created)[0]];
    const run = await keys('revoke', String(ci.id));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `revoked key ${ci.id} (ci deploy)\n`);
    assert.equal(await principalOf(ci.secret), undefined);
    assert.equal((await principalOf(dashboards.secret))?.role, 'viewer', 'the other key still works');
    const listed = await keys('list');
    assert.match(
      listed.stdout,
      new RegExp(`^${ci.id}\\s+ci deploy\\s+\\w{12}\\s+operator\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z$`, 'm'),
    );
  });

  it('refuses a missing or unknown role, an unknown key and a bad id, in one line', async () => {
    for (const [args, pattern] of [
      [['create', 'nameless-role'], /^updraft: VALIDATION_FAILED: --role must be one of/],
      [['create', 'x', '--role', 'root'], /^updraft: VALIDATION_FAILED: --role must be one of/],
      [['create', ' ', '--role', 'viewer'], /^updraft: VALIDATION_FAILED: an API key name has 1 to 100/],
      [['revoke', '999999'], /^updraft: NOT_FOUND: no API key 999999\n$/],
      [['revoke', 'abc'], /^updraft: VALIDATION_FAILED: /],
    ] as const) {
      const run = await keys(...args);
      assert.equal(run.status, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, pattern, args.join(' '));
      assert.equal(run.stderr.split('\n').length, 2, 'one line');
    }
    for (const args of [[], ['create'], ['rotate', '1']]) {
      const run = await keys(...args);
      assert.equal(run.status, 2, args.join(' '));
      assert.match(run.stderr, /^usage: updraft keys list/);
    }
  });
});
