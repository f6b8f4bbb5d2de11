// The library on a Cortex-M3: its flash cost from -Os -mthumb builds (the signed-manifest check
// apart, with its static stack bound), and real firmware pairs patched on QEMU's mps2-an385 with a
// power cut halfway and a resume, the written bytes' SHA-256 checked, the peak stack measured by
// painting, and RAM in all held to the mcu profile's 16 KiB.

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
  const manifest = measurePart('manifest');
  t.diagnostic(
    `patcher ${patch.flash} B, verification ${verify.flash} B, protocol helpers ${protocol.flash} B, ` +
      `signed manifest ${manifest.flash} B (Cortex-M3, -Os -mthumb)`,
  );
  assert.ok(patch.flash > 2000 && patch.flash <= 8192, `patcher: ${patch.flash} bytes`);
  assert.deepEqual([patch.ram, verify.ram, protocol.ram, manifest.ram], [0, 0, 0, 0]);
});

test('the signed-manifest check is under 3 KiB of Thumb code besides SHA-256, with a static stack bound', (t) => {
  const manifest = measurePart('manifest');
  const own = (manifest.objects['manifest.o'] ?? 0) + (manifest.objects['manifest-check.o'] ?? 0);
  const objects = Object.entries(manifest.objects).map(([o, b]) => `${o} ${b}`);
  const check = staticStackBound('updraft_manifest_check');
  const file = staticStackBound('updraft_manifest_check_file');
  t.diagnostic(`signed manifest ${manifest.flash} B (${objects.join(', ')})`);
  t.diagnostic(
    `stack of updraft_manifest_check ${check.bytes} B (${check.path.join(' > ')}; the hook excluded)`,
  );
  t.diagnostic(`stack of updraft_manifest_check_file ${file.bytes} B (${file.path.join(' > ')})`);
  assert.ok(own > 1000 && own <= 3072, `the manifest's own code: ${own} bytes`);
  assert.equal(manifest.objects['sha1-md5.o'], undefined, 'MD5 is not linked for the manifest');
  assert.ok(check.bytes > 0 && check.bytes < 1024, `stack ${check.bytes} B`);
  assert.ok(file.bytes > 0 && file.bytes < 1024, `stack ${file.bytes} B`);
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
