// Worker-thread side of createDiffJob: reads the images (paths or transferred bytes), runs diff()'s
// steps and posts progress and the result back. A cancelled job is terminated from the outside.
// The full image's compressed size (the yardstick of the verdict) is measured on the thread pool
// while this thread matches, instead of after it: the same work, on the second core.

import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { isDeltaError } from '../delta-error.ts';
import { type DiffOptions, type DiffResult, judgePatch, makePatch } from '../diff.ts';
import { measureCompressedSizeConcurrently } from './full-size.ts';

export interface DiffWorkerInput {
  old: string | Uint8Array;
  fresh: string | Uint8Array;
  options: Omit<DiffOptions, 'onProgress'>;
}

export type DiffWorkerMessage =
  | { kind: 'progress'; fraction: number }
  | { kind: 'done'; result: DiffResult }
  | { kind: 'failed'; code: string | undefined; message: string };

async function load(image: string | Uint8Array): Promise<Uint8Array> {
  return typeof image === 'string' ? new Uint8Array(await readFile(image)) : image;
}

const port = parentPort;
if (port) {
  const input = workerData as DiffWorkerInput;
  try {
    const [old, fresh] = await Promise.all([load(input.old), load(input.fresh)]);
    let reported = -1;
    const onProgress = (fraction: number): void => {
      // Whole percents are plenty for a progress bar and keep the message rate low.
      const percent = Math.floor(fraction * 100);
      if (percent === reported) return;
      reported = percent;
      port.postMessage({ kind: 'progress', fraction } satisfies DiffWorkerMessage);
    };
    const fullSize = measureCompressedSizeConcurrently(fresh);
    fullSize.catch(() => {}); // awaited below; a diff that throws first must not leave it unhandled
    const made = makePatch(old, fresh, { ...input.options, onProgress });
    const result = judgePatch(made, await fullSize, input.options.worthwhileRatio);
    onProgress(1);
    port.postMessage({ kind: 'done', result } satisfies DiffWorkerMessage, [
      result.patch.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    const message: DiffWorkerMessage = {
      kind: 'failed',
      code: isDeltaError(error) ? error.code : undefined,
      message: error instanceof Error ? error.message : String(error),
    };
    port.postMessage(message);
  }
}
