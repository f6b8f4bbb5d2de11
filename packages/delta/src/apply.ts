// apply(): streams the new image out of an old-image reader and a patch stream; applyBuffer() is the
// in-memory convenience on top.

import { type ApplyOptions, applyPatch, type ReadOld } from './internal/apply-patch.ts';

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
  let total = 0;
  for await (const chunk of apply(
    (offset, length) => old.subarray(offset, offset + length),
    patch,
    options,
  )) {
    chunks.push(chunk);
    total += chunk.length;
  }
  const result = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    result.set(chunk, at);
    at += chunk.length;
  }
  return result;
}
