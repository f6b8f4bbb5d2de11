// Finds import cycles among a folder's TypeScript files (tests left out): every strongly
// connected group of two or more files that import each other, directly or around a ring, by
// relative specifiers (type-only imports included: a cycle of types is a cycle of concepts).
// `node scripts/import-cycles.ts packages/server/src` prints them; test/import-cycles.test.ts
// keeps every package free of them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

function sourcesOf(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    if (name === 'node_modules') continue;
    const path = join(root, name);
    if (statSync(path).isDirectory()) out.push(...sourcesOf(path));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

/** The cycles under `root`, each as paths relative to it. */
export function findImportCycles(root: string): string[][] {
  const files = sourcesOf(resolve(root));
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)]
      .map((match) => resolve(dirname(file), match[1]!))
      .filter((target) => known.has(target));
    edges.set(file, targets);
  }
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(relative(root, member));
    } while (member !== file);
    if (group.length > 1) cycles.push(group.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles;
}

if (import.meta.main) {
  const root = process.argv[2] ?? 'packages/server/src';
  const cycles = findImportCycles(root);
  for (const cycle of cycles) console.log(`cycle: ${cycle.join(' <-> ')}`);
  console.log(`${cycles.length} import cycles under ${root}`);
  process.exitCode = cycles.length > 0 ? 1 : 0;
}
