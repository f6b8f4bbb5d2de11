// The library on a Cortex-M3: its flash cost from -Os -mthumb builds, and real firmware pairs
// patched on QEMU's mps2-an385 with a power cut halfway and a resume, the written bytes' SHA-256
// checked, the peak stack measured by painting, and RAM in all held to the mcu profile's 16 KiB.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { measurePart, staticStackBound } from './support/arm-size.ts';
import { makeFixtures } from './support/fixtures.ts';
import { runOnQemu } from './support/qemu.ts';

const fixtures = await makeFixtures();
const MCU_BUDGET = 16 * 1024;

test('the patcher fits 8 KiB of Thumb code and keeps no static RAM', (t) => {
  const patch = measurePart('patch');
  const verify = measurePart('verify');
  const protocol = measurePart('protocol');
  t.diagnostic(
    `patcher ${patch.flash} B, verification ${verify.flash} B, protocol helpers ${protocol.flash} B (Cortex-M3, -Os -mthumb)`,
  );
  assert.ok(patch.flash > 2000 && patch.flash <= 8192, `patcher: ${patch.flash} bytes`);
  assert.deepEqual([patch.ram, verify.ram, protocol.ram], [0, 0, 0]);
});

const onChip = fixtures.pairs.filter((p) => p.kind === 'bench' && p.newSize < 2_000_000);
test('real pairs patch on an emulated Cortex-M3 through a power cut, in 16 KiB of RAM', {
  skip: onChip.length === 0 && 'no bench data',
}, (t) => {
  const bound = staticStackBound('updraft_patch_apply');
  t.diagnostic(
    `static stack bound of updraft_patch_apply: ${bound.bytes} B (${bound.path.join(' > ')}; callbacks excluded)`,
  );
  assert.ok(bound.bytes > 0 && bound.bytes < 1024);
  for (const pair of onChip) {
    const run = runOnQemu(pair.old, pair.patch);
    assert.equal(run['exit'], '0', run['output']);
    assert.equal(run['first_run'], 'USER (fresh)', 'the first run is cut halfway');
    assert.equal(run['second_run'], 'OK (resumed)');
    assert.equal(
      run['sha256'],
      createHash('sha256').update(readFileSync(pair.tsOut)).digest('hex'),
      pair.name,
    );
    assert.equal(Number(run['bytes_written']), pair.newSize);
    const stack = Number(run['stack_peak_bytes']);
    const ram = stack + Number(run['struct_bytes']) + Number(run['work_bytes']) + measurePart('patch').ram;
    t.diagnostic(
      `${pair.name}: peak stack ${stack} B, RAM in all ${ram} B, checkpoint ${run['checkpoint_bytes']} B`,
    );
    assert.ok(stack > 100 && ram <= MCU_BUDGET, `RAM ${ram} B`);
    // The painted peak holds the static bound's path plus the callbacks and the caller's frame.
    assert.ok(stack >= bound.bytes, `painted ${stack} B below the static bound ${bound.bytes} B`);
  }
});

test('the STM32F103 example builds against a minimal start-up file', () => {
  const map = readFileSync(
    join(import.meta.dirname, '..', 'build', 'stm32f1', 'updraft-example.map'),
    'utf8',
  );
  assert.match(map, /updraft_patch_apply/);
});
