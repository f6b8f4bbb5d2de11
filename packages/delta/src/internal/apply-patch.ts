// The streaming patcher (docs/delta-format.md §6, §7): checks the old image's hash, then decodes the
// body unit by unit, reading the old image at the offsets the patch names and writing the new image
// strictly in order through a fixed output buffer. All of its memory comes from a MemoryBudget.

import { DeltaError } from '../delta-error.ts';
import { CRC32_TABLE_BYTES } from './crc32.ts';
import { MemoryBudget } from './memory-budget.ts';
import { HEADER_SIZE, type PatchHeader, readHeader } from './patch-header.ts';
import { PatchInput } from './patch-input.ts';
import { computeWorkingMemory, DECODER_STATE_BYTES } from './patch-memory.ts';
import {
  decodeLength,
  decodeTree,
  LEN_COPY,
  LEN_LITERAL,
  LEN_OLD_SEEK,
  LITERAL_BLOCK,
  layoutModel,
  lengthBase,
  zeroRunContext,
} from './patch-model.ts';
import { PROB_INIT, RangeDecoder } from './range-coder.ts';
import { readHeaderBytes } from './read-header-bytes.ts';
import { createSha256, equalBytes, SHA256_STATE_BYTES } from './sha256.ts';

/** Random-access reader of the old image, as from flash. */
export type ReadOld = (offset: number, length: number) => Uint8Array | Promise<Uint8Array>;

export interface ApplyOptions {
  /** Refuse a patch whose header states a larger working memory (DELTA_MEMORY_LIMIT). */
  memoryLimit?: number;
  /** Hash the old image before writing anything (default true). */
  verifyOld?: boolean;
  signal?: AbortSignal;
  /** Receives the header once it is read and checked. */
  onHeader?: (header: PatchHeader) => void;
  /** Receives the working memory the patcher accounted for, at the end. */
  onMemory?: (bytes: number) => void;
}

/** Most bytes one decode unit (a cover header, a zero run, a byte) can read; docs/delta-format.md §7. */
const UNIT_BYTES = 96;

function corrupt(message: string): DeltaError {
  return new DeltaError('DELTA_CORRUPT', message);
}

export async function* applyPatch(
  readOld: ReadOld,
  patch: AsyncIterable<Uint8Array>,
  options: ApplyOptions = {},
): AsyncGenerator<Uint8Array> {
  const source = patch[Symbol.asyncIterator]();
  const budget = new MemoryBudget(options.memoryLimit ?? Number.POSITIVE_INFINITY);
  const headerBytes = budget.bytes(HEADER_SIZE, 'header');
  const pending = await readHeaderBytes(source, headerBytes);
  const header = readHeader(headerBytes);
  if (computeWorkingMemory(header.model, header.bufferLog2) > header.workingMemory) {
    throw corrupt('the patch header understates the working memory it needs');
  }
  if (header.workingMemory > budget.limit) {
    throw new DeltaError(
      'DELTA_MEMORY_LIMIT',
      `the patch needs ${header.workingMemory} bytes of working memory, the limit is ${budget.limit}`,
    );
  }
  options.onHeader?.(header);
  budget.reserve(DECODER_STATE_BYTES, 'decoder state');
  budget.reserve(CRC32_TABLE_BYTES, 'crc32 table');
  budget.reserve(SHA256_STATE_BYTES, 'sha256 state');
  const size = 1 << header.bufferLog2;
  const input = new PatchInput(budget.bytes(size, 'input buffer'), source, pending);
  const oldBuffer = budget.bytes(size, 'old buffer');
  const out = budget.bytes(size, 'output buffer');
  const layout = layoutModel(header.model);
  const probs = budget.words(layout.total, 'model').fill(PROB_INIT);
  const { oldSize, newSize } = header;

  const readOldExactly = async (offset: number, length: number): Promise<Uint8Array> => {
    const bytes = await readOld(offset, length);
    if (bytes.length < length)
      throw new DeltaError('DELTA_BASE_MISMATCH', 'the old image is shorter than expected');
    return bytes;
  };

  // Reading the old image once up front costs a flash read but refuses a wrong base before the
  // first byte of the new image is written.
  if (options.verifyOld !== false) {
    const hash = createSha256();
    for (let offset = 0; offset < oldSize; offset += size) {
      hash.update(await readOldExactly(offset, Math.min(size, oldSize - offset)));
    }
    if (!equalBytes(hash.digest(), header.oldSha256)) {
      throw new DeltaError('DELTA_BASE_MISMATCH', 'the old image is not the one this patch was made from');
    }
  }

  let oldBase = 0;
  let oldLength = 0;
  const loadOld = async (offset: number): Promise<void> => {
    const length = Math.min(size, oldSize - offset);
    oldBuffer.set((await readOldExactly(offset, length)).subarray(0, length));
    oldBase = offset;
    oldLength = length;
  };

  const newHash = createSha256();
  let outPos = 0;
  const flush = (): Uint8Array => {
    if (options.signal?.aborted) throw new DeltaError('DELTA_CANCELLED', 'apply cancelled');
    const chunk = out.slice(0, outPos);
    newHash.update(chunk);
    outPos = 0;
    return chunk;
  };

  input.limitTo(header.payloadSize);
  const dec = new RangeDecoder(input);
  const ensureInput = async (): Promise<void> => {
    if (input.end - input.pos < UNIT_BYTES && !input.exhausted) await input.refill();
  };
  const literalContextShift = 8 - header.model.literalContextBits;
  const diffContextShift = 8 - header.model.diffContextBits;
  const { literalShift, diffShift } = header.model;
  const rawBlocks = header.version >= 2;
  const copyBase = lengthBase(layout, LEN_COPY);
  const literalBase = lengthBase(layout, LEN_LITERAL);
  const seekBase = lengthBase(layout, LEN_OLD_SEEK);

  let newPos = 0;
  let lastOldEnd = 0;
  let previousByte = 0;
  if (newSize > 0) {
    await ensureInput();
    dec.start();
  }
  while (newPos < newSize) {
    await ensureInput();
    const copyLength = decodeLength(dec, probs, copyBase);
    if (copyLength > newSize - newPos) throw corrupt('a copy runs past the end of the new image');
    if (copyLength > 0) {
      const magnitude = decodeLength(dec, probs, seekBase);
      const oldPos =
        lastOldEnd + (magnitude !== 0 && dec.decodeBit(probs, layout.seekSign) ? -magnitude : magnitude);
      if (oldPos < 0 || oldPos + copyLength > oldSize) throw corrupt('a copy reads outside the old image');
      let p = 0;
      let previousRun = -1;
      let previousDiff = 0;
      while (p < copyLength) {
        await ensureInput();
        const run = decodeLength(
          dec,
          probs,
          lengthBase(layout, zeroRunContext(previousRun)),
          (newPos + p) & 3,
        );
        if (run > copyLength - p) throw corrupt('a run of unchanged bytes overruns its copy');
        for (let left = run; left > 0; ) {
          const at = oldPos + p;
          if (at < oldBase || at >= oldBase + oldLength) await loadOld(at);
          const n = Math.min(left, oldBase + oldLength - at, size - outPos);
          out.set(oldBuffer.subarray(at - oldBase, at - oldBase + n), outPos);
          outPos += n;
          p += n;
          left -= n;
          previousByte = out[outPos - 1]!;
          if (outPos === size) yield flush();
        }
        if (p === copyLength) break;
        const context = run === 0 && previousRun >= 0 ? 1 + (previousDiff >>> diffContextShift) : 0;
        const diff = decodeTree(dec, probs, layout.diff + (context << 8), 8, diffShift);
        if (diff === 0) throw corrupt('a changed byte has a zero difference');
        const at = oldPos + p;
        if (at < oldBase || at >= oldBase + oldLength) await loadOld(at);
        previousByte = (oldBuffer[at - oldBase]! + diff) & 0xff;
        out[outPos++] = previousByte;
        if (outPos === size) yield flush();
        previousRun = run;
        previousDiff = diff;
        p++;
      }
      lastOldEnd = oldPos + copyLength;
      newPos += copyLength;
    }
    await ensureInput();
    const literalLength = decodeLength(dec, probs, literalBase);
    if (literalLength > newSize - newPos) throw corrupt('literal bytes run past the end of the new image');
    if (copyLength === 0 && literalLength === 0) throw corrupt('an empty cover');
    // Version 2: each full block of LITERAL_BLOCK bytes starts with a bit that says it is raw.
    for (let block = 0; block < literalLength; block += LITERAL_BLOCK) {
      const blockLength = Math.min(LITERAL_BLOCK, literalLength - block);
      let raw = false;
      if (rawBlocks && blockLength === LITERAL_BLOCK) {
        await ensureInput();
        raw = dec.decodeBit(probs, layout.rawBlock) === 1;
      }
      for (let k = 0; k < blockLength; k++) {
        if (input.end - input.pos < UNIT_BYTES && !input.exhausted) await input.refill();
        previousByte = raw
          ? dec.decodeDirect(8)
          : decodeTree(
              dec,
              probs,
              layout.literal + ((previousByte >>> literalContextShift) << 8),
              8,
              literalShift,
            );
        out[outPos++] = previousByte;
        if (outPos === size) yield flush();
      }
    }
    newPos += literalLength;
  }
  const last = flush();
  await input.finish();
  if (input.crc !== header.payloadCrc32) throw corrupt('the patch payload checksum does not match');
  if (!equalBytes(newHash.digest(), header.newSha256)) {
    throw new DeltaError('DELTA_OUTPUT_MISMATCH', 'the rebuilt image does not match the hash in the patch');
  }
  options.onMemory?.(budget.used);
  if (last.length > 0) yield last;
}
