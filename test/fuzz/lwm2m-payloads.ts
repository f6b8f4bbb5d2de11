// LwM2M payloads for the CoAP fuzz target: TLV (11542), SenML JSON (110) and CBOR (112), LwM2M
// JSON (11543) and CBOR (11544), plain
// text and opaque bytes, each valid for a resource, mutated, or random; and the content format
// they are sent with (the right one, another, or one no client uses).
import { CborMap, contentFormats, encodeCbor, encodeTlvResource } from '@updraft/protocol';
import fc from 'fast-check';
import { mutate, mutations } from '../../packages/protocol/src/test-support/byte-mutations.ts';

export interface Lwm2mPayload {
  payload: Buffer;
  /** Undefined: no Content-Format option. */
  contentFormat: number | undefined;
  /** How it was made, for the counts. */
  kind: string;
}

const resourceId = fc.constantFrom(3, 5, 8, 9, 2, 0, 1, 256, 65535);
const integer = fc.oneof(
  fc.integer({ min: -1, max: 12 }),
  fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 2 ** 53, 1e300, 0.5),
);
const scalar = fc.oneof(integer, fc.string({ maxLength: 20 }), fc.boolean(), fc.constant(null));

/** A TLV integer of 1, 2, 4 or 8 bytes, or a length TLV does not allow. */
const tlvInteger = fc
  .tuple(fc.constantFrom(1, 2, 4, 8, 3, 0, 9), fc.integer({ min: -5, max: 300 }))
  .map(([size, n]) => {
    const b = Buffer.alloc(size);
    if (size === 1) b.writeInt8(Math.max(-128, Math.min(127, n)));
    else if (size === 2) b.writeInt16BE(n);
    else if (size === 4) b.writeInt32BE(n);
    else if (size === 8) b.writeBigInt64BE(BigInt(n));
    return b;
  });

/** TLV: a resource, an object instance holding resources, a multiple resource, nested deeply. */
const tlv: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .tuple(resourceId, fc.oneof(tlvInteger, fc.uint8Array({ maxLength: 300 }).map(Buffer.from)))
    .map(([id, value]) => encodeTlvResource(id, value)),
  fc
    .tuple(
      fc.constantFrom(0x08, 0x10, 0x18, 0x00, 0x88, 0x48),
      fc.array(fc.tuple(resourceId, tlvInteger), { maxLength: 4 }),
    )
    .map(([type, inner]) => {
      const body = Buffer.concat(inner.map(([id, v]) => encodeTlvResource(id, v)));
      const lengthType = (type >> 3) & 0x03;
      const head = Buffer.alloc(2 + lengthType);
      head[0] = type | (lengthType === 0 ? Math.min(body.length, 7) : 0);
      head[1] = 0;
      if (lengthType > 0) head.writeUIntBE(body.length, 2, lengthType);
      return Buffer.concat([head, body]);
    }),
  // Object instances inside object instances, far deeper than any client nests them.
  fc.integer({ min: 2, max: 3000 }).map((depth) => {
    let value = encodeTlvResource(3, Buffer.from('1.0'));
    for (let i = 0; i < depth; i++) {
      const head = Buffer.alloc(5);
      head[0] = 0x18;
      head[1] = 0;
      head.writeUIntBE(value.length, 2, 3);
      value = Buffer.concat([head, value]);
    }
    return value;
  }),
);

const senmlRecord = fc.record(
  {
    bn: fc.oneof(fc.constantFrom('/5/0/', '/3/0/', '/', ''), fc.string({ maxLength: 10 })),
    n: fc.oneof(fc.constantFrom('3', '5', '/5/0/3', '9', ''), fc.string({ maxLength: 10 })),
    v: integer,
    vs: fc.string({ maxLength: 20 }),
    vb: fc.boolean(),
    t: integer,
  },
  { requiredKeys: [] },
);

const senmlRecords = fc.array(
  fc.oneof({ weight: 5, arbitrary: senmlRecord }, { weight: 1, arbitrary: scalar }),
  {
    maxLength: 4,
  },
);

/** SenML CBOR labels (RFC 8428 §6): bn -2, n 0, v 2, vs 3, vb 4, t 6. */
const cborLabels: Record<string, number> = { bn: -2, n: 0, v: 2, vs: 3, vb: 4, t: 6 };

function asCborRecords(records: unknown[]): Buffer {
  return encodeCbor(
    records.map((r) =>
      r !== null && typeof r === 'object'
        ? new Map(Object.entries(r).map(([k, v]) => [cborLabels[k] ?? k, v]))
        : r,
    ),
  );
}

/** A payload and the content format it travels with. */
export const lwm2mPayload: fc.Arbitrary<Lwm2mPayload> = fc
  .oneof(
    fc.tuple(
      fc.constant('text'),
      fc.oneof(integer.map(String), fc.string({ maxLength: 40 })).map((s) => Buffer.from(s)),
      fc.constant(contentFormats.text),
    ),
    fc.tuple(fc.constant('tlv'), tlv, fc.constant(contentFormats.tlv)),
    fc.tuple(
      fc.constant('senml-json'),
      senmlRecords.map((r) => Buffer.from(JSON.stringify(r))),
      fc.constant(contentFormats.senmlJson),
    ),
    fc.tuple(
      fc.constant('senml-json'),
      fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v))),
      fc.constant(contentFormats.senmlJson),
    ),
    fc.tuple(
      fc.constant('senml-cbor'),
      senmlRecords.map(asCborRecords),
      fc.constant(contentFormats.senmlCbor),
    ),
    fc.tuple(
      fc.constant('lwm2m-json'),
      senmlRecords.map((e) => Buffer.from(JSON.stringify({ bn: '/5/0/', e }).replaceAll('"vs"', '"sv"'))),
      fc.constant(contentFormats.lwm2mJson),
    ),
    fc.tuple(
      fc.constant('lwm2m-cbor'),
      fc
        .tuple(fc.array(fc.constantFrom(5, 0, 3, 8, 9, 70_000), { maxLength: 4 }), scalar)
        .map(([path, v]) => encodeCbor(new CborMap([[path.length === 1 ? path[0]! : path, v]]))),
      fc.constant(contentFormats.lwm2mCbor),
    ),
    fc.tuple(
      fc.constant('bytes'),
      fc.uint8Array({ maxLength: 200 }).map(Buffer.from),
      fc.constant(contentFormats.opaque),
    ),
  )
  .chain(([kind, payload, format]) =>
    fc.record({
      kind: fc.constant(kind),
      payload: fc.oneof(
        { weight: 2, arbitrary: fc.constant(payload) },
        { weight: 2, arbitrary: mutations.map((steps) => Buffer.from(mutate(payload, steps))) },
      ),
      contentFormat: fc.oneof(
        { weight: 6, arbitrary: fc.constant<number | undefined>(format) },
        {
          weight: 1,
          arbitrary: fc.constantFrom<number | undefined>(
            undefined,
            contentFormats.text,
            contentFormats.tlv,
            contentFormats.senmlJson,
            contentFormats.senmlCbor,
            contentFormats.lwm2mJson,
            contentFormats.lwm2mCbor,
            contentFormats.linkFormat,
            65535,
          ),
        },
      ),
    }),
  );
