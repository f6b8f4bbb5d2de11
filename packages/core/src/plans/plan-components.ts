// The ordered components of a plan (docs/adr/0013-plan-components.md). A plan stores its first
// component at the top of its spec (moduleId, firmware, specifiedVersions) and the others in
// laterComponents; everything else reads them through planComponents.
import type { PlanComponent, PlanSpec } from './plan-spec.ts';

export type ComponentsOf = Pick<PlanSpec, 'moduleId' | 'firmware' | 'specifiedVersions' | 'laterComponents'>;

/** Every component of the plan, in upgrade order; never empty. */
export function planComponents(spec: ComponentsOf): readonly PlanComponent[] {
  const first: PlanComponent = {
    moduleId: spec.moduleId,
    firmware: spec.firmware,
    specifiedVersions: spec.specifiedVersions ?? [],
  };
  return spec.laterComponents === undefined ? [first] : [first, ...spec.laterComponents];
}

/** Component `index` (0-based); the last one when the index is past the end. */
export function planComponent(spec: ComponentsOf, index: number): PlanComponent {
  // Without the array of planComponents: a push and an engine write each ask for one component.
  const at = Math.min(Math.max(0, index), spec.laterComponents?.length ?? 0);
  if (at > 0) return spec.laterComponents![at - 1]!;
  return {
    moduleId: spec.moduleId,
    firmware: spec.firmware,
    specifiedVersions: spec.specifiedVersions ?? [],
  };
}

export function componentCount(spec: ComponentsOf): number {
  return 1 + (spec.laterComponents?.length ?? 0);
}

/**
 * The versions a component applies to, or null for any: a delta package its source version only
 * (OneNET errno 9), a full package its specified versions when it has some.
 */
export function acceptedVersions(component: PlanComponent): readonly string[] | null {
  if (component.firmware.kind === 'delta') return [component.firmware.sourceVersion];
  return component.specifiedVersions.length > 0 ? component.specifiedVersions : null;
}

/** Whether a device on `version` (null: never reported) may take the component. */
export function acceptsVersion(component: PlanComponent, version: string | null): boolean {
  const accepted = acceptedVersions(component);
  return accepted === null || (version !== null && accepted.includes(version));
}
