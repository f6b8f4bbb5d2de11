// The `updraft` command: one file per command under commands/, each exporting `run(argv)`.
import { commands } from './command-table.ts';

const [name, ...argv] = process.argv.slice(2);
const entry = name ? commands[name] : undefined;
if (!entry) {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  process.stdout.write('usage: updraft <command> [options]\n\ncommands:\n');
  for (const [key, value] of Object.entries(commands)) {
    process.stdout.write(`  ${key.padEnd(width)}  ${value.summary}\n`);
  }
  process.exit(name && name !== 'help' && name !== '--help' ? 2 : 0);
}
const mod = (await entry.load()) as { run: (argv: string[]) => Promise<number> };
process.exitCode = await mod.run(argv);
