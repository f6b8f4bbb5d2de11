// Builds the device service from its parts (one per concern) over the ports of ports.ts.
import type { Clock } from '../../adapters/clock/clock.ts';
import { createAccessCaches } from './caches.ts';
import type { DeviceAccess } from './device-access.ts';
import type { DownloadTokens } from './download-tokens.ts';
import { createDownloads } from './downloads.ts';
import type { FirmwareCache } from './firmware-cache.ts';
import { createIdentity } from './identity.ts';
import { createOffers } from './offers.ts';
import type { DeviceDirectory, UpgradeDirectory } from './ports.ts';
import { createReports } from './reports.ts';
import { createSeenWriter } from './seen-writer.ts';

export interface DeviceAccessOptions {
  devices: DeviceDirectory;
  upgrades: UpgradeDirectory;
  tokens: DownloadTokens;
  cache: FirmwareCache;
  clock: Clock;
  /** How long the answer to "is there a delta from this version" is remembered (ms). */
  deltaCacheMs?: number;
  /** How long a product's profile (codes, sign method, protocols) is remembered (ms). */
  productCacheMs?: number;
  /** A device's last-seen time is written at most this often unless its signal or battery changes. */
  seenWriteMs?: number;
}

export function createDeviceAccess({
  devices,
  upgrades,
  tokens,
  cache,
  clock,
  deltaCacheMs = 30_000,
  productCacheMs = 30_000,
  seenWriteMs = 60_000,
}: DeviceAccessOptions): DeviceAccess {
  const caches = createAccessCaches({ devices, upgrades, clock, deltaCacheMs, productCacheMs });
  const seen = createSeenWriter({ devices, clock, seenWriteMs });
  const identity = createIdentity({ devices, caches });
  const reports = createReports({ devices, upgrades, caches, seen });
  return {
    ...identity,
    report: reports.report,
    repeatSuccess: reports.repeatSuccess,
    recordVersion: reports.recordVersion,
    versionOf: reports.versionOf,
    awaitedConfirmations: reports.awaitedConfirmations,
    decide: reports.decide,
    ...createOffers({ devices, upgrades, tokens, caches, reports, seen }),
    ...createDownloads({ upgrades, tokens, cache, caches, seen }),
    markOnline: (device, online) => seen.markOnline(device.id, online),
  };
}
