// The one place the engine touches node:crypto: an incremental SHA-256 (FIPS 180-4). A C port swaps
// this file for its own; STATE_BYTES is what that state costs in the mcu memory budget (8 words of
// state, a 64-byte block buffer, a 64-bit length).

import { createHash } from 'node:crypto';

export const SHA256_STATE_BYTES = 32 + 64 + 8;

export interface Sha256 {
  update(bytes: Uint8Array): void;
  digest(): Uint8Array;
}

export function createSha256(): Sha256 {
  const hash = createHash('sha256');
  return {
    update: (bytes) => {
      hash.update(bytes);
    },
    digest: () => new Uint8Array(hash.digest()),
  };
}

export function hashSha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
