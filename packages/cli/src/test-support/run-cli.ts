// Runs the `updraft` command as a child process, as a user would, and a small deterministic image
// pair for the diff and patch tests.

import { spawn } from 'node:child_process';
import { join } from 'node:path';

const main = join(import.meta.dirname, '..', 'main.ts');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `updraft ARGS` with only PATH and `env` in its environment (as settings, UPDRAFT_*). */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** An old image (code-like, compressible bytes) and a new one with edits and an insertion. */
export function makeImagePair(): { old: Buffer; fresh: Buffer } {
  const old = Buffer.alloc(96 * 1024);
  for (let i = 0; i < old.length; i++) old[i] = (i * 29 + (i >> 6) * 11) & 0xff;
  const fresh = Buffer.concat([
    old.subarray(0, 40_000),
    Buffer.from('version 2 table'),
    old.subarray(40_000),
  ]);
  for (let i = 500; i < fresh.length; i += 4099) fresh[i] = fresh[i]! ^ 0x5a;
  return { old, fresh };
}
