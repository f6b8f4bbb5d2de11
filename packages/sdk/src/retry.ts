// Retries with exponential backoff and jitter, within limits the device sets (DeviceOptions.retry):
// a server restart of a minute must cost no device its upgrade, and a fleet that lost its server
// must not come back all in the same second.
import { isSdkError } from './errors.ts';

export interface RetrySettings {
  /** Tries in all, the first included. */
  attempts: number;
  /** The first wait; each next one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** About 90 s of waiting in all before giving up: longer than a server restart takes. */
export const defaultRetry: RetrySettings = { attempts: 8, baseDelayMs: 500, maxDelayMs: 30_000 };

/** The wait before try `attempt + 1` (attempt 0 is the first retry): half fixed, half random. */
export function backoffDelay(attempt: number, settings: RetrySettings, random = Math.random): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** attempt);
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs `work` until it succeeds, fails for good (an SdkError that is not retryable) or runs out of tries. */
export async function withRetry<T>(
  work: () => Promise<T>,
  settings: RetrySettings,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const final = isSdkError(error) && !error.retryable;
      if (final || attempt + 1 >= settings.attempts || signal?.aborted) throw error;
      await sleep(backoffDelay(attempt, settings), signal);
      if (signal?.aborted) throw error;
    }
  }
}
