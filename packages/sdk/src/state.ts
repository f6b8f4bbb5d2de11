// What a device keeps across restarts in its state folder: the installed version of each module,
// and partial downloads (`partial-<sha256>.bin`, appended to as bytes arrive, so a killed process
// resumes from the bytes that reached the disk). state.json is replaced atomically.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SdkError } from './errors.ts';

export interface DeviceState {
  /** Installed version per module. */
  versions: Record<string, string>;
}

export function createStateStore(dir: string) {
  const file = join(dir, 'state.json');
  let writing = Promise.resolve();
  return {
    dir,
    partialPath: (key: string) => join(dir, `partial-${key}.bin`),
    imagePath: (key: string) => join(dir, `image-${key}.bin`),

    async load(defaults: Record<string, string>): Promise<DeviceState> {
      await mkdir(dir, { recursive: true });
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return { versions: { ...defaults } };
      }
      try {
        const parsed = JSON.parse(text) as DeviceState;
        if (typeof parsed !== 'object' || parsed === null || typeof parsed.versions !== 'object')
          throw new Error('shape');
        return { versions: { ...defaults, ...parsed.versions } };
      } catch (error) {
        throw new SdkError('STATE_CORRUPT', `${file} is not a device state file`, { file }, { cause: error });
      }
    },

    /** Writes the state to a temporary file and renames it over the old one. */
    save(state: DeviceState): Promise<void> {
      writing = writing.then(async () => {
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, JSON.stringify(state));
        await rename(temp, file);
      });
      return writing;
    },

    async forget(key: string): Promise<void> {
      await rm(join(dir, `partial-${key}.bin`), { force: true });
      await rm(join(dir, `image-${key}.bin`), { force: true });
    },
  };
}

export type StateStore = ReturnType<typeof createStateStore>;
