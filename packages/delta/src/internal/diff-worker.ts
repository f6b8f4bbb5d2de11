// Worker-thread side of createDiffJob: reads the images (paths or transferred bytes), runs diff()
// and posts progress and the result back. A cancelled job is terminated from the outside.

import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { isDeltaError } from '../delta-error.ts';
import { type DiffOptions, diff } from '../diff.ts';

export interface DiffWorkerInput {
  old: string | Uint8Array;
  fresh: string | Uint8Array;
  options: Omit<DiffOptions, 'onProgress'>;
}

export type DiffWorkerMessage =
  | { kind: 'progress'; fraction: number }
  | { kind: 'done'; result: ReturnType<typeof diff> }
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
    const result = diff(old, fresh, {
      ...input.options,
      onProgress: (fraction) => {
        // Whole percents are plenty for a progress bar and keep the message rate low.
        const percent = Math.floor(fraction * 100);
        if (percent === reported) return;
        reported = percent;
        port.postMessage({ kind: 'progress', fraction } satisfies DiffWorkerMessage);
      },
    });
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
