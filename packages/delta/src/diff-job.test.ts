import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyBuffer } from './apply.ts';
import { DeltaError } from './delta-error.ts';
import { createDiffJob } from './diff-job.ts';
import { readPair, requirePair } from './test-support/bench-pairs.ts';

const { pair, skip } = requirePair('micropython-esp8266');

test('a diff job runs in a worker from file paths and reports progress', { skip }, async () => {
  const fractions: number[] = [];
  const result = await createDiffJob(
    pair!.oldPath,
    pair!.newPath,
    { profile: 'mcu' },
    {
      onProgress: (f) => fractions.push(f),
    },
  );
  const { old, fresh } = readPair(pair!);
  assert.ok(Buffer.from(await applyBuffer(old, result.patch)).equals(fresh));
  assert.ok(fractions.length > 0 && fractions.at(-1) === 1);
});

test('a cancelled diff job rejects with DELTA_CANCELLED', async () => {
  const old = new Uint8Array(4 << 20).map((_, i) => (i * 7) & 0xff);
  const controller = new AbortController();
  const job = createDiffJob(old, old.slice().reverse(), {}, { signal: controller.signal });
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(job, (error) => error instanceof DeltaError && error.code === 'DELTA_CANCELLED');
});

test('a diff job reports a coded error from the worker', async () => {
  await assert.rejects(
    createDiffJob(new Uint8Array(1), new Uint8Array(1), { profile: 'desktop' as 'mcu' }),
    (error) => error instanceof DeltaError && error.code === 'DELTA_INVALID_ARGUMENT',
  );
});
