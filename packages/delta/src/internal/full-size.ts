// Size of the new image as a compressed full package, the yardstick for "is a delta worth it".
// node:zlib's zstd stands in for whatever compression the platform ships full packages with.

import { constants, zstdCompressSync } from 'node:zlib';

/** zstd level 9 is within a few percent of level 19 on firmware at a fraction of the time. */
const LEVEL = 9;

export function measureCompressedSize(image: Uint8Array): number {
  return zstdCompressSync(image, { params: { [constants.ZSTD_c_compressionLevel]: LEVEL } }).length;
}
