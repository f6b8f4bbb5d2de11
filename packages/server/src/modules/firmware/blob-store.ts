// Where firmware bytes live. Blobs are content addressed: the key of a blob is the sha256 of its
// bytes, so two packages holding the same file share one blob. The filesystem adapter comes
// first (adapters/blob/fs-blob-store.ts); S3 comes later behind the same port, and every adapter
// runs blob-store.contract.ts.
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
  /** Removes a blob; removing a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /** Removes temporary copies a crash left behind; call once at start-up. Returns how many. */
  sweepTemp(): Promise<number>;
}
