// Download tokens and the files behind them: a token stands for one upgrade of one device and
// one file of a package, is checked on every call (protocols.md §2.2), and stops working when
// the upgrade ends. Hot files are served from memory (firmware-cache.ts).
import { isTerminalUpgradeStatus } from '@updraft/core';
import type { AccessCaches } from './caches.ts';
import type { AccessDevice, DeviceAccess, FirmwareHandle, UpgradeSummary } from './device-access.ts';
import { type AccessProblem, endedProblem } from './device-problems.ts';
import type { StoredDownloadToken } from './download-token-store.ts';
import type { DownloadTokens } from './download-tokens.ts';
import type { FirmwareCache } from './firmware-cache.ts';
import type { UpgradeDirectory } from './ports.ts';
import type { SeenWriter } from './seen-writer.ts';

export type Downloads = Pick<
  DeviceAccess,
  'upgradeOfToken' | 'upgradeOfTask' | 'openDownload' | 'openTaskDownload' | 'openBlob' | 'fileUrl'
>;

export function createDownloads({
  upgrades,
  tokens,
  cache,
  caches,
  seen,
}: {
  upgrades: Pick<UpgradeDirectory, 'getUpgrade' | 'openBlob' | 'blobUrl'>;
  tokens: DownloadTokens;
  cache: FirmwareCache;
  caches: Pick<AccessCaches, 'packageOf'>;
  seen: SeenWriter;
}): Downloads {
  /** A token's upgrade, checked against the device that presents it (null: anyone may). */
  async function grantFor(
    token: string,
    device: AccessDevice | null,
  ): Promise<{ grant: StoredDownloadToken; upgrade: UpgradeSummary } | { problem: AccessProblem }> {
    const resolved = await tokens.resolve(token);
    if ('problem' in resolved) return { problem: `token_${resolved.problem}` };
    const { grant, upgrade } = resolved;
    if (device !== null && grant.deviceId !== device.id) return { problem: 'token_device_mismatch' };
    if (!upgrade) return { problem: 'token_unknown' };
    return { grant, upgrade };
  }

  /** The device's upgrade `upgradeId` (a task id on the dialect's wire). */
  async function taskOf(
    device: AccessDevice,
    upgradeId: number,
  ): Promise<{ upgrade: UpgradeSummary } | { problem: AccessProblem }> {
    const upgrade = Number.isSafeInteger(upgradeId) ? await upgrades.getUpgrade(upgradeId) : undefined;
    if (!upgrade) return { problem: 'token_unknown' };
    if (upgrade.deviceId !== device.id) return { problem: 'token_device_mismatch' };
    return { upgrade };
  }

  /**
   * The file a grant gives, while its upgrade goes on; `load: false` leaves a file that is not in
   * memory there (the caller redirects the device to the file's URL instead).
   */
  async function openGranted(
    grant: StoredDownloadToken,
    upgrade: UpgradeSummary,
    load: boolean,
  ): Promise<FirmwareHandle | { problem: AccessProblem }> {
    if (isTerminalUpgradeStatus(upgrade.status)) return { problem: endedProblem(upgrade.status) };
    const pkg = await caches.packageOf(grant.packageId);
    const file = pkg.files.find((f) => f.position === grant.filePosition);
    if (!file) return { problem: 'token_unknown' };
    const bytes = load
      ? await cache.getOrLoad(file.sha256, file.size, async () => {
          const chunks: Buffer[] = [];
          for await (const chunk of await upgrades.openBlob(file.sha256)) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks);
        })
      : cache.get(file.sha256);
    return {
      key: file.sha256,
      name: file.name,
      size: file.size,
      sha256: file.sha256,
      md5: file.md5,
      bytes,
    };
  }

  return {
    async upgradeOfToken(token, device) {
      await seen.noteSeen(device.id);
      const found = await grantFor(token, device);
      return 'problem' in found ? found : { upgrade: found.upgrade };
    },

    async upgradeOfTask(device, upgradeId) {
      await seen.noteSeen(device.id);
      return taskOf(device, upgradeId);
    },

    async openDownload(token, { load = true, byDevice = false } = {}) {
      const found = await grantFor(token, null);
      if ('problem' in found) return found;
      // A download request is news of the upgrade under way (core silence.ts).
      if (byDevice) await seen.noteSeen(found.grant.deviceId);
      return openGranted(found.grant, found.upgrade, load);
    },

    async openTaskDownload(device, upgradeId, fileIndex) {
      await seen.noteSeen(device.id);
      const task = await taskOf(device, upgradeId);
      if ('problem' in task) return task;
      if (isTerminalUpgradeStatus(task.upgrade.status)) return { problem: endedProblem(task.upgrade.status) };
      const current = await tokens.current(upgradeId, fileIndex);
      if ('problem' in current) return { problem: `token_${current.problem}` };
      return openGranted(current.grant, task.upgrade, true);
    },

    openBlob: (key, range) => upgrades.openBlob(key, range),

    async fileUrl(file) {
      return (await upgrades.blobUrl?.(file.key, file.name))?.url;
    },
  };
}
