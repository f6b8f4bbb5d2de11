// Reads the version a module runs from where its configuration says: a file (or one key of a
// `KEY=value` file such as /etc/os-release), or a command's output.
import { readFile } from 'node:fs/promises';
import type { VersionSource } from './config.ts';
import { describeEnd, runShell } from './run-process.ts';

const COMMAND_TIMEOUT_MS = 30_000;

/** `KEY=value` lines, values optionally quoted (os-release(5)). */
function keyValueOf(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] === key) return match[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return undefined;
}

/** The version now, or undefined for a fixed source (the SDK's state folder keeps it). */
export async function readVersion(source: VersionSource): Promise<string | undefined> {
  if (source.kind === 'fixed') return undefined;
  if (source.kind === 'file') {
    const text = await readFile(source.path, 'utf8');
    const version = source.key === undefined ? text.trim() : keyValueOf(text, source.key);
    if (!version)
      throw new Error(`${source.path} holds no version${source.key ? ` under ${source.key}` : ''}`);
    return version;
  }
  const result = await runShell(source.command, { timeoutMs: COMMAND_TIMEOUT_MS });
  const version = result.stdout.trim().split('\n')[0]?.trim();
  if (result.code !== 0 || !version) {
    throw new Error(`version command '${source.command}' ${describeEnd(result, COMMAND_TIMEOUT_MS)}`);
  }
  return version;
}
