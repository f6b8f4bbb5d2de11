// Runs the two libFuzzer targets for a bounded time on the committed corpus plus a scratch folder,
// and reports what they did. The test (fuzz.test.ts) runs each for UPDRAFT_FUZZ_SECONDS (30);
// `npm run fuzz:c -- 600` runs longer, and `npm run fuzz:c -- 600 --keep` merges the new inputs
// into the committed corpus (libFuzzer -merge=1 keeps only those that add coverage).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDir, deviceDir } from '../test/support/paths.ts';

export interface FuzzRun {
  target: string;
  seconds: number;
  execs: number;
  newUnits: number;
  corpusFiles: number;
  crashed: boolean;
  output: string;
}

export function runFuzzer(target: 'patch' | 'protocol', seconds: number, keep = false): FuzzRun {
  const binary = join(buildDir, 'fuzz', `fuzz-${target}`);
  const corpus = join(deviceDir, 'fuzz', 'corpus', target);
  const scratch = mkdtempSync(join(tmpdir(), `updraft-fuzz-${target}-`));
  const artifacts = join(buildDir, 'fuzz', 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const started = performance.now();
  const run = spawnSync(
    binary,
    [
      `-max_total_time=${seconds}`,
      '-print_final_stats=1',
      '-timeout=10',
      '-rss_limit_mb=2048',
      `-artifact_prefix=${artifacts}/`,
      scratch,
      corpus,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } },
  );
  const elapsed = (performance.now() - started) / 1000;
  const output = `${run.stdout}${run.stderr}`;
  const stat = (name: string): number =>
    Number(new RegExp(`stat::${name}:\\s+(\\d+)`).exec(output)?.[1] ?? Number.NaN);
  if (keep) {
    spawnSync(binary, ['-merge=1', corpus, scratch], { stdio: 'ignore' });
  }
  const result: FuzzRun = {
    target,
    seconds: elapsed,
    execs: stat('number_of_executed_units'),
    newUnits: stat('new_units_added'),
    corpusFiles: readdirSync(corpus).length,
    crashed: run.status !== 0,
    output: output.slice(-4000),
  };
  rmSync(scratch, { recursive: true, force: true });
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.argv[2] ?? 300);
  const keep = process.argv.includes('--keep');
  for (const target of ['patch', 'protocol'] as const) {
    const r = runFuzzer(target, seconds, keep);
    process.stdout.write(
      `fuzz-${target}: ${r.execs} execs in ${r.seconds.toFixed(0)} s, ${r.newUnits} new units, corpus ${r.corpusFiles} files${r.crashed ? ', CRASHED' : ''}\n`,
    );
    if (r.crashed) {
      process.stdout.write(r.output);
      process.exitCode = 1;
    }
  }
}
