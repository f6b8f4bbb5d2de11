// Synthetic image pairs for the C patcher's tests: empty and identical images, incompressible
// literals (raw blocks), firmware-like bytes with edits, insertions, deletions and moved blocks.

/** mulberry32: the same bytes in every run. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export function randomBytes(length: number, seed: number): Uint8Array {
  const random = createRandom(seed);
  return new Uint8Array(length).map(() => random() & 0xff);
}

/** Bytes that look like machine code: repeated instruction-like words with addresses in them. */
export function firmwareLike(length: number, seed: number): Uint8Array {
  const random = createRandom(seed);
  const out = new Uint8Array(length);
  const opcodes = [0x4b, 0x68, 0x2b, 0xd1, 0xf0, 0x00, 0xbd, 0x10, 0x47, 0x70];
  for (let i = 0; i < length; i += 4) {
    const address = 0x08000000 + ((random() % 4096) << 2);
    out[i] = opcodes[random() % opcodes.length]!;
    out[i + 1] = random() % 3 === 0 ? address & 0xff : 0x48;
    out[i + 2] = (address >>> 8) & 0xff;
    out[i + 3] = i % 64 === 0 ? random() & 0xff : 0x08;
  }
  return out;
}

/** A next version: changed bytes, insertions, deletions and a moved block. */
export function nextVersion(old: Uint8Array, seed: number, edits = 200): Uint8Array {
  const random = createRandom(seed);
  const fresh = old.slice();
  for (let i = 0; i < edits; i++) fresh[random() % fresh.length] = random() & 0xff;
  const pieces: Uint8Array[] = [];
  let from = 0;
  const cuts = Array.from({ length: 20 }, () => random() % fresh.length).sort((a, b) => a - b);
  for (const [i, cut] of cuts.entries()) {
    if (cut < from) continue;
    pieces.push(fresh.subarray(from, cut));
    const length = 1 + (random() % 300);
    if (i % 2 === 0) {
      pieces.push(randomBytes(length, seed + i));
      from = cut;
    } else {
      from = Math.min(fresh.length, cut + length);
    }
  }
  pieces.push(fresh.subarray(from));
  // Move the first eighth to the end, so that a copy seeks backwards.
  const joined = Buffer.concat(pieces);
  const eighth = joined.length >>> 3;
  return new Uint8Array(Buffer.concat([joined.subarray(eighth), joined.subarray(0, eighth)]));
}

export interface GeneratedPair {
  name: string;
  old: Uint8Array;
  fresh: Uint8Array;
  profile: 'mcu' | 'linux';
}

export function generatedPairs(): GeneratedPair[] {
  const firmware = firmwareLike(200_000, 1);
  const small = firmwareLike(6_000, 2);
  return [
    { name: 'empty-both', old: new Uint8Array(0), fresh: new Uint8Array(0), profile: 'mcu' },
    { name: 'empty-old', old: new Uint8Array(0), fresh: firmwareLike(10_000, 3), profile: 'mcu' },
    { name: 'empty-new', old: small, fresh: new Uint8Array(0), profile: 'mcu' },
    { name: 'identical', old: firmware, fresh: firmware, profile: 'mcu' },
    { name: 'random-literals', old: randomBytes(10_000, 4), fresh: randomBytes(40_000, 5), profile: 'mcu' },
    { name: 'one-byte', old: small, fresh: new Uint8Array([7]), profile: 'mcu' },
    { name: 'firmware-edits', old: firmware, fresh: nextVersion(firmware, 6), profile: 'mcu' },
    { name: 'firmware-heavy', old: firmware, fresh: nextVersion(firmware, 7, 5000), profile: 'mcu' },
    { name: 'small-edits', old: small, fresh: nextVersion(small, 8, 30), profile: 'mcu' },
    { name: 'firmware-linux', old: firmware, fresh: nextVersion(firmware, 9), profile: 'linux' },
  ];
}
