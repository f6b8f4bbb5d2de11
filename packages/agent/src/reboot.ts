// Reboots the agent asks for (an A/B install or rollback that is active after a restart). Before
// the reboot command runs, the machine's boot id is written to <stateDir>/reboot-requested; at the
// next start the agent compares it with the boot id then: the same id means the machine never
// restarted (the command failed, or only the agent was restarted), and the reboot is asked for
// again instead of checking a version that cannot have changed yet.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeEnd, runShell } from './run-process.ts';

const REBOOT_TIMEOUT_MS = 60_000;

export interface RebootOptions {
  stateDir: string;
  command: string;
  bootIdFile: string;
  log(line: string): void;
}

export function createReboot(options: RebootOptions) {
  const marker = join(options.stateDir, 'reboot-requested');
  const bootId = async () => (await readFile(options.bootIdFile, 'utf8')).trim();

  return {
    /** Whether a reboot the agent asked for has not happened yet. */
    async stillPending(): Promise<boolean> {
      let asked: string;
      try {
        asked = (await readFile(marker, 'utf8')).trim();
      } catch {
        return false;
      }
      if (asked === (await bootId())) return true;
      await rm(marker, { force: true });
      return false;
    },

    /** Records the boot id and runs the reboot command; throws when the command fails. */
    async run(): Promise<void> {
      const temp = `${marker}.tmp`;
      await writeFile(temp, `${await bootId()}\n`);
      await rename(temp, marker);
      options.log(`rebooting: ${options.command}`);
      const result = await runShell(options.command, { timeoutMs: REBOOT_TIMEOUT_MS, onLine: options.log });
      if (result.code !== 0) {
        throw new Error(`reboot command '${options.command}' ${describeEnd(result, REBOOT_TIMEOUT_MS)}`);
      }
    },
  };
}
