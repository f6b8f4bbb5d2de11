// `npm run bench -- device-c [--runs N]`: the C device library (device-c/) beside the TypeScript
// patcher, in the same run on the same patches (the mcu profile, made by the TypeScript diff from
// the pairs of ../shared/bench-data/delta):
//   thumb_code_bytes  flash of the patcher (patch, SHA-256, CRC-32) built -Os -mthumb -mcpu=cortex-m3,
//                     from the link map of a --gc-sections probe (newlib's memcpy/memset left out)
//   ram_bytes         all of its RAM: static data, the painted peak stack on QEMU's mps2-an385,
//                     the patcher struct and the caller's work buffer
//   host_apply_mb_s   new-image megabytes a second of the C patcher on this machine (gcc -O2), the
//                     geometric mean over the pairs of each pair's median run
//   vs_ts             the same mean of (C speed / TypeScript applyBuffer speed), pair by pair
//   vs_ts_sha_ni      the same with the C library's SHA-256 on the x86 SHA extensions (through its
//                     UPDRAFT_SHA256_BLOCKS hook), as node:crypto's OpenSSL uses them for the
//                     TypeScript patcher; left out on a CPU without them
// Each pair runs `--runs` times (5) for each patcher; the spread is min..max over those runs.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { applyBuffer } from '@updraft/delta';
import { measurePart } from '../device-c/test/support/arm-size.ts';
import { make } from '../device-c/test/support/build.ts';
import { makeFixtures } from '../device-c/test/support/fixtures.ts';
import { runOnQemu } from '../device-c/test/support/qemu.ts';
import { runTool } from '../device-c/test/support/run.ts';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const geometricMean = (values: number[]): number =>
  Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);

async function tsSpeed(old: Uint8Array, patch: Uint8Array, newSize: number): Promise<number> {
  const started = performance.now();
  await applyBuffer(old, patch);
  return newSize / ((performance.now() - started) / 1000) / 1e6;
}

export async function main(argv: string[]): Promise<void> {
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 5;
  const shaNi = existsSync('/proc/cpuinfo') && /\bsha_ni\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  make('all', 'cortex-m', ...(shaNi ? ['build/patch-tool-shani'] : []));
  const fixtures = await makeFixtures();
  const pairs = fixtures.pairs.filter((p) => p.kind === 'bench');
  if (pairs.length === 0)
    throw new Error('no bench pairs: set UPDRAFT_BENCH_DATA or put shared/ beside the clone');

  const rows: { name: string; c: number[]; ts: number[]; ni: number[] }[] = [];
  for (const pair of pairs) {
    const old = new Uint8Array(readFileSync(pair.old));
    const patch = new Uint8Array(readFileSync(pair.patch));
    // About half a second per C run; the TypeScript patcher is warmed up once first.
    const repeat = Math.max(1, Math.round(5e6 / Math.max(pair.newSize, 1)));
    await tsSpeed(old, patch, pair.newSize);
    const row = { name: pair.name, c: [] as number[], ts: [] as number[], ni: [] as number[] };
    const cSpeed = (tool: string): number =>
      Number(runTool(tool, ['bench', pair.old, pair.patch, String(repeat)]).split(' ')[0]);
    for (let i = 0; i < runs; i++) {
      row.c.push(cSpeed('patch-tool'));
      row.ts.push(await tsSpeed(old, patch, pair.newSize));
      if (shaNi) row.ni.push(cSpeed('patch-tool-shani'));
    }
    rows.push(row);
    const ratios = row.c.map((c, i) => c / row.ts[i]!);
    process.stdout.write(
      `${pair.name.padEnd(22)} C ${median(row.c).toFixed(1).padStart(6)} MB/s (${Math.min(...row.c).toFixed(1)}..${Math.max(...row.c).toFixed(1)})` +
        `  TS ${median(row.ts).toFixed(1).padStart(6)} MB/s (${Math.min(...row.ts).toFixed(1)}..${Math.max(...row.ts).toFixed(1)})` +
        `  C/TS ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)})` +
        (shaNi
          ? `  C+SHA-NI ${median(row.ni).toFixed(1)} MB/s, /TS ${(median(row.ni) / median(row.ts)).toFixed(2)}`
          : '') +
        '\n',
    );
  }

  const code = measurePart('patch');
  const probe = pairs.reduce((a, b) => (a.newSize < b.newSize ? a : b));
  const qemu = runOnQemu(probe.old, probe.patch);
  const expected = createHash('sha256').update(readFileSync(probe.tsOut)).digest('hex');
  if (qemu['second_run'] !== 'OK (resumed)' || qemu['sha256'] !== expected)
    throw new Error(`the QEMU run of ${probe.name} failed:\n${qemu['output']}`);
  const stack = Number(qemu['stack_peak_bytes']);
  const ram = code.ram + stack + Number(qemu['struct_bytes']) + Number(qemu['work_bytes']);
  process.stdout.write(
    `\nCortex-M3 (-Os -mthumb): patcher ${code.flash} B of code (${Object.entries(code.objects)
      .map(([o, b]) => `${o} ${b}`)
      .join(', ')})` +
      `, verification ${measurePart('verify').flash} B, protocol helpers ${measurePart('protocol').flash} B` +
      `, signed manifest ${measurePart('manifest').flash} B\n` +
      `RAM: static ${code.ram} B + peak stack ${stack} B (QEMU mps2-an385, ${probe.name}) + struct ${qemu['struct_bytes']} B` +
      ` + work ${qemu['work_bytes']} B = ${ram} B; a checkpoint is ${qemu['checkpoint_bytes']} B\n`,
  );
  const cSpeeds = rows.map((r) => median(r.c));
  const ratios = rows.map((r) => median(r.c) / median(r.ts));
  const perRun = (pick: (values: number[]) => number): number =>
    geometricMean(rows.map((r) => pick(r.c.map((c, i) => c / r.ts[i]!))));
  process.stdout.write(
    `RESULT device-c thumb_code_bytes=${code.flash} ram_bytes=${ram} host_apply_mb_s=${geometricMean(cSpeeds).toFixed(1)}` +
      ` vs_ts=${geometricMean(ratios).toFixed(2)} vs_ts_min=${perRun((v) => Math.min(...v)).toFixed(2)}` +
      ` vs_ts_max=${perRun((v) => Math.max(...v)).toFixed(2)}` +
      (shaNi
        ? ` vs_ts_sha_ni=${geometricMean(rows.map((r) => median(r.ni) / median(r.ts))).toFixed(2)}`
        : '') +
      '\n',
  );
}
