import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { applyBuffer } from './apply.ts';
import { type DiffResult, diff } from './diff.ts';
import { MCU_MEMORY_LIMIT } from './internal/profiles.ts';
import { benchPairNames, readPair, requirePair } from './test-support/bench-pairs.ts';

async function roundTrip(old: Uint8Array, fresh: Uint8Array, profile: 'mcu' | 'linux'): Promise<DiffResult> {
  const result = diff(old, fresh, { profile });
  let memory = 0;
  let stated = -1;
  const rebuilt = await applyBuffer(old, result.patch, {
    onHeader: (header) => (stated = header.workingMemory),
    onMemory: (bytes) => (memory = bytes),
  });
  assert.ok(Buffer.from(rebuilt).equals(Buffer.from(fresh)), 'the rebuilt image equals the new image');
  assert.equal(memory, stated, 'the header states exactly what the patcher accounts for');
  if (profile === 'mcu') {
    assert.ok(memory > 0 && memory <= MCU_MEMORY_LIMIT, `mcu patcher accounted ${memory} bytes`);
  }
  return result;
}

for (const name of benchPairNames) {
  const { pair, skip } = requirePair(name);
  test(`a real firmware pair (${name}) round-trips in both profiles, mcu within 16 KiB`, {
    skip,
  }, async () => {
    const { old, fresh } = readPair(pair!);
    await roundTrip(old, fresh, 'mcu');
    const result = await roundTrip(old, fresh, 'linux');
    if (name === 'linux-vmlinuz-amd64') {
      // An XZ-compressed kernel shares almost nothing with its predecessor once compressed.
      assert.equal(result.worthwhile, false, 'a compressed kernel is offered as the full image');
    } else {
      assert.equal(result.worthwhile, true);
      assert.ok(result.patch.length < result.fullCompressedSize / 4);
    }
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

// The classic edits as properties: a generated base image (random bytes, or a compressible
// pattern like code) and generated edit parameters, in both profiles.
const baseImage = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 6000 }),
  fc
    .record({ length: fc.integer({ min: 1, max: 20_000 }), a: fc.nat(255), b: fc.nat(255), shift: fc.nat(9) })
    .map(({ length, a, b, shift }) =>
      new Uint8Array(length).map((_, i) => (i * a + (i >> shift) * b) & 0xff),
    ),
);
const profile = fc.constantFrom('mcu' as const, 'linux' as const);
/** Header plus a handful of coded decisions: what an (almost) unchanged image may cost. */
const NEAR_HEADER = 140;

test('empty images round-trip: both, old only, new only (property)', async () => {
  await fc.assert(
    fc.asyncProperty(baseImage, profile, async (base, p) => {
      const empty = new Uint8Array(0);
      await roundTrip(empty, empty, p);
      await roundTrip(empty, base, p);
      const gone = await roundTrip(base, empty, p);
      assert.ok(gone.patch.length <= NEAR_HEADER);
    }),
    { numRuns: 40 },
  );
});

test('an identical image costs little more than the header (property)', async () => {
  await fc.assert(
    fc.asyncProperty(baseImage, profile, async (base, p) => {
      const { patch } = await roundTrip(base, base.slice(), p);
      assert.ok(patch.length <= NEAR_HEADER, `${patch.length} bytes for an identical image`);
    }),
    { numRuns: 60 },
  );
});

test('appended and prepended bytes round-trip (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      baseImage,
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc.boolean(),
      profile,
      async (base, extra, atEnd, p) => {
        const fresh = atEnd ? Buffer.concat([base, extra]) : Buffer.concat([extra, base]);
        const { patch } = await roundTrip(base, new Uint8Array(fresh), p);
        // Mostly a few bytes over the extra ones; on strongly periodic bases the bsdiff scan can
        // pick a neighbouring period first and pay a few hundred bytes (seen at 243 for 20,000).
        const bound = NEAR_HEADER + 2 * extra.length + base.length / 20;
        assert.ok(patch.length <= bound, `${patch.length} bytes`);
      },
    ),
    { numRuns: 80 },
  );
});

test('shifted (rotated) images round-trip (property)', async () => {
  await fc.assert(
    fc.asyncProperty(baseImage, fc.nat(), profile, async (base, by, p) => {
      const cut = by % base.length;
      await roundTrip(base, new Uint8Array(Buffer.concat([base.subarray(cut), base.subarray(0, cut)])), p);
    }),
    { numRuns: 80 },
  );
});

test('two changed bytes cost a few bytes (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      baseImage.filter((b) => b.length >= 64),
      fc.nat(),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      fc.integer({ min: 1, max: 255 }),
      profile,
      async (base, first, second, maskA, maskB, p) => {
        const fresh = base.slice();
        const a = first % fresh.length;
        const b = second % fresh.length;
        fresh[a] = fresh[a]! ^ maskA;
        fresh[b] = fresh[b]! ^ maskB;
        const { patch } = await roundTrip(base, fresh, p);
        assert.ok(patch.length <= NEAR_HEADER + 10, `${patch.length} bytes for two changed bytes`);
      },
    ),
    { numRuns: 80 },
  );
});
