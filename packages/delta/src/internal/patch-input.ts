// The patcher's input window: a fixed buffer refilled from the patch stream between decode units,
// so that the range decoder itself stays synchronous. It never reads past the declared payload and
// tells a patch that stops early (truncated) from one whose decoder asks for more (corrupt).

import { DeltaError } from '../delta-error.ts';
import { crc32 } from './crc32.ts';

export class PatchInput {
  readonly buffer: Uint8Array;
  pos = 0;
  end = 0;
  private readonly source: AsyncIterator<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private chunkPos = 0;
  private sourceDone = false;
  /** Payload bytes not yet moved into the buffer. */
  private remaining = Number.POSITIVE_INFINITY;
  /** Running CRC-32 of the payload bytes taken in so far. */
  crc = 0;

  constructor(buffer: Uint8Array, source: AsyncIterator<Uint8Array>, pending: Uint8Array) {
    this.buffer = buffer;
    this.source = source;
    this.chunk = pending;
  }

  /** No more payload bytes will arrive. */
  get exhausted(): boolean {
    return this.remaining === 0 || this.sourceDone;
  }

  limitTo(payloadBytes: number): void {
    this.remaining = payloadBytes;
  }

  /** Moves the unread bytes to the front and fills the rest of the buffer. */
  async refill(): Promise<void> {
    this.buffer.copyWithin(0, this.pos, this.end);
    this.end -= this.pos;
    this.pos = 0;
    while (this.end < this.buffer.length && this.remaining > 0) {
      if (this.chunkPos === this.chunk.length) {
        if (this.sourceDone) break;
        const next = await this.source.next();
        if (next.done) {
          this.sourceDone = true;
          break;
        }
        this.chunk = next.value;
        this.chunkPos = 0;
        continue;
      }
      const take = Math.min(this.chunk.length - this.chunkPos, this.buffer.length - this.end, this.remaining);
      const piece = this.chunk.subarray(this.chunkPos, this.chunkPos + take);
      this.buffer.set(piece, this.end);
      this.crc = crc32(piece, this.crc);
      this.chunkPos += take;
      this.end += take;
      this.remaining -= take;
    }
  }

  /** Called by the decoder when it needs a byte the window does not hold. */
  underflow(): never {
    if (this.sourceDone && this.remaining > 0)
      throw new DeltaError('DELTA_TRUNCATED', 'the patch ends early');
    throw new DeltaError('DELTA_CORRUPT', 'the patch payload is damaged (decoder ran past its end)');
  }

  /** After decoding: skips the coder's final bytes and checks that nothing follows the payload. */
  async finish(): Promise<void> {
    while (this.remaining > 0) {
      this.pos = this.end;
      await this.refill();
      if (this.end === 0) break;
    }
    if (this.remaining > 0) throw new DeltaError('DELTA_TRUNCATED', 'the patch ends early');
    if (this.chunkPos < this.chunk.length)
      throw new DeltaError('DELTA_CORRUPT', 'bytes follow the patch payload');
    while (!this.sourceDone) {
      const next = await this.source.next();
      if (next.done) break;
      if (next.value.length > 0) throw new DeltaError('DELTA_CORRUPT', 'bytes follow the patch payload');
    }
  }
}
