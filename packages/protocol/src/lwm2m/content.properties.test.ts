// Properties of the LwM2M payload codec: what it encodes it decodes, and on any mutation of a
// valid TLV, SenML (JSON, CBOR), LwM2M JSON or LwM2M CBOR payload, or random bytes in any of
// these formats, it either reads a value or refuses with its one coded error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mutate, mutations } from '../test-support/byte-mutations.ts';
import {
  CborMap,
  type CborValue,
  contentFormats,
  decodeCbor,
  decodeResourceIntegers,
  decodeResourceValue,
  decodeTlv,
  decodeTlvIntegers,
  encodeCbor,
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

/** SenML CBOR labels (RFC 8428 §6): bn -2, n 0, v 2, vs 3, vb 4; other fields keep their text label. */
const senmlLabels: Record<string, number> = { bn: -2, n: 0, v: 2, vs: 3, vb: 4 };

const senmlCborPayload = fc
  .array(
    fc.oneof(
      fc
        .record(
          {
            bn: fc.oneof(fc.constantFrom('/5/0/', '/3/0/', '/5/0/8/'), fc.string({ maxLength: 8 })),
            n: fc.oneof(fc.constantFrom('3', '5', '9', '0'), fc.string({ maxLength: 8 }), fc.integer()),
            v: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 4 }), fc.maxSafeInteger()),
            vs: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
            vb: fc.boolean(),
          },
          { requiredKeys: [] },
        )
        .map((r) => new Map(Object.entries(r).map(([k, v]) => [senmlLabels[k] ?? k, v]))),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    { maxLength: 4 },
  )
  .map(encodeCbor);

const lwm2mJsonPayload = fc
  .record(
    {
      bn: fc.oneof(fc.constantFrom('/5/0/', '/3/0/', '/'), fc.string({ maxLength: 8 }), fc.integer()),
      e: fc.oneof(
        fc.array(
          fc.record(
            {
              n: fc.oneof(fc.constantFrom('3', '5', '9', '8/0'), fc.string({ maxLength: 8 })),
              v: fc.oneof(fc.integer(), fc.double()),
              sv: fc.string({ maxLength: 8 }),
              bv: fc.boolean(),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 4 },
        ),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    },
    { requiredKeys: [] },
  )
  .map((body) => Buffer.from(JSON.stringify(body)));

/** LwM2M CBOR: maps keyed by identifiers or paths, down to values of any SenML type. */
const lwm2mCborValue: fc.Arbitrary<CborValue> = fc.letrec<{ node: CborValue }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null)),
    fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.integer({ min: 0, max: 10 }),
            fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 4 }),
            fc.string({ maxLength: 3 }),
            fc.integer({ min: -5, max: 70_000 }),
          ),
          tie('node'),
        ),
        { maxLength: 3 },
      )
      .map((entries) => new CborMap(entries as [CborValue, CborValue][])),
  ),
})).node;
const lwm2mCborPayload = lwm2mCborValue.map(encodeCbor);

const formats = fc.constantFrom(
  contentFormats.text,
  contentFormats.tlv,
  contentFormats.senmlJson,
  contentFormats.senmlCbor,
  contentFormats.lwm2mJson,
  contentFormats.lwm2mCbor,
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

  it('reads or refuses with its coded error any mutation of a SenML CBOR, LwM2M JSON or LwM2M CBOR payload', () => {
    const payloads = fc.oneof(
      fc.tuple(senmlCborPayload, fc.constant(contentFormats.senmlCbor)),
      fc.tuple(lwm2mJsonPayload, fc.constant(contentFormats.lwm2mJson)),
      fc.tuple(lwm2mCborPayload, fc.constant(contentFormats.lwm2mCbor)),
    );
    fc.assert(
      fc.property(
        payloads,
        fc.option(mutations, { freq: 3 }),
        resourceId,
        formats,
        ([payload, format], steps, id, other) => {
          const input = steps === null ? payload : Buffer.from(mutate(payload, steps));
          readsOrRefuses(() => decodeResourceValue(input, format, id % 16, 'integer'));
          readsOrRefuses(() => decodeResourceValue(input, format, id % 16, 'string'));
          readsOrRefuses(() => decodeResourceIntegers(input, format, id % 16));
          readsOrRefuses(() => decodeResourceValue(input, other, id % 16, 'integer'));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads or refuses with its coded error random bytes in every format', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), formats, resourceId, (bytes, format, id) => {
        const input = Buffer.from(bytes);
        readsOrRefuses(() => decodeCbor(input));
        readsOrRefuses(() => decodeResourceValue(input, format, id % 16, 'integer'));
        readsOrRefuses(() => decodeResourceIntegers(input, format, id % 16));
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes every CBOR value it encodes', () => {
    fc.assert(
      fc.property(lwm2mCborValue, (value) => {
        assert.deepEqual(decodeCbor(encodeCbor(value)), value);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses CBOR nested thousands deep or claiming more items than bytes, with its coded error', () => {
    for (const head of [0x81, 0x9f, 0xa1, 0xc1]) {
      readsOrRefuses(() =>
        decodeResourceValue(Buffer.alloc(100_000, head), contentFormats.senmlCbor, 3, 'integer'),
      );
      readsOrRefuses(() =>
        decodeResourceValue(Buffer.alloc(100_000, head), contentFormats.lwm2mCbor, 3, 'integer'),
      );
    }
    readsOrRefuses(() => decodeCbor(Buffer.from('9bffffffffffffffff', 'hex')));
    readsOrRefuses(() => decodeCbor(Buffer.from('bbffffffffffffffff', 'hex')));
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
