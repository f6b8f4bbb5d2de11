// Plan specs are stored as JSON (plans.spec) as validatePlanSpec made them. A spec stored before
// a field existed reads with that field's default, so older plans keep working unchanged.
import { planSpecLimits as limits, type PlanSpec } from './plan-spec.ts';

/** A stored spec with the fields added since it was stored set to their defaults. */
export function withSpecDefaults(stored: PlanSpec): PlanSpec {
  type Later = 'rejectionPeriodSeconds' | 'timeZone' | 'pushWindow' | 'pushActively' | 'minFreeSpace';
  const spec = stored as Partial<PlanSpec> & Omit<PlanSpec, Later>;
  return {
    ...spec,
    timeZone: spec.timeZone ?? null,
    pushWindow: spec.pushWindow ?? null,
    pushActively: spec.pushActively ?? true,
    minFreeSpace: spec.minFreeSpace ?? null,
    rejectionPeriodSeconds: spec.rejectionPeriodSeconds ?? limits.rejectionPeriodSeconds.default,
  };
}
