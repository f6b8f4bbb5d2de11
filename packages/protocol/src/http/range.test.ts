import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { contentRange, decideRange } from './range.ts';

describe('Range header, RFC 7233 dialect', () => {
  const size = 1000;
  const cases: [string | undefined, ReturnType<typeof decideRange>][] = [
    [undefined, { kind: 'full' }],
    ['bytes=0-99', { kind: 'partial', start: 0, end: 99 }],
    ['bytes=500-', { kind: 'partial', start: 500, end: 999 }],
    ['bytes=-100', { kind: 'partial', start: 900, end: 999 }],
    ['bytes=-5000', { kind: 'partial', start: 0, end: 999 }],
    ['bytes=900-5000', { kind: 'partial', start: 900, end: 999 }],
    ['50500-50999', { kind: 'unsatisfiable' }],
    ['10-19', { kind: 'partial', start: 10, end: 19 }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', { kind: 'full' }],
    ['bytes=9-3', { kind: 'full' }],
    ['items=0-1', { kind: 'full' }],
    ['bytes=abc', { kind: 'full' }],
    ['bytes=01-02', { kind: 'partial', start: 1, end: 2 }],
  ];
  for (const [header, expected] of cases) {
    it(`decides ${JSON.stringify(header)} as ${expected.kind}`, () => {
      assert.deepEqual(decideRange(header, size, 'rfc7233'), expected);
    });
  }

  it('always yields a range inside the file', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.option(fc.nat(20_000)), fc.option(fc.nat(20_000)), (n, a, b) => {
        if (a === null && b === null) return;
        const d = decideRange(`bytes=${a ?? ''}-${b ?? ''}`, n, 'rfc7233');
        if (d.kind === 'partial') assert.ok(d.start >= 0 && d.start <= d.end && d.end < n);
      }),
    );
  });

  it('writes Content-Range for partial and unsatisfiable answers', () => {
    assert.equal(contentRange({ start: 0, end: 99 }, 1000), 'bytes 0-99/1000');
    assert.equal(contentRange(null, 1000), 'bytes */1000');
  });
});

describe('Range header, OneNET dialect', () => {
  const size = 1000;
  it('follows protocols.md §2.4: starts past the end and reversed ranges fall back to 0', () => {
    assert.deepEqual(decideRange('50500-50999', size, 'onenet'), { kind: 'partial', start: 0, end: 999 });
    assert.deepEqual(decideRange('2000-', size, 'onenet'), { kind: 'partial', start: 0, end: 999 });
    assert.deepEqual(decideRange('500-100', size, 'onenet'), { kind: 'partial', start: 0, end: 100 });
    assert.deepEqual(decideRange('10-5000', size, 'onenet'), { kind: 'partial', start: 10, end: 999 });
    assert.deepEqual(decideRange('-100', size, 'onenet'), { kind: 'partial', start: 900, end: 999 });
    assert.deepEqual(decideRange('-5000', size, 'onenet'), { kind: 'full' });
    assert.deepEqual(decideRange('garbage', size, 'onenet'), { kind: 'full' });
    assert.deepEqual(decideRange('bytes=01-02', size, 'onenet'), { kind: 'partial', start: 1, end: 2 });
  });
});
