// Rollback plans (issue 18, docs/adr/0018-waves-health-rollback.md): from a plan that was halted
// (paused), cancelled, expired or completed with failures, draft plans that bring the devices
// that took its new version back to the version they had when enrolled: one plan per previous
// version that a full package of the module provides. They are ordinary plans from then on:
// the operator reviews and publishes them (targeting, conflicts and waves as for any plan).
import { type PlanSpec, UpdraftError } from '@updraft/core';
import type { PlanInput } from './plan-input.ts';
import type { PlanLifecycle } from './plan-lifecycle.ts';
import type { PlanServiceOptions } from './plan-service-options.ts';
import type { Plan } from './plan-store.ts';

const nameLimit = 100;

/** What a rollback left out: devices whose previous version is unknown or has no full package. */
export interface RollbackSkipped {
  version: string | null;
  count: number;
  deviceIds: number[];
}

function rollbackName(plan: Plan, version: string, several: boolean): string {
  const name = `Rollback of ${plan.name}${several ? ` to ${version}` : ''}`;
  return [...name].slice(0, nameLimit).join('');
}

/** The safeguards of the plan rolled back, carried over: lists, cap, thresholds, timing, waves. */
function safeguards(spec: PlanSpec): Partial<PlanInput> {
  return {
    blacklist: spec.blacklist.map(Number),
    concurrency: spec.concurrency,
    failureThreshold: spec.failureThreshold,
    retry: spec.retry,
    minSignal: spec.minSignal,
    minBattery: spec.minBattery,
    minFreeSpace: spec.minFreeSpace,
    pushPeriodSeconds: spec.pushPeriodSeconds,
    upgradeTimeoutSeconds: spec.upgradeTimeoutSeconds,
  };
}

export function createPlanRollback(
  options: PlanServiceOptions,
  { getPlan, createPlan }: Pick<PlanLifecycle, 'getPlan' | 'createPlan'>,
) {
  const { upgrades, packages } = options;
  return {
    async createRollback(id: number, actor: string): Promise<{ plans: Plan[]; skipped: RollbackSkipped[] }> {
      const plan = await getPlan(id);
      const counts = await upgrades.countUpgrades(id);
      const allowed =
        plan.status === 'paused' ||
        plan.status === 'cancelled' ||
        plan.status === 'expired' ||
        (plan.status === 'completed' && counts.failure > 0);
      if (!allowed) {
        throw new UpdraftError(
          'PLAN_INVALID_TRANSITION',
          `a ${plan.status} plan${plan.status === 'completed' ? ' without failures' : ''} cannot be rolled back; halt, cancel or finish it with failures first`,
          { status: plan.status, action: 'rollback' },
        );
      }
      const sources = await upgrades.rollbackSources(id);
      const targets: { version: string; packageId: number; deviceIds: number[] }[] = [];
      const skipped: RollbackSkipped[] = [];
      const skip = (version: string | null, deviceIds: number[]) =>
        skipped.push({ version, count: deviceIds.length, deviceIds: deviceIds.slice(0, 100) });
      for (const { version, deviceIds } of sources) {
        if (version === null || version === plan.spec.firmware.targetVersion) {
          skip(version, deviceIds);
          continue;
        }
        const found = await packages.listPackages(
          { productId: plan.productId, module: plan.module, version, type: 'full' },
          { limit: 1 },
        );
        const pkg = found.items[0];
        if (pkg === undefined) skip(version, deviceIds);
        else targets.push({ version, packageId: pkg.id, deviceIds });
      }
      if (targets.length === 0) {
        throw new UpdraftError(
          'VALIDATION_FAILED',
          'no device of the plan can be rolled back: none succeeded, or their previous versions are unknown or have no full package',
          { field: 'planId', skipped },
        );
      }
      const created: Plan[] = [];
      for (const target of targets) {
        created.push(
          await createPlan(
            {
              ...safeguards(plan.spec),
              name: rollbackName(plan, target.version, targets.length > 1),
              productId: plan.productId,
              firmwarePackageId: target.packageId,
              target: { kind: 'devices', deviceIds: target.deviceIds },
              // Back to an older version on purpose: not refused as a downgrade (issue 20).
              downgrade: true,
              ...(plan.spec.waves !== undefined && { waves: wavesInput(plan.spec) }),
            },
            actor,
          ),
        );
      }
      return { plans: created, skipped };
    },
  };
}

/** The plan's waves as the API gives them (group ids as numbers). */
function wavesInput(spec: PlanSpec): PlanInput['waves'] {
  return spec.waves?.map((w) => ({
    ...(w.size.kind === 'percent' && { percent: w.size.percent }),
    ...(w.size.kind === 'count' && { count: w.size.count }),
    ...(w.size.kind === 'groups' && { groupIds: w.size.groupIds.map(Number) }),
    successPercent: w.successPercent,
    errorPercent: w.errorPercent,
    soakSeconds: w.soakSeconds,
    manualGate: w.manualGate,
  }));
}
