// Resumable download with HTTP Range (RFC 7233): bytes are appended to a partial file as they
// arrive; a new attempt (or a new process) asks only for what is missing. The whole file is then
// checked against the offer's size and sha256 (or md5) before anyone may install it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { SdkError } from './errors.ts';
import type { Offer } from './offer.ts';

export interface DownloadOptions {
  /** Called as bytes arrive (received, total). */
  onProgress?(received: number, total: number): void;
  /** Attempts after a dropped connection before giving up (each resumes). */
  attempts?: number;
  fetch?: typeof fetch;
  signal?: AbortSignal;
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
  offer: Offer,
  path: string,
  options: DownloadOptions = {},
): Promise<void> {
  const doFetch = options.fetch ?? fetch;
  const attempts = options.attempts ?? 5;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    let received = await sizeOf(path);
    if (received > offer.size) {
      await rm(path, { force: true });
      received = 0;
    }
    if (received === offer.size) return;
    try {
      const response = await doFetch(offer.url, {
        headers: { range: `bytes=${received}-` },
        ...(options.signal && { signal: options.signal }),
      });
      if (response.status === 410 || response.status === 404) {
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
export async function verifyDownload(offer: Offer, path: string): Promise<void> {
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
