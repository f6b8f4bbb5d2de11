// The README's configuration reference is the table `updraft config` prints from the settings
// schema: every setting has its row (variable, file key, default, meaning), and no row names a
// setting that is gone. Padding is free; a failure lists the rows to paste.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { describeSettings } from '@updraft/server';
import { settings } from '../packages/server/src/config/config-schema.ts';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** Table rows whose first cell is a `UPDRAFT_*` variable, as trimmed cells, by variable. */
function rowsByVariable(markdown: string): Map<string, { line: string; cells: string[] }> {
  const rows = new Map<string, { line: string; cells: string[] }>();
  for (const line of markdown.split('\n')) {
    const variable = /^\|\s*`(UPDRAFT_[A-Z0-9_]+)`\s*\|/.exec(line)?.[1];
    if (!variable) continue;
    // Cells split on | that is not escaped (\|), as Markdown does.
    const cells = line
      .trim()
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    rows.set(variable, { line, cells });
  }
  return rows;
}

describe('README configuration table', () => {
  const printed = rowsByVariable(describeSettings());
  const documented = rowsByVariable(readme);

  it('is the table `updraft config` prints, one row per setting', () => {
    assert.equal(printed.size, settings.length, 'one printed row per setting');
    const stale = [...printed].filter(([variable, row]) => {
      const cells = documented.get(variable)?.cells;
      return !cells || cells.join('|') !== row.cells.join('|');
    });
    assert.deepEqual(
      stale.map(([variable]) => variable),
      [],
      `README.md's configuration table lacks these rows or has them differently; paste them from ` +
        `\`node packages/cli/src/main.ts config\`:\n${stale.map(([, row]) => row.line).join('\n')}`,
    );
  });

  it('names no setting the schema does not have', () => {
    const known = new Set<string>(settings.map((s) => s.env));
    assert.deepEqual(
      [...documented.keys()].filter((variable) => !known.has(variable)),
      [],
      'rows in README.md for settings that are gone',
    );
  });

  it('gives every setting its own environment variable and file key', () => {
    assert.equal(new Set(settings.map((s) => s.env)).size, settings.length);
    assert.equal(new Set(settings.map((s) => s.key)).size, settings.length);
    for (const s of settings) assert.match(s.env, /^UPDRAFT_[A-Z0-9_]+$/, s.key);
  });
});
