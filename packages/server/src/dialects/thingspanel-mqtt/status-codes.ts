// ThingsPanel's status codes for a device upgrade (protocols.md §1.6), in the order of core's
// upgradeStatuses: for a ThingsPanel-compatible northbound view or import.
import { type UpgradeStatus, upgradeStatuses } from '@updraft/core';

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
