import { isUpdraftError } from '@updraft/core';
import { ConfigError } from '@updraft/server';

/** Prints a known error in one line (exit code 1); anything else is a bug and is rethrown. */
export function fail(error: unknown): number {
  if (error instanceof ConfigError || isUpdraftError(error)) {
    process.stderr.write(`updraft: ${isUpdraftError(error) ? `${error.code}: ` : ''}${error.message}\n`);
    return 1;
  }
  throw error;
}

export function printTable(rows: Record<string, unknown>[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const keys = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(keys)}\n${rows.map((r) => line(keys.map((k) => cell(r[k])))).join('\n')}\n`);
}
