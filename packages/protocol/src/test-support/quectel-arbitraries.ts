// fast-check arbitraries for the Quectel codec's property tests (and the fuzz-style mutations
// that hold its decoders to their one error, with byte-mutations.ts): TTLV trees and frames.
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
