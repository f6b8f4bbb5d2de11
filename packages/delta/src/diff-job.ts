// createDiffJob(): runs diff() in a worker thread so that the server's event loop stays free,
// reports progress and can be cancelled through an AbortSignal.

import { Worker } from 'node:worker_threads';
import { DeltaError, type DeltaErrorCode, deltaErrorCodes } from './delta-error.ts';
import type { DiffOptions, DiffResult } from './diff.ts';
import type { DiffWorkerInput, DiffWorkerMessage } from './internal/diff-worker.ts';

// The worker beside this file: a .ts source in the repository, .js in the published package
// (scripts/pack-sdk.ts), where tsc rewrites imports but not this URL.
const workerUrl = new URL(
  `./internal/diff-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

export interface DiffJobHooks {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  /** Called once with the worker's thread id and the Worker, e.g. to sample its memory. */
  onStart?: (worker: Worker) => void;
}

export type DiffImage = string | Uint8Array;

function toError(code: string | undefined, message: string): Error {
  return code && code in deltaErrorCodes
    ? new DeltaError(code as DeltaErrorCode, message)
    : new Error(message);
}

/** Diffs two images (file paths or bytes) in a worker thread. */
export function createDiffJob(
  old: DiffImage,
  fresh: DiffImage,
  options: Omit<DiffOptions, 'onProgress'> = {},
  hooks: DiffJobHooks = {},
): Promise<DiffResult> {
  return new Promise((resolve, reject) => {
    if (hooks.signal?.aborted) {
      reject(new DeltaError('DELTA_CANCELLED', 'diff cancelled'));
      return;
    }
    const workerData: DiffWorkerInput = { old, fresh, options };
    const worker = new Worker(workerUrl, { workerData });
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = (): void => {
      settle(() => reject(new DeltaError('DELTA_CANCELLED', 'diff cancelled')));
      void worker.terminate();
    };
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    hooks.onStart?.(worker);
    worker.on('message', (message: DiffWorkerMessage) => {
      if (message.kind === 'progress') hooks.onProgress?.(message.fraction);
      else if (message.kind === 'done') settle(() => resolve(message.result));
      else settle(() => reject(toError(message.code, message.message)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`diff worker exited with code ${code}`))));
  });
}
