// Power cuts: 100 per pair at random points (a torn page, a torn checkpoint, the old-image check,
// the resume itself), each followed by a reboot on garbage-filled memory that resumes from the last
// checkpoint; the image after the last reboot must be the TypeScript patcher's. Run with the ASan +
// UBSan build, so a resume that reads or writes out of bounds fails here.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeFixtures } from './support/fixtures.ts';
import { runTool } from './support/run.ts';

const fixtures = await makeFixtures();

for (const pair of fixtures.pairs) {
  test(`${pair.name}: 100 power cuts resume to the same bytes`, () => {
    // Sectors of 4 KiB for firmware-sized images, 64 KiB for the multi-megabyte ones (a checkpoint
    // costs 11 KiB of flash: a device checkpoints every erase sector it can afford).
    const interval = pair.newSize > 4_000_000 ? 65536 : pair.newSize > 100_000 ? 4096 : 256;
    const summary = runTool(
      'patch-tool',
      [
        'powercut',
        pair.old,
        pair.patch,
        pair.tsOut,
        '100',
        String(pair.name.length * 7919),
        String(interval),
      ],
      'asan',
    );
    assert.match(summary, /same_bytes=1/);
    const cuts = Number(/cuts=(\d+)/.exec(summary)![1]);
    assert.equal(cuts, 100, summary);
    if (pair.newSize > 100_000) assert.ok(Number(/resumed=(\d+)/.exec(summary)![1]) >= 90, summary);
  });
}
