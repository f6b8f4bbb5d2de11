// `updraft patch OLD PATCH -o NEW`: applies an Updraft delta patch, streaming the new image to disk.
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { apply, isDeltaError, type PatchHeader } from '@updraft/delta';

const usage = `usage: updraft patch OLD PATCH -o NEW
`;

export async function run(argv: string[]): Promise<number> {
  let positionals: string[];
  let output: string | undefined;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { output: { type: 'string', short: 'o' } },
    });
    positionals = parsed.positionals;
    output = parsed.values.output;
  } catch {
    process.stderr.write(usage);
    return 2;
  }
  const [oldPath, patchPath] = positionals;
  if (!oldPath || !patchPath || !output || positionals.length > 2) {
    process.stderr.write(usage);
    return 2;
  }
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  const partial = `${output}.partial`;
  const oldFile = await open(oldPath, 'r');
  const outFile = await open(partial, 'w');
  try {
    const patchSize = (await stat(patchPath)).size;
    let newSize = 0;
    let written = 0;
    const readOld = async (offset: number, length: number): Promise<Uint8Array> => {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await oldFile.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    };
    const chunks = apply(readOld, createReadStream(patchPath), {
      onHeader: (header: PatchHeader) => {
        newSize = header.newSize;
      },
    });
    let lastDrawn = -1;
    for await (const chunk of chunks) {
      await outFile.write(chunk);
      written += chunk.length;
      const percent = newSize > 0 ? Math.floor((written / newSize) * 100) : 100;
      if (tty && percent !== lastDrawn) {
        lastDrawn = percent;
        const filled = Math.round(percent * 0.3);
        process.stderr.write(`\r  [${'#'.repeat(filled)}${' '.repeat(30 - filled)}] ${percent}%`);
      }
    }
    if (tty) process.stderr.write('\n');
    await outFile.close();
    await rename(partial, output);
    const seconds = (performance.now() - started) / 1000;
    const ratio = written > 0 ? (patchSize / written) * 100 : 0;
    process.stdout.write(
      `patch ${patchSize} B -> new ${written} B (patch is ${ratio.toFixed(2)}% of new), verified sha256, ${seconds.toFixed(2)} s\n`,
    );
    return 0;
  } catch (error) {
    if (tty) process.stderr.write('\n');
    await outFile.close().catch(() => undefined);
    await rm(partial, { force: true });
    const code = isDeltaError(error) ? `${error.code}: ` : '';
    process.stderr.write(`updraft patch: ${code}${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await oldFile.close();
  }
}
