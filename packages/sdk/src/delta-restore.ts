// Restores a delta package's patch against the module's running image into a new image file
// (@updraft/delta/apply, streaming: the patch is read as it goes, the image written as it grows).
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { apply, isDeltaError } from '@updraft/delta/apply';
import { SdkError } from './errors.ts';
import type { ModuleOptions } from './options.ts';

/** Writes the restored image to `imagePath`; a patch that does not restore is a DELTA_FAILED. */
export async function restoreDelta(
  module: ModuleOptions,
  name: string,
  patchPath: string,
  imagePath: string,
  memoryLimit: number | undefined,
): Promise<void> {
  if (!module.readCurrent) {
    throw new SdkError('DELTA_FAILED', `module ${name} cannot read its current image`);
  }
  try {
    const out = createWriteStream(imagePath);
    for await (const chunk of apply(module.readCurrent.bind(module), createReadStream(patchPath), {
      ...(memoryLimit !== undefined && { memoryLimit }),
    })) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (error) {
    const message = isDeltaError(error) ? `${error.code}: ${error.message}` : String(error);
    throw new SdkError('DELTA_FAILED', `the delta does not restore: ${message}`, {}, { cause: error });
  }
}
