import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { apply, applyBuffer } from './apply.ts';
import { DeltaError } from './delta-error.ts';
import { diff } from './diff.ts';
import { readHeader } from './internal/patch-header.ts';
import { makeVersion1Images, version1Patches } from './test-support/version-1-patches.ts';

function makeImages(): { old: Uint8Array; fresh: Uint8Array } {
  const old = new Uint8Array(20_000);
  for (let i = 0; i < old.length; i++) old[i] = (i * 13 + (i >> 5)) & 0xff;
  const fresh = Buffer.concat([old.subarray(0, 5000), Buffer.from('inserted text'), old.subarray(5000)]);
  for (let i = 100; i < fresh.length; i += 997) fresh[i] = (fresh[i]! + 4) & 0xff;
  return { old, fresh: new Uint8Array(fresh) };
}

const { old, fresh } = makeImages();
const patches = {
  mcu: diff(old, fresh, { profile: 'mcu' }).patch,
  linux: diff(old, fresh, { profile: 'linux' }).patch,
};

async function expectCoded(run: () => Promise<unknown>): Promise<DeltaError> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof DeltaError, `expected a DeltaError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the apply to fail');
}

test('apply streams from an async flash reader and a chunked patch stream', async () => {
  const reads: number[] = [];
  const readOld = async (offset: number, length: number) => {
    reads.push(length);
    return old.slice(offset, offset + length);
  };
  async function* chunks() {
    for (let i = 0; i < patches.mcu.length; i += 7) yield patches.mcu.subarray(i, i + 7);
  }
  const parts: Uint8Array[] = [];
  for await (const part of apply(readOld, chunks(), { memoryLimit: 16 * 1024 })) parts.push(part);
  assert.ok(Buffer.concat(parts).equals(fresh));
  assert.ok(Math.max(...reads) <= 256, 'the mcu patcher reads the old image in buffer-sized pieces');
  assert.ok(Math.max(...parts.map((p) => p.length)) <= 256, 'and writes the new image likewise');
});

test('apply accepts a web ReadableStream as the patch', async () => {
  const stream = new Blob([patches.linux]).stream();
  const parts: Uint8Array[] = [];
  for await (const part of apply((o, l) => old.subarray(o, o + l), stream)) parts.push(part);
  assert.ok(Buffer.concat(parts).equals(fresh));
});

test('a wrong base image is refused before any byte is written', async () => {
  const other = old.slice();
  other[12_345] = other[12_345]! ^ 1;
  let written = 0;
  const error = await expectCoded(async () => {
    for await (const part of apply((o, l) => other.subarray(o, o + l), patches.mcu)) written += part.length;
  });
  assert.equal(error.code, 'DELTA_BASE_MISMATCH');
  assert.equal(error.retryable, false);
  assert.equal(written, 0);
  const short = await expectCoded(() => applyBuffer(old.subarray(0, 100), patches.mcu));
  assert.equal(short.code, 'DELTA_BASE_MISMATCH');
});

test('every truncation of a patch ends in a coded error', async () => {
  for (const patch of [patches.mcu, patches.linux]) {
    for (let length = 0; length < patch.length; length += length < 200 ? 1 : 37) {
      const error = await expectCoded(() => applyBuffer(old, patch.subarray(0, length)));
      assert.ok(
        ['DELTA_TRUNCATED', 'DELTA_CORRUPT', 'DELTA_OUTPUT_MISMATCH'].includes(error.code),
        error.code,
      );
    }
  }
});

test('every flipped byte of a patch ends in a coded error (property)', async () => {
  for (let at = 0; at < patches.mcu.length; at++) {
    const patch = patches.mcu.slice();
    patch[at] = patch[at]! ^ 1;
    await expectCoded(() => applyBuffer(old, patch));
  }
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('mcu' as const, 'linux' as const),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      async (profile, at, mask) => {
        const patch = patches[profile].slice();
        patch[at % patch.length] = patch[at % patch.length]! ^ mask;
        await expectCoded(() => applyBuffer(old, patch));
      },
    ),
    { numRuns: 300 },
  );
});

test('bytes after the payload and a damaged header are corrupt, a future version unsupported', async () => {
  const trailing = Buffer.concat([patches.mcu, Buffer.from([0])]);
  assert.equal((await expectCoded(() => applyBuffer(old, trailing))).code, 'DELTA_CORRUPT');
  const header = patches.mcu.slice();
  header[20] = header[20]! ^ 1;
  assert.equal((await expectCoded(() => applyBuffer(old, header))).code, 'DELTA_CORRUPT');
  const future = patches.mcu.slice();
  future[4] = 3;
  const view = new DataView(future.buffer);
  const { crc32 } = await import('./internal/crc32.ts');
  view.setUint32(96, crc32(future.subarray(0, 96)), true);
  assert.equal((await expectCoded(() => applyBuffer(old, future))).code, 'DELTA_UNSUPPORTED_VERSION');
  const unknownProfile = patches.mcu.slice();
  unknownProfile[5] = 2;
  new DataView(unknownProfile.buffer).setUint32(96, crc32(unknownProfile.subarray(0, 96)), true);
  assert.equal(
    (await expectCoded(() => applyBuffer(old, unknownProfile))).code,
    'DELTA_UNSUPPORTED_VERSION',
    'a profile byte other than 0 or 1 is refused (docs/delta-format.md §3)',
  );
});

test('patches of format version 1 still apply', async () => {
  const images = makeVersion1Images();
  for (const [profile, base64] of Object.entries(version1Patches)) {
    const patch = new Uint8Array(Buffer.from(base64, 'base64'));
    assert.equal(readHeader(patch).version, 1, profile);
    assert.ok(Buffer.from(await applyBuffer(images.old, patch)).equals(Buffer.from(images.fresh)), profile);
  }
});

test('a version 2 header with an adaptation shift outside 1..7 is unsupported', async () => {
  const { crc32 } = await import('./internal/crc32.ts');
  for (const [at, value] of [
    [9, 0],
    [10, 8],
  ] as const) {
    const patch = patches.linux.slice();
    patch[at] = value;
    new DataView(patch.buffer).setUint32(96, crc32(patch.subarray(0, 96)), true);
    assert.equal((await expectCoded(() => applyBuffer(old, patch))).code, 'DELTA_UNSUPPORTED_VERSION');
  }
});

test('incompressible literals are stored raw: random bytes cost barely more than themselves', async () => {
  const random = new Uint8Array(64 * 1024).map((_, i) => (Math.imul(i + 1, 0x9e3779b1) >>> 13) & 0xff);
  for (const profile of ['mcu', 'linux'] as const) {
    const { patch } = diff(new Uint8Array(0), random, { profile });
    assert.ok(patch.length < random.length + 200, `${profile}: ${patch.length} bytes for ${random.length}`);
    assert.ok(Buffer.from(await applyBuffer(new Uint8Array(0), patch)).equals(Buffer.from(random)));
  }
});

test('a patch needing more memory than allowed is refused up front', async () => {
  const error = await expectCoded(() => applyBuffer(old, patches.linux, { memoryLimit: 16 * 1024 }));
  assert.equal(error.code, 'DELTA_MEMORY_LIMIT');
});

test('an aborted apply stops with DELTA_CANCELLED', async () => {
  const controller = new AbortController();
  controller.abort();
  const error = await expectCoded(() => applyBuffer(old, patches.mcu, { signal: controller.signal }));
  assert.equal(error.code, 'DELTA_CANCELLED');
});
