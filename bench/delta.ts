// `npm run bench -- delta [pair…]`: Updraft's delta engine (mcu and linux profiles) beside Debian's
// bsdiff, xdelta3 -9 and zstd -19 --long --patch-from on the firmware pairs in
// ../shared/bench-data/delta. Per pair: patch bytes, diff seconds and peak memory, apply seconds.
// External tools are measured with /usr/bin/time -v; Updraft's diff runs in its worker thread while
// this process samples its own RSS (the worker shares it), and its apply reports the patcher's own
// memory accounting. A synthetic 100 MB pair (seeded random bytes with scattered edits and
// insertions) then shows how the diff job scales: its seconds and the process's peak RSS.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyBuffer, createDiffJob } from '@updraft/delta';
import type { Aims } from './support/rounds.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, '..', '..', 'shared', 'bench-data', 'delta');
const outDir = join(here, '.out', 'delta');

interface Row {
  pair: string;
  tool: string;
  bytes: number;
  diffSeconds: number;
  diffPeakMiB: number;
  applySeconds: number;
  applyMemory: string;
}

interface Timed {
  seconds: number;
  peakMiB: number;
}

function runTimed(command: string, args: string[]): Timed {
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr);
  return { seconds, peakMiB: rss ? Number(rss[1]) / 1024 : Number.NaN };
}

function sameFile(a: string, b: string): boolean {
  return readFileSync(a).equals(readFileSync(b));
}

function measureTool(pair: string, oldPath: string, newPath: string, tool: string): Row {
  const patch = join(outDir, `${pair}.${tool}`);
  const rebuilt = `${patch}.new`;
  let diff: Timed;
  let apply: Timed;
  if (tool === 'bsdiff') {
    diff = runTimed('bsdiff', [oldPath, newPath, patch]);
    apply = runTimed('bspatch', [oldPath, rebuilt, patch]);
  } else if (tool === 'xdelta3-9') {
    diff = runTimed('xdelta3', ['-9', '-e', '-f', '-s', oldPath, newPath, patch]);
    apply = runTimed('xdelta3', ['-d', '-f', '-s', oldPath, patch, rebuilt]);
  } else {
    diff = runTimed('zstd', [
      '-q',
      '-f',
      '-19',
      '--long=27',
      `--patch-from=${oldPath}`,
      newPath,
      '-o',
      patch,
    ]);
    apply = runTimed('zstd', [
      '-q',
      '-d',
      '-f',
      '--long=27',
      `--patch-from=${oldPath}`,
      patch,
      '-o',
      rebuilt,
    ]);
  }
  if (!sameFile(rebuilt, newPath)) throw new Error(`${tool} did not rebuild ${pair}`);
  return {
    pair,
    tool,
    bytes: statSync(patch).size,
    diffSeconds: diff.seconds,
    diffPeakMiB: diff.peakMiB,
    applySeconds: apply.seconds,
    applyMemory: `${apply.peakMiB.toFixed(1)} MiB RSS`,
  };
}

async function measureUpdraft(
  pair: string,
  oldPath: string,
  newPath: string,
  profile: 'mcu' | 'linux',
): Promise<Row> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const started = performance.now();
  const result = await createDiffJob(oldPath, newPath, { profile });
  const diffSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const old = new Uint8Array(readFileSync(oldPath));
  const fresh = new Uint8Array(readFileSync(newPath));
  let memory = 0;
  const applyStarted = performance.now();
  const rebuilt = await applyBuffer(old, result.patch, { onMemory: (bytes) => (memory = bytes) });
  const applySeconds = (performance.now() - applyStarted) / 1000;
  if (!Buffer.from(rebuilt).equals(Buffer.from(fresh)))
    throw new Error(`updraft-${profile} did not rebuild ${pair}`);
  return {
    pair,
    tool: `updraft-${profile}${result.worthwhile ? '' : ' (full)'}`,
    bytes: result.patch.length,
    diffSeconds,
    diffPeakMiB: (peak - baseline) / 2 ** 20,
    applySeconds,
    applyMemory: `${(memory / 1024).toFixed(1)} KiB`,
  };
}

const SYNTHETIC = 'synthetic-100m';

/** mulberry32: a seeded generator, so the synthetic pair is the same in every run. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** 100 MB of random bytes, and a new version with 4,000 changed bytes and 400 insertions or deletions. */
function writeSyntheticPair(): { oldPath: string; newPath: string } {
  const random = createRandom(100);
  const old = new Uint8Array(100_000_000);
  const words = new Uint32Array(old.buffer, 0, old.length >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = random();
  const fresh = old.slice();
  for (let i = 0; i < 4000; i++) fresh[random() % fresh.length] = random() & 0xff;
  const cuts = Array.from({ length: 400 }, () => random() % fresh.length).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const [i, cut] of cuts.entries()) {
    pieces.push(fresh.subarray(from, cut));
    const length = 1 + (random() % 256);
    if (i % 2 === 0) {
      pieces.push(new Uint8Array(length).map(() => random() & 0xff));
      from = cut;
    } else {
      from = Math.min(fresh.length, Math.max(from, cut + length));
    }
  }
  pieces.push(fresh.subarray(from));
  const dir = join(outDir, SYNTHETIC);
  mkdirSync(dir, { recursive: true });
  const oldPath = join(dir, 'old.bin');
  const newPath = join(dir, 'new.bin');
  writeFileSync(oldPath, old);
  writeFileSync(newPath, Buffer.concat(pieces));
  return { oldPath, newPath };
}

interface ScaleRun {
  bytes: number;
  seconds: number;
  peakRssMiB: number;
}

/** The diff job on the synthetic pair, as the server runs it: file paths in, a worker thread. */
async function measureSynthetic(): Promise<ScaleRun> {
  const { oldPath, newPath } = writeSyntheticPair();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const started = performance.now();
  const result = await createDiffJob(oldPath, newPath, { profile: 'mcu' });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const rebuilt = await applyBuffer(new Uint8Array(readFileSync(oldPath)), result.patch);
  if (!Buffer.from(rebuilt).equals(readFileSync(newPath)))
    throw new Error(`updraft-mcu did not rebuild ${SYNTHETIC}`);
  return { bytes: result.patch.length, seconds, peakRssMiB: peak / 2 ** 20 };
}

function geometricMean(values: number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

/** Issue 6's aims: patch size relative to bsdiff's, diff time, the mcu patcher's memory. */
export const aims: Aims = {
  mcu_size_vs_bsdiff: { max: 1.0, what: 'mcu patch bytes vs bsdiff, geometric mean' },
  linux_size_vs_bsdiff: { max: 0.93, what: 'linux patch bytes vs bsdiff, geometric mean' },
  diff_time_vs_bsdiff: { max: 0.5, what: 'diff seconds vs bsdiff, geometric mean' },
  mcu_apply_kib: { max: 16, what: 'mcu patcher working memory, KiB' },
};

export async function main(argv: string[]): Promise<void> {
  if (!existsSync(dataDir)) throw new Error(`no bench data at ${dataDir}`);
  let pairs =
    argv.length > 0
      ? argv
      : readdirSync(dataDir)
          .filter((name) => existsSync(join(dataDir, name, 'old.bin')))
          .sort();
  const synthetic = argv.length === 0 || argv.includes(SYNTHETIC);
  pairs = pairs.filter((name) => name !== SYNTHETIC);
  mkdirSync(outDir, { recursive: true });
  const rows: Row[] = [];
  for (const pair of pairs) {
    const oldPath = join(dataDir, pair, 'old.bin');
    const newPath = join(dataDir, pair, 'new.bin');
    for (const tool of ['bsdiff', 'xdelta3-9', 'zstd-19-long'])
      rows.push(measureTool(pair, oldPath, newPath, tool));
    for (const profile of ['mcu', 'linux'] as const)
      rows.push(await measureUpdraft(pair, oldPath, newPath, profile));
    for (const row of rows.filter((r) => r.pair === pair)) {
      process.stdout.write(
        `${row.pair.padEnd(22)} ${row.tool.padEnd(20)} ${String(row.bytes).padStart(10)} B` +
          `  diff ${row.diffSeconds.toFixed(2).padStart(6)} s ${row.diffPeakMiB.toFixed(0).padStart(5)} MiB` +
          `  apply ${row.applySeconds.toFixed(2).padStart(5)} s ${row.applyMemory}\n`,
      );
    }
  }
  const find = (pair: string, prefix: string): Row =>
    rows.find((r) => r.pair === pair && r.tool.startsWith(prefix))!;
  const relative = (prefix: string, pick: (r: Row) => number): number =>
    geometricMean(pairs.map((p) => pick(find(p, prefix)) / pick(find(p, 'bsdiff'))));
  process.stdout.write('\ngeometric mean relative to bsdiff (size, diff time):\n');
  for (const tool of ['xdelta3-9', 'zstd-19-long', 'updraft-mcu', 'updraft-linux']) {
    process.stdout.write(
      `  ${tool.padEnd(14)} size ${relative(tool, (r) => r.bytes).toFixed(3)}  time ${relative(tool, (r) => r.diffSeconds).toFixed(3)}\n`,
    );
  }
  let scale = '';
  if (synthetic) {
    const run = await measureSynthetic();
    process.stdout.write(
      `\n${SYNTHETIC.padEnd(22)} ${'updraft-mcu'.padEnd(20)} ${String(run.bytes).padStart(10)} B` +
        `  diff ${run.seconds.toFixed(2).padStart(6)} s, process peak RSS ${run.peakRssMiB.toFixed(0)} MiB\n`,
    );
    scale = ` synthetic100m_diff_s=${run.seconds.toFixed(2)} synthetic100m_peak_rss_mib=${run.peakRssMiB.toFixed(0)}`;
  }
  const diffTime = Math.sqrt(
    relative('updraft-mcu', (r) => r.diffSeconds) * relative('updraft-linux', (r) => r.diffSeconds),
  );
  const mcuApplyKiB = Math.max(
    ...rows.filter((r) => r.tool.startsWith('updraft-mcu')).map((r) => parseFloat(r.applyMemory)),
  );
  process.stdout.write(
    `RESULT delta mcu_size_vs_bsdiff=${relative('updraft-mcu', (r) => r.bytes).toFixed(3)}` +
      ` linux_size_vs_bsdiff=${relative('updraft-linux', (r) => r.bytes).toFixed(3)}` +
      ` diff_time_vs_bsdiff=${diffTime.toFixed(3)} mcu_apply_kib=${mcuApplyKiB.toFixed(1)}${scale}\n`,
  );
}
