// Upgrade plans: the plans module's service, composed from its parts by concern: the lifecycle
// (plan-lifecycle.ts), operator actions on device upgrades (upgrade-operations.ts), reports
// (plan-reports.ts), the scheduler's step (plan-housekeeping.ts) and the require-verified
// setting (plan-input.ts). Each part reads the store ports it needs.
import { createPlanHousekeeping } from './plan-housekeeping.ts';
import { requireVerifiedSetting } from './plan-input.ts';
import { createPlanLifecycle } from './plan-lifecycle.ts';
import { createPlanReports } from './plan-reports.ts';
import { createPlanRollback } from './plan-rollback.ts';
import type { PlanServiceOptions } from './plan-service-options.ts';
import { createPlanWaves } from './plan-waves.ts';
import { createUpgradeOperations } from './upgrade-operations.ts';

export type {
  ComponentInput,
  PackageLookup,
  PlanInput,
  ProductLookup,
  UnnamedPlanInput,
} from './plan-input.ts';
export { requireVerifiedSetting } from './plan-input.ts';
export type { PlanServiceOptions } from './plan-service-options.ts';

export function createPlanService(options: PlanServiceOptions) {
  const lifecycle = createPlanLifecycle(options);
  const waves = createPlanWaves(options, lifecycle);
  const { act: _act, ...plans } = lifecycle;
  const { settings } = options;
  return {
    ...plans,
    ...createUpgradeOperations(options, lifecycle),
    ...createPlanReports(options, lifecycle),
    ...createPlanHousekeeping(options, lifecycle, waves),
    approveWave: waves.approveWave,
    countsByWave: waves.countsByWave,
    ...createPlanRollback(options, lifecycle),
    async requireVerified(): Promise<boolean> {
      return (await settings.getSetting(requireVerifiedSetting)) === 'true';
    },
    async setRequireVerified(value: boolean): Promise<void> {
      await settings.setSetting(requireVerifiedSetting, value ? 'true' : 'false');
    },
  };
}

export type PlanService = ReturnType<typeof createPlanService>;
