// The components of a plan as devices are told of them (docs/adr/0013-plan-components.md).
import { type PlanSpec, planComponent } from '@updraft/core';
import type { PlanComponentView, UpgradeSummary } from './device-access.ts';

/** Component `index` of the plan as devices are told of it. */
export function componentView(spec: PlanSpec, index: number): PlanComponentView {
  const { moduleId, firmware, specifiedVersions } = planComponent(spec, index);
  return {
    index,
    module: moduleId,
    targetVersion: firmware.targetVersion,
    kind: firmware.kind,
    sourceVersion: firmware.kind === 'delta' ? firmware.sourceVersion : null,
    specifiedVersions,
  };
}

/** The target of the component an upgrade is on. */
export function targetOf(spec: PlanSpec, upgrade: Pick<UpgradeSummary, 'state'>): string {
  return planComponent(spec, upgrade.state.component).firmware.targetVersion;
}
