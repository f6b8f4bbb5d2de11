// The catalogue, its HTTP statuses and docs/errors.md stay in step: every code has a status in
// the one table and a row in the documentation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { errorCodes } from '@updraft/core';
import { deltaErrorCodes } from '@updraft/delta';
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

  it('documents every delta engine code with whether a retry helps', () => {
    const section = doc.slice(doc.indexOf('## Delta engine codes'));
    for (const [code, { retryable }] of Object.entries(deltaErrorCodes)) {
      const row = new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*(yes|no)\\s*\\|`, 'm').exec(section);
      assert.ok(row, `docs/errors.md has no delta engine row for ${code}`);
      assert.equal(row[1] === 'yes', retryable, `${code}: docs/errors.md and delta-error.ts differ`);
    }
  });
});
