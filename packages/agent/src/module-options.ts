// One configured module as the SDK sees it: its version source, its hook for install, commit and
// rollback, the health check command, and the running image for delta packages.
import { open } from 'node:fs/promises';
import type { ModuleOptions, UpdateInfo } from '@updraft/sdk';
import type { ModuleConfig } from './config.ts';
import type { HookRunner } from './hooks.ts';
import { describeEnd, runShell } from './run-process.ts';
import { readVersion } from './version-source.ts';

export interface ModuleContext {
  /** The device the module belongs to: the agent's own username or a sub-device's. */
  device: string;
  deviceId: number | null;
  hooks: HookRunner;
  healthTimeoutMs: number;
  log(line: string): void;
}

async function readAt(path: string, offset: number, length: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await file.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

export function moduleOptions(name: string, config: ModuleConfig, ctx: ModuleContext): ModuleOptions {
  const call = (update: UpdateInfo, files?: { name: string; path: string }[]) => ({
    hook: config.hook,
    device: ctx.device,
    deviceId: ctx.deviceId,
    env: config.env,
    update,
    ...(files !== undefined && { files }),
  });
  const source = config.version;
  const healthCheck = config.healthCheck;
  return {
    // With a file or command source the SDK asks currentVersion(), which wins over this.
    version: source.kind === 'fixed' ? source.version : '0',
    // Every file of the package, the first one the image (a delta package already restored).
    install: (update) => ctx.hooks.install(call(update, update.files)),
    commit: (update) => ctx.hooks.commit(call(update)),
    rollback: (update) => ctx.hooks.rollback(call(update)),
    ...(source.kind !== 'fixed' && { currentVersion: async () => (await readVersion(source))! }),
    ...(config.codes !== null && { codes: config.codes }),
    ...(healthCheck !== null && {
      async healthCheck(update: UpdateInfo) {
        ctx.log(`${ctx.device} ${name}: health check: ${healthCheck}`);
        const result = await runShell(healthCheck, {
          timeoutMs: ctx.healthTimeoutMs,
          env: {
            UPDRAFT_DEVICE: ctx.device,
            UPDRAFT_MODULE: name,
            UPDRAFT_VERSION: update.version,
            UPDRAFT_PREVIOUS_VERSION: update.previousVersion,
          },
          onLine: (line) => ctx.log(`${ctx.device} ${name}: health check: ${line}`),
        });
        if (result.code !== 0)
          throw new Error(`'${healthCheck}' ${describeEnd(result, ctx.healthTimeoutMs)}`);
        ctx.log(`${ctx.device} ${name}: healthy`);
      },
    }),
    ...(config.deltaSource !== null && {
      readCurrent: (offset: number, length: number) => readAt(config.deltaSource!, offset, length),
    }),
  };
}
