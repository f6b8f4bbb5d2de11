// Builds the console with Vite when dist/ is missing or older than what it is built from (sources,
// Vite config and its precompression, dependencies). `npm start` runs this first (prestart), and so does the console's
// browser test, so a fresh clone serves the console with no extra step. `--force` always builds.
// One build at a time: the browser test files run two at once, and two builds into one dist/
// clobbered each other's files (CI: a precompressed copy written for a chunk the other build had
// just removed). The later one waits for the lock, then finds dist/ up to date.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'vite';

const consoleDir = join(import.meta.dirname, '..');
const builtIndex = join(consoleDir, 'dist', 'index.html');
const lockFile = join(consoleDir, '.build.lock');
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `work` holding packages/console/.build.lock (its holder's pid; a dead holder's is taken). */
async function withBuildLock(work: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = Number.NaN;
      try {
        holder = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
      } catch {}
      if (Number.isInteger(holder) && !alive(holder)) rmSync(lockFile, { force: true });
      else await sleep(200);
    }
  }
  try {
    await work();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

const force = process.argv.includes('--force');
await withBuildLock(async () => {
  const built = builtAt();
  const sources = Math.max(...inputs.map(newestMtime));
  if (!force && built !== null && built >= sources) {
    process.stdout.write('console: up to date (packages/console/dist)\n');
    return;
  }
  const started = performance.now();
  const why = force ? 'build asked for' : built === null ? 'not built yet' : 'sources changed';
  process.stdout.write(`console: ${why}; building…\n`);
  // A forced build (npm run build:console) shows Vite's report with the chunk sizes.
  await build({ root: consoleDir, logLevel: force ? 'info' : 'warn' });
  process.stdout.write(`console: built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
});
