// Builds the console with Vite when dist/ is missing or older than what it is built from (sources,
// Vite config and its precompression, dependencies). `npm start` runs this first (prestart), and so does the console's
// browser test, so a fresh clone serves the console with no extra step. `--force` always builds.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

const consoleDir = join(import.meta.dirname, '..');
const builtIndex = join(consoleDir, 'dist', 'index.html');
const inputs = [
  join(consoleDir, 'src'),
  join(consoleDir, 'index.html'),
  join(consoleDir, 'vite.config.ts'),
  join(consoleDir, 'scripts', 'precompress.ts'),
  join(consoleDir, 'package.json'),
  join(consoleDir, '..', '..', 'package-lock.json'),
];

function newestMtime(path: string): number {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function builtAt(): number | null {
  try {
    return statSync(builtIndex).mtimeMs;
  } catch {
    return null;
  }
}

const force = process.argv.includes('--force');
const built = builtAt();
const sources = Math.max(...inputs.map(newestMtime));
if (!force && built !== null && built >= sources) {
  process.stdout.write('console: up to date (packages/console/dist)\n');
} else {
  const started = performance.now();
  const why = force ? 'build asked for' : built === null ? 'not built yet' : 'sources changed';
  process.stdout.write(`console: ${why}; building…\n`);
  // A forced build (npm run build:console) shows Vite's report with the chunk sizes.
  await build({ root: consoleDir, logLevel: force ? 'info' : 'warn' });
  process.stdout.write(`console: built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
