// `updraft storage`: the folders this configuration writes to (the SQLite database's, the
// firmware folder) as `serve` would find them: writable or not, free space, and the one-line
// fault `serve` would refuse with. Nothing is written; exit 1 when a folder has a fault.
import { parseArgs } from 'node:util';
import { inspectStorage, loadConfig } from '@updraft/server';
import { fail, printTable } from '../output.ts';

const mib = (bytes: number | null) => (bytes === null ? null : `${Math.floor(bytes / 1048576)} MiB`);

export async function run(argv: string[]): Promise<number> {
  let json: boolean;
  try {
    json = parseArgs({ args: argv, options: { json: { type: 'boolean' } } }).values.json ?? false;
  } catch (error) {
    process.stderr.write(`updraft: ${(error as Error).message}\nusage: updraft storage [--json]\n`);
    return 2;
  }
  let states: ReturnType<typeof inspectStorage>;
  try {
    states = inspectStorage(loadConfig(process.env));
  } catch (error) {
    return fail(error);
  }
  if (json) process.stdout.write(`${JSON.stringify(states, null, 2)}\n`);
  else {
    printTable(states.map((s) => ({ store: s.store, path: s.path, state: s.state, free: mib(s.freeBytes) })));
    for (const s of states) if (s.message) process.stderr.write(`updraft: ${s.code}: ${s.message}\n`);
  }
  return states.every((s) => s.state === 'ok') ? 0 : 1;
}
