// `updraft patch OLD PATCH -o NEW`: applies an Updraft delta patch, streaming the new image to disk,
// or a VCDIFF patch (RFC 3284, recognised by its magic), which carries no hash of the new image.
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { apply, applyVcdiff, isDeltaError, isVcdiff, type PatchHeader } from '@updraft/delta';

const usage = `usage: updraft patch OLD PATCH -o NEW
  PATCH is an Updraft delta patch (old and new sha256 verified) or a VCDIFF patch
  (updraft diff --format vcdiff, or xdelta3 -e -S none)
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
  let oldFile: FileHandle | undefined;
  let outFile: FileHandle | undefined;
  try {
    // Opened inside the try so that a missing file is a one-line message, not a stack trace.
    oldFile = await open(oldPath, 'r').catch((error: unknown) => {
      throw new Error(`cannot read OLD ${oldPath}: ${describe(error)}`);
    });
    const patchFile = await open(patchPath, 'r').catch((error: unknown) => {
      throw new Error(`cannot read PATCH ${patchPath}: ${describe(error)}`);
    });
    const magic = new Uint8Array(4);
    const { size: patchSize } = await patchFile.stat();
    await patchFile.read(magic, 0, 4, 0).finally(() => patchFile.close());
    const vcdiff = isVcdiff(magic);
    const source = oldFile;
    outFile = await open(partial, 'w');
    let newSize = 0;
    let written = 0;
    const readOld = async (offset: number, length: number): Promise<Uint8Array> => {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await source.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    };
    const chunks = vcdiff
      ? applyVcdiff(readOld, createReadStream(patchPath))
      : apply(readOld, createReadStream(patchPath), {
          onHeader: (header: PatchHeader) => {
            newSize = header.newSize;
          },
        });
    let lastDrawn = -1;
    for await (const chunk of chunks) {
      await outFile.write(chunk);
      written += chunk.length;
      const percent = newSize > 0 ? Math.floor((written / newSize) * 100) : 100;
      if (tty && !vcdiff && percent !== lastDrawn) {
        lastDrawn = percent;
        const filled = Math.round(percent * 0.3);
        process.stderr.write(`\r  [${'#'.repeat(filled)}${' '.repeat(30 - filled)}] ${percent}%`);
      }
    }
    if (tty) process.stderr.write('\n');
    await outFile.close();
    outFile = undefined;
    await rename(partial, output);
    const seconds = (performance.now() - started) / 1000;
    const ratio = written > 0 ? (patchSize / written) * 100 : 0;
    // VCDIFF has no hash of the new image (at most an Adler-32 per window, which was checked).
    const check = vcdiff ? 'VCDIFF, no sha256 in the patch to verify' : 'verified sha256';
    process.stdout.write(
      `patch ${patchSize} B -> new ${written} B (patch is ${ratio.toFixed(2)}% of new), ${check}, ${seconds.toFixed(2)} s\n`,
    );
    return 0;
  } catch (error) {
    if (tty) process.stderr.write('\n');
    if (outFile) {
      await outFile.close().catch(() => undefined);
      await rm(partial, { force: true });
    }
    process.stderr.write(`updraft patch: ${describe(error)}\n`);
    return 1;
  } finally {
    await oldFile?.close();
  }
}

/** `CODE: message` for delta engine and system errors alike. */
function describe(error: unknown): string {
  if (isDeltaError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
