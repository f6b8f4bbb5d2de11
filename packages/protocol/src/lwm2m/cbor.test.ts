import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CborMap, decodeCbor, encodeCbor } from './cbor.ts';
import { Lwm2mPayloadError } from './payload-error.ts';

const hex = (h: string) => Buffer.from(h, 'hex');

describe('CBOR (RFC 8949), as SenML and LwM2M CBOR use it', () => {
  it('reads the examples of Appendix A: integers, floats, strings, simple values', () => {
    const cases: [string, unknown][] = [
      ['00', 0],
      ['17', 23],
      ['1818', 24],
      ['190100', 256],
      ['1a000f4240', 1_000_000],
      ['1b000000e8d4a51000', 1_000_000_000_000],
      ['20', -1],
      ['3903e7', -1000],
      ['f93c00', 1],
      ['f97bff', 65504],
      ['f90001', 2 ** -24],
      ['fa47c35000', 100000],
      ['fb3ff199999999999a', 1.1],
      ['f4', false],
      ['f5', true],
      ['f6', null],
      ['6449455446', 'IETF'],
      ['62c3bc', 'ü'],
      ['4401020304', Buffer.of(1, 2, 3, 4)],
      ['c074323031332d30332d32315432303a30343a30305a', '2013-03-21T20:04:00Z'],
    ];
    for (const [data, value] of cases) assert.deepEqual(decodeCbor(hex(data)), value, data);
  });

  it('reads arrays and maps, definite and indefinite, and strings in chunks', () => {
    assert.deepEqual(decodeCbor(hex('8301820203820405')), [1, [2, 3], [4, 5]]);
    assert.deepEqual(decodeCbor(hex('9f018202039f0405ffff')), [1, [2, 3], [4, 5]]);
    assert.deepEqual(
      decodeCbor(hex('a201020304')),
      new CborMap([
        [1, 2],
        [3, 4],
      ]),
    );
    assert.deepEqual(
      decodeCbor(hex('bf61610161629f0203ffff')),
      new CborMap([
        ['a', 1],
        ['b', [2, 3]],
      ]),
    );
    assert.equal(decodeCbor(hex('7f657374726561646d696e67ff')), 'streaming');
    assert.deepEqual(decodeCbor(hex('5f42010243030405ff')), Buffer.of(1, 2, 3, 4, 5));
  });

  it('encodes what it decodes', () => {
    const value = [
      new CborMap([
        [-2, '/5/0/'],
        [0, '3'],
        [2, 2],
      ]),
      'x',
      -70,
      1.5,
      true,
      null,
      Buffer.of(9),
    ];
    assert.deepEqual(decodeCbor(encodeCbor(value)), value);
    assert.deepEqual(decodeCbor(encodeCbor(2 ** 40)), 2 ** 40);
  });

  it('refuses what is not one well-formed data item, with its coded error', () => {
    for (const bad of [
      '', // nothing
      '18', // argument cut short
      '1c', // reserved additional information
      '62c3', // text cut short
      '62c328', // not UTF-8
      '9b00000000ffffffff01', // a count larger than the bytes left
      'ff', // a break outside an indefinite item
      '0000', // a byte after the item
      '5f01ff', // an integer chunk in an indefinite byte string
      '1f', // an indefinite integer
      `${'81'.repeat(17)}00`, // nested 17 deep
    ]) {
      assert.throws(
        () => decodeCbor(hex(bad)),
        (e: unknown) => e instanceof Lwm2mPayloadError && e.code === 'LWM2M_CBOR_INVALID',
        bad,
      );
    }
  });
});
