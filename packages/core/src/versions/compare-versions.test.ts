import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareVersions, sortVersions } from './compare-versions.ts';

const versionChars = fc.constantFrom(...'0123456789.-_abAZv'.split(''));
const version = fc.string({ unit: versionChars, minLength: 0, maxLength: 12 });

describe('compareVersions', () => {
  it('orders numeric segments by value, not by text', () => {
    assert.equal(compareVersions('v1.10', 'v1.9'), 1);
    assert.equal(compareVersions('1.2.3', '1.12.0'), -1);
    assert.equal(compareVersions('2', '10'), -1);
  });

  it('compares digit runs longer than a safe integer without losing precision', () => {
    assert.equal(compareVersions('1.99999999999999999999', '1.99999999999999999998'), 1);
  });

  it('sorts a shorter prefix first', () => {
    assert.equal(compareVersions('1.0', '1.0.1'), -1);
    assert.equal(compareVersions('1.0', '1.0-rc1'), -1);
  });

  it('sorts a digit run before a letter run at the same position', () => {
    assert.equal(compareVersions('1.0', 'v1.0'), -1);
  });

  it('breaks a tie on leading zeros by code units so that only equal strings compare equal', () => {
    assert.notEqual(compareVersions('1.01', '1.1'), 0);
    assert.equal(compareVersions('1.01', '1.1'), -compareVersions('1.1', '1.01'));
  });

  it('returns zero for a string compared with itself', () => {
    fc.assert(fc.property(version, (a) => compareVersions(a, a) === 0));
  });

  it('is antisymmetric', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        const ab = compareVersions(a, b);
        assert.equal(ab, -compareVersions(b, a) || 0);
        assert.equal(ab === 0, a === b);
      }),
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(compareVersions) as [string, string, string];
        assert.ok(compareVersions(x, y) <= 0 && compareVersions(y, z) <= 0);
        assert.ok(compareVersions(x, z) <= 0);
      }),
    );
  });

  it('is transitive on every ordered pair of a random triple', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        if (compareVersions(a, b) < 0 && compareVersions(b, c) < 0) assert.equal(compareVersions(a, c), -1);
      }),
    );
  });
});

describe('sortVersions', () => {
  it('returns a sorted copy, lowest first', () => {
    const input = ['v1.10', 'v1.9', 'v1.9.1', 'v1.1'];
    assert.deepEqual(sortVersions(input), ['v1.1', 'v1.9', 'v1.9.1', 'v1.10']);
    assert.deepEqual(input, ['v1.10', 'v1.9', 'v1.9.1', 'v1.1']);
  });
});
