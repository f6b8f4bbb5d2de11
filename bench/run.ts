// `npm run bench -- <name> [--rounds N] [options]`: runs bench/<name>.ts N times (3 by default),
// each round in a process of its own with its baseline measured in that round, and prints each
// round's figures, the spread of every value, the bench's aims checked against the medians, and
// last a `RESULT <name> key=median …` line. One noisy round on this shared machine then does not
// decide a figure. A bench module exports `main(argv)`, which prints `RESULT <name> key=value …`
// as its last line, and may export `aims`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Aims, checkAims, parseResult, summarizeRounds } from './support/rounds.ts';

const here = dirname(fileURLToPath(import.meta.url));
const [name, ...rest] = process.argv.slice(2);
if (!name || !/^[a-z0-9-]+$/.test(name) || !existsSync(join(here, `${name}.ts`))) {
  console.error('usage: npm run bench -- <name> [--rounds N] [options]   (one of the files in bench/)');
  process.exit(2);
}
const bench = (await import(join(here, `${name}.ts`))) as {
  main: (argv: string[]) => Promise<void>;
  aims?: Aims;
};

const roundsAt = rest.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(rest[roundsAt + 1]) : 3;
const argv = roundsAt >= 0 ? rest.filter((_, i) => i !== roundsAt && i !== roundsAt + 1) : rest;
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error('--rounds takes a whole number, 1 or more');
  process.exit(2);
}

if (process.env['UPDRAFT_BENCH_ROUND']) {
  // One round, in this process.
  await bench.main(argv);
} else {
  /** Runs one round as a child process, passing its output through; resolves to its RESULT line. */
  const round = (k: number) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url), name, ...argv], {
        env: { ...process.env, UPDRAFT_BENCH_ROUND: String(k) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let last = '';
      let pending = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text: string) => {
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith('RESULT ')) last = line;
          process.stdout.write(`  [${k}/${rounds}] ${line}\n`);
        }
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (pending.startsWith('RESULT ')) last = pending;
        if (code !== 0) reject(new Error(`round ${k} of ${name} exited with ${code}`));
        else if (!last) reject(new Error(`round ${k} of ${name} printed no RESULT line`));
        else resolve(last);
      });
    });

  const results = [];
  for (let k = 1; k <= rounds; k++) {
    console.log(`${name}: round ${k} of ${rounds}`);
    results.push(parseResult(await round(k)));
  }
  const summary = summarizeRounds(name, results);
  console.log(`spread ${name} ${summary.spread}`);
  for (const line of checkAims(bench.aims ?? {}, summary.values)) console.log(line);
  console.log(summary.result);
}
