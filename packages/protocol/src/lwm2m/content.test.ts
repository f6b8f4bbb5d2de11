import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  contentFormats,
  decodeResourceValue,
  decodeTlv,
  decodeTlvIntegers,
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
  it('refuses a format it does not read', () => {
    assert.throws(
      () => decodeResourceValue(Buffer.from('x'), contentFormats.senmlCbor, 3, 'string'),
      Lwm2mPayloadError,
    );
  });
});
