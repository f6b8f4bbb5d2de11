// Every file of an offered package (1 to 5): each downloads with resume into a partial file of
// its own in the state folder (a new session resumes each from the bytes on disk), one after
// the other, then each is checked against its size and hash before any is installed.
import { downloadResumable, verifyDownload } from './download.ts';
import { SdkError } from './errors.ts';
import type { OfferFile } from './offer.ts';
import type { RetrySettings } from './retry.ts';

/** A file of the package on the device's disk. */
export interface PackageFile {
  /** 1-based position of the file in its package. */
  index: number;
  name: string;
  size: number;
  sha256: string;
  md5: string;
  path: string;
}

export interface PackageDownloadOptions {
  /** Where file `index` of the package is kept while it downloads. */
  pathOf(index: number): string;
  /** Bytes of the whole package received so far, and its total. */
  onProgress?(received: number, total: number): void;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Tries per file (download.ts). */
  retry?: RetrySettings;
  /** A newer link to the file than the one offered, if one came meanwhile (download.ts). */
  newerUrl?(file: OfferFile): string | undefined;
  /** A file's link is gone: ask for a newer offer (download.ts). */
  onLinkGone?(): Promise<void>;
}

/** Downloads every file, resuming each from what is on disk; returns them in package order. */
export async function downloadPackage(
  files: readonly OfferFile[],
  options: PackageDownloadOptions,
): Promise<PackageFile[]> {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const out: PackageFile[] = [];
  let before = 0;
  for (const file of files) {
    const path = options.pathOf(file.index);
    await downloadResumable(file, path, {
      ...(options.fetch && { fetch: options.fetch }),
      ...(options.signal && { signal: options.signal }),
      ...(options.retry && { retry: options.retry }),
      ...(options.newerUrl && { newerUrl: () => options.newerUrl!(file) }),
      ...(options.onLinkGone && { onLinkGone: options.onLinkGone }),
      onProgress: (received) => options.onProgress?.(before + received, total),
    });
    before += file.size;
    out.push({
      index: file.index,
      name: file.name,
      size: file.size,
      sha256: file.sha256,
      md5: file.md5,
      path,
    });
  }
  return out;
}

/** Checks every file's size and hash; the first that differs is a CHECK_FAILED naming it. */
export async function verifyPackage(files: readonly PackageFile[]): Promise<void> {
  for (const file of files) {
    try {
      await verifyDownload(file, file.path);
    } catch (error) {
      if (!(error instanceof SdkError) || files.length === 1) throw error;
      throw new SdkError(
        error.code,
        `file ${file.index} (${file.name}): ${error.message}`,
        { ...error.details, index: file.index, name: file.name },
        { cause: error },
      );
    }
  }
}
