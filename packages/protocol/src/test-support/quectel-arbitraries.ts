// fast-check arbitraries for the Quectel codec's property tests (and the fuzz-style mutations
// that hold its decoders to their one error): TTLV trees, frames, and byte-level mutations.
import fc from 'fast-check';
import { maxTtlvDepth, type TtlvNode } from '../quectel/ttlv.ts';

/** Bytes rich in 0xAA and 0x55, the two the frame's stuffing is about. */
export const stuffingBytes = (maxLength: number) =>
  fc
    .uint8Array({ maxLength })
    .chain((plain) =>
      fc
        .array(fc.constantFrom(0xaa, 0x55, 0x00, 0xff), { minLength: plain.length, maxLength: plain.length })
        .chain((special) =>
          fc
            .array(fc.boolean(), { minLength: plain.length, maxLength: plain.length })
            .map((pick) => Uint8Array.from(plain, (b, i) => (pick[i] ? special[i]! : b))),
        ),
    );

/** Records with Object's prototype, as decoders build them. */
const plain = { noNullPrototype: true } as const;

const id = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0x1fff }));

const leaf: fc.Arbitrary<TtlvNode> = fc.oneof(
  fc.record({ id, type: fc.constant('bool' as const), value: fc.boolean() }, plain),
  fc.record(
    {
      id,
      type: fc.constant('number' as const),
      negative: fc.boolean(),
      magnitude: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      exponent: fc.integer({ min: 0, max: 15 }),
    },
    plain,
  ),
  fc.record({ id, type: fc.constant('bytes' as const), value: stuffingBytes(40) }, plain),
);

/** A TTLV tree within the codec's depth limit. */
export function ttlvTree(depth = maxTtlvDepth): fc.Arbitrary<TtlvNode[]> {
  const nodeAt = (level: number): fc.Arbitrary<TtlvNode> =>
    level >= depth
      ? leaf
      : fc.oneof(
          { weight: 3, arbitrary: leaf },
          {
            weight: 1,
            arbitrary: fc.record(
              {
                id,
                type: fc.constant('struct' as const),
                children: fc.array(
                  fc.constant(null).chain(() => nodeAt(level + 1)),
                  { maxLength: 4 },
                ),
              },
              plain,
            ),
          },
        );
  return fc.array(nodeAt(0), { maxLength: 6 });
}

export const frameParts = fc.record({
  packetId: fc.integer({ min: 1, max: 0xfffe }),
  cmd: fc.oneof(
    fc.constantFrom(0x0111, 0x0113, 0x0114, 0x0115, 0xaaaa, 0x55aa),
    fc.integer({ min: 0, max: 0xffff }),
  ),
  payload: stuffingBytes(200),
});

export type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; value: number }
  | { kind: 'delete'; at: number }
  | { kind: 'truncate'; at: number };

const anyIndex = fc.nat(10_000);
const byteValue = fc.oneof(fc.constantFrom(0xaa, 0x55, 0x00, 0xff, 0x07), fc.integer({ min: 0, max: 255 }));

export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: anyIndex, mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('set' as const), at: anyIndex, value: byteValue }),
    fc.record({ kind: fc.constant('insert' as const), at: anyIndex, value: byteValue }),
    fc.record({ kind: fc.constant('delete' as const), at: anyIndex }),
    fc.record({ kind: fc.constant('truncate' as const), at: anyIndex }),
  ),
  { minLength: 1, maxLength: 4 },
);

/** The input with the mutations applied (indices taken modulo its length). */
export function mutate(input: Uint8Array, steps: readonly Mutation[]): Uint8Array {
  const bytes = [...input];
  for (const step of steps) {
    const at = bytes.length === 0 ? 0 : step.at % (bytes.length + (step.kind === 'insert' ? 1 : 0));
    switch (step.kind) {
      case 'flip':
        if (bytes.length > 0) bytes[at] = bytes[at]! ^ step.mask;
        break;
      case 'set':
        if (bytes.length > 0) bytes[at] = step.value;
        break;
      case 'insert':
        bytes.splice(at, 0, step.value);
        break;
      case 'delete':
        bytes.splice(at, 1);
        break;
      case 'truncate':
        bytes.length = at;
        break;
    }
  }
  return Uint8Array.from(bytes);
}
