// No package's source imports around a ring (STYLE.md: leaf modules for what is shared).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findImportCycles } from '../scripts/import-cycles.ts';

const packages = join(import.meta.dirname, '../packages');

describe('import cycles', () => {
  for (const name of readdirSync(packages)) {
    it(`finds none in packages/${name}/src`, () => {
      assert.deepEqual(findImportCycles(join(packages, name, 'src')), []);
    });
  }

  it('finds a ring of three files, type-only imports included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-cycles-'));
    try {
      mkdirSync(join(dir, 'routes'));
      writeFileSync(join(dir, 'app.ts'), "import { a } from './routes/a.ts';\n");
      writeFileSync(join(dir, 'routes/a.ts'), "import type { B } from './b.ts';\nexport const a = 1;\n");
      writeFileSync(
        join(dir, 'routes/b.ts'),
        "import type { App } from '../app.ts';\nexport type B = App;\n",
      );
      writeFileSync(join(dir, 'leaf.ts'), 'export const leaf = 1;\n');
      assert.deepEqual(findImportCycles(dir), [['app.ts', 'routes/a.ts', 'routes/b.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
