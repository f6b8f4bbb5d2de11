// Exports a diff as VCDIFF (RFC 3284) for devices that already carry a VCDIFF decoder. Each cover's
// copy becomes COPYs of its exactly equal stretches and ADDs of the changed bytes; literals become
// ADDs. No secondary compression, the default code table (§5.6) with single instructions only, and
// every address in VCD_SELF mode (§5.3), so the caches never matter to the decoder.

import type { CoverList } from './cover-list.ts';

/** Target window size: well within every decoder's window limit (xdelta3 allows 16 MiB). */
const WINDOW_SIZE = 1 << 20;
/** A COPY costs an instruction, a size and an address; shorter equal stretches are cheaper as ADD. */
const MIN_COPY = 6;
const VCD_SOURCE = 0x01;

class ByteSink {
  bytes = new Uint8Array(1024);
  length = 0;

  push(byte: number): void {
    if (this.length === this.bytes.length) this.grow(1);
    this.bytes[this.length++] = byte;
  }

  pushAll(data: Uint8Array): void {
    if (this.length + data.length > this.bytes.length) this.grow(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  // RFC 3284 §2: base-128 digits, most significant first, high bit set on all but the last.
  pushInteger(value: number): void {
    let digits = 1;
    while (value >= 128 ** digits) digits++;
    for (let d = digits - 1; d >= 0; d--) {
      const digit = Math.floor(value / 128 ** d) % 128;
      this.push(d > 0 ? digit | 0x80 : digit);
    }
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  private grow(extra: number): void {
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }
}

interface WindowOps {
  /** For each instruction: old position of a COPY, or -1 for an ADD of new[start..start+size). */
  source: number[];
  start: number[];
  size: number[];
}

function collectOps(old: Uint8Array, fresh: Uint8Array, covers: CoverList): WindowOps {
  const ops: WindowOps = { source: [], start: [], size: [] };
  const add = (start: number, size: number): void => {
    const last = ops.source.length - 1;
    if (last >= 0 && ops.source[last] === -1 && ops.start[last]! + ops.size[last]! === start) {
      ops.size[last]! += size;
    } else {
      ops.source.push(-1);
      ops.start.push(start);
      ops.size.push(size);
    }
  };
  for (let i = 0; i < covers.count; i++) {
    const newPos = covers.newStart[i]!;
    const oldPos = covers.oldStart[i]!;
    const copyLength = covers.copyLength[i]!;
    for (let k = 0; k < copyLength; ) {
      let e = k;
      while (e < copyLength && fresh[newPos + e] === old[oldPos + e]) e++;
      if (e - k >= MIN_COPY) {
        ops.source.push(oldPos + k);
        ops.start.push(newPos + k);
        ops.size.push(e - k);
      } else if (e > k) {
        add(newPos + k, e - k);
      }
      if (e < copyLength) add(newPos + e, 1);
      k = e + 1;
    }
    if (covers.literalLength[i]! > 0) add(newPos + copyLength, covers.literalLength[i]!);
  }
  return ops;
}

export function encodeVcdiff(old: Uint8Array, fresh: Uint8Array, covers: CoverList): Uint8Array {
  const ops = collectOps(old, fresh, covers);
  const out = new ByteSink();
  out.pushAll(Uint8Array.of(0xd6, 0xc3, 0xc4, 0x00, 0x00)); // §4.1 magic, version 0, no Hdr_Indicator bits
  let op = 0;
  let opOffset = 0; // bytes of ops[op] already placed in earlier windows
  // An empty new image still gets one (empty) window: xdelta3 refuses a file without windows.
  for (let windowStart = 0; windowStart < fresh.length || windowStart === 0; windowStart += WINDOW_SIZE) {
    const windowEnd = Math.min(fresh.length, windowStart + WINDOW_SIZE);
    const pieces: { source: number; start: number; size: number }[] = [];
    while (op < ops.source.length) {
      const start = ops.start[op]! + opOffset;
      const size = Math.min(ops.size[op]! - opOffset, windowEnd - start);
      const source = ops.source[op]!;
      pieces.push({ source: source < 0 ? -1 : source + opOffset, start, size });
      if (opOffset + size === ops.size[op]!) {
        op++;
        opOffset = 0;
      } else {
        opOffset += size;
        break;
      }
    }
    let segmentStart = Number.POSITIVE_INFINITY;
    let segmentEnd = 0;
    for (const piece of pieces) {
      if (piece.source < 0) continue;
      segmentStart = Math.min(segmentStart, piece.source);
      segmentEnd = Math.max(segmentEnd, piece.source + piece.size);
    }
    const data = new ByteSink();
    const inst = new ByteSink();
    const addr = new ByteSink();
    for (const piece of pieces) {
      if (piece.source < 0) {
        // §5.6 default table: code 1 is ADD with its size following, 2..18 are ADD of 1..17 bytes.
        if (piece.size <= 17) inst.push(1 + piece.size);
        else {
          inst.push(1);
          inst.pushInteger(piece.size);
        }
        data.pushAll(fresh.subarray(piece.start, piece.start + piece.size));
      } else {
        // Code 19 is COPY mode 0 with its size following, 20..34 are COPY mode 0 of 4..18 bytes.
        if (piece.size >= 4 && piece.size <= 18) inst.push(19 + piece.size - 3);
        else {
          inst.push(19);
          inst.pushInteger(piece.size);
        }
        addr.pushInteger(piece.source - segmentStart);
      }
    }
    const delta = new ByteSink();
    delta.pushInteger(windowEnd - windowStart);
    delta.push(0); // Delta_Indicator: no secondary compression
    delta.pushInteger(data.length);
    delta.pushInteger(inst.length);
    delta.pushInteger(addr.length);
    delta.pushAll(data.view());
    delta.pushAll(inst.view());
    delta.pushAll(addr.view());
    if (segmentEnd > 0) {
      out.push(VCD_SOURCE);
      out.pushInteger(segmentEnd - segmentStart);
      out.pushInteger(segmentStart);
    } else {
      out.push(0);
    }
    out.pushInteger(delta.length);
    out.pushAll(delta.view());
  }
  return out.view().slice();
}
