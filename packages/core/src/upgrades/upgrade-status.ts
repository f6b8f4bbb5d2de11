// The device-upgrade record's status: the seed's six (seeds: "Pending, Pushed, Upgrading,
// Success, Failure, and Cancelled"). Dialects keep their own status codes (ThingsPanel's in
// server/src/dialects/thingspanel-mqtt/status-codes.ts).

export const upgradeStatuses = ['pending', 'pushed', 'upgrading', 'success', 'failure', 'cancelled'] as const;
export type UpgradeStatus = (typeof upgradeStatuses)[number];

/**
 * The finer stage while `upgrading`; null when the device does not say (ThingsPanel steps).
 * `confirming`: the device runs the target and the plan waits for its health report (health
 * window, docs/state-machines.md).
 */
export const upgradeStages = ['downloading', 'downloaded', 'installing', 'confirming'] as const;
export type UpgradeStage = (typeof upgradeStages)[number];

export const terminalUpgradeStatuses = ['success', 'failure', 'cancelled'] as const;
export type TerminalUpgradeStatus = (typeof terminalUpgradeStatuses)[number];

export function isTerminalUpgradeStatus(status: UpgradeStatus): status is TerminalUpgradeStatus {
  return status === 'success' || status === 'failure' || status === 'cancelled';
}

export function isUpgradeStatus(value: unknown): value is UpgradeStatus {
  return typeof value === 'string' && (upgradeStatuses as readonly string[]).includes(value);
}

const seedNames = {
  pending: 'Pending',
  pushed: 'Pushed',
  upgrading: 'Upgrading',
  success: 'Success',
  failure: 'Failure',
  cancelled: 'Cancelled',
} as const satisfies Record<UpgradeStatus, string>;
export type SeedUpgradeStatusName = (typeof seedNames)[UpgradeStatus];

/** The seed's display name (Pending … Cancelled). */
export function toSeedStatusName(status: UpgradeStatus): SeedUpgradeStatusName {
  return seedNames[status];
}

export function fromSeedStatusName(name: string): UpgradeStatus | null {
  const index = Object.values(seedNames).indexOf(name as SeedUpgradeStatusName);
  return index < 0 ? null : (upgradeStatuses[index] ?? null);
}
