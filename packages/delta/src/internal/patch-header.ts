// The fixed 100-byte patch header (docs/delta-format.md §3). Little-endian throughout; a CRC-32 over
// the first 96 bytes tells a damaged header from a patch made for another base image. Reads format
// versions 1 and 2, writes 2.

import { DeltaError } from '../delta-error.ts';
import { crc32 } from './crc32.ts';
import type { ModelParams } from './patch-model.ts';

export const HEADER_SIZE = 100;
/** What diff() writes. Version 1 patches (no raw literal blocks, every shift 4) still apply. */
export const FORMAT_VERSION = 2;
/** The shift every probability of a version 1 patch adapts with. */
const VERSION_1_SHIFT = 4;
const MAGIC = [0x55, 0x44, 0x4c, 0x54]; // "UDLT"
/** Sizes are below 2^31 so that a 32-bit patcher needs no unsigned arithmetic on them. */
export const MAX_IMAGE_SIZE = 0x7fffffff;

export type ProfileName = 'mcu' | 'linux';
const PROFILE_IDS: Record<ProfileName, number> = { mcu: 0, linux: 1 };

export interface PatchHeader {
  version: number;
  profile: ProfileName;
  model: ModelParams;
  /** log2 of the size of each of the patcher's three I/O buffers. */
  bufferLog2: number;
  /** Bytes of working memory the patcher needs, buffers and model included. */
  workingMemory: number;
  oldSize: number;
  newSize: number;
  payloadSize: number;
  oldSha256: Uint8Array;
  newSha256: Uint8Array;
  /** CRC-32 of the payload: arithmetic coding leaves slack in its last bytes that only this sees. */
  payloadCrc32: number;
}

export function writeHeader(header: PatchHeader): Uint8Array {
  const bytes = new Uint8Array(HEADER_SIZE);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[4] = header.version;
  bytes[5] = PROFILE_IDS[header.profile];
  bytes[6] = header.model.literalContextBits;
  bytes[7] = header.model.diffContextBits;
  bytes[8] = header.bufferLog2;
  if (header.version >= 2) {
    bytes[9] = header.model.literalShift;
    bytes[10] = header.model.diffShift;
  }
  view.setUint32(12, header.workingMemory, true);
  view.setUint32(16, header.oldSize, true);
  view.setUint32(20, header.newSize, true);
  view.setUint32(24, header.payloadSize, true);
  bytes.set(header.oldSha256, 28);
  bytes.set(header.newSha256, 60);
  view.setUint32(92, header.payloadCrc32, true);
  view.setUint32(96, crc32(bytes.subarray(0, 96)), true);
  return bytes;
}

function isShift(shift: number): boolean {
  return shift >= 1 && shift <= 7;
}

export function readHeader(bytes: Uint8Array): PatchHeader {
  if (bytes.length < HEADER_SIZE) throw new DeltaError('DELTA_TRUNCATED', 'the patch ends inside its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  if (MAGIC.some((b, i) => bytes[i] !== b))
    throw new DeltaError('DELTA_CORRUPT', 'not an Updraft delta patch');
  if (view.getUint32(96, true) !== crc32(bytes.subarray(0, 96))) {
    throw new DeltaError('DELTA_CORRUPT', 'the patch header checksum does not match');
  }
  const version = bytes[4]!;
  if (version !== 1 && version !== 2) {
    throw new DeltaError('DELTA_UNSUPPORTED_VERSION', `patch format version ${version} is not supported`);
  }
  const profile = bytes[5] === 0 ? 'mcu' : bytes[5] === 1 ? 'linux' : undefined;
  // Version 1 had bytes 9 and 10 reserved (zero) and adapted every probability with shift 4.
  const model: ModelParams = {
    literalContextBits: bytes[6]!,
    diffContextBits: bytes[7]!,
    literalShift: version === 1 ? VERSION_1_SHIFT : bytes[9]!,
    diffShift: version === 1 ? VERSION_1_SHIFT : bytes[10]!,
  };
  const bufferLog2 = bytes[8]!;
  const shiftsKnown =
    version === 1
      ? bytes[9] === 0 && bytes[10] === 0
      : isShift(model.literalShift) && isShift(model.diffShift);
  if (
    profile === undefined ||
    model.literalContextBits > 8 ||
    model.diffContextBits > 8 ||
    bufferLog2 < 8 ||
    bufferLog2 > 20 ||
    !shiftsKnown ||
    bytes[11] !== 0
  ) {
    throw new DeltaError('DELTA_UNSUPPORTED_VERSION', 'the patch uses parameters this patcher does not know');
  }
  const header: PatchHeader = {
    version,
    profile,
    model,
    bufferLog2,
    workingMemory: view.getUint32(12, true),
    oldSize: view.getUint32(16, true),
    newSize: view.getUint32(20, true),
    payloadSize: view.getUint32(24, true),
    oldSha256: bytes.slice(28, 60),
    newSha256: bytes.slice(60, 92),
    payloadCrc32: view.getUint32(92, true),
  };
  if (header.oldSize > MAX_IMAGE_SIZE || header.newSize > MAX_IMAGE_SIZE) {
    throw new DeltaError('DELTA_CORRUPT', 'the patch header declares an impossible image size');
  }
  return header;
}
