import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc16, crc16MethodFromHeader, createCrc16 } from './crc16.ts';

const check = new TextEncoder().encode('123456789');

describe('CRC-16 of download chunks', () => {
  it('matches the check values of protocols.md §1.9 for each variant', () => {
    assert.equal(crc16('ccitt', check), '906e');
    assert.equal(crc16('mbus', check), '3d48');
    assert.equal(crc16('ibm', check), 'b4c8');
  });

  it('gives the same value fed in pieces as in one go', () => {
    for (const method of ['ccitt', 'mbus', 'ibm'] as const) {
      const crc = createCrc16(method);
      crc.update(check.subarray(0, 4));
      crc.update(check.subarray(4));
      assert.equal(crc.digest(), crc16(method, check));
    }
  });

  it('reads the Crc16-Method header like ThingsPanel', () => {
    assert.equal(crc16MethodFromHeader('CCITT'), 'ccitt');
    assert.equal(crc16MethodFromHeader('modbus'), 'mbus');
    assert.equal(crc16MethodFromHeader(undefined), 'ibm');
    assert.equal(crc16MethodFromHeader('XYZ'), 'ibm');
  });
});
