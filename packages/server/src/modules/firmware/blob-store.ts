// Where firmware bytes live. Blobs are content addressed: the key of a blob is the sha256 of its
// bytes, so two packages holding the same file share one blob. Two adapters: files in a folder
// (adapters/blob/fs-blob-store.ts) and objects in an S3 bucket (adapters/blob/s3-blob-store.ts);
// both run test-support/contracts/blob-store.contract.ts.
import type { Readable } from 'node:stream';

export interface BlobDigest {
  /** The key the blob is stored under once committed: its sha256 in lower-case hex. */
  key: string;
  size: number;
  sha256: string;
  md5: string;
}

/** An inclusive byte range, as in an HTTP Range header (RFC 9110 §14.1.2). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * One blob being written. Bytes go to a temporary place while size, sha256 and md5 are computed;
 * only `commit()` makes the blob visible under its key.
 */
export interface BlobWriter {
  /** Appends bytes; fails with FIRMWARE_FILE_TOO_LARGE as soon as the total passes maxBytes. */
  write(chunk: Uint8Array): Promise<void>;
  /** Closes the temporary copy and returns its digest; nothing is visible yet. */
  finish(): Promise<BlobDigest>;
  /** Moves the finished blob to its key. `created` is false when the key already existed. */
  commit(): Promise<{ created: boolean }>;
  /** Drops the temporary copy; safe to call at any point and more than once. */
  abort(): Promise<void>;
}

export interface BlobStore {
  beginWrite(options: { maxBytes: number }): Promise<BlobWriter>;
  /** Streams a blob, or part of it; NOT_FOUND when there is no such key. */
  open(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | undefined>;
  /**
   * The blob's file on this machine, for readers that take a path (the delta worker); only
   * stores that keep blobs as local files have it.
   */
  localPath?(key: string): string | undefined;
  /**
   * A short-lived URL a device fetches the blob from directly, Range requests included (S3's
   * presigned GET); only stores that devices can reach have it. `fileName` names the download.
   */
  downloadUrl?(key: string, options: { expiresInSeconds: number; fileName?: string }): Promise<string>;
  /** Removes a blob; removing a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /** Every committed key, in no particular order (temporary copies are not blobs). */
  list(): AsyncIterable<string>;
  /**
   * Removes temporary copies (and unfinished uploads) a crash left behind, those last written
   * before `before` (epoch ms): younger ones may belong to a write still running here or in
   * another instance that shares the store. Returns how many it removed.
   */
  sweepTemp(before: number): Promise<number>;
}
