// The adaptive model of the patch body, shared by encoder and decoder: where each probability
// lives in one Uint16Array, and how numbers and bytes are turned into coded bits
// (docs/delta-format.md §6). Keeping every probability in one array makes the memory a device
// needs one multiplication, and a C port one static array.

import { MOVE_BITS, PROB_INIT, type RangeDecoder, type RangeEncoder } from './range-coder.ts';

export interface ModelParams {
  /** Literal bytes are coded in a context of the previous new byte's top bits (0..8). */
  literalContextBits: number;
  /** A non-zero difference byte right after another is coded in a context of its top bits (0..8). */
  diffContextBits: number;
  /** Adaptation shift of the literal probabilities (1..7; format version 1: always 4). */
  literalShift: number;
  /** Adaptation shift of the difference probabilities (1..7; format version 1: always 4). */
  diffShift: number;
}

/** Length models; the zero-run contexts depend on the run before (see zeroRunContext). */
export const LEN_LITERAL = 0;
export const LEN_COPY = 1;
export const LEN_OLD_SEEK = 2;
export const LEN_ZERO_RUN = 3;

const BUCKET_PROBS = 32;
const MANTISSA_TREE_BITS = 3;
const LOW_BITS = 2;
const LOW_BASE = BUCKET_PROBS + 32 * (1 << MANTISSA_TREE_BITS);
const LENGTH_PROBS = LOW_BASE + (4 << LOW_BITS);

export interface ModelLayout {
  total: number;
  literal: number;
  diff: number;
  lengths: number;
  seekSign: number;
  /** Whether a full literal block is raw (version 2; the entry after SEEK_SIGN, unused in version 1). */
  rawBlock: number;
}

/** Literal bytes go in blocks of this many; each full block may be raw (format version 2). */
export const LITERAL_BLOCK = 4096;

export function layoutModel(
  params: Pick<ModelParams, 'literalContextBits' | 'diffContextBits'>,
): ModelLayout {
  const literal = 0;
  const diff = literal + (256 << params.literalContextBits);
  const lengths = diff + (256 << params.diffContextBits) + 256;
  const seekSign = lengths + (LEN_ZERO_RUN + 4) * LENGTH_PROBS;
  return { literal, diff, lengths, seekSign, rawBlock: seekSign + 1, total: seekSign + 2 };
}

export function createProbabilities(layout: ModelLayout): Uint16Array {
  return new Uint16Array(layout.total).fill(PROB_INIT);
}

/** Offset of length model `model` in the probability array. */
export function lengthBase(layout: ModelLayout, model: number): number {
  return layout.lengths + model * LENGTH_PROBS;
}

/** Context of a zero run: first in its copy, or after a run of 0, of 1..7, of 8 or more bytes. */
export function zeroRunContext(previousRun: number): number {
  if (previousRun < 0) return LEN_ZERO_RUN;
  if (previousRun === 0) return LEN_ZERO_RUN + 1;
  return previousRun < 8 ? LEN_ZERO_RUN + 2 : LEN_ZERO_RUN + 3;
}

// A length v (0 <= v < 2^31 - 1) is coded as x = v + 1: the bucket nb - 1, where nb is the bit
// length of x, through a 5-bit tree; then the up to 3 bits of x below its top bit through a tree
// per bucket; then its remaining bits directly, except the lowest two, which go through a tree in
// one of 4 caller-given contexts (a zero run's start position modulo 4 predicts them).
export function encodeLength(
  enc: RangeEncoder,
  probs: Uint16Array,
  base: number,
  value: number,
  lowContext = 0,
): void {
  const x = value + 1;
  const nb = 32 - Math.clz32(x);
  encodeTree(enc, probs, base, 5, nb - 1);
  const mantissaBits = nb - 1;
  const treeBits = Math.min(MANTISSA_TREE_BITS, mantissaBits);
  const rest = mantissaBits - treeBits;
  if (treeBits > 0) {
    const top = (x >>> rest) & ((1 << treeBits) - 1);
    encodeTree(enc, probs, base + BUCKET_PROBS + (nb - 1) * (1 << MANTISSA_TREE_BITS), treeBits, top);
  }
  const lowBits = Math.min(LOW_BITS, rest);
  if (rest > lowBits) enc.encodeDirect((x >>> lowBits) & ((1 << (rest - lowBits)) - 1), rest - lowBits);
  if (lowBits > 0)
    encodeTree(enc, probs, base + LOW_BASE + (lowContext << LOW_BITS), lowBits, x & ((1 << lowBits) - 1));
}

export function decodeLength(dec: RangeDecoder, probs: Uint16Array, base: number, lowContext = 0): number {
  const nb = decodeTree(dec, probs, base, 5) + 1;
  const mantissaBits = nb - 1;
  const treeBits = Math.min(MANTISSA_TREE_BITS, mantissaBits);
  const rest = mantissaBits - treeBits;
  let x = 1;
  if (treeBits > 0) {
    x =
      (x << treeBits) |
      decodeTree(dec, probs, base + BUCKET_PROBS + (nb - 1) * (1 << MANTISSA_TREE_BITS), treeBits);
  }
  const lowBits = Math.min(LOW_BITS, rest);
  if (rest > lowBits) x = (x << (rest - lowBits)) | dec.decodeDirect(rest - lowBits);
  if (lowBits > 0)
    x = (x << lowBits) | decodeTree(dec, probs, base + LOW_BASE + (lowContext << LOW_BITS), lowBits);
  return (x >>> 0) - 1;
}

/** Codes the low `bits` bits of `value` most significant first; node i has children 2i and 2i+1. */
export function encodeTree(
  enc: RangeEncoder,
  probs: Uint16Array,
  base: number,
  bits: number,
  value: number,
  shift = MOVE_BITS,
): void {
  let node = 1;
  for (let i = bits - 1; i >= 0; i--) {
    const bit = (value >>> i) & 1;
    enc.encodeBit(probs, base + node, bit, shift);
    node = (node << 1) | bit;
  }
}

export function decodeTree(
  dec: RangeDecoder,
  probs: Uint16Array,
  base: number,
  bits: number,
  shift = MOVE_BITS,
): number {
  let node = 1;
  for (let i = 0; i < bits; i++) node = (node << 1) | dec.decodeBit(probs, base + node, shift);
  return node - (1 << bits);
}
