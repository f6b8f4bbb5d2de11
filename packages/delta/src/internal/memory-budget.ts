// The patcher's own accounting of its working memory. Every buffer and table it keeps for the
// length of an apply is allocated here, so the bound a header states (and the 16 KiB an mcu patch
// promises) is checked by the code that spends it, not estimated beside it.

import { DeltaError } from '../delta-error.ts';

export class MemoryBudget {
  readonly limit: number;
  used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Records `bytes` of fixed state (counters, hash state) that is not a typed array here. */
  reserve(bytes: number, what: string): void {
    if (this.used + bytes > this.limit) {
      throw new DeltaError(
        'DELTA_MEMORY_LIMIT',
        `applying needs more than ${this.limit} bytes of working memory (at ${what})`,
      );
    }
    this.used += bytes;
  }

  bytes(length: number, what: string): Uint8Array {
    this.reserve(length, what);
    return new Uint8Array(length);
  }

  words(length: number, what: string): Uint16Array {
    this.reserve(length * 2, what);
    return new Uint16Array(length);
  }
}
