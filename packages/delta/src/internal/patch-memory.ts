// What applying a patch costs in working memory (docs/delta-format.md §7): the probability table,
// three I/O buffers, the SHA-256 state, the header, the CRC-32 table and the decoder's scalar state.

import { CRC32_TABLE_BYTES } from './crc32.ts';
import { HEADER_SIZE } from './patch-header.ts';
import { layoutModel, type ModelParams } from './patch-model.ts';
import { SHA256_STATE_BYTES } from './sha256.ts';

/** Range decoder (range, code), positions and counters of the patcher, as 32-bit words. */
export const DECODER_STATE_BYTES = 64;

export function computeWorkingMemory(model: ModelParams, bufferLog2: number): number {
  return (
    layoutModel(model).total * 2 +
    3 * (1 << bufferLog2) +
    SHA256_STATE_BYTES +
    HEADER_SIZE +
    CRC32_TABLE_BYTES +
    DECODER_STATE_BYTES
  );
}
