// Byte-level mutations for the codecs' property tests and the fuzz suite: bytes flipped, set,
// inserted, deleted, and the input cut short. A decoder held to its one coded error must refuse
// every such input with it, or decode it.
import fc from 'fast-check';

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
