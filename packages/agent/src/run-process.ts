// Runs the programs the agent calls: shell commands of the configuration (health check, version,
// battery, signal, reboot) and install hooks. Output is kept (the tail, for error messages) and
// passed on line by line to the log; a program that outlives its timeout is killed (SIGTERM,
// then SIGKILL), and so is its process group.
import { spawn } from 'node:child_process';

export interface ProcessResult {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last lines of stderr, for error messages. */
  stderrTail: string;
  timedOut: boolean;
}

export interface RunOptions {
  env?: Record<string, string>;
  timeoutMs: number;
  /** Each line the program writes (stdout and stderr), as it comes. */
  onLine?(line: string): void;
}

const TAIL = 2000;

/** Runs `file` with `args` to its end; never throws for a failing program, only for one that cannot start. */
export function runProcess(file: string, args: string[], options: RunOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so that a timeout ends what it started too
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const lines = (chunk: Buffer, pending: { text: string }) => {
      pending.text += chunk.toString('utf8');
      const parts = pending.text.split('\n');
      pending.text = parts.pop()!;
      for (const line of parts) options.onLine?.(line);
    };
    const out = { text: '' };
    const err = { text: '' };
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      lines(chunk, out);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-TAIL);
      lines(chunk, err);
    });
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 5000).unref();
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const rest of [out.text, err.text]) if (rest) options.onLine?.(rest);
      resolve({ code, signal, stdout, stderrTail: stderr.trim(), timedOut });
    });
  });
}

/** Runs a shell command of the configuration (`sh -c`). */
export function runShell(command: string, options: RunOptions): Promise<ProcessResult> {
  return runProcess('/bin/sh', ['-c', command], options);
}

/** How a program ended, for a message: `exit 3: <stderr tail>`, `killed after 300 s`. */
export function describeEnd(result: ProcessResult, timeoutMs: number): string {
  const how = result.timedOut
    ? `killed after ${Math.round(timeoutMs / 1000)} s`
    : result.code === null
      ? `ended by ${result.signal}`
      : `exit ${result.code}`;
  const tail = result.stderrTail.split('\n').slice(-3).join(' | ');
  return tail ? `${how}: ${tail}` : how;
}
