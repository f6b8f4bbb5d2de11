// The scheduler's step for one live plan (ADR 0006): under the plan's lease, the due lifecycle
// action, enrolment, dispatch and timers, each reading stored state, so a repeated or
// concurrent step finds nothing left to do.
import { duePlanAction, emptyUpgradeCounts, isInPushWindow } from '@updraft/core';
import type { PlanLifecycle } from './plan-lifecycle.ts';
import type { PlanServiceOptions } from './plan-service-options.ts';
import type { PlanWaves } from './plan-waves.ts';
import { assignWavesIfDue } from './wave-assignment.ts';

/** How long a verification plan may run (Quectel: at most 60 minutes, seeds 000 and 001). */
export const verificationLimitMs = 60 * 60_000;

const system = 'system';

export function createPlanHousekeeping(
  { plans, upgrades, engine, clock, rescanMs = 60_000 }: PlanServiceOptions,
  { getPlan, act }: Pick<PlanLifecycle, 'getPlan' | 'act'>,
  { stepWaves }: Pick<PlanWaves, 'stepWaves'>,
) {
  return {
    /** Ids of the plans the scheduler looks after. */
    livePlanIds: () => plans.listLivePlanIds(),

    /**
     * One scheduler step for one plan, under its lease: the due lifecycle action (expire,
     * start, complete, auto-pause), enrolment, dispatch and timers. Idempotent: every part
     * reads stored state and a repeated step finds nothing left to do.
     */
    async tickPlan(id: number, owner: string, leaseMs: number): Promise<void> {
      if (!(await plans.claimPlanLease(id, owner, clock.now(), leaseMs))) return;
      try {
        let plan = await getPlan(id);
        if (plan.status === 'cancelled' || plan.status === 'expired') {
          const event = plan.status === 'cancelled' ? 'operator_cancel' : 'deadline_reached';
          await engine.endUnfinished(id, event, system);
          return;
        }
        const live = plan.status === 'running' || plan.status === 'paused';
        const counts = live ? await upgrades.countUpgrades(id) : emptyUpgradeCounts();
        let action = duePlanAction(
          { status: plan.status, spec: plan.spec, counts, failureBaseline: plan.failureBaseline },
          clock.now(),
        );
        // A plan whose enrolment sweep has not finished is not complete.
        if (action === 'complete' && !plan.enrolled) action = null;
        // A verification plan has an hour from its start; what has not ended fails `deadline`.
        if (
          action === null &&
          live &&
          plan.verification &&
          plan.startedAt !== null &&
          clock.now() - plan.startedAt >= verificationLimitMs
        ) {
          action = 'expire';
        }
        if (action !== null) {
          await act(plan, action, system, { quiet: true });
          plan = await getPlan(id);
        }
        if (plan.status !== 'running' && plan.status !== 'paused') return;
        if (!plan.enrolled) {
          await engine.enrolAll(plan);
          plan = await getPlan(id);
        }
        if (plan.enrolled && !plan.wavesAssigned && (plan.spec.waves?.length ?? 1) > 1) {
          // Before any rescan: devices that join later belong to the last wave.
          await assignWavesIfDue(upgrades, plan);
          plan = await getPlan(id);
        } else if (clock.now() - ((await upgrades.planScannedAt(id)) ?? 0) >= rescanMs) {
          await engine.enrolRecent(plan, rescanMs);
        }
        // The wave step before dispatch: a wave that just opened is pushed in this step.
        if (plan.status === 'running' && (plan.spec.waves?.length ?? 1) > 1 && (await stepWaves(plan))) {
          plan = await getPlan(id);
        }
        // Outside its push window a plan pushes nothing (re-pushes due meanwhile go out when it
        // opens); a plan that does not push actively leaves its devices to ask (protocols.md §3.1).
        const pushing = plan.status === 'running' && isInPushWindow(plan.spec, clock.now());
        // Offline devices give their places back first, so this step's dispatch can use them.
        if (plan.status === 'running') await engine.releaseOfflineSlots(plan);
        if (pushing && plan.spec.pushActively) await engine.dispatch(id);
        await engine.runTimers(id, pushing);
        // After the timeouts: an upgrade under way that nothing was heard of is offered again,
        // as re-pushes are (only while the plan pushes).
        if (pushing) await engine.reofferSilent(plan);
      } finally {
        await plans.releasePlanLease(id, owner);
      }
    },
  };
}
