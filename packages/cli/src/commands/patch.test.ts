import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { diff } from '@updraft/delta';
import { makeImagePair, runCli } from '../test-support/run-cli.ts';

describe('updraft patch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-cli-patch-'));
  const { old, fresh } = makeImagePair();
  const at = (name: string) => join(dir, name);
  before(() => {
    writeFileSync(at('old.bin'), old);
    writeFileSync(at('app.updelta'), diff(old, fresh).patch);
    writeFileSync(at('app.vcdiff'), diff(old, fresh, { format: 'vcdiff' }).patch);
    const other = Buffer.from(old);
    other[1234] = other[1234]! ^ 1;
    writeFileSync(at('other.bin'), other);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rebuilds the new image byte for byte and prints the sizes and ratio', async () => {
    const run = await runCli(['patch', at('old.bin'), at('app.updelta'), '-o', at('new.bin')]);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(readFileSync(at('new.bin')).equals(fresh), 'the output equals the new image');
    const patchSize = readFileSync(at('app.updelta')).length;
    const ratio = ((patchSize / fresh.length) * 100).toFixed(2);
    assert.match(
      run.stdout,
      new RegExp(
        `patch ${patchSize} B -> new ${fresh.length} B \\(patch is ${ratio}% of new\\), verified sha256`,
      ),
    );
  });

  it('refuses a wrong base with a coded error, a non-zero exit and no output file', async () => {
    const run = await runCli(['patch', at('other.bin'), at('app.updelta'), '-o', at('wrong.bin')]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^updraft patch: DELTA_BASE_MISMATCH: /);
    assert.equal(existsSync(at('wrong.bin')), false);
    assert.equal(existsSync(at('wrong.bin.partial')), false);
  });

  it('reports a missing OLD file in one line, without a stack trace', async () => {
    const run = await runCli(['patch', at('missing.bin'), at('app.updelta'), '-o', at('none.bin')]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^updraft patch: cannot read OLD .*missing\.bin: ENOENT/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(at('none.bin.partial')), false);
  });

  it('applies a VCDIFF patch too, and says that it carries no sha256 to verify', async () => {
    const run = await runCli(['patch', at('old.bin'), at('app.vcdiff'), '-o', at('vc.bin')]);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(readFileSync(at('vc.bin')).equals(fresh), 'the output equals the new image');
    assert.match(run.stdout, /VCDIFF, no sha256 in the patch to verify/);
  });

  it('refuses a cut VCDIFF patch with a coded error and leaves no output', async () => {
    writeFileSync(at('cut.vcdiff'), readFileSync(at('app.vcdiff')).subarray(0, 200));
    const run = await runCli(['patch', at('old.bin'), at('cut.vcdiff'), '-o', at('cut.bin')]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^updraft patch: DELTA_TRUNCATED: /);
    assert.equal(existsSync(at('cut.bin')), false);
    assert.equal(existsSync(at('cut.bin.partial')), false);
  });
});
