// Resumable download with HTTP Range (RFC 7233): bytes are appended to a partial file as they
// arrive; a new attempt (or a new process) asks only for what is missing. The whole file is then
// checked against the offer's size and sha256 (or md5) before anyone may install it. One file at
// a time: package-files.ts runs them for every file of a package.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { SdkError } from './errors.ts';
import type { OfferFile } from './offer.ts';
import { backoffDelay, defaultRetry, type RetrySettings, sleep } from './retry.ts';

export interface DownloadOptions {
  /** Called as bytes arrive (received, total). */
  onProgress?(received: number, total: number): void;
  /** Tries after a dropped connection or an unreachable server, with backoff (each resumes). */
  retry?: RetrySettings;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /**
   * A newer link to the same file, read before each attempt: a server that restarted or pushed
   * the upgrade again issued a new token, which made the one being used invalid.
   */
  newerUrl?(): string | undefined;
  /**
   * The link answered 410 or 404 (a re-push superseded its token, and that push was lost to a
   * crash or a reconnect): ask the server again, so that a newer link comes before the next try.
   */
  onLinkGone?(): Promise<void>;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Downloads `offer.url` into `path`, resuming from what is there; returns when the file is whole. */
export async function downloadResumable(
  offer: Pick<OfferFile, 'url' | 'size'>,
  path: string,
  options: DownloadOptions = {},
): Promise<void> {
  const doFetch = options.fetch ?? fetch;
  const retry = options.retry ?? defaultRetry;
  const attempts = retry.attempts;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    // A wait before each new try, growing, with jitter: the server may be restarting.
    if (attempt > 0) await sleep(backoffDelay(attempt - 1, retry), options.signal);
    if (options.signal?.aborted) throw lastError;
    let received = await sizeOf(path);
    if (received > offer.size) {
      await rm(path, { force: true });
      received = 0;
    }
    if (received === offer.size) return;
    try {
      const response = await doFetch(options.newerUrl?.() ?? offer.url, {
        headers: { range: `bytes=${received}-` },
        ...(options.signal && { signal: options.signal }),
      });
      if (response.status === 410 || response.status === 404) {
        await response.body?.cancel().catch(() => {});
        await options.onLinkGone?.().catch(() => {});
        throw new SdkError('DOWNLOAD_FAILED', `the download link is no longer valid (${response.status})`, {
          status: response.status,
        });
      }
      if (response.status !== 206 && response.status !== 200) {
        throw new SdkError('SERVER_ERROR', `download answered ${response.status}`, {
          status: response.status,
        });
      }
      // A 200 is the whole file: start over.
      const file = await open(path, response.status === 200 ? 'w' : 'a');
      try {
        let at = response.status === 200 ? 0 : received;
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          await file.write(chunk);
          at += chunk.length;
          options.onProgress?.(at, offer.size);
        }
      } finally {
        await file.close();
      }
      if ((await sizeOf(path)) === offer.size) return;
      lastError = new SdkError('NETWORK', 'the connection ended before the whole file arrived');
    } catch (error) {
      if (error instanceof SdkError && !error.retryable) throw error;
      if (options.signal?.aborted) throw error;
      lastError = error;
    }
  }
  throw new SdkError(
    'DOWNLOAD_FAILED',
    `download did not complete after ${attempts} attempts`,
    {},
    { cause: lastError },
  );
}

/** Checks size and hash; a mismatch is a CHECK_FAILED (the file must not be installed). */
export async function verifyDownload(
  offer: Pick<OfferFile, 'size' | 'sha256' | 'md5'>,
  path: string,
): Promise<void> {
  const size = await sizeOf(path);
  if (size !== offer.size) {
    throw new SdkError('CHECK_FAILED', `size ${size} is not the offered ${offer.size}`, {
      size,
      expected: offer.size,
    });
  }
  const algorithm = offer.sha256 ? 'sha256' : offer.md5 ? 'md5' : null;
  if (algorithm === null) throw new SdkError('CHECK_FAILED', 'the offer carries no hash to check against');
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  const expected = (algorithm === 'sha256' ? offer.sha256 : offer.md5).toLowerCase();
  if (actual !== expected) {
    throw new SdkError('CHECK_FAILED', `${algorithm} ${actual} is not the offered ${expected}`, {
      algorithm,
      actual,
      expected,
    });
  }
}
