// `updraft config`: prints every setting with its variable, default and meaning (Markdown).
import { describeSettings } from '@updraft/server';

export async function run(_argv: string[]): Promise<number> {
  process.stdout.write(`${describeSettings()}\n`);
  return 0;
}
