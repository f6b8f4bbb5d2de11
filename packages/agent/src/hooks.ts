// Install hooks in the style of Mender's update modules: the agent downloads and verifies, then
// runs the module's hook as `HOOK STATE WORKDIR` with STATE one of install, commit, rollback.
// WORKDIR (<stateDir>/work/<device>/<module>) belongs to the hook for the whole upgrade, across
// repeated calls and reboots, until the upgrade ends; for an install, WORKDIR/files/ holds every
// file of the package under its name (links to the verified files), the first one is also
// UPDRAFT_FILE, and the versions come in the environment (UPDRAFT_*). Exit codes (docs/agent.md):
//
//   install    0 installed and active   10 active after a reboot   2 image refused   3 battery low
//              anything else: write failure
//   commit     0 committed              anything else: rolled back as unhealthy
//   rollback   0 rolled back            10 rolled back after a reboot   anything else: failed
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type InstallOutcome, SdkError, type UpdateInfo } from '@updraft/sdk';
import { describeEnd, type ProcessResult, runProcess } from './run-process.ts';

export const hookExit = { ok: 0, refused: 2, lowBattery: 3, reboot: 10 } as const;

export type HookState = 'install' | 'commit' | 'rollback';

export interface HookCall {
  hook: string;
  /** The device the upgrade is for: the agent's own username or a sub-device's. */
  device: string;
  deviceId: number | null;
  env: Readonly<Record<string, string>>;
  update: UpdateInfo;
  /** The verified files of the package, the first one the image (install only). */
  files?: readonly { name: string; path: string }[];
}

export interface HookRunnerOptions {
  stateDir: string;
  timeoutMs: number;
  log(line: string): void;
  /** Serialises hook runs across modules and sub-devices (and the reboot). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

const safeName = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '_');

/** File n's name in WORKDIR/files: as uploaded, or `file-n` where the transport carries none (LwM2M). */
const fileName = (file: { name: string }, n: number) => {
  const name = safeName(file.name);
  return name === '' || name === '.' || name === '..' ? `file-${n}` : name;
};

export function createHookRunner(options: HookRunnerOptions) {
  const workDir = (device: string, module: string) =>
    join(options.stateDir, 'work', safeName(device), safeName(module));

  async function call(state: HookState, c: HookCall): Promise<ProcessResult> {
    const work = workDir(c.device, c.update.module);
    await mkdir(work, { recursive: true });
    await writeFile(join(work, 'version'), `${c.update.version}\n`);
    await writeFile(join(work, 'previous-version'), `${c.update.previousVersion}\n`);
    if (c.files) {
      const dir = join(work, 'files');
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      for (const [i, file] of c.files.entries()) await symlink(file.path, join(dir, fileName(file, i + 1)));
    }
    const env: Record<string, string> = {
      ...c.env,
      UPDRAFT_STATE: state,
      UPDRAFT_WORK_DIR: work,
      UPDRAFT_MODULE: c.update.module,
      UPDRAFT_VERSION: c.update.version,
      UPDRAFT_PREVIOUS_VERSION: c.update.previousVersion,
      UPDRAFT_DEVICE: c.device,
      ...(c.deviceId !== null && { UPDRAFT_DEVICE_ID: String(c.deviceId) }),
      ...(c.files?.[0] && { UPDRAFT_FILE: c.files[0].path }),
    };
    const prefix = `${c.device} ${c.update.module}: hook ${state}:`;
    return options.exclusive(async () => {
      options.log(`${prefix} ${c.hook} ${state} ${work}`);
      const result = await runProcess(c.hook, [state, work], {
        env,
        timeoutMs: options.timeoutMs,
        onLine: (line) => options.log(`${prefix} ${line}`),
      });
      options.log(`${prefix} ${describeEnd(result, options.timeoutMs)}`);
      return result;
    });
  }

  const failure = (result: ProcessResult) => describeEnd(result, options.timeoutMs);

  return {
    /** Runs the install; maps its exit code to what the SDK expects. */
    async install(c: HookCall): Promise<InstallOutcome> {
      const result = await call('install', c);
      if (result.code === hookExit.ok) return undefined;
      if (result.code === hookExit.reboot) return 'restart';
      const detail = `install hook ${failure(result)}`;
      if (result.code === hookExit.refused) throw new SdkError('CHECK_FAILED', detail, { exit: result.code });
      if (result.code === hookExit.lowBattery)
        throw new SdkError('LOW_BATTERY', detail, { exit: result.code });
      throw new SdkError('WRITE_FAILED', detail, { exit: result.code });
    },

    async commit(c: HookCall): Promise<void> {
      const result = await call('commit', c);
      if (result.code !== hookExit.ok) throw new Error(`commit hook ${failure(result)}`);
    },

    async rollback(c: HookCall): Promise<InstallOutcome> {
      const result = await call('rollback', c);
      if (result.code === hookExit.ok) return undefined;
      if (result.code === hookExit.reboot) return 'restart';
      throw new Error(`rollback hook ${failure(result)}`);
    },

    /** The upgrade ended: the hook's work folder goes. */
    async forget(device: string, module: string): Promise<void> {
      await rm(workDir(device, module), { recursive: true, force: true });
    },
  };
}

export type HookRunner = ReturnType<typeof createHookRunner>;
