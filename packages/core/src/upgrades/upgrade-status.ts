// The device-upgrade record's status: the seed's six (seeds: "Pending, Pushed, Upgrading,
// Success, Failure, and Cancelled") and their ThingsPanel codes, protocols.md §1.6.

export const upgradeStatuses = ['pending', 'pushed', 'upgrading', 'success', 'failure', 'cancelled'] as const;
export type UpgradeStatus = (typeof upgradeStatuses)[number];

/** The finer stage while `upgrading`; null when the device does not say (ThingsPanel steps). */
export const upgradeStages = ['downloading', 'downloaded', 'installing'] as const;
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

// ThingsPanel v0.5 `tp_ota_device.upgrade_status` is a string '0'..'5'; v1
// `ota_upgrade_task_details.status` an integer 1..6, both in the order of `upgradeStatuses`.
export type ThingsPanelV05Status = '0' | '1' | '2' | '3' | '4' | '5';
export type ThingsPanelV1Status = 1 | 2 | 3 | 4 | 5 | 6;

export function toThingsPanelV05Status(status: UpgradeStatus): ThingsPanelV05Status {
  return String(upgradeStatuses.indexOf(status)) as ThingsPanelV05Status;
}

export function fromThingsPanelV05Status(code: string): UpgradeStatus | null {
  return /^[0-5]$/.test(code) ? (upgradeStatuses[Number(code)] ?? null) : null;
}

export function toThingsPanelV1Status(status: UpgradeStatus): ThingsPanelV1Status {
  return (upgradeStatuses.indexOf(status) + 1) as ThingsPanelV1Status;
}

export function fromThingsPanelV1Status(code: number): UpgradeStatus | null {
  return Number.isInteger(code) ? (upgradeStatuses[code - 1] ?? null) : null;
}
