// Reads the fixed-size header off the front of a patch stream and hands back what follows it in
// the same chunk, for the input window to start from.

import { DeltaError } from '../delta-error.ts';

export async function readHeaderBytes(
  source: AsyncIterator<Uint8Array>,
  into: Uint8Array,
): Promise<Uint8Array> {
  let filled = 0;
  while (filled < into.length) {
    const next = await source.next();
    if (next.done) throw new DeltaError('DELTA_TRUNCATED', 'the patch ends inside its header');
    const take = Math.min(next.value.length, into.length - filled);
    into.set(next.value.subarray(0, take), filled);
    filled += take;
    if (take < next.value.length) return next.value.subarray(take);
  }
  return new Uint8Array(0);
}
