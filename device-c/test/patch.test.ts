// The C patcher against the TypeScript one: every real pair of ../shared/bench-data/delta, the
// generated pairs and the version 1 patches rebuild the same bytes; damaged patches get the same
// error code. Each runs under the gcc -O2 build and the clang ASan + UBSan build.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeFixtures } from './support/fixtures.ts';
import { buildDir } from './support/paths.ts';
import { runTool, variants } from './support/run.ts';

const fixtures = await makeFixtures();

for (const variant of variants) {
  const label = variant || 'gcc -O2';
  test(`${label}: every pair rebuilds byte for byte what the TypeScript patcher rebuilds`, () => {
    assert.ok(fixtures.pairs.some((p) => p.kind === 'bench') || process.env['CI'] !== 'true');
    for (const pair of fixtures.pairs) {
      const out = join(buildDir, `out-${variant || 'gcc'}-${pair.name}.bin`);
      // Odd read sizes for the patch stream on the small pairs: the input window refills mid-unit.
      const chunk = pair.newSize < 1_000_000 ? String(1 + ((pair.name.length * 37) % 200)) : '0';
      assert.equal(
        runTool('patch-tool', ['apply', pair.old, pair.patch, out, chunk], variant),
        'OK',
        pair.name,
      );
      assert.ok(
        readFileSync(out).equals(readFileSync(pair.tsOut)),
        `${pair.name} differs from the TypeScript output`,
      );
    }
  });

  test(`${label}: damaged patches and a wrong old image get the TypeScript patcher's error code`, () => {
    const list = join(buildDir, `mutations-${variant || 'gcc'}.txt`);
    writeFileSync(list, fixtures.mutations.map((m) => `${m.old} ${m.patch}\n`).join(''));
    const codes = runTool('patch-tool', ['batch', list], variant).split('\n');
    assert.equal(codes.length, fixtures.mutations.length);
    const differing = fixtures.mutations
      .map((m, i) => ({ label: m.label, ts: m.tsCode, c: codes[i] }))
      .filter((row) => row.ts !== row.c);
    assert.deepEqual(differing, []);
    const seen = new Set(codes);
    for (const code of [
      'DELTA_CORRUPT',
      'DELTA_TRUNCATED',
      'DELTA_UNSUPPORTED_VERSION',
      'DELTA_BASE_MISMATCH',
    ])
      assert.ok(seen.has(code), `no damaged patch ended in ${code}`);
  });
}

test('the progress callback stops the patcher after the buffers it allowed', () => {
  const pair = fixtures.pairs.find((p) => p.name === 'firmware-edits')!;
  const out = join(buildDir, 'out-cancel.bin');
  assert.equal(runTool('patch-tool', ['apply', pair.old, pair.patch, out, '0', '0', '3']), 'DELTA_CANCELLED');
  // Three 256-byte buffers were written, and they are the new image's first bytes.
  assert.ok(readFileSync(out).equals(readFileSync(pair.tsOut).subarray(0, 768)));
});

test('a patch needing more memory than the caller gives is refused before anything is written', () => {
  const linux = fixtures.pairs.find((p) => p.name === 'firmware-linux')!;
  const mcu = fixtures.pairs.find((p) => p.name === 'small-edits')!;
  const out = join(buildDir, 'out-limit.bin');
  // 16 KiB is enough for an mcu patch and not for a linux one (lc 8, 64 KiB buffers).
  assert.equal(runTool('patch-tool', ['apply', mcu.old, mcu.patch, out, '0', '16384']), 'OK');
  assert.equal(
    runTool('patch-tool', ['apply', linux.old, linux.patch, out, '0', '16384']),
    'DELTA_MEMORY_LIMIT',
  );
});
