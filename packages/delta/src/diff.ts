// diff(): the covers of the new image against the old, coded as an Updraft patch or exported as
// VCDIFF, with the verdict whether a delta is worth offering instead of the full image.

import { DeltaError } from './delta-error.ts';
import { crc32 } from './internal/crc32.ts';
import { encodeBody } from './internal/encode-body.ts';
import { measureCompressedSize } from './internal/full-size.ts';
import { matchCovers } from './internal/match-covers.ts';
import {
  FORMAT_VERSION,
  HEADER_SIZE,
  MAX_IMAGE_SIZE,
  type ProfileName,
  writeHeader,
} from './internal/patch-header.ts';
import { computeWorkingMemory } from './internal/patch-memory.ts';
import { profiles } from './internal/profiles.ts';
import { hashSha256 } from './internal/sha256.ts';
import { encodeVcdiff } from './internal/vcdiff-encoder.ts';

export type PatchFormat = 'updraft' | 'vcdiff';

export interface DiffOptions {
  /** `mcu` (default): apply in at most 16 KiB. `linux`: smaller patches for gateways. */
  profile?: ProfileName;
  /** `updraft` (default) or `vcdiff` (RFC 3284, for devices that carry a VCDIFF decoder). */
  format?: PatchFormat;
  /** A delta is worthwhile when smaller than this share of the compressed full image (0.7). */
  worthwhileRatio?: number;
  /** Called with the share of the work done, 0..1. */
  onProgress?: (fraction: number) => void;
}

export interface DiffResult {
  patch: Uint8Array;
  profile: ProfileName;
  format: PatchFormat;
  oldSize: number;
  newSize: number;
  /** zstd-compressed size of the new image: what a full package would cost. */
  fullCompressedSize: number;
  /** patch.length < worthwhileRatio × fullCompressedSize; otherwise offer the full package. */
  worthwhile: boolean;
  /** Working memory the patcher needs (Updraft format; 0 for VCDIFF). */
  workingMemory: number;
}

export const DEFAULT_WORTHWHILE_RATIO = 0.7;

/** A patch before its verdict: what diff() and the diff worker share. */
export type PatchResult = Omit<DiffResult, 'fullCompressedSize' | 'worthwhile'>;

/** Matches and codes the patch; progress runs to 0.95, the rest is the full-size yardstick. */
export function makePatch(old: Uint8Array, fresh: Uint8Array, options: DiffOptions = {}): PatchResult {
  const profile = profiles[options.profile ?? 'mcu'];
  if (!profile) throw new DeltaError('DELTA_INVALID_ARGUMENT', `unknown profile ${String(options.profile)}`);
  const format = options.format ?? 'updraft';
  if (format !== 'updraft' && format !== 'vcdiff') {
    throw new DeltaError('DELTA_INVALID_ARGUMENT', `unknown patch format ${String(format)}`);
  }
  if (old.length > MAX_IMAGE_SIZE || fresh.length > MAX_IMAGE_SIZE) {
    throw new DeltaError('DELTA_INVALID_ARGUMENT', 'images must be smaller than 2 GiB');
  }
  const progress = options.onProgress;
  const covers = matchCovers(old, fresh, {
    maxChain: profile.maxChain,
    onProgress: progress && ((f) => progress(f * 0.85)),
  });
  let patch: Uint8Array;
  let workingMemory = 0;
  if (format === 'vcdiff') {
    patch = encodeVcdiff(old, fresh, covers);
  } else {
    const body = encodeBody(old, fresh, covers, profile.model);
    workingMemory = computeWorkingMemory(profile.model, profile.bufferLog2);
    const header = writeHeader({
      version: FORMAT_VERSION,
      profile: profile.name,
      model: profile.model,
      bufferLog2: profile.bufferLog2,
      workingMemory,
      oldSize: old.length,
      newSize: fresh.length,
      payloadSize: body.length,
      oldSha256: hashSha256(old),
      newSha256: hashSha256(fresh),
      payloadCrc32: crc32(body),
    });
    patch = new Uint8Array(HEADER_SIZE + body.length);
    patch.set(header);
    patch.set(body, HEADER_SIZE);
  }
  progress?.(0.95);
  return { patch, profile: profile.name, format, oldSize: old.length, newSize: fresh.length, workingMemory };
}

/** Adds the verdict: worthwhile when the patch is below `ratio` × the compressed full image. */
export function judgePatch(
  made: PatchResult,
  fullCompressedSize: number,
  ratio = DEFAULT_WORTHWHILE_RATIO,
): DiffResult {
  return { ...made, fullCompressedSize, worthwhile: made.patch.length < ratio * fullCompressedSize };
}

export function diff(old: Uint8Array, fresh: Uint8Array, options: DiffOptions = {}): DiffResult {
  const made = makePatch(old, fresh, options);
  const fullCompressedSize = measureCompressedSize(fresh);
  options.onProgress?.(1);
  return judgePatch(made, fullCompressedSize, options.worthwhileRatio);
}
