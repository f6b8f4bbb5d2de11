// Adaptive binary range coder: the one of LZMA (lzma-specification.txt in the LZMA SDK, "The range
// decoder"), with 11-bit probabilities. docs/delta-format.md §5 gives the exact arithmetic. The
// changes: the encoder drops LZMA's first output byte, which is always zero, and the adaptation
// shift is chosen per decision (per probability group, fixed by the patch header).

export const PROB_BITS = 11;
export const PROB_ONE = 1 << PROB_BITS;
export const PROB_INIT = PROB_ONE >>> 1;
/** Default adaptation speed: a probability moves 1/2^shift of the way towards each coded bit. */
export const MOVE_BITS = 4;
const TOP = 1 << 24;

export class RangeEncoder {
  private low = 0;
  private range = 0xffffffff;
  private cache = 0;
  private cacheSize = 1;
  private first = true;
  private out: Uint8Array;
  private pos = 0;

  constructor(capacity = 1 << 16) {
    this.out = new Uint8Array(capacity);
  }

  encodeBit(probs: Uint16Array, index: number, bit: number, shift = MOVE_BITS): void {
    const p = probs[index]!;
    const bound = (this.range >>> PROB_BITS) * p;
    if (bit === 0) {
      this.range = bound;
      probs[index] = p + ((PROB_ONE - p) >>> shift);
    } else {
      this.low += bound;
      this.range -= bound;
      probs[index] = p - (p >>> shift);
    }
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.shiftLow();
    }
  }

  /** Writes the low `count` bits of `value`, most significant first, each with probability 1/2. */
  encodeDirect(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      this.range >>>= 1;
      if ((value >>> i) & 1) this.low += this.range;
      while (this.range < TOP) {
        this.range = (this.range * 256) >>> 0;
        this.shiftLow();
      }
    }
  }

  /** Flushes the coder and returns the coded bytes. */
  finish(): Uint8Array {
    for (let i = 0; i < 5; i++) this.shiftLow();
    return this.out.subarray(0, this.pos);
  }

  private shiftLow(): void {
    // low < 2^33; a value of 2^32 or more carries into the bytes still held back in the cache.
    if (this.low < 0xff000000 || this.low >= 0x100000000) {
      const carry = this.low >= 0x100000000 ? 1 : 0;
      let temp = this.cache;
      do {
        this.writeByte((temp + carry) & 0xff);
        temp = 0xff;
      } while (--this.cacheSize !== 0);
      this.cache = Math.floor(this.low / TOP) & 0xff;
    }
    this.cacheSize++;
    this.low = (this.low % TOP) * 256;
  }

  private writeByte(byte: number): void {
    if (this.first) {
      this.first = false;
      return;
    }
    if (this.pos === this.out.length) {
      const bigger = new Uint8Array(this.out.length * 2);
      bigger.set(this.out);
      this.out = bigger;
    }
    this.out[this.pos++] = byte;
  }
}

/** Bytes the decoder reads; its owner refills it between decode units. */
export interface ByteWindow {
  readonly buffer: Uint8Array;
  pos: number;
  end: number;
  /** Called when the window is empty: returns a byte or throws. */
  underflow(): number;
}

/** The matching decoder; each decision reads at most two bytes (docs/delta-format.md §5). */
export class RangeDecoder {
  private range = 0xffffffff;
  private code = 0;
  private readonly window: ByteWindow;

  constructor(window: ByteWindow) {
    this.window = window;
  }

  /** Reads the 4 bytes that start the code value. */
  start(): void {
    for (let i = 0; i < 4; i++) this.code = ((this.code * 256) >>> 0) + this.readByte();
  }

  decodeBit(probs: Uint16Array, index: number, shift = MOVE_BITS): number {
    const p = probs[index]!;
    const bound = (this.range >>> PROB_BITS) * p;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[index] = p + ((PROB_ONE - p) >>> shift);
      bit = 0;
    } else {
      this.code -= bound;
      this.range -= bound;
      probs[index] = p - (p >>> shift);
      bit = 1;
    }
    // With a shift below 4 a probability can fall under 16, and the range can then shrink by more
    // than 2^8 in one decision: normalise until it is back at 2^24 or more.
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.code = ((this.code * 256) >>> 0) + this.readByte();
    }
    return bit;
  }

  decodeDirect(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      this.range >>>= 1;
      let bit = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        bit = 1;
      }
      value = (value << 1) | bit;
      if (this.range < TOP) {
        this.range = (this.range * 256) >>> 0;
        this.code = ((this.code * 256) >>> 0) + this.readByte();
      }
    }
    return value >>> 0;
  }

  private readByte(): number {
    const w = this.window;
    return w.pos < w.end ? w.buffer[w.pos++]! : w.underflow();
  }
}
