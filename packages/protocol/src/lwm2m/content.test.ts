import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CborMap,
  contentFormats,
  decodeResourceIntegers,
  decodeResourceValue,
  decodeTlv,
  decodeTlvIntegers,
  encodeCbor,
  encodeTlvResource,
  Lwm2mPayloadError,
} from './content.ts';

describe('LwM2M TLV (§7.4.3)', () => {
  it('reads a resource with a 3-bit length, one with an 8-bit length and a 16-bit identifier', () => {
    // 0xC3: resource, 8-bit id, length 3 in the type byte; 0xE8: resource, 16-bit id, 8-bit length.
    const data = Buffer.concat([
      Buffer.from([0xc3, 3]),
      Buffer.from('1.0'),
      Buffer.from([0xe8, 0x01, 0x00, 2]),
      Buffer.from('ok'),
    ]);
    assert.deepEqual(decodeTlv(data), [
      { kind: 'resource', id: 3, value: Buffer.from('1.0') },
      { kind: 'resource', id: 256, value: Buffer.from('ok') },
    ]);
  });
  it('encodes what it decodes, at every length type', () => {
    for (const size of [0, 7, 8, 255, 256, 70_000]) {
      const value = Buffer.alloc(size, 7);
      assert.deepEqual(decodeTlv(encodeTlvResource(300, value)), [{ kind: 'resource', id: 300, value }]);
    }
  });
  it('reads the instances of a multiple resource (/5/0/8) as integers', () => {
    const body = Buffer.from([0x41, 0, 0, 0x41, 1, 2]);
    assert.deepEqual(decodeTlvIntegers(Buffer.concat([Buffer.from([0x88, 8, body.length]), body])), [0, 2]);
  });
  it('refuses an entry longer than the payload', () => {
    assert.throws(() => decodeTlv(Buffer.from([0xc5, 3, 0x31])), Lwm2mPayloadError);
    assert.throws(() => decodeTlv(Buffer.from([0xc8])), Lwm2mPayloadError);
  });
});

describe('a single resource value in each content format', () => {
  it('plain text: a string, an integer', () => {
    assert.equal(decodeResourceValue(Buffer.from('2.0'), contentFormats.text, 3, 'string'), '2.0');
    assert.equal(decodeResourceValue(Buffer.from('2'), undefined, 3, 'integer'), 2);
    assert.throws(
      () => decodeResourceValue(Buffer.from('two'), contentFormats.text, 3, 'integer'),
      Lwm2mPayloadError,
    );
  });
  it('TLV: the resource inside an object instance too, integers of 1, 2, 4 and 8 bytes', () => {
    const inner = encodeTlvResource(3, Buffer.from('1.5'));
    const instance = Buffer.concat([Buffer.from([0x08, 0, inner.length]), inner]);
    assert.equal(decodeResourceValue(instance, contentFormats.tlv, 3, 'string'), '1.5');
    for (const bytes of [
      Buffer.from([2]),
      Buffer.from([0, 2]),
      Buffer.from([0, 0, 0, 2]),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 2]),
    ]) {
      assert.equal(decodeResourceValue(encodeTlvResource(5, bytes), contentFormats.tlv, 5, 'integer'), 2);
    }
  });
  it('SenML JSON: the record of the resource', () => {
    const senml = Buffer.from(JSON.stringify([{ bn: '/5/0/', n: '3', v: 2 }]));
    assert.equal(decodeResourceValue(senml, contentFormats.senmlJson, 3, 'integer'), 2);
    const version = Buffer.from(JSON.stringify([{ n: '/3/0/3', vs: '2.0' }]));
    assert.equal(decodeResourceValue(version, contentFormats.senmlJson, 3, 'string'), '2.0');
    assert.throws(
      () => decodeResourceValue(Buffer.from('[{'), contentFormats.senmlJson, 3, 'string'),
      Lwm2mPayloadError,
    );
  });
  it('SenML JSON: a base name applies to the records after it (RFC 8428 §4.5.1)', () => {
    const senml = Buffer.from(
      JSON.stringify([
        { bn: '/3/0/', n: '3', vs: '1.0' },
        { n: '9', v: 87 },
      ]),
    );
    assert.equal(decodeResourceValue(senml, contentFormats.senmlJson, 9, 'integer'), 87);
  });
  it('SenML CBOR: integer labels (RFC 8428 §6), a value read by its own path', () => {
    const read = encodeCbor([
      new Map<number, unknown>([
        [-2, '/3/0/3'],
        [3, '2.1'],
      ]),
    ]);
    assert.equal(decodeResourceValue(read, contentFormats.senmlCbor, 3, 'string'), '2.1');
    const instance = encodeCbor([
      new Map<number, unknown>([
        [-2, '/5/0/'],
        [0, '3'],
        [2, 2],
      ]),
      new Map<number, unknown>([
        [0, '5'],
        [2, 0],
      ]),
    ]);
    assert.equal(decodeResourceValue(instance, contentFormats.senmlCbor, 3, 'integer'), 2);
    assert.equal(decodeResourceValue(instance, contentFormats.senmlCbor, 5, 'integer'), 0);
    assert.throws(
      () => decodeResourceValue(encodeCbor({ n: '3' }), contentFormats.senmlCbor, 3, 'integer'),
      (e: unknown) => e instanceof Lwm2mPayloadError && e.code === 'LWM2M_SENML_INVALID',
    );
  });
  it('LwM2M JSON (11543): the entry of the resource under the base name', () => {
    const json = Buffer.from(
      JSON.stringify({
        bn: '/3/0/',
        e: [
          { n: '3', sv: '1.4' },
          { n: '9', v: 55 },
        ],
      }),
    );
    assert.equal(decodeResourceValue(json, contentFormats.lwm2mJson, 3, 'string'), '1.4');
    assert.equal(decodeResourceValue(json, contentFormats.lwm2mJson, 9, 'integer'), 55);
    assert.throws(
      () => decodeResourceValue(Buffer.from('{"bn":"/5/0/3"}'), contentFormats.lwm2mJson, 3, 'integer'),
      (e: unknown) => e instanceof Lwm2mPayloadError && e.code === 'LWM2M_JSON_INVALID',
    );
  });
  it('LwM2M CBOR (11544, 1.2): nested identifiers or a path as the key', () => {
    const nested = encodeCbor(
      new Map([
        [
          3,
          new Map([
            [
              0,
              new Map<number, unknown>([
                [3, '3.0'],
                [9, 40],
              ]),
            ],
          ]),
        ],
      ]),
    );
    assert.equal(decodeResourceValue(nested, contentFormats.lwm2mCbor, 3, 'string'), '3.0');
    assert.equal(decodeResourceValue(nested, contentFormats.lwm2mCbor, 9, 'integer'), 40);
    const path = encodeCbor(new CborMap([[[5, 0, 5], 11]]));
    assert.equal(decodeResourceValue(path, contentFormats.lwm2mCbor, 5, 'integer'), 11);
    assert.throws(
      () => decodeResourceValue(path, contentFormats.lwm2mCbor, 3, 'integer'),
      (e: unknown) => e instanceof Lwm2mPayloadError && e.code === 'LWM2M_VALUE_MISSING',
    );
  });
  it('the instances of a multiple resource (/5/0/8) in TLV, SenML and LwM2M CBOR', () => {
    const senml = Buffer.from(
      JSON.stringify([
        { bn: '/5/0/8/', n: '0', v: 0 },
        { n: '1', v: 2 },
      ]),
    );
    assert.deepEqual(decodeResourceIntegers(senml, contentFormats.senmlJson, 8), [0, 2]);
    const cbor = encodeCbor(
      new CborMap([
        [
          [5, 0, 8],
          new CborMap([
            [0, 1],
            [1, 3],
          ]),
        ],
      ]),
    );
    assert.deepEqual(decodeResourceIntegers(cbor, contentFormats.lwm2mCbor, 8), [1, 3]);
    assert.deepEqual(decodeResourceIntegers(Buffer.from('2'), contentFormats.text, 8), [2]);
  });
  it('refuses a format it does not read', () => {
    assert.throws(
      () => decodeResourceValue(Buffer.from('x'), contentFormats.opaque, 3, 'string'),
      (e: unknown) => e instanceof Lwm2mPayloadError && e.code === 'LWM2M_FORMAT_UNSUPPORTED',
    );
  });
});
