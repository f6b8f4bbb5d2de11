// Codes the covers of a diff into the patch body (docs/delta-format.md §6): per cover the copy
// length, the seek in the old image, the difference bytes as zero runs and non-zero bytes, then
// the literal length and the literal bytes, in blocks of which the full ones that would not
// compress are raw (format version 2).

import type { CoverList } from './cover-list.ts';
import {
  createProbabilities,
  encodeLength,
  encodeTree,
  LEN_COPY,
  LEN_LITERAL,
  LEN_OLD_SEEK,
  LITERAL_BLOCK,
  layoutModel,
  lengthBase,
  type ModelParams,
  zeroRunContext,
} from './patch-model.ts';
import { RangeEncoder } from './range-coder.ts';

export function encodeBody(
  old: Uint8Array,
  fresh: Uint8Array,
  covers: CoverList,
  params: ModelParams,
): Uint8Array {
  const layout = layoutModel(params);
  const probs = createProbabilities(layout);
  const enc = new RangeEncoder(Math.max(1 << 16, fresh.length >>> 3));
  const literalContextShift = 8 - params.literalContextBits;
  const diffContextShift = 8 - params.diffContextBits;
  const copyBase = lengthBase(layout, LEN_COPY);
  const literalBase = lengthBase(layout, LEN_LITERAL);
  const seekBase = lengthBase(layout, LEN_OLD_SEEK);
  const counts = new Int32Array(256);
  let lastOldEnd = 0;
  for (let i = 0; i < covers.count; i++) {
    const newPos = covers.newStart[i]!;
    const oldPos = covers.oldStart[i]!;
    const copyLength = covers.copyLength[i]!;
    const literalLength = covers.literalLength[i]!;
    encodeLength(enc, probs, copyBase, copyLength);
    if (copyLength > 0) {
      const seek = oldPos - lastOldEnd;
      encodeLength(enc, probs, seekBase, Math.abs(seek));
      if (seek !== 0) enc.encodeBit(probs, layout.seekSign, seek < 0 ? 1 : 0);
      let p = 0;
      let previousRun = -1;
      let previousDiff = 0;
      while (p < copyLength) {
        let q = p;
        while (q < copyLength && fresh[newPos + q] === old[oldPos + q]) q++;
        const runModel = zeroRunContext(previousRun);
        encodeLength(enc, probs, lengthBase(layout, runModel), q - p, (newPos + p) & 3);
        if (q === copyLength) break;
        const oldByte = old[oldPos + q]!;
        const diff = (fresh[newPos + q]! - oldByte) & 0xff;
        const context = q === p && previousRun >= 0 ? 1 + (previousDiff >>> diffContextShift) : 0;
        encodeTree(enc, probs, layout.diff + (context << 8), 8, diff, params.diffShift);
        previousRun = q - p;
        previousDiff = diff;
        p = q + 1;
      }
      lastOldEnd = oldPos + copyLength;
    }
    encodeLength(enc, probs, literalBase, literalLength);
    const end = newPos + copyLength + literalLength;
    for (let block = newPos + copyLength; block < end; block += LITERAL_BLOCK) {
      const blockEnd = Math.min(end, block + LITERAL_BLOCK);
      if (blockEnd - block === LITERAL_BLOCK) {
        const raw = looksIncompressible(fresh, block, blockEnd, counts);
        enc.encodeBit(probs, layout.rawBlock, raw ? 1 : 0);
        if (raw) {
          for (let k = block; k < blockEnd; k++) enc.encodeDirect(fresh[k]!, 8);
          continue;
        }
      }
      for (let k = block; k < blockEnd; k++) {
        const previous = k > 0 ? fresh[k - 1]! : 0;
        encodeTree(
          enc,
          probs,
          layout.literal + ((previous >>> literalContextShift) << 8),
          8,
          fresh[k]!,
          params.literalShift,
        );
      }
    }
  }
  return enc.finish();
}

/** Bits per byte above which a block is taken for compressed data, which the model would expand. */
const RAW_ENTROPY = 7.9;

/**
 * Order-0 entropy of the block above RAW_ENTROPY: compressed or encrypted payloads (an XZ kernel),
 * where the adaptive model costs a few percent more than 8 bits a byte and raw bytes cost exactly 8.
 */
function looksIncompressible(bytes: Uint8Array, start: number, end: number, counts: Int32Array): boolean {
  counts.fill(0);
  for (let k = start; k < end; k++) counts[bytes[k]!]!++;
  const n = end - start;
  let bits = 0;
  for (const count of counts) if (count > 0) bits -= count * Math.log2(count / n);
  return bits > RAW_ENTROPY * n;
}
