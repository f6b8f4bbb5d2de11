import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyVcdiff } from './apply.ts';
import { DeltaError } from './delta-error.ts';
import { diff } from './diff.ts';
import { findPair, readPair } from './test-support/bench-pairs.ts';

const hasXdelta = spawnSync('xdelta3', ['-V']).error === undefined;
if (!hasXdelta && process.env['CI'] === 'true')
  throw new Error('xdelta3 is required in CI (apt-get install xdelta3)');
const skip = hasXdelta
  ? false
  : 'xdelta3 is not installed (apt-get install xdelta3); the VCDIFF export is untested';

function encodeWithXdelta(old: Uint8Array, fresh: Uint8Array, args: string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-vcdiff-'));
  try {
    writeFileSync(join(dir, 'old'), old);
    writeFileSync(join(dir, 'new'), fresh);
    const run = spawnSync('xdelta3', [
      '-e',
      '-f',
      ...args,
      '-s',
      join(dir, 'old'),
      join(dir, 'new'),
      join(dir, 'p'),
    ]);
    assert.equal(run.status, 0, run.stderr?.toString());
    return new Uint8Array(readFileSync(join(dir, 'p')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function decodeHere(old: Uint8Array, patch: Uint8Array): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of applyVcdiff((o, l) => old.subarray(o, o + l), patch)) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

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

test('applyVcdiff rebuilds the VCDIFF export, also across windows and for empty images', async () => {
  const base = new Uint8Array(2_500_000).map((_, i) => (i * 31 + (i >> 9)) & 0xff);
  const edited = Buffer.concat([base.subarray(0, 1_000_000), Buffer.from('xyz'), base.subarray(1_000_010)]);
  for (const [old, fresh] of [
    [base, edited],
    [base, new Uint8Array(0)],
    [new Uint8Array(0), base.subarray(0, 1000)],
  ] as const) {
    const { patch } = diff(old, fresh, { format: 'vcdiff' });
    assert.ok(Buffer.from(await decodeHere(old, patch)).equals(Buffer.from(fresh)));
  }
});

test("applyVcdiff decodes xdelta3's own patches: default code table, address caches, Adler-32", {
  skip,
}, async () => {
  const pair = findPair('wled-esp32');
  const { old, fresh } = pair
    ? readPair(pair)
    : {
        old: new Uint8Array(300_000).map((_, i) => (i * 7 + (i >> 6)) & 0xff),
        fresh: new Uint8Array(300_000).map((_, i) => (i * 7 + (i >> 6) + (i % 977 === 0 ? 1 : 0)) & 0xff),
      };
  const patch = encodeWithXdelta(old, fresh, ['-S', 'none']);
  assert.ok(Buffer.from(await decodeHere(old, patch)).equals(Buffer.from(fresh)));
  const wrong = old.slice();
  wrong[wrong.length >> 1] = wrong[wrong.length >> 1]! ^ 0xff;
  await assert.rejects(
    decodeHere(wrong, patch),
    (e) => e instanceof DeltaError && e.code === 'DELTA_OUTPUT_MISMATCH',
  );
});

test('applyVcdiff refuses secondary compression, and a damaged or cut patch, with coded errors', {
  skip,
}, async () => {
  const old = new Uint8Array(100_000).map((_, i) => (i * 13 + (i >> 8)) & 0xff);
  const fresh = Buffer.concat([old.subarray(0, 40_000), Buffer.from('new code'), old.subarray(40_000)]);
  const compressed = encodeWithXdelta(old, fresh, []);
  await assert.rejects(
    decodeHere(old, compressed),
    (e) => e instanceof DeltaError && e.code === 'DELTA_UNSUPPORTED_VERSION',
  );
  const patch = diff(old, fresh, { format: 'vcdiff' }).patch;
  for (let length = 0; length < patch.length; length += length < 16 ? 1 : 7) {
    await assert.rejects(decodeHere(old, patch.subarray(0, length)), (e) => e instanceof DeltaError);
  }
  const bad = patch.slice();
  bad[0] = 0;
  await assert.rejects(decodeHere(old, bad), (e) => e instanceof DeltaError && e.code === 'DELTA_CORRUPT');
});
