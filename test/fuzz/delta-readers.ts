// The delta patch reader and the VCDIFF reader, fed mutated patches: bytes flipped, cut short,
// spliced and padded. Rules: each either rebuilds an image or throws a DeltaError whose code is
// in the catalogue; nothing else escapes, nothing hangs.
import { applyBuffer, applyVcdiff, deltaErrorCodes, diff, isDeltaError } from '@updraft/delta';
import fc from 'fast-check';
import { type FuzzReport, forBudget } from './report.ts';

function imagePair(): { old: Uint8Array; fresh: Uint8Array } {
  const old = new Uint8Array(12 * 1024);
  for (let i = 0; i < old.length; i++) old[i] = (i * 31 + (i >> 5) * 7) & 0xff;
  const fresh = new Uint8Array(13 * 1024);
  fresh.set(old.subarray(0, 6000));
  fresh.set(new TextEncoder().encode('version 2 of the firmware table'), 6000);
  fresh.set(old.subarray(6000, old.length - 1000), 6040);
  for (let i = 100; i < fresh.length; i += 997) fresh[i] = fresh[i]! ^ 0x5a;
  return { old, fresh };
}

function mutation(length: number) {
  return fc.oneof(
    fc
      .array(fc.tuple(fc.nat(length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
      .map((flips) => ({ flips })),
    fc.nat(length).map((cut) => ({ cut })),
    fc
      .tuple(fc.nat(length), fc.uint8Array({ minLength: 1, maxLength: 64 }))
      .map(([at, bytes]) => ({ at, bytes })),
    fc.uint8Array({ minLength: 1, maxLength: 256 }).map((tail) => ({ tail })),
    fc.uint8Array({ maxLength: 512 }).map((whole) => ({ whole })),
  );
}

function mutate(patch: Uint8Array, m: Record<string, unknown>): Uint8Array {
  if ('flips' in m) {
    const copy = patch.slice();
    for (const [at, value] of m['flips'] as [number, number][]) copy[at] = value;
    return copy;
  }
  if ('cut' in m) return patch.slice(0, m['cut'] as number);
  if ('at' in m) {
    const at = m['at'] as number;
    const bytes = m['bytes'] as Uint8Array;
    const out = new Uint8Array(patch.length + bytes.length);
    out.set(patch.subarray(0, at));
    out.set(bytes, at);
    out.set(patch.subarray(at), at + bytes.length);
    return out;
  }
  if ('tail' in m) {
    const tail = m['tail'] as Uint8Array;
    const out = new Uint8Array(patch.length + tail.length);
    out.set(patch);
    out.set(tail, patch.length);
    return out;
  }
  return m['whole'] as Uint8Array;
}

async function rebuildVcdiff(old: Uint8Array, patch: Uint8Array): Promise<number> {
  let size = 0;
  for await (const chunk of applyVcdiff((offset, length) => old.subarray(offset, offset + length), patch))
    size += chunk.length;
  return size;
}

export async function fuzzDeltaReaders(budgetMs: number, report: FuzzReport, seed: number) {
  const { old, fresh } = imagePair();
  const readers = [
    {
      name: 'updraft',
      patch: diff(old, fresh, { profile: 'mcu' }).patch,
      run: (p: Uint8Array) => applyBuffer(old, p),
    },
    {
      name: 'updraft-linux',
      patch: diff(old, fresh, { profile: 'linux' }).patch,
      run: (p: Uint8Array) => applyBuffer(old, p),
    },
    {
      name: 'vcdiff',
      patch: diff(old, fresh, { format: 'vcdiff' }).patch,
      run: (p: Uint8Array) => rebuildVcdiff(old, p),
    },
  ];
  await forBudget('delta', budgetMs, async (batch) => {
    for (const reader of readers) {
      for (const m of fc.sample(mutation(reader.patch.length), { numRuns: 20, seed: seed + batch })) {
        const patch = mutate(reader.patch, m as Record<string, unknown>);
        report.count(`delta.${reader.name}.patches`);
        try {
          await reader.run(patch);
          report.count(`delta.${reader.name}.applied`);
        } catch (error) {
          if (isDeltaError(error) && error.code in deltaErrorCodes)
            report.count(`delta.${reader.name}.refused`);
          else
            report.find(`delta-${reader.name}`, 'an error without a delta code', {
              mutation: m,
              error: String(error),
            });
        }
      }
    }
  });
}
