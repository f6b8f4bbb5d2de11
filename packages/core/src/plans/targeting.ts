// Which devices a plan reaches: the reference semantics the SQL targeting query is tested
// against (one device at a time, no I/O).
import type { PlanSpec } from './plan-spec.ts';

export interface TargetDevice {
  readonly id: string;
  readonly productId: string;
  readonly groupIds: readonly string[];
  /** The device's version of the plan's module; null when it never reported one. */
  readonly currentVersion: string | null;
}

export type TargetingSpec = Pick<PlanSpec, 'productId' | 'firmware' | 'target' | 'whitelist' | 'blacklist'>;

/** Why a device is out of scope, checked in this order; null when it is in scope. */
export type TargetExclusion =
  | 'other_product'
  | 'blacklisted'
  | 'not_whitelisted'
  | 'not_targeted'
  | 'not_on_source_version';

export function targetExclusion(device: TargetDevice, spec: TargetingSpec): TargetExclusion | null {
  if (device.productId !== spec.productId) return 'other_product';
  // Blacklist wins over whitelist and target (issue 3; Quectel, protocols.md §3.1).
  if (spec.blacklist.includes(device.id)) return 'blacklisted';
  if (spec.whitelist.length > 0 && !spec.whitelist.includes(device.id)) return 'not_whitelisted';
  if (!inTarget(device, spec)) return 'not_targeted';
  // A delta package applies to its source version only (OneNET check errno 9).
  if (spec.firmware.kind === 'delta' && device.currentVersion !== spec.firmware.sourceVersion) {
    return 'not_on_source_version';
  }
  return null;
}

function inTarget(device: TargetDevice, spec: TargetingSpec): boolean {
  const target = spec.target;
  switch (target.kind) {
    case 'all':
      return true;
    case 'devices':
      return target.deviceIds.includes(device.id);
    case 'groups':
      return device.groupIds.some((group) => target.groupIds.includes(group));
    case 'versions':
      return device.currentVersion !== null && target.versions.includes(device.currentVersion);
  }
}

/**
 * Whether the plan reaches this device. A device already on the target version is in scope:
 * its record succeeds on its first version report (Quectel's "No Update Required").
 */
export function matchesTarget(device: TargetDevice, spec: TargetingSpec): boolean {
  return targetExclusion(device, spec) === null;
}
