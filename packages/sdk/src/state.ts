// What a device keeps across restarts in its state folder: the installed version of each module,
// the upgrades under way (the offer and the phase each reached, so that a restart, a reboot into a
// new slot or a power cut goes on from there), and partial downloads (`partial-<key>.bin` for a
// package's first file, `partial-<key>-<n>.bin` for file n, appended to as bytes arrive, so a
// killed process resumes each file from the bytes that reached the disk).
// state.json is replaced atomically.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SdkError } from './errors.ts';
import type { FailureReason } from './link.ts';
import type { Offer } from './offer.ts';
import type { PendingPhase } from './options.ts';

/** An upgrade under way for one module. */
export interface PendingUpgrade {
  offer: Offer;
  /** The version the module ran before. */
  from: string;
  phase: PendingPhase;
  /** Why a rollback started (`rolling-back`), for the failure reported once it is done. */
  reason?: string;
  /** `confirming`: when the plan's health window ends (epoch ms, the device's clock). */
  confirmBy?: number;
}

/**
 * The outcome of an upgrade, kept until the server has it: written before it is sent and
 * removed once sent (HTTP: answered; MQTT: acknowledged), so that a report lost to a crash of
 * either side is sent again by the next connection or start (issue 14).
 */
export interface UnsentReport {
  offer: Offer;
  /** `unhealthy`: the health report of a plan's health window, `version` the one it runs. */
  outcome: 'succeeded' | 'failed' | 'unhealthy';
  reason?: FailureReason;
  detail?: string;
  version?: string;
}

export interface DeviceState {
  /** Installed version per module. */
  versions: Record<string, string>;
  /** Upgrades under way, by module. */
  pending: Record<string, PendingUpgrade>;
  /** Outcomes the server may not have yet, by module. */
  unsent?: Record<string, UnsentReport>;
  /** The security version of each module's signed install (docs/signing.md, anti-downgrade). */
  security?: Record<string, number>;
}

export function createStateStore(dir: string) {
  const file = join(dir, 'state.json');
  let writing = Promise.resolve();
  return {
    dir,
    partialPath: (key: string, index = 1) =>
      join(dir, index === 1 ? `partial-${key}.bin` : `partial-${key}-${index}.bin`),
    imagePath: (key: string) => join(dir, `image-${key}.bin`),

    async load(defaults: Record<string, string>): Promise<DeviceState> {
      await mkdir(dir, { recursive: true });
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return { versions: { ...defaults }, pending: {}, unsent: {} };
      }
      try {
        const parsed = JSON.parse(text) as DeviceState;
        if (typeof parsed !== 'object' || parsed === null || typeof parsed.versions !== 'object')
          throw new Error('shape');
        const pending = typeof parsed.pending === 'object' && parsed.pending !== null ? parsed.pending : {};
        const unsent = typeof parsed.unsent === 'object' && parsed.unsent !== null ? parsed.unsent : {};
        const security =
          typeof parsed.security === 'object' && parsed.security !== null ? parsed.security : {};
        return { versions: { ...defaults, ...parsed.versions }, pending, unsent, security };
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

    /** Removes the partial files of every file of the package and its restored image. */
    async forget(key: string): Promise<void> {
      const names = await readdir(dir).catch(() => [] as string[]);
      const ours = (name: string) =>
        name === `partial-${key}.bin` ||
        (name.startsWith(`partial-${key}-`) && name.endsWith('.bin')) ||
        name === `image-${key}.bin`;
      for (const name of names.filter(ours)) await rm(join(dir, name), { force: true });
    },
  };
}

export type StateStore = ReturnType<typeof createStateStore>;
