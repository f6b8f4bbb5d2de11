// Which devices a plan reaches: the reference semantics the SQL targeting query is tested
// against (one device at a time, no I/O).
import { acceptedVersions, planComponents } from './plan-components.ts';
import type { PlanSpec } from './plan-spec.ts';

export interface TargetDevice {
  readonly id: string;
  readonly productId: string;
  readonly groupIds: readonly string[];
  /** The device's version of the plan's (first component's) module; null when it never reported one. */
  readonly currentVersion: string | null;
  /** Its versions of other modules, by module: what a later component's conditions read. */
  readonly versions?: Readonly<Record<string, string>>;
}

export type TargetingSpec = Pick<PlanSpec, 'productId' | 'firmware' | 'target' | 'whitelist' | 'blacklist'> &
  Partial<Pick<PlanSpec, 'moduleId' | 'specifiedVersions' | 'laterComponents'>>;

/** Why a device is out of scope, checked in this order; null when it is in scope. */
export type TargetExclusion =
  | 'other_product'
  | 'blacklisted'
  | 'not_whitelisted'
  | 'not_targeted'
  | 'not_on_source_version'
  | 'not_on_specified_version';

export function targetExclusion(device: TargetDevice, spec: TargetingSpec): TargetExclusion | null {
  if (device.productId !== spec.productId) return 'other_product';
  // Blacklist wins over whitelist and target (issue 3; Quectel, protocols.md §3.1).
  if (spec.blacklist.includes(device.id)) return 'blacklisted';
  if (spec.whitelist.length > 0 && !spec.whitelist.includes(device.id)) return 'not_whitelisted';
  if (!inTarget(device, spec)) return 'not_targeted';
  return versionExclusion(device, spec);
}

/**
 * The components' version conditions (docs/adr/0013-plan-components.md): a delta package admits
 * devices on its source version (OneNET check errno 9), a full package with specified versions
 * devices on those. In a plan of several components a device already on a component's target is
 * admitted too: it skips that component and may still need the others. (A plan of one admits
 * it only without conditions, as plans always did.)
 */
function versionExclusion(device: TargetDevice, spec: TargetingSpec): TargetExclusion | null {
  const components = planComponents({ moduleId: '', ...spec });
  for (const [index, component] of components.entries()) {
    const accepted = acceptedVersions(component);
    if (accepted === null) continue;
    const version = index === 0 ? device.currentVersion : (device.versions?.[component.moduleId] ?? null);
    if (version !== null && accepted.includes(version)) continue;
    if (components.length > 1 && version === component.firmware.targetVersion) continue;
    return component.firmware.kind === 'delta' ? 'not_on_source_version' : 'not_on_specified_version';
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
