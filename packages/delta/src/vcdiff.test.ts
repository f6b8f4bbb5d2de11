import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { diff } from './diff.ts';
import { findPair, readPair } from './test-support/bench-pairs.ts';

const hasXdelta = spawnSync('xdelta3', ['-V']).error === undefined;
if (!hasXdelta && process.env['CI'] === 'true')
  throw new Error('xdelta3 is required in CI (apt-get install xdelta3)');
const skip = hasXdelta
  ? false
  : 'xdelta3 is not installed (apt-get install xdelta3); the VCDIFF export is untested';

function decodeWithXdelta(old: Uint8Array, patch: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-vcdiff-'));
  try {
    writeFileSync(join(dir, 'old'), old);
    writeFileSync(join(dir, 'patch.vcdiff'), patch);
    const run = spawnSync('xdelta3', [
      '-d',
      '-f',
      '-s',
      join(dir, 'old'),
      join(dir, 'patch.vcdiff'),
      join(dir, 'out'),
    ]);
    assert.equal(run.status, 0, run.stderr?.toString());
    return new Uint8Array(readFileSync(join(dir, 'out')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('xdelta3 -d rebuilds the new image from the VCDIFF export', { skip }, () => {
  const pair = findPair('wled-esp32');
  const images = pair
    ? readPair(pair)
    : {
        old: new Uint8Array(3 << 20).map((_, i) => i % 251),
        fresh: new Uint8Array(3 << 20).map((_, i) => i % 253),
      };
  const { patch } = diff(images.old, images.fresh, { format: 'vcdiff' });
  assert.ok(Buffer.from(decodeWithXdelta(images.old, patch)).equals(Buffer.from(images.fresh)));
});

test('xdelta3 decodes VCDIFF exports of small edits, empty and multi-window images', { skip }, () => {
  const base = new Uint8Array(2_500_000).map((_, i) => (i * 31 + (i >> 9)) & 0xff);
  const edited = Buffer.concat([base.subarray(0, 1_000_000), Buffer.from('xyz'), base.subarray(1_000_010)]);
  for (const [old, fresh] of [
    [base, edited],
    [base, new Uint8Array(0)],
    [new Uint8Array(0), base.subarray(0, 1000)],
  ] as const) {
    const { patch } = diff(old, fresh, { format: 'vcdiff' });
    assert.ok(Buffer.from(decodeWithXdelta(old, patch)).equals(Buffer.from(fresh)));
  }
});
