// Upgrade plans: create and edit drafts, carry out lifecycle actions (@updraft/core
// transitionPlan) and their effects, operator actions on device upgrades, and the housekeeping
// the scheduler runs for each live plan.
import {
  acceptsDeviceUpgradeActions,
  duePlanAction,
  emptyUpgradeCounts,
  type PlanAction,
  type PlanStatus,
  planSpecError,
  publishAction,
  transitionPlan,
  UpdraftError,
  type UpgradeStatus,
  validatePlanSpec,
} from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { PageRequest } from '../pagination.ts';
import type {
  ConflictReport,
  Plan,
  PlanFilter,
  PlanStore,
  PlanTransitionPatch,
  TargetedSpec,
  UpgradeRecord,
} from './plan-store.ts';
import type { OperatorAction, UpgradeEngine, UpgradeOutcome } from './upgrade-engine.ts';

/** What the plans module needs to know of a firmware package (the firmware service fits). */
export interface PackageLookup {
  getPackage(id: number): Promise<{
    id: number;
    productId: number;
    module: string;
    version: string;
    type: 'full' | 'delta';
    sourceVersion: string | null;
    verified: boolean;
  }>;
}

/** A plan as the API takes it: ids are numbers, the package is named by id. */
export interface PlanInput {
  name: string;
  productId: number;
  firmwarePackageId: number;
  target:
    | { kind: 'all' }
    | { kind: 'devices'; deviceIds: number[] }
    | { kind: 'groups'; groupIds: number[] }
    | {
        kind: 'versions';
        versions: string[];
      };
  whitelist?: number[] | undefined;
  blacklist?: number[] | undefined;
  /** A verification plan: a device list; the package is marked verified when all succeed. */
  verification?: boolean | undefined;
  [key: string]: unknown;
}

/** A plan input that may have no name yet (counting its targets does not need one). */
export type UnnamedPlanInput = Partial<Pick<PlanInput, 'name'>> &
  Omit<PlanInput, 'name'> &
  Pick<PlanInput, 'productId' | 'firmwarePackageId' | 'target' | 'whitelist' | 'blacklist'>;

export interface PlanServiceOptions {
  store: PlanStore;
  engine: UpgradeEngine;
  packages: PackageLookup;
  clock: Clock;
  /** How often a live plan looks for newly registered devices and group members. */
  rescanMs?: number;
}

export const requireVerifiedSetting = 'plans.requireVerifiedFirmware';
const conflictListLength = 100;
const system = 'system';
// Epoch milliseconds are UTC, so whole multiples of a day start at UTC midnight.
const dayMs = 86_400_000;

function notFound(id: number): UpdraftError {
  return new UpdraftError('NOT_FOUND', `no plan ${id}`, { resource: 'plan', id });
}

export function createPlanService({ store, engine, packages, clock, rescanMs = 60_000 }: PlanServiceOptions) {
  async function getPlan(id: number): Promise<Plan> {
    const plan = await store.getPlan(id);
    if (!plan) throw notFound(id);
    return plan;
  }

  async function buildSpec(input: PlanInput) {
    const { firmwarePackageId, verification, productId, target, whitelist, blacklist, ...rest } = input;
    const pkg = await packages.getPackage(firmwarePackageId);
    if (pkg.productId !== productId) {
      throw new UpdraftError(
        'VALIDATION_FAILED',
        `firmware package ${pkg.id} is not for product ${productId}`,
        {
          field: 'firmwarePackageId',
        },
      );
    }
    if (verification && target.kind !== 'devices') {
      throw new UpdraftError('VALIDATION_FAILED', 'a verification plan targets a list of test devices', {
        field: 'target',
      });
    }
    if (!verification && !pkg.verified && (await store.getSetting(requireVerifiedSetting)) === 'true') {
      throw new UpdraftError(
        'FIRMWARE_NOT_VERIFIED',
        `firmware package ${pkg.id} is not verified; run a verification plan first`,
        { firmwarePackageId: pkg.id },
      );
    }
    const ids = (list: number[] | undefined) => list?.map(String);
    const raw = {
      ...rest,
      productId: String(productId),
      moduleId: pkg.module,
      firmware:
        pkg.type === 'delta'
          ? {
              kind: 'delta',
              packageId: String(pkg.id),
              targetVersion: pkg.version,
              sourceVersion: pkg.sourceVersion,
            }
          : { kind: 'full', packageId: String(pkg.id), targetVersion: pkg.version },
      target:
        target.kind === 'devices'
          ? { kind: 'devices', deviceIds: ids(target.deviceIds) }
          : target.kind === 'groups'
            ? { kind: 'groups', groupIds: ids(target.groupIds) }
            : target,
      ...(whitelist !== undefined && { whitelist: ids(whitelist) }),
      ...(blacklist !== undefined && { blacklist: ids(blacklist) }),
    };
    const checked = validatePlanSpec(raw, { now: clock.now() });
    if (!checked.ok) throw planSpecError(checked.issues);
    return { spec: checked.spec, pkg };
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
    options: { reason?: string; takeOver?: boolean; quiet?: boolean } = {},
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
    const patch = patchFor(action, result.status, now);
    if (result.effects.some((e) => e.type === 'rebase_failure_threshold')) {
      patch.failureBaseline = await store.countUpgrades(plan.id);
    }
    if (result.status === 'completed' && plan.verification) {
      // In the same transaction as the transition, so a crash cannot complete the plan unverified.
      const counts = await store.countUpgrades(plan.id);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      if (total > 0 && counts.success === total) patch.verifyPackageId = plan.firmwarePackageId;
    }
    let record = result.record;
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
      if (effect.type === 'enrol_devices') await engine.enrolAll(moved);
      if (effect.type === 'end_unfinished_upgrades') await engine.endUnfinished(plan.id, effect.event, actor);
    }
    return true;
  }

  /**
   * How many devices the plan targets now, and which of them another plan of the module
   * holds: what publishing would enrol (a draft's preview), resolved when the plan starts.
   */
  async function countTargets(plan: TargetedSpec): Promise<{ devices: number; busy: ConflictReport }> {
    const [devices, busy] = await Promise.all([
      store.countTargets(plan),
      store.findConflicts(plan, conflictListLength),
    ]);
    return { devices, busy };
  }

  async function refuseConflicts(plan: Plan): Promise<void> {
    const conflicts = await store.findConflicts(plan, conflictListLength);
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
        const ids = await store.conflictingUpgradeIds(plan.id, 500);
        if (ids.length === 0) return null;
        await engine.actOnUpgrades(ids, 'operator_cancel', `${actor} (taken over by plan ${plan.id})`);
      }
    }
    if (!quiet) {
      await refuseConflicts(plan);
      return null;
    }
    const busy = await store.findConflicts(plan, conflictListLength);
    return busy.count > 0 ? busy : null;
  }

  /**
   * The active upgrade another plan of the module holds for the record's device, if any: a
   * retry there would put the device in two active plans (one-active-plan index).
   */
  async function heldElsewhere(record: UpgradeRecord): Promise<UpgradeRecord | undefined> {
    const active = await store.activeUpgradesOfDevice(record.deviceId);
    return active.find((u) => u.module === record.module && u.planId !== record.planId);
  }

  function heldError(record: UpgradeRecord, other: UpgradeRecord): UpdraftError {
    return new UpdraftError(
      'PLAN_CONFLICT',
      `device ${record.deviceId} is in plan ${other.planId} of module ${record.module} now; cancel it there first`,
      { count: 1, deviceIds: [record.deviceId], planId: other.planId, upgradeId: other.id },
    );
  }

  async function forDeviceActions(planId: number, actor: string, reopen: boolean): Promise<Plan> {
    const plan = await getPlan(planId);
    if (plan.status === 'completed' && reopen) {
      await act(plan, 'reopen', actor, { reason: 'operator retry' });
      return getPlan(planId);
    }
    if (!acceptsDeviceUpgradeActions(plan.status)) {
      throw new UpdraftError(
        'PLAN_INVALID_TRANSITION',
        `a ${plan.status} plan takes no device-upgrade actions`,
        {
          status: plan.status,
        },
      );
    }
    return plan;
  }

  return {
    getPlan,
    listPlans: (filter: PlanFilter, page: PageRequest) => store.listPlans(filter, page),

    async createPlan(input: PlanInput, actor: string): Promise<Plan> {
      const { spec, pkg } = await buildSpec(input);
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
      const { spec, pkg } = await buildSpec(input);
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
      const { spec, pkg } = await buildSpec({ ...input, name });
      return countTargets({ id: null, productId: input.productId, module: pkg.module, spec });
    },

    listTransitions: async (id: number) => {
      await getPlan(id);
      return store.listTransitions(id);
    },

    async actOnUpgrades(
      planId: number,
      ids: number[],
      action: OperatorAction,
      actor: string,
    ): Promise<UpgradeOutcome[]> {
      await forDeviceActions(planId, actor, action === 'operator_retry');
      const outcomes = await engine.actOnUpgrades(ids, action, actor, planId);
      if (action !== 'operator_retry' || outcomes.length === ids.length) return outcomes;
      // The claim leaves out records whose device another plan holds: say so for each.
      const done = new Set(outcomes.map((o) => o.upgradeId));
      for (const id of new Set(ids)) {
        if (done.has(id)) continue;
        const record = await store.getUpgrade(id);
        if (!record || record.planId !== planId) continue;
        outcomes.push({
          deviceId: record.deviceId,
          upgradeId: id,
          planId,
          status: record.state.status,
          accepted: false,
          refusal: 'device_busy',
          offered: false,
        });
      }
      return outcomes;
    },

    /** One device upgrade by id; refusals become UPGRADE_INVALID_TRANSITION. */
    async actOnUpgrade(upgradeId: number, action: OperatorAction, actor: string): Promise<UpgradeRecord> {
      const record = await store.getUpgrade(upgradeId);
      if (!record) {
        throw new UpdraftError('NOT_FOUND', `no device upgrade ${upgradeId}`, {
          resource: 'upgrade',
          id: upgradeId,
        });
      }
      const retry = action === 'operator_retry';
      // Refused before a completed plan is reopened for it.
      const held = retry ? await heldElsewhere(record) : undefined;
      if (held) throw heldError(record, held);
      await forDeviceActions(record.planId, actor, retry);
      const [outcome] = await engine.actOnUpgrades([upgradeId], action, actor, record.planId);
      if (!outcome && retry) {
        // Another plan took the device between the check and the claim.
        const other = await heldElsewhere(record);
        if (other) throw heldError(record, other);
      }
      if (outcome && !outcome.accepted) {
        throw new UpdraftError(
          'UPGRADE_INVALID_TRANSITION',
          `cannot ${action.replace('_', ' ')}: ${outcome.refusal}`,
          {
            refusal: outcome.refusal,
            status: outcome.status,
          },
        );
      }
      return (await store.getUpgrade(upgradeId))!;
    },

    async retryFailed(planId: number, actor: string): Promise<number> {
      await forDeviceActions(planId, actor, true);
      return engine.retryFailed(planId, actor);
    },

    async decideAwaiting(planId: number, action: 'confirmed' | 'rejected', actor: string): Promise<number> {
      await forDeviceActions(planId, actor, false);
      return engine.decideAwaiting(planId, action, actor);
    },

    async getUpgrade(id: number): Promise<UpgradeRecord> {
      const record = await store.getUpgrade(id);
      if (!record)
        throw new UpdraftError('NOT_FOUND', `no device upgrade ${id}`, { resource: 'upgrade', id });
      return record;
    },
    upgradeLog: (id: number) => store.upgradeLog(id),
    async listUpgrades(
      planId: number,
      filter: { status?: UpgradeStatus; deviceId?: number },
      page: PageRequest,
    ) {
      await getPlan(planId);
      return store.listUpgrades(planId, filter, page);
    },
    upgradesOfDevice: (deviceId: number, page: PageRequest) => store.upgradesOfDevice(deviceId, page),
    /** The plans that wait for a device (the device's app asks, e.g. to confirm a manual plan). */
    activeUpgradesOfDevice: (deviceId: number) => store.activeUpgradesOfDevice(deviceId),
    fleetVersions: (productId: number) => store.fleetVersions(productId),

    async report(planId: number, bucketMs: number) {
      await getPlan(planId);
      return store.report(planId, bucketMs);
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

    async requireVerified(): Promise<boolean> {
      return (await store.getSetting(requireVerifiedSetting)) === 'true';
    },
    async setRequireVerified(value: boolean): Promise<void> {
      await store.setSetting(requireVerifiedSetting, value ? 'true' : 'false');
    },

    /** Ids of the plans the scheduler looks after. */
    livePlanIds: () => store.listLivePlanIds(),

    /**
     * One scheduler step for one plan, under its lease: the due lifecycle action (expire,
     * start, complete, auto-pause), enrolment, dispatch and timers. Idempotent: every part
     * reads stored state and a repeated step finds nothing left to do.
     */
    async tickPlan(id: number, owner: string, leaseMs: number): Promise<void> {
      if (!(await store.claimPlanLease(id, owner, clock.now(), leaseMs))) return;
      try {
        let plan = await getPlan(id);
        if (plan.status === 'cancelled' || plan.status === 'expired') {
          const event = plan.status === 'cancelled' ? 'operator_cancel' : 'deadline_reached';
          await engine.endUnfinished(id, event, system);
          return;
        }
        const live = plan.status === 'running' || plan.status === 'paused';
        const counts = live ? await store.countUpgrades(id) : emptyUpgradeCounts();
        let action = duePlanAction(
          { status: plan.status, spec: plan.spec, counts, failureBaseline: plan.failureBaseline },
          clock.now(),
        );
        // A plan whose enrolment sweep has not finished is not complete.
        if (action === 'complete' && !plan.enrolled) action = null;
        if (action !== null) {
          await act(plan, action, system, { quiet: true });
          plan = await getPlan(id);
        }
        if (plan.status !== 'running' && plan.status !== 'paused') return;
        if (!plan.enrolled) await engine.enrolAll(plan);
        else if (clock.now() - ((await store.planScannedAt(id)) ?? 0) >= rescanMs) {
          await engine.enrolRecent(plan, rescanMs);
        }
        if (plan.status === 'running') await engine.dispatch(id);
        await engine.runTimers(id, plan.status === 'running');
      } finally {
        await store.releasePlanLease(id, owner);
      }
    },
  };
}

export type PlanService = ReturnType<typeof createPlanService>;
