// Runs the C test tools: one process per call, or one process for many protocol-tool lines.

import { execFileSync, spawnSync } from 'node:child_process';
import { tool } from './paths.ts';

export type Variant = '' | 'asan';
/** The gcc -O2 build and the clang AddressSanitizer + UndefinedBehaviorSanitizer build. */
export const variants: Variant[] = ['', 'asan'];

/** The library allocates nothing; the harness's own buffers live until exit, so leaks are not checked. */
const env = {
  ...process.env,
  ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=0',
  UBSAN_OPTIONS: 'print_stacktrace=1',
};

export function runTool(name: string, args: string[], variant: Variant = ''): string {
  return execFileSync(tool(name, variant), args, { encoding: 'utf8', maxBuffer: 1 << 26, env }).trim();
}

/** Feeds tab-separated command lines to protocol-tool and returns one output line per input line. */
export function runLines(lines: string[][], variant: Variant = ''): string[] {
  const result = spawnSync(tool('protocol-tool', variant), {
    input: lines.map((line) => line.join('\t')).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env,
  });
  if (result.status !== 0) throw new Error(`protocol-tool exited ${result.status}: ${result.stderr}`);
  const out = result.stdout.split('\n');
  out.pop();
  if (out.length !== lines.length)
    throw new Error(`protocol-tool answered ${out.length} of ${lines.length} lines`);
  return out;
}

export const hex = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('hex');
