// Size of the new image as a compressed full package, the yardstick for "is a delta worth it".
// node:zlib's zstd stands in for whatever compression the platform ships full packages with.
// zstd is in node:zlib from Node 22.15 on; it is looked up when a diff needs it, not imported by
// name, so that this package still loads on the older Node versions devices run (they only patch).

import * as zlib from 'node:zlib';
import { DeltaError } from '../delta-error.ts';

/** zstd level 9 is within a few percent of level 19 on firmware at a fraction of the time. */
const LEVEL = 9;

function zstd() {
  if (typeof zlib.zstdCompressSync !== 'function') {
    throw new DeltaError(
      'DELTA_UNSUPPORTED_RUNTIME',
      `the diff needs node:zlib zstd (Node 22.15 or later); this is Node ${process.versions.node}`,
    );
  }
  return {
    compress: zlib.zstdCompress,
    compressSync: zlib.zstdCompressSync,
    level: zlib.constants.ZSTD_c_compressionLevel,
  };
}

export function measureCompressedSize(image: Uint8Array): number {
  const z = zstd();
  return z.compressSync(image, { params: { [z.level]: LEVEL } }).length;
}

/**
 * The same size, computed on libuv's thread pool while the caller's thread goes on (the diff
 * worker matches meanwhile). One output buffer large enough for all of it keeps zlib from handing
 * each chunk back through the event loop, which the busy caller would not serve until the end.
 */
export function measureCompressedSizeConcurrently(image: Uint8Array): Promise<number> {
  const z = zstd();
  const chunkSize = Math.max(64 * 1024, image.length + (image.length >>> 7) + 64 * 1024);
  return new Promise((resolve, reject) => {
    z.compress(image, { chunkSize, params: { [z.level]: LEVEL } }, (error, compressed) =>
      error ? reject(error) : resolve(compressed.length),
    );
  });
}
