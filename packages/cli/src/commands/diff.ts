// `updraft diff OLD NEW -o PATCH [--profile mcu|linux] [--format updraft|vcdiff]`
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createDiffJob, isDeltaError } from '@updraft/delta';

const usage = `usage: updraft diff OLD NEW -o PATCH [--profile mcu|linux] [--format updraft|vcdiff]
  --profile mcu     patch applies in at most 16 KiB of RAM (default)
  --profile linux   smaller patch for gateways and Linux devices
  --format vcdiff   RFC 3284 VCDIFF, decodable with xdelta3 -d -s OLD
`;

function drawProgress(fraction: number): void {
  const width = 30;
  const filled = Math.round(fraction * width);
  process.stderr.write(
    `\r  [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.floor(fraction * 100)}%`,
  );
}

export async function run(argv: string[]): Promise<number> {
  let parsed: { positionals: string[]; values: { output?: string; profile?: string; format?: string } };
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        profile: { type: 'string' },
        format: { type: 'string' },
      },
    });
  } catch {
    process.stderr.write(usage);
    return 2;
  }
  const { positionals, values } = parsed;
  const [oldPath, newPath] = positionals;
  const profile = values.profile ?? 'mcu';
  const format = values.format ?? 'updraft';
  if (
    !oldPath ||
    !newPath ||
    !values.output ||
    positionals.length > 2 ||
    (profile !== 'mcu' && profile !== 'linux') ||
    (format !== 'updraft' && format !== 'vcdiff')
  ) {
    process.stderr.write(usage);
    return 2;
  }
  const tty = process.stderr.isTTY === true;
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  const started = performance.now();
  try {
    const result = await createDiffJob(
      oldPath,
      newPath,
      { profile, format },
      { signal: controller.signal, onProgress: tty ? drawProgress : undefined },
    );
    if (tty) process.stderr.write('\n');
    await writeFile(values.output, result.patch);
    const seconds = (performance.now() - started) / 1000;
    const ratio = result.newSize > 0 ? (result.patch.length / result.newSize) * 100 : 0;
    process.stdout.write(
      `old ${result.oldSize} B, new ${result.newSize} B, patch ${result.patch.length} B (${ratio.toFixed(2)}% of new, ` +
        `full image zstd ${result.fullCompressedSize} B), ${format}/${profile}, ${seconds.toFixed(2)} s\n`,
    );
    if (result.workingMemory > 0) process.stdout.write(`patcher working memory ${result.workingMemory} B\n`);
    if (!result.worthwhile) {
      process.stdout.write(
        'the delta is not clearly smaller than the compressed full image: offer the full package\n',
      );
    }
    return 0;
  } catch (error) {
    if (tty) process.stderr.write('\n');
    const code = isDeltaError(error) ? `${error.code}: ` : '';
    process.stderr.write(`updraft diff: ${code}${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
