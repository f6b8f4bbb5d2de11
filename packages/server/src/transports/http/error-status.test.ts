// The catalogue, its HTTP statuses and docs/errors.md stay in step: every code has a status in
// the one table and a row in the documentation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { errorCodes } from '@updraft/core';
import { httpStatusOf } from './error-status.ts';

const doc = readFileSync(join(import.meta.dirname, '../../../../../docs/errors.md'), 'utf8');

describe('error catalogue', () => {
  it('documents every code with the HTTP status the server answers', () => {
    for (const code of errorCodes) {
      const row = new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*(\\d{3})\\s*\\|`, 'm').exec(doc);
      assert.ok(row, `docs/errors.md has no row for ${code}`);
      assert.equal(Number(row[1]), httpStatusOf[code], `${code}: docs/errors.md and error-status.ts differ`);
    }
  });
});
