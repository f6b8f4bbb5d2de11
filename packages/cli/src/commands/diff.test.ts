import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { applyBuffer, readHeader } from '@updraft/delta';
import { makeImagePair, runCli } from '../test-support/run-cli.ts';

describe('updraft diff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-cli-diff-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const { old, fresh } = makeImagePair();
  writeFileSync(join(dir, 'old.bin'), old);
  writeFileSync(join(dir, 'new.bin'), fresh);

  it('writes a patch that rebuilds the new image and prints sizes, ratio and time', async () => {
    const patchPath = join(dir, 'app.updelta');
    const run = await runCli(['diff', join(dir, 'old.bin'), join(dir, 'new.bin'), '-o', patchPath]);
    assert.equal(run.status, 0, run.stderr);
    const patch = new Uint8Array(readFileSync(patchPath));
    const ratio = ((patch.length / fresh.length) * 100).toFixed(2);
    assert.match(
      run.stdout,
      new RegExp(`old ${old.length} B, new ${fresh.length} B, patch ${patch.length} B \\(${ratio}% of new`),
    );
    assert.match(run.stdout, /updraft\/mcu, \d+\.\d\d s/);
    assert.equal(readHeader(patch).profile, 'mcu');
    assert.ok(Buffer.from(await applyBuffer(old, patch)).equals(fresh));
  });

  it('makes a linux-profile patch on request', async () => {
    const patchPath = join(dir, 'app.linux.updelta');
    const run = await runCli([
      'diff',
      join(dir, 'old.bin'),
      join(dir, 'new.bin'),
      '-o',
      patchPath,
      '--profile',
      'linux',
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(readHeader(new Uint8Array(readFileSync(patchPath))).profile, 'linux');
  });

  it('reports a missing input in one line with a non-zero exit', async () => {
    const run = await runCli(['diff', join(dir, 'missing.bin'), join(dir, 'new.bin'), '-o', join(dir, 'x')]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^updraft diff: .*ENOENT/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });

  it('refuses an unknown profile with its usage', async () => {
    const run = await runCli([
      'diff',
      join(dir, 'old.bin'),
      join(dir, 'new.bin'),
      '-o',
      join(dir, 'x'),
      '--profile',
      'desktop',
    ]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^usage: updraft diff/);
  });
});
