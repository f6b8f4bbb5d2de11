// apply(): streams the new image out of an old-image reader and a patch stream; applyBuffer() is the
// in-memory convenience on top. applyVcdiff() does the same for a VCDIFF patch (RFC 3284).

import { type ApplyOptions, applyPatch, type ReadOld } from './internal/apply-patch.ts';
import { decodeVcdiff } from './internal/vcdiff-decoder.ts';

export { isVcdiff } from './internal/vcdiff-decoder.ts';

export type { ApplyOptions, ReadOld };

export type PatchSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | Uint8Array;

function toAsyncIterable(source: PatchSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    return (async function* () {
      yield source;
    })();
  }
  return source as AsyncIterable<Uint8Array>;
}

/** Rebuilds the new image chunk by chunk; throws a DeltaError on a wrong base or a damaged patch. */
export function apply(
  readOld: ReadOld,
  patch: PatchSource,
  options: ApplyOptions = {},
): AsyncGenerator<Uint8Array> {
  return applyPatch(readOld, toAsyncIterable(patch), options);
}

export async function applyBuffer(
  old: Uint8Array,
  patch: Uint8Array,
  options: ApplyOptions = {},
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of apply(
    (offset, length) => old.subarray(offset, offset + length),
    patch,
    options,
  )) {
    chunks.push(chunk);
  }
  return concat(chunks);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    result.set(chunk, at);
    at += chunk.length;
  }
  return result;
}

/**
 * Rebuilds the new image from a VCDIFF patch (the VCDIFF export, or xdelta3 -S none), one target
 * window at a time. The patch is read whole first; VCDIFF carries no hash of the whole image, so
 * the caller checks the result against the sha256 it knows (a delta package's extData).
 */
export async function* applyVcdiff(readOld: ReadOld, patch: PatchSource): AsyncGenerator<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of toAsyncIterable(patch)) chunks.push(chunk);
  yield* decodeVcdiff(readOld, concat(chunks));
}
