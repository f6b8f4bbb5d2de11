import type { PlanSpec } from './plan-spec.ts';
import type { PlanAction, PlanStatus } from './plan-status.ts';
import { allUpgradesFinished, shouldAutoPause, type UpgradeCounts } from './stats.ts';

export interface PlanSnapshot {
  readonly status: PlanStatus;
  readonly spec: Pick<PlanSpec, 'start' | 'deadline' | 'failureThreshold'>;
  readonly counts: UpgradeCounts;
  /** Counts stored at the last resume or reopen (PlanEffect 'rebase_failure_threshold'). */
  readonly failureBaseline: UpgradeCounts | null;
}

/**
 * What the scheduler should do to a plan at `now`, by priority: expire at the deadline, start a
 * plan whose start time has come, complete when no device upgrade is left, pause on the failure
 * threshold. Null when nothing is due. The scheduler applies it with actor 'system'.
 */
export function duePlanAction(plan: PlanSnapshot, now: number): PlanAction | null {
  const { status, spec } = plan;
  const live = status === 'scheduled' || status === 'running' || status === 'paused';
  if (live && spec.deadline !== null && now >= spec.deadline) return 'expire';
  if (status === 'scheduled') {
    if (spec.start.mode === 'now' || (spec.start.mode === 'at' && now >= spec.start.at)) return 'start';
    return null;
  }
  if (status !== 'running') return null;
  if (allUpgradesFinished(plan.counts)) return 'complete';
  if (shouldAutoPause(plan.counts, spec.failureThreshold, plan.failureBaseline)) return 'auto_pause';
  return null;
}

/** The action that publishes a draft: start at once, or wait for a hand start or the time. */
export function publishAction(spec: Pick<PlanSpec, 'start'>): 'start' | 'schedule' {
  return spec.start.mode === 'now' ? 'start' : 'schedule';
}
