// What plans report: one plan's counts, progress, failure reasons, completions and counts per
// component, and the fleet's completions per UTC day.
import { countComponents, countNoUpdateRequired, planComponents } from '@updraft/core';
import type { PlanLifecycle } from './plan-lifecycle.ts';
import type { PlanServiceOptions } from './plan-service-options.ts';
import { waveStateOf } from './plan-waves.ts';
import { planReportOf } from './report-groups.ts';
import { countsPerWave } from './wave-assignment.ts';

// Epoch milliseconds are UTC, so whole multiples of a day start at UTC midnight.
const dayMs = 86_400_000;

export function createPlanReports(
  { reports: store, upgrades, clock }: PlanServiceOptions,
  { getPlan }: Pick<PlanLifecycle, 'getPlan'>,
) {
  return {
    /**
     * The plan's devices by status, as the report counts them, by the index on (plan_id, status)
     * alone: a plan's page polls them, and the report's pass reads every column it groups by.
     */
    counts: (planId: number) => upgrades.countUpgrades(planId),

    /** The plan's report, with the devices in each state of each component (docs/adr/0013). */
    async report(planId: number, bucketMs: number) {
      const plan = await getPlan(planId);
      const waveCount = plan.spec.waves?.length ?? 1;
      const groups = await store.reportGroups(planId, bucketMs);
      const data = planReportOf(groups);
      const components = planComponents(plan.spec);
      const counts = countComponents(groups, components.length);
      return {
        ...data,
        // Among the successes: devices already on every component's target (nothing offered).
        noUpdateRequired: countNoUpdateRequired(groups, components.length),
        components: components.map((c, index) => ({
          index,
          module: index === 0 ? plan.module : c.moduleId,
          targetVersion: c.firmware.targetVersion,
          counts: counts[index]!,
        })),
        // Each wave's devices by status and where it stands; none for a plan of one wave.
        waves:
          waveCount > 1
            ? countsPerWave(groups, waveCount).map((waveCounts, index) => ({
                index,
                state: waveStateOf(plan, index),
                counts: waveCounts,
              }))
            : [],
      };
    },

    /** Ended upgrades per UTC day over the last `days` days, today included; every day listed. */
    async dailyCompletions(filter: { productId?: number | undefined; days: number }) {
      const today = Math.floor(clock.now() / dayMs) * dayMs;
      const since = today - (filter.days - 1) * dayMs;
      const found = await store.completions({ productId: filter.productId, since }, dayMs);
      const byDay = new Map(found.map((c) => [c.at, c]));
      return Array.from({ length: filter.days }, (_, i) => {
        const at = since + i * dayMs;
        return byDay.get(at) ?? { at, success: 0, failure: 0, cancelled: 0 };
      });
    },
  };
}

export type PlanReports = ReturnType<typeof createPlanReports>;
