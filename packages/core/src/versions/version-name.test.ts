import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkVersionName, isVersionName } from './version-name.ts';

describe('version names', () => {
  it('accepts letters, digits, dots, hyphens and underscores', () => {
    assert.equal(isVersionName('V1.2.3-rc_1'), true);
    assert.equal(checkVersionName('V1.2.3-rc_1'), null);
  });

  it('accepts exactly 50 characters and refuses 51', () => {
    assert.equal(checkVersionName('a'.repeat(50)), null);
    assert.equal(checkVersionName('a'.repeat(51)), 'too_long');
  });

  it('refuses an empty string, spaces, other scripts and non-strings', () => {
    assert.equal(checkVersionName(''), 'empty');
    assert.equal(checkVersionName('1 0'), 'invalid_characters');
    assert.equal(checkVersionName('版本1'), 'invalid_characters');
    assert.equal(checkVersionName(10), 'not_a_string');
    assert.equal(isVersionName(null), false);
  });
});
