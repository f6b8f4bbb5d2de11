// A plan's lifecycle: drafts, publishing, actions (@updraft/core transitionPlan) and their
// effects (enrolment, ending unfinished upgrades), take-over of devices busy in another plan,
// and target previews.
import {
  compareVersions,
  firstWave,
  type PlanAction,
  type PlanStatus,
  publishAction,
  transitionPlan,
  UpdraftError,
} from '@updraft/core';
import type { PageRequest } from '../pagination.ts';
import { buildSpec, type PlanInput, type UnnamedPlanInput } from './plan-input.ts';
import type { PlanServiceOptions } from './plan-service-options.ts';
import type { Plan, PlanFilter, PlanTransitionPatch } from './plan-store.ts';
import type { ConflictReport, TargetedSpec } from './upgrade-store.ts';
import { assignWavesIfDue, previewWaveCounts } from './wave-assignment.ts';

const conflictListLength = 100;

function notFound(id: number): UpdraftError {
  return new UpdraftError('NOT_FOUND', `no plan ${id}`, { resource: 'plan', id });
}

export function createPlanLifecycle(options: PlanServiceOptions) {
  const { plans: store, upgrades, engine, clock } = options;
  async function getPlan(id: number): Promise<Plan> {
    const plan = await store.getPlan(id);
    if (!plan) throw notFound(id);
    return plan;
  }

  function patchFor(action: PlanAction, to: PlanStatus, now: number): PlanTransitionPatch {
    const patch: PlanTransitionPatch = {};
    if (action === 'start') patch.startedAt = now;
    if (to === 'completed' || to === 'cancelled' || to === 'expired') patch.finishedAt = now;
    if (action === 'reopen') patch.finishedAt = null;
    return patch;
  }

  /**
   * Applies a lifecycle action and carries out its effects. `quiet` (the scheduler) returns
   * false instead of throwing when the plan moved meanwhile.
   */
  async function act(
    plan: Plan,
    action: PlanAction,
    actor: string,
    options: {
      reason?: string;
      takeOver?: boolean;
      quiet?: boolean;
      /** More to change with the transition (a wave's halt). */
      patch?: PlanTransitionPatch;
    } = {},
  ): Promise<boolean> {
    const now = clock.now();
    const result = transitionPlan(plan.status, action, {
      actor,
      now,
      deadline: plan.spec.deadline,
      ...(options.reason !== undefined && { reason: options.reason }),
    });
    if (!result.ok) {
      if (options.quiet) return false;
      throw new UpdraftError(result.code, result.message, result.details);
    }
    const patch = { ...patchFor(action, result.status, now), ...options.patch };
    if (action === 'start' && (plan.spec.waves?.length ?? 1) > 1) {
      // The first wave starts with the plan (issue 18).
      patch.wave = firstWave;
      patch.waveEvents = [{ type: 'wave.started', wave: 0, at: now }];
    }
    if (result.effects.some((e) => e.type === 'rebase_failure_threshold')) {
      patch.failureBaseline = await upgrades.countUpgrades(plan.id);
    }
    if (result.status === 'completed' && plan.verification) {
      // In the same transaction as the transition, so a crash cannot complete the plan unverified.
      const counts = await upgrades.countUpgrades(plan.id);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      if (total > 0 && counts.success === total) patch.verifyPackageId = plan.firmwarePackageId;
    }
    let record = result.record;
    if ((action === 'schedule' || action === 'start') && !options.quiet) await refuseDowngrade(plan);
    if (action === 'schedule') {
      // Refused now rather than found at the start; the devices may still get busy meanwhile.
      const takeOver = options.takeOver ?? false;
      if (!takeOver) await refuseConflicts(plan);
      patch.takeOver = takeOver;
    }
    if (action === 'start') {
      const takeOver = options.takeOver ?? plan.takeOver;
      const skipped = await resolveConflicts(plan, takeOver, actor, options.quiet ?? false);
      patch.takeOver = takeOver;
      if (skipped) {
        const more = skipped.count > skipped.deviceIds.length ? ', …' : '';
        const note = `${skipped.count} targeted devices are busy in another plan of module ${plan.module} and join when it ends: ${skipped.deviceIds.join(', ')}${more}`;
        record = { ...record, reason: record.reason === null ? note : `${record.reason}; ${note}` };
      }
    }
    if (!(await store.transition(plan.id, record, patch))) {
      if (options.quiet) return false;
      const current = await getPlan(plan.id);
      throw new UpdraftError(
        'PLAN_INVALID_TRANSITION',
        `the plan changed meanwhile; it is ${current.status}`,
        {
          status: current.status,
          action,
        },
      );
    }
    const moved = { ...plan, status: result.status };
    for (const effect of result.effects) {
      if (effect.type === 'enrol_devices') {
        await engine.enrolAll(moved);
        await assignWavesIfDue(upgrades, await getPlan(plan.id));
      }
      if (effect.type === 'end_unfinished_upgrades') await engine.endUnfinished(plan.id, effect.event, actor);
    }
    return true;
  }

  /**
   * How many devices the plan targets now, and which of them another plan of the module
   * holds: what publishing would enrol (a draft's preview), resolved when the plan starts.
   */
  async function countTargets(
    plan: TargetedSpec,
  ): Promise<{ devices: number; busy: ConflictReport; waves: number[] }> {
    const [{ devices, busy }, waves] = await Promise.all([
      upgrades.countTargets(plan, conflictListLength),
      previewWaveCounts(upgrades, plan),
    ]);
    return { devices, busy, waves };
  }

  /**
   * Anti-downgrade (issue 20): a plan whose target is older than a version its devices report
   * for the module is refused, unless the operator marks it a downgrade (rollback plans do).
   */
  async function refuseDowngrade(plan: Plan): Promise<void> {
    if (plan.spec.downgrade) return;
    const target = plan.spec.firmware.targetVersion;
    const newer = (await upgrades.targetVersions(plan))
      .filter((v) => compareVersions(v.version, target) > 0)
      .sort((a, b) => compareVersions(b.version, a.version));
    if (newer.length === 0) return;
    const devices = newer.reduce((n, v) => n + v.devices, 0);
    throw new UpdraftError(
      'PLAN_DOWNGRADE',
      `${devices} targeted devices run a version of module ${plan.module} newer than ${target} (${newer
        .slice(0, 5)
        .map((v) => v.version)
        .join(', ')}); mark the plan a downgrade if that is meant`,
      { targetVersion: target, newer: newer.slice(0, 20) },
    );
  }

  async function refuseConflicts(plan: Plan): Promise<void> {
    const conflicts = await upgrades.findConflicts(plan, conflictListLength);
    if (conflicts.count > 0) {
      throw new UpdraftError(
        'PLAN_CONFLICT',
        `${conflicts.count} targeted devices are in another active plan of module ${plan.module}; publish or start with takeOver to move them to this plan`,
        { count: conflicts.count, deviceIds: conflicts.deviceIds },
      );
    }
  }

  /**
   * A device is in at most one active plan per module. Without take-over a start is refused
   * with the conflicting devices; with it, their upgrades in the other plans are cancelled
   * first. The scheduler's start (quiet) goes ahead without the busy devices and returns them:
   * they join when their other plan lets them go (the rescan, enrolRecent).
   */
  async function resolveConflicts(
    plan: Plan,
    takeOver: boolean,
    actor: string,
    quiet: boolean,
  ): Promise<ConflictReport | null> {
    if (takeOver) {
      for (;;) {
        const ids = await upgrades.conflictingUpgradeIds(plan.id, 500);
        if (ids.length === 0) return null;
        await engine.actOnUpgrades(ids, 'operator_cancel', `${actor} (taken over by plan ${plan.id})`);
      }
    }
    if (!quiet) {
      await refuseConflicts(plan);
      return null;
    }
    const busy = await upgrades.findConflicts(plan, conflictListLength);
    return busy.count > 0 ? busy : null;
  }

  return {
    getPlan,
    /** Applies a lifecycle action and its effects; see act. */
    act,
    listPlans: (filter: PlanFilter, page: PageRequest) => store.listPlans(filter, page),

    async createPlan(input: PlanInput, actor: string): Promise<Plan> {
      const { spec, pkg } = await buildSpec(options, input);
      return store.insertPlan(
        {
          productId: input.productId,
          module: pkg.module,
          name: spec.name,
          firmwarePackageId: pkg.id,
          spec,
          verification: input.verification === true,
          createdBy: actor,
        },
        clock.now(),
      );
    },

    /** Edits are allowed in draft only; the whole plan is given again. */
    async updatePlan(id: number, input: PlanInput): Promise<Plan> {
      const plan = await getPlan(id);
      if (plan.status !== 'draft' || input.productId !== plan.productId) {
        throw new UpdraftError(
          'PLAN_INVALID_TRANSITION',
          `a ${plan.status} plan cannot be edited; only drafts can`,
          {
            status: plan.status,
            action: 'edit',
          },
        );
      }
      const { spec, pkg } = await buildSpec(options, input);
      if (pkg.module !== plan.module || pkg.id !== plan.firmwarePackageId) {
        throw new UpdraftError('VALIDATION_FAILED', 'the firmware package of a plan cannot change', {
          field: 'firmwarePackageId',
        });
      }
      const draft = { name: spec.name, spec, verification: input.verification === true };
      if (!(await store.updateDraft(id, draft, clock.now()))) {
        throw new UpdraftError('PLAN_INVALID_TRANSITION', 'only drafts can be edited', { action: 'edit' });
      }
      return getPlan(id);
    },

    /** Publishes a draft: starts it (start mode now) or schedules it. */
    async publish(id: number, actor: string, takeOver = false): Promise<Plan> {
      const plan = await getPlan(id);
      if (plan.status !== 'draft') {
        throw new UpdraftError('PLAN_INVALID_TRANSITION', `a ${plan.status} plan is already published`, {
          status: plan.status,
          action: 'publish',
        });
      }
      await act(plan, publishAction(plan.spec), actor, { takeOver });
      return getPlan(id);
    },

    async runAction(
      id: number,
      action: 'start' | 'pause' | 'resume' | 'cancel',
      actor: string,
      options: { reason?: string; takeOver?: boolean } = {},
    ): Promise<Plan> {
      await act(await getPlan(id), action, actor, options);
      return getPlan(id);
    },

    /** What publishing the plan would enrol now (countTargets). */
    previewTargets: async (id: number) => countTargets(await getPlan(id)),

    /**
     * The same counts for a plan not saved: the input is checked as createPlan checks it (same
     * codes) and nothing is stored. The name may be left out; it does not change the targets.
     */
    async previewSpec({ name = 'preview', ...input }: UnnamedPlanInput) {
      const { spec, pkg } = await buildSpec(options, { ...input, name });
      return countTargets({ id: null, productId: input.productId, module: pkg.module, spec });
    },

    listTransitions: async (id: number) => {
      await getPlan(id);
      return store.listTransitions(id);
    },
  };
}

export type PlanLifecycle = ReturnType<typeof createPlanLifecycle>;
