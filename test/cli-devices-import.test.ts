// `updraft devices import` as a user runs it, against a real server on a loopback port: the file
// streamed to the import, the answer lines (secrets) kept, progress and result on stderr, and a
// coded error with its exit status for each kind of bad input.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../packages/cli/src/test-support/run-cli.ts';
import { createTestApp, type TestApp } from '../packages/server/src/test-support/test-app.ts';
import { skipReason } from '../packages/server/src/test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('updraft devices import', { skip }, () => {
  let t: TestApp;
  let server: string;
  let operatorKey: string;
  let viewerKey: string;
  let productId: number;
  const dir = mkdtempSync(join(tmpdir(), 'updraft-cli-import-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const importFile = (path: string, ...more: string[]) =>
    runCli([
      'devices',
      'import',
      path,
      '--product',
      'pk_meter',
      '--server',
      server,
      '--api-key',
      operatorKey,
      '--quiet',
      ...more,
    ]);

  before(async () => {
    t = await createTestApp();
    await t.app.http.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.http.server.address();
    assert.ok(address && typeof address === 'object');
    server = `http://127.0.0.1:${address.port}`;
    const key = async (role: 'operator' | 'viewer') =>
      (await t.app.services.accounts.createApiKey(null, { name: role, role })).secret;
    operatorKey = await key('operator');
    viewerKey = await key('viewer');
    // Another product whose key contains this one's: the exact key is the one imported into.
    await t.admin.post('/api/v1/products', { name: 'other', productKey: 'pk_meter_2' });
    productId = (await t.admin.post('/api/v1/products', { name: 'meter', productKey: 'pk_meter' })).json().id;
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams a CSV file, writes each created device with its secret, and exits 0', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `cli-${i},north;b${i % 3},1.${i % 4}`);
    const csv = file('fleet.csv', `name,tags,version\n${rows.join('\n')}\n`);
    const secrets = join(dir, 'fleet.secrets.ndjson');
    const run = await importFile(csv, '--secrets', secrets);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^imported 2500 devices, 0 rows refused, in [\d.]+ s \(\d+ rows\/s\)\n$/);
    assert.equal(statSync(secrets).mode & 0o777, 0o600);
    const lines = readFileSync(secrets, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 2500);
    assert.deepEqual({ line: lines[0].line, name: lines[0].name }, { line: 2, name: 'cli-0' });
    const last = lines[2499];
    assert.ok(await t.app.services.devices.authenticate(productId, last.name, last.secret));
    assert.equal(await t.app.services.devices.countDevices({ productId }), 2500);
    assert.equal(await t.app.services.devices.countDevices({ productId, version: '1.3' }), 625);
    // The secrets file is never overwritten.
    const again = await importFile(csv, '--secrets', secrets);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /cannot create .*fleet\.secrets\.ndjson: EEXIST/);
  });

  it('writes the answer to stdout by default; refused rows exit 3, each with its code', async () => {
    const ndjson = file(
      'more.ndjson',
      '{"name":"nd-1"}\n{"name":"cli-0"}\n{"name":"bad name!"}\n{"name":"nd-2"}\n',
    );
    const run = await importFile(ndjson);
    assert.equal(run.status, 3, run.stderr);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.line, l.name ?? l.error.code]),
      [
        [1, 'nd-1'],
        [2, 'DEVICE_NAME_TAKEN'],
        [3, 'VALIDATION_FAILED'],
        [4, 'nd-2'],
      ],
    );
    assert.match(
      run.stderr,
      /^line 2: DEVICE_NAME_TAKEN: .*\nline 3: VALIDATION_FAILED: .*\nimported 2 devices, 2 rows refused/,
    );
  });

  it('refuses bad input with a coded error and exit 1, or bad usage with exit 2', async () => {
    const cases: [string[], number, RegExp][] = [
      [
        [file('cols.csv', 'name,colour\na,red\n')],
        1,
        /^updraft: UNKNOWN_FIELD: .*unknown CSV column "colour"/m,
      ],
      [[file('nohead.csv', 'version\n1.0\n')], 1, /^updraft: VALIDATION_FAILED: .*has name/m],
      [
        [file('ok.csv', 'name\nx-1\n'), '--product', 'pk_nothing'],
        1,
        /^updraft: NOT_FOUND: no product has the key pk_nothing/m,
      ],
      [[file('ok2.csv', 'name\nx-2\n'), '--api-key', viewerKey], 1, /^updraft: FORBIDDEN: /m],
      [
        [file('ok3.csv', 'name\nx-3\n'), '--server', 'http://127.0.0.1:9'],
        1,
        /^updraft: INTERNAL: cannot reach /m,
      ],
      [[join(dir, 'missing.csv')], 2, /^updraft: cannot read .*missing\.csv/m],
      [[file('devices.txt', 'name\n')], 2, /ends in \.csv, \.ndjson, \.jsonl or \.json/],
    ];
    for (const [args, status, message] of cases) {
      const run = await importFile(...(args as [string, ...string[]]));
      assert.equal(run.status, status, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
    const usage = await runCli(['devices', 'import', 'x.csv']);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /^usage: updraft devices import FILE --product KEY/);
    assert.equal(await t.app.services.devices.countDevices({ productId, q: 'x-' }), 0);
  });
});
