import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mutate, mutations } from '../test-support/byte-mutations.ts';
import { ttlvTree } from '../test-support/quectel-arbitraries.ts';
import { isQuectelError, type QuectelErrorCode } from './quectel-error.ts';
import { decodeTtlv, encodeTtlv, maxTtlvDepth, type TtlvNode } from './ttlv.ts';
import {
  intOf,
  numberOf,
  stringOf,
  ttlvBool,
  ttlvDecimal,
  ttlvInt,
  ttlvString,
  ttlvStruct,
} from './ttlv-values.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function refusedWith(input: string, code: QuectelErrorCode) {
  assert.throws(
    () => decodeTtlv(Buffer.from(input, 'hex')),
    (e: unknown) => isQuectelError(e) && e.code === code,
    `${input} refused with ${code}`,
  );
}

describe('Quectel TTLV', () => {
  it("reads protocols.md's vector 0042 02 01e240 as id 8, value 123456", () => {
    const [node] = decodeTtlv(Buffer.from('00420201e240', 'hex'));
    assert.deepEqual(node, { id: 8, type: 'number', negative: false, magnitude: 123456n, exponent: 0 });
    assert.equal(intOf(node!, 'x'), 123456);
    assert.equal(hex(encodeTtlv([ttlvInt(8, 123456)])), '00420201e240');
  });

  it('encodes each type as §3.2 lays it out', () => {
    const cases: [TtlvNode, string][] = [
      [ttlvBool(1, false), '0008'],
      [ttlvBool(1, true), '0009'],
      [ttlvInt(13, 2), '006a' + '00' + '02'],
      [ttlvInt(10, -113), '0052' + '80' + '71'],
      [ttlvInt(2, 300_000), '0012' + '02' + '0493e0'],
      [ttlvDecimal(5, -36.6, 1), '002a' + '89' + '016e'],
      [ttlvString(14, 'SUBMITOTA'), '0073' + '0009' + Buffer.from('SUBMITOTA').toString('hex')],
      [ttlvStruct(28, [ttlvStruct(0, [ttlvInt(7, 1)])]), '00e4' + '0001' + '0004' + '0001' + '003a0001'],
      [ttlvInt(0x1fff, 0), 'fffa' + '00' + '00'],
    ];
    for (const [node, expected] of cases) {
      assert.equal(
        hex(encodeTtlv([node])),
        expected,
        JSON.stringify(node, (_, v) => String(v)),
      );
      assert.deepEqual(decodeTtlv(Buffer.from(expected, 'hex')), [node]);
    }
  });

  it('reads numbers with their sign and decimal exponent, and strings as UTF-8', () => {
    assert.equal(numberOf(decodeTtlv(Buffer.from('002a89016e', 'hex'))[0]!, 'x'), -36.6);
    assert.throws(() => intOf(ttlvDecimal(1, 1.5, 1), 'x'), isQuectelError, 'a decimal is no integer');
    assert.equal(stringOf(ttlvString(4, 'EC600N ü'), 'x'), 'EC600N ü');
    assert.throws(() => stringOf({ id: 4, type: 'bytes', value: Uint8Array.of(0xc3) }, 'x'), isQuectelError);
    assert.throws(() => stringOf(ttlvInt(4, 1), 'x'), isQuectelError);
  });

  it('refuses values out of range when encoding', () => {
    const bad: TtlvNode[] = [
      { id: 0x2000, type: 'bool', value: true },
      { id: -1, type: 'bool', value: true },
      { id: 1, type: 'number', negative: false, magnitude: 1n << 64n, exponent: 0 },
      { id: 1, type: 'number', negative: false, magnitude: 1n, exponent: 16 },
      { id: 1, type: 'bytes', value: new Uint8Array(0x10000) },
    ];
    for (const node of bad) assert.throws(() => encodeTtlv([node]), isQuectelError);
    assert.throws(() => ttlvInt(1, 2 ** 53), isQuectelError);
    let deep: TtlvNode = ttlvBool(1, true);
    for (let i = 0; i <= maxTtlvDepth; i++) deep = ttlvStruct(1, [deep]);
    assert.throws(() => encodeTtlv([deep]), isQuectelError);
  });

  it('refuses cut, unknown and too deep input with its codes (the C library refuses the same)', () => {
    for (const cut of ['00', '0042', '004202', '00420201e2', '0043', '004300050102', '0044000100'])
      refusedWith(cut, 'QUECTEL_TRUNCATED');
    for (const type of ['0045', '0046', '0047']) refusedWith(type, 'QUECTEL_TTLV_TYPE');
    refusedWith('00040001'.repeat(maxTtlvDepth + 1) + '0009', 'QUECTEL_TTLV_DEPTH');
    assert.equal(decodeTtlv(Buffer.from('00040001'.repeat(maxTtlvDepth) + '0009', 'hex')).length, 1);
    assert.deepEqual(decodeTtlv(new Uint8Array()), []);
  });

  it('decodes what it encodes, for any tree within the depth limit', () => {
    fc.assert(
      fc.property(ttlvTree(), (tree) => {
        assert.deepEqual(decodeTtlv(encodeTtlv(tree)), tree);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses mutated input with its one error, or decodes it to what re-encodes to the same tree', () => {
    fc.assert(
      fc.property(ttlvTree(), mutations, (tree, steps) => {
        const input = mutate(encodeTtlv(tree), steps);
        try {
          const nodes = decodeTtlv(input);
          assert.deepEqual(decodeTtlv(encodeTtlv(nodes)), nodes);
        } catch (error) {
          assert.ok(isQuectelError(error), `threw ${String(error)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
