// The component a record is on, as the machine reads it from the policy (first component: the
// policy's own fields; later ones: laterComponents).
import type { ComponentPolicy, UpgradePolicy, UpgradeState } from '../upgrade-state.ts';

export function componentTotal(policy: UpgradePolicy): number {
  return 1 + (policy.laterComponents?.length ?? 0);
}

export function componentOf(policy: UpgradePolicy, index: number): ComponentPolicy {
  if (index > 0) {
    const later = policy.laterComponents?.[index - 1];
    if (later) return later;
  }
  return {
    module: policy.module ?? '',
    targetVersion: policy.targetVersion,
    sourceVersion: policy.sourceVersion,
    specifiedVersions: policy.specifiedVersions ?? [],
  };
}

export function currentComponent(policy: UpgradePolicy, state: UpgradeState): ComponentPolicy {
  return componentOf(policy, state.component);
}

/** "component 2 of 2 (mcu)" in a plan of several components; null in a plan of one. */
export function componentLabel(policy: UpgradePolicy, index: number): string | null {
  const total = componentTotal(policy);
  if (total === 1) return null;
  const { module } = componentOf(policy, index);
  return `component ${index + 1} of ${total}${module === '' ? '' : ` (${module})`}`;
}

/** Why a device on `version` may not take the component, or null when it may. */
export function versionRefusal(component: ComponentPolicy, version: string): string | null {
  if (component.sourceVersion !== null) {
    return version === component.sourceVersion
      ? null
      : `reported ${version}; the delta package applies to ${component.sourceVersion} only`;
  }
  const specified = component.specifiedVersions;
  if (specified.length === 0 || specified.includes(version)) return null;
  return `reported ${version}; the package takes ${specified.join(', ')} only`;
}
