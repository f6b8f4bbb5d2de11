// Which wave each device of a plan is in, fixed once at the end of the plan's enrolment sweep
// (issue 18): core's assignWaves over the enrolled devices, seeded with the plan's id.
import {
  assignWaves,
  countPerWave,
  emptyUpgradeCounts,
  type UpgradeCounts,
  type UpgradeStatus,
  waveGroupIds,
} from '@updraft/core';
import type { Plan } from './plan-store.ts';
import type { TargetedSpec, UpgradeStore } from './upgrade-store.ts';

/** Gives the records of a plan whose sweep has ended their waves, once (a no-op otherwise). */
export async function assignWavesIfDue(
  upgrades: Pick<UpgradeStore, 'assignWaves'>,
  plan: Plan,
): Promise<void> {
  const waves = plan.spec.waves;
  if (waves === undefined || waves.length <= 1 || !plan.enrolled || plan.wavesAssigned) return;
  await upgrades.assignWaves(plan.id, waveGroupIds(waves), (devices) =>
    assignWaves(waves, devices, String(plan.id)),
  );
}

/**
 * Devices per wave if the plan started now: what the plan form shows before publishing. The
 * counts do not depend on the seed (only which devices), so a spec not saved counts the same.
 */
export async function previewWaveCounts(
  upgrades: Pick<UpgradeStore, 'targetedDevices'>,
  plan: TargetedSpec,
): Promise<number[]> {
  const waves = plan.spec.waves;
  if (waves === undefined || waves.length <= 1) return [];
  const devices = await upgrades.targetedDevices(plan, waveGroupIds(waves));
  return countPerWave(waves.length, assignWaves(waves, devices, String(plan.id ?? 0)));
}

/** A plan's records per wave and status (UpgradeStore.waveGroups) as counts, one per wave. */
export function countsPerWave(
  groups: readonly { wave: number; status: UpgradeStatus; count: number }[],
  waveCount: number,
): UpgradeCounts[] {
  const size = Math.max(1, waveCount);
  const counts = Array.from({ length: size }, () => emptyUpgradeCounts());
  for (const group of groups) counts[Math.min(group.wave, size - 1)]![group.status] += group.count;
  return counts;
}
