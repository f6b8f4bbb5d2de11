// `npm run bench -- <name>`: runs bench/<name>.ts, which prints its figures and ends with one
// `RESULT <name> key=value …` line.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const name = process.argv[2];
const here = dirname(fileURLToPath(import.meta.url));
if (!name || !/^[a-z0-9-]+$/.test(name) || !existsSync(join(here, `${name}.ts`))) {
  console.error('usage: npm run bench -- <name>   (one of the files in bench/)');
  process.exit(2);
}
const bench = (await import(join(here, `${name}.ts`))) as { main: (argv: string[]) => Promise<void> };
await bench.main(process.argv.slice(3));
