// Damaged patches for the error-code comparison: flipped payload bytes, header fields changed with
// the header CRC fixed (so the field checks are reached) or left stale, cuts and extra bytes.

import { crc32 } from '../../../packages/delta/src/internal/crc32.ts';
import { createRandom } from './images.ts';

export interface Mutation {
  label: string;
  patch: Uint8Array;
}

function fixHeaderCrc(patch: Uint8Array): Uint8Array {
  const view = new DataView(patch.buffer, patch.byteOffset, patch.length);
  view.setUint32(96, crc32(patch.subarray(0, 96)), true);
  return patch;
}

export function mutate(patch: Uint8Array, seed: number, count: number): Mutation[] {
  const random = createRandom(seed);
  const out: Mutation[] = [];
  const headerFields = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 19, 20, 23, 24, 27, 28, 60, 92];
  for (let i = 0; i < count; i++) {
    const kind = i % 6;
    const copy = patch.slice();
    if (kind === 0 || kind === 1) {
      // One to three bytes of the payload changed.
      if (copy.length <= 100) continue;
      for (let k = 0; k <= random() % 3; k++) {
        const at = 100 + (random() % (copy.length - 100));
        copy[at] = copy[at]! ^ (1 + (random() % 255));
      }
      out.push({ label: `payload-${i}`, patch: copy });
    } else if (kind === 2) {
      const at = headerFields[random() % headerFields.length]!;
      copy[at] = random() % 4 === 0 ? copy[at]! ^ 0x80 : random() & 0x1f;
      out.push({ label: `header-field-${at}-${i}`, patch: fixHeaderCrc(copy) });
    } else if (kind === 3) {
      const at = random() % 100;
      copy[at] = copy[at]! ^ (1 << (random() % 8));
      out.push({ label: `header-stale-crc-${i}`, patch: copy });
    } else if (kind === 4) {
      out.push({ label: `cut-${i}`, patch: copy.subarray(0, random() % copy.length) });
    } else {
      const extra = new Uint8Array(1 + (random() % 4)).fill(random() & 0xff);
      out.push({ label: `extra-${i}`, patch: new Uint8Array(Buffer.concat([copy, extra])) });
    }
  }
  return out;
}
