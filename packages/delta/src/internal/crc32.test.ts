import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { crc32 } from './crc32.ts';

test('crc32 equals zlib crc32, in one piece or continued', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 500 }), fc.nat(), (bytes, cut) => {
      const at = bytes.length === 0 ? 0 : cut % bytes.length;
      assert.equal(crc32(bytes), zlibCrc32(bytes));
      assert.equal(crc32(bytes.subarray(at), crc32(bytes.subarray(0, at))), zlibCrc32(bytes));
    }),
  );
});
