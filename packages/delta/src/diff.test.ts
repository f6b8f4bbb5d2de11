import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { applyBuffer } from './apply.ts';
import { diff } from './diff.ts';
import { MCU_MEMORY_LIMIT } from './internal/profiles.ts';
import { findPair, readPair } from './test-support/bench-pairs.ts';

async function roundTrip(old: Uint8Array, fresh: Uint8Array, profile: 'mcu' | 'linux'): Promise<number> {
  const { patch } = diff(old, fresh, { profile });
  let memory = 0;
  let stated = -1;
  const rebuilt = await applyBuffer(old, patch, {
    onHeader: (header) => (stated = header.workingMemory),
    onMemory: (bytes) => (memory = bytes),
  });
  assert.ok(Buffer.from(rebuilt).equals(Buffer.from(fresh)), 'the rebuilt image equals the new image');
  assert.equal(memory, stated, 'the header states exactly what the patcher accounts for');
  return memory;
}

for (const name of ['micropython-esp8266', 'wled-esp32']) {
  const pair = findPair(name);
  test(`a real firmware pair (${name}) round-trips in both profiles, mcu within 16 KiB`, {
    skip: !pair,
  }, async () => {
    const { old, fresh } = readPair(pair!);
    const mcuMemory = await roundTrip(old, fresh, 'mcu');
    assert.ok(mcuMemory > 0 && mcuMemory <= MCU_MEMORY_LIMIT, `mcu patcher accounted ${mcuMemory} bytes`);
    await roundTrip(old, fresh, 'linux');
    const result = diff(old, fresh);
    assert.equal(result.worthwhile, true);
    assert.ok(result.patch.length < result.fullCompressedSize / 4);
  });
}

const edited = fc
  .tuple(
    fc.uint8Array({ maxLength: 4000 }),
    fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant('set' as const),
          at: fc.nat(),
          value: fc.integer({ min: 0, max: 255 }),
        }),
        fc.record({
          kind: fc.constant('insert' as const),
          at: fc.nat(),
          bytes: fc.uint8Array({ maxLength: 64 }),
        }),
        fc.record({
          kind: fc.constant('delete' as const),
          at: fc.nat(),
          length: fc.integer({ min: 1, max: 64 }),
        }),
      ),
      { maxLength: 8 },
    ),
  )
  .map(([old, edits]) => {
    let fresh = Buffer.from(old);
    for (const edit of edits) {
      const at = fresh.length === 0 ? 0 : edit.at % (fresh.length + 1);
      if (edit.kind === 'set' && at < fresh.length) fresh[at] = edit.value;
      if (edit.kind === 'insert')
        fresh = Buffer.concat([fresh.subarray(0, at), edit.bytes, fresh.subarray(at)]);
      if (edit.kind === 'delete')
        fresh = Buffer.concat([fresh.subarray(0, at), fresh.subarray(at + edit.length)]);
    }
    return { old, fresh: new Uint8Array(fresh) };
  });

test('mutated buffers round-trip in both profiles (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      edited,
      fc.constantFrom('mcu' as const, 'linux' as const),
      async ({ old, fresh }, profile) => {
        await roundTrip(old, fresh, profile);
      },
    ),
    { numRuns: 150 },
  );
});

test('unrelated random buffers round-trip (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 2000 }),
      fc.uint8Array({ maxLength: 2000 }),
      async (old, fresh) => {
        await roundTrip(old, fresh, 'mcu');
      },
    ),
    { numRuns: 100 },
  );
});

test('the classic edits round-trip: empty, identical, appended, prepended, shifted, 2 bytes changed', async () => {
  const base = new Uint8Array(50_000);
  for (let i = 0; i < base.length; i++) base[i] = (i * 31 + (i >> 7) * 7) & 0xff;
  const twoChanged = base.slice();
  twoChanged[1000] = twoChanged[1000]! ^ 0x55;
  twoChanged[40_000] = twoChanged[40_000]! ^ 0x01;
  const cases: [string, Uint8Array, Uint8Array][] = [
    ['both empty', new Uint8Array(0), new Uint8Array(0)],
    ['old empty', new Uint8Array(0), base],
    ['new empty', base, new Uint8Array(0)],
    ['identical', base, base],
    ['appended', base, Buffer.concat([base, Buffer.from('appended tail')])],
    ['prepended', base, Buffer.concat([Buffer.from('new head'), base])],
    ['shifted', base, Buffer.concat([base.subarray(777), base.subarray(0, 777)])],
    ['two bytes changed', base, twoChanged],
  ];
  for (const [, old, fresh] of cases) {
    for (const profile of ['mcu', 'linux'] as const) await roundTrip(old, fresh, profile);
  }
  assert.ok(diff(base, base).patch.length < 140, 'an identical image costs little more than the header');
  assert.ok(diff(base, twoChanged).patch.length < 150, 'two changed bytes cost a few bytes');
});
