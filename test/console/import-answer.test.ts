// The console reads the device import's NDJSON answer into created devices, refused lines and
// the summary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImportAnswer } from '../../packages/console/src/api/import-devices.ts';

describe('console device import answer', () => {
  it('splits created rows, refused rows and the summary', () => {
    const answer = parseImportAnswer(
      '{"line":2,"id":41,"name":"meter-0001","secret":"s1"}\n' +
        '{"line":3,"error":{"code":"VALIDATION_FAILED","message":"bad name"}}\n' +
        '{"summary":{"created":1,"failed":1}}\n',
    );
    assert.deepEqual(answer.created, [{ line: 2, id: 41, name: 'meter-0001', secret: 's1' }]);
    assert.deepEqual(answer.refused, [
      { line: 3, error: { code: 'VALIDATION_FAILED', message: 'bad name' } },
    ]);
    assert.deepEqual(answer.summary, { created: 1, failed: 1 });
  });

  it('keeps the error of a body that broke off', () => {
    const answer = parseImportAnswer(
      '{"summary":{"created":0,"failed":0,"error":{"code":"X","message":"cut"}}}',
    );
    assert.equal(answer.summary.error?.message, 'cut');
  });
});
