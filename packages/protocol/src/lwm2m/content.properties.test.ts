// Properties of the LwM2M payload codec: what it encodes it decodes, and on any mutation of a
// valid TLV or SenML payload it either reads a value or refuses with its one coded error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mutate, mutations } from '../test-support/byte-mutations.ts';
import {
  contentFormats,
  decodeResourceValue,
  decodeTlv,
  decodeTlvIntegers,
  encodeTlvResource,
  isLwm2mPayloadError,
  lwm2mPayloadErrorCodes,
} from './content.ts';

const resourceId = fc.integer({ min: 0, max: 0xffff });
const value = fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b));

/** A TLV payload: resources, an object instance of resources, a multiple resource of instances. */
const tlvPayload = fc.oneof(
  fc
    .array(fc.tuple(resourceId, value), { maxLength: 4 })
    .map((entries) => Buffer.concat(entries.map(([id, v]) => encodeTlvResource(id, v)))),
  fc
    .tuple(fc.constantFrom(0x00, 0x80), fc.array(fc.tuple(resourceId, value), { maxLength: 4 }))
    .map(([kind, entries]) => {
      const body = Buffer.concat(entries.map(([id, v]) => encodeTlvResource(id, v)));
      const head = Buffer.alloc(5);
      head[0] = kind | 0x18;
      head[1] = 0;
      head.writeUIntBE(body.length, 2, 3);
      return Buffer.concat([head, body]);
    }),
);

const senmlPayload = fc
  .array(
    fc.oneof(
      fc.record(
        {
          bn: fc.oneof(fc.constantFrom('/5/0/', '/3/0/'), fc.string({ maxLength: 8 }), fc.integer()),
          n: fc.oneof(fc.constantFrom('3', '5', '9'), fc.string({ maxLength: 8 }), fc.constant(null)),
          v: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 4 })),
          vs: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    { maxLength: 4 },
  )
  .map((records) => Buffer.from(JSON.stringify(records)));

const formats = fc.constantFrom(
  contentFormats.text,
  contentFormats.tlv,
  contentFormats.senmlJson,
  contentFormats.senmlCbor,
  contentFormats.opaque,
  undefined,
);

/** Runs `read`; a throw must be the codec's error with a code of its catalogue. */
function readsOrRefuses(read: () => unknown): void {
  try {
    read();
  } catch (error) {
    assert.ok(isLwm2mPayloadError(error), `threw ${String(error)}`);
    assert.ok(error.code in lwm2mPayloadErrorCodes, `code ${error.code}`);
  }
}

describe('the LwM2M payload codec on any input', () => {
  it('decodes every resource it encodes, at every length and identifier', () => {
    fc.assert(
      fc.property(resourceId, value, (id, v) => {
        assert.deepEqual(decodeTlv(encodeTlvResource(id, v)), [{ kind: 'resource', id, value: v }]);
      }),
      { numRuns: 500 },
    );
  });

  it('reads or refuses with its coded error any mutation of a TLV payload', () => {
    fc.assert(
      fc.property(tlvPayload, mutations, resourceId, formats, (payload, steps, id, format) => {
        const input = Buffer.from(mutate(payload, steps));
        readsOrRefuses(() => decodeTlv(input));
        readsOrRefuses(() => decodeTlvIntegers(input));
        readsOrRefuses(() => decodeResourceValue(input, contentFormats.tlv, id, 'integer'));
        readsOrRefuses(() => decodeResourceValue(input, format, id % 16, 'string'));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads or refuses with its coded error any mutation of a SenML JSON payload', () => {
    fc.assert(
      fc.property(senmlPayload, fc.option(mutations, { freq: 3 }), resourceId, (payload, steps, id) => {
        const input = steps === null ? payload : Buffer.from(mutate(payload, steps));
        readsOrRefuses(() => decodeResourceValue(input, contentFormats.senmlJson, id % 16, 'integer'));
        readsOrRefuses(() => decodeResourceValue(input, contentFormats.senmlJson, id % 16, 'string'));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses SenML whose records are not objects with its coded error', () => {
    for (const records of ['[null]', '[1,"x",[]]', '[{"bn":{"toString":1},"n":"3","v":2}]']) {
      readsOrRefuses(() => decodeResourceValue(Buffer.from(records), contentFormats.senmlJson, 3, 'integer'));
    }
  });

  it('reads an object instance nested thousands deep without running out of stack', () => {
    let payload = encodeTlvResource(3, Buffer.from('1.0'));
    for (let i = 0; i < 12_000; i++) {
      const head = Buffer.alloc(5);
      head[0] = 0x18;
      head.writeUIntBE(payload.length, 2, 3);
      payload = Buffer.concat([head, payload]);
    }
    readsOrRefuses(() => decodeResourceValue(payload, contentFormats.tlv, 3, 'string'));
  });
});
