// Size of the new image as a compressed full package, the yardstick for "is a delta worth it".
// node:zlib's zstd stands in for whatever compression the platform ships full packages with.

import { constants, zstdCompress, zstdCompressSync } from 'node:zlib';

/** zstd level 9 is within a few percent of level 19 on firmware at a fraction of the time. */
const LEVEL = 9;

export function measureCompressedSize(image: Uint8Array): number {
  return zstdCompressSync(image, { params: { [constants.ZSTD_c_compressionLevel]: LEVEL } }).length;
}

/**
 * The same size, computed on libuv's thread pool while the caller's thread goes on (the diff
 * worker matches meanwhile). One output buffer large enough for all of it keeps zlib from handing
 * each chunk back through the event loop, which the busy caller would not serve until the end.
 */
export function measureCompressedSizeConcurrently(image: Uint8Array): Promise<number> {
  const chunkSize = Math.max(64 * 1024, image.length + (image.length >>> 7) + 64 * 1024);
  return new Promise((resolve, reject) => {
    zstdCompress(
      image,
      { chunkSize, params: { [constants.ZSTD_c_compressionLevel]: LEVEL } },
      (error, compressed) => (error ? reject(error) : resolve(compressed.length)),
    );
  });
}
