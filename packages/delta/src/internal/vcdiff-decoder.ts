// Decodes VCDIFF (RFC 3284) against an old image: the export of diff({ format: 'vcdiff' }) and
// what xdelta3 writes with `-S none`. Supported: the default code table (§5.6) with its address
// caches (§5.3), windows with VCD_SOURCE, and xdelta3's two extensions (an application header,
// Hdr_Indicator bit 2, and a per-window Adler-32 of the target, Win_Indicator bit 2). Refused as
// DELTA_UNSUPPORTED_VERSION: secondary compression, a custom code table, VCD_TARGET windows.

import { DeltaError } from '../delta-error.ts';
import type { ReadOld } from './apply-patch.ts';

/** §4.1: "V C D" with the high bits set, then version 0. */
export const VCDIFF_MAGIC = [0xd6, 0xc3, 0xc4, 0x00];

const VCD_DECOMPRESS = 0x01;
const VCD_CODETABLE = 0x02;
const VCD_APPHEADER = 0x04; // xdelta3
const VCD_SOURCE = 0x01;
const VCD_TARGET = 0x02;
const VCD_ADLER32 = 0x04; // xdelta3
const NOOP = 0;
const ADD = 1;
const RUN = 2;
const COPY = 3;
const NEAR_SLOTS = 4;
const SAME_SLOTS = 3;

interface CodeEntry {
  type1: number;
  size1: number;
  mode1: number;
  type2: number;
  size2: number;
  mode2: number;
}

/** The default instruction code table, RFC 3284 §5.6. */
function buildDefaultCodeTable(): CodeEntry[] {
  const table: CodeEntry[] = [];
  const single = (type: number, size: number, mode: number) =>
    table.push({ type1: type, size1: size, mode1: mode, type2: NOOP, size2: 0, mode2: 0 });
  const double = (t1: number, s1: number, m1: number, t2: number, s2: number, m2: number) =>
    table.push({ type1: t1, size1: s1, mode1: m1, type2: t2, size2: s2, mode2: m2 });
  single(RUN, 0, 0);
  for (let size = 0; size <= 17; size++) single(ADD, size, 0);
  for (let mode = 0; mode <= 8; mode++) {
    single(COPY, 0, mode);
    for (let size = 4; size <= 18; size++) single(COPY, size, mode);
  }
  for (let mode = 0; mode <= 5; mode++) {
    for (let add = 1; add <= 4; add++)
      for (let copy = 4; copy <= 6; copy++) double(ADD, add, 0, COPY, copy, mode);
  }
  for (let mode = 6; mode <= 8; mode++) for (let add = 1; add <= 4; add++) double(ADD, add, 0, COPY, 4, mode);
  for (let mode = 0; mode <= 8; mode++) double(COPY, 4, mode, ADD, 1, 0);
  return table;
}

const codeTable = buildDefaultCodeTable();

export function isVcdiff(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && VCDIFF_MAGIC.every((b, i) => bytes[i] === b);
}

/** A cursor over one section of the patch; running off its end is a damaged or short patch. */
class Reader {
  private readonly bytes: Uint8Array;
  pos: number;
  private readonly end: number;
  private readonly truncated: boolean;

  constructor(bytes: Uint8Array, pos: number, end: number, truncated: boolean) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
    this.truncated = truncated;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  byte(): number {
    if (this.pos >= this.end) this.overrun();
    return this.bytes[this.pos++]!;
  }

  // §2: base-128 digits, most significant first, high bit set on all but the last.
  integer(): number {
    let value = 0;
    for (let digits = 0; digits < 5; digits++) {
      const b = this.byte();
      value = value * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) {
        if (value > 0x7fffffff) throw new DeltaError('DELTA_CORRUPT', 'a VCDIFF integer is too large');
        return value;
      }
    }
    throw new DeltaError('DELTA_CORRUPT', 'a VCDIFF integer is too long');
  }

  take(length: number): Uint8Array {
    if (length > this.end - this.pos) this.overrun();
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  section(length: number): Reader {
    if (length > this.end - this.pos) this.overrun();
    const reader = new Reader(this.bytes, this.pos, this.pos + length, false);
    this.pos += length;
    return reader;
  }

  private overrun(): never {
    throw this.truncated
      ? new DeltaError('DELTA_TRUNCATED', 'the VCDIFF patch ends early')
      : new DeltaError('DELTA_CORRUPT', 'a VCDIFF section runs past its end');
  }
}

/** Adler-32 (RFC 1950 §9), the checksum xdelta3 puts in each window. */
function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(bytes.length, i + 5552);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Rebuilds the new image window by window from a whole VCDIFF patch in memory. */
export async function* decodeVcdiff(readOld: ReadOld, patch: Uint8Array): AsyncGenerator<Uint8Array> {
  const input = new Reader(patch, 0, patch.length, true);
  for (const b of VCDIFF_MAGIC) {
    if (input.byte() !== b) throw new DeltaError('DELTA_CORRUPT', 'not a VCDIFF patch');
  }
  const header = input.byte();
  if (header & (VCD_DECOMPRESS | VCD_CODETABLE)) {
    throw new DeltaError(
      'DELTA_UNSUPPORTED_VERSION',
      'the VCDIFF patch uses secondary compression or its own code table (make it with xdelta3 -S none)',
    );
  }
  if (header & ~(VCD_DECOMPRESS | VCD_CODETABLE | VCD_APPHEADER)) {
    throw new DeltaError('DELTA_CORRUPT', 'unknown VCDIFF header bits');
  }
  if (header & VCD_APPHEADER) input.take(input.integer());
  // Every encoder writes at least one window (xdelta3 refuses a patch without): none means a cut
  // patch. A cut between two windows cannot be seen here; the caller's sha256 check catches it.
  if (input.done) throw new DeltaError('DELTA_TRUNCATED', 'the VCDIFF patch has no window');

  while (!input.done) {
    const indicator = input.byte();
    if (indicator & VCD_TARGET) {
      throw new DeltaError(
        'DELTA_UNSUPPORTED_VERSION',
        'VCDIFF windows that copy from the target are not supported',
      );
    }
    if (indicator & ~(VCD_SOURCE | VCD_ADLER32))
      throw new DeltaError('DELTA_CORRUPT', 'unknown VCDIFF window bits');
    let source: Uint8Array = new Uint8Array(0);
    if (indicator & VCD_SOURCE) {
      const length = input.integer();
      const position = input.integer();
      source = await readOld(position, length);
      if (source.length < length) {
        throw new DeltaError('DELTA_BASE_MISMATCH', 'the old image is shorter than the VCDIFF patch expects');
      }
      source = source.subarray(0, length);
    }
    const delta = input.section(input.integer());
    const targetLength = delta.integer();
    if (delta.byte() !== 0) {
      throw new DeltaError('DELTA_UNSUPPORTED_VERSION', 'the VCDIFF window uses secondary compression');
    }
    const dataLength = delta.integer();
    const instLength = delta.integer();
    const addrLength = delta.integer();
    let checksum: number | undefined;
    if (indicator & VCD_ADLER32) {
      checksum = ((delta.byte() << 24) | (delta.byte() << 16) | (delta.byte() << 8) | delta.byte()) >>> 0;
    }
    const data = delta.section(dataLength);
    const inst = delta.section(instLength);
    const addr = delta.section(addrLength);
    if (!delta.done) throw new DeltaError('DELTA_CORRUPT', 'bytes follow the VCDIFF sections');

    const target = new Uint8Array(targetLength);
    let at = 0;
    const near = new Int32Array(NEAR_SLOTS);
    const same = new Int32Array(SAME_SLOTS * 256);
    let nextNear = 0;
    // §5.3: decode an address in `mode` relative to `here`, then update both caches.
    const decodeAddress = (here: number, mode: number): number => {
      let address: number;
      if (mode === 0) address = addr.integer();
      else if (mode === 1) address = here - addr.integer();
      else if (mode < 2 + NEAR_SLOTS) address = near[mode - 2]! + addr.integer();
      else address = same[(mode - 2 - NEAR_SLOTS) * 256 + addr.byte()]!;
      near[nextNear] = address;
      nextNear = (nextNear + 1) % NEAR_SLOTS;
      same[address % (SAME_SLOTS * 256)] = address;
      return address;
    };
    const execute = (type: number, size: number, mode: number): void => {
      if (type === NOOP) return;
      if (size === 0) size = inst.integer();
      if (size > targetLength - at)
        throw new DeltaError('DELTA_CORRUPT', 'a VCDIFF instruction overruns its window');
      if (type === ADD) {
        target.set(data.take(size), at);
      } else if (type === RUN) {
        target.fill(data.byte(), at, at + size);
      } else {
        const here = source.length + at;
        const address = decodeAddress(here, mode);
        if (address < 0 || address >= here)
          throw new DeltaError('DELTA_CORRUPT', 'a VCDIFF copy address is out of range');
        for (let k = 0; k < size; k++) {
          const from = address + k;
          // Past the source segment a copy reads the target being built, possibly its own output.
          target[at + k] = from < source.length ? source[from]! : target[from - source.length]!;
        }
      }
      at += size;
    };
    while (!inst.done) {
      const entry = codeTable[inst.byte()]!;
      execute(entry.type1, entry.size1, entry.mode1);
      execute(entry.type2, entry.size2, entry.mode2);
    }
    if (at !== targetLength) throw new DeltaError('DELTA_CORRUPT', 'a VCDIFF window is shorter than it says');
    if (checksum !== undefined && adler32(target) !== checksum) {
      throw new DeltaError('DELTA_OUTPUT_MISMATCH', 'a VCDIFF window does not match its Adler-32');
    }
    yield target;
  }
}
