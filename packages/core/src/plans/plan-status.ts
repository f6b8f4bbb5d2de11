// The plan lifecycle (docs/state-machines.md, "Plan"). Pure: the caller stores the new status
// and the transition record, then carries out the effects on the plan's device upgrades.
import type { ErrorCode } from '../errors.ts';

export const planStatuses = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
  'expired',
] as const;
export type PlanStatus = (typeof planStatuses)[number];

export const planActions = [
  'schedule',
  'start',
  'pause',
  'auto_pause',
  'resume',
  'complete',
  'reopen',
  'cancel',
  'expire',
] as const;
export type PlanAction = (typeof planActions)[number];

const edges: Readonly<Record<PlanStatus, Partial<Readonly<Record<PlanAction, PlanStatus>>>>> = {
  draft: { schedule: 'scheduled', start: 'running', cancel: 'cancelled' },
  scheduled: { start: 'running', cancel: 'cancelled', expire: 'expired' },
  running: {
    pause: 'paused',
    auto_pause: 'paused',
    complete: 'completed',
    cancel: 'cancelled',
    expire: 'expired',
  },
  paused: { resume: 'running', cancel: 'cancelled', expire: 'expired' },
  // 'reopen': an operator retries failed devices of a completed plan before its deadline.
  completed: { reopen: 'running' },
  cancelled: {},
  expired: {},
};

export type PlanEffect =
  /** Create one pending device upgrade per targeted device (matchesTarget) and dispatch. */
  | { readonly type: 'enrol_devices' }
  /** Stop pushes, retries and offers to pending devices; devices already upgrading go on. */
  | { readonly type: 'stop_dispatching' }
  | { readonly type: 'resume_dispatching' }
  /** Store the current counts as the failure-threshold baseline (see shouldAutoPause). */
  | { readonly type: 'rebase_failure_threshold' }
  /** Apply this event to every unfinished device upgrade of the plan. */
  | { readonly type: 'end_unfinished_upgrades'; readonly event: 'operator_cancel' | 'deadline_reached' };

export interface PlanTransitionContext {
  /** Who: a user id, an API key id, or 'system' for the scheduler. */
  readonly actor: string;
  /** When, epoch ms. */
  readonly now: number;
  readonly reason?: string;
  /** The plan's deadline; 'reopen' is refused once it has passed. */
  readonly deadline?: number | null;
}

/** "Every transition recorded with who and when" (issue 3). */
export interface PlanTransitionRecord {
  readonly from: PlanStatus;
  readonly to: PlanStatus;
  readonly action: PlanAction;
  readonly actor: string;
  readonly at: number;
  readonly reason: string | null;
}

export type PlanRefusal = {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
};

export type PlanTransitionResult =
  | {
      readonly ok: true;
      readonly status: PlanStatus;
      readonly record: PlanTransitionRecord;
      readonly effects: readonly PlanEffect[];
    }
  | PlanRefusal;

function effectsOf(from: PlanStatus, action: PlanAction): PlanEffect[] {
  const live = from === 'running' || from === 'paused' || from === 'completed';
  switch (action) {
    case 'start':
      return [{ type: 'enrol_devices' }];
    case 'pause':
    case 'auto_pause':
      return [{ type: 'stop_dispatching' }];
    case 'resume':
      return [{ type: 'rebase_failure_threshold' }, { type: 'resume_dispatching' }];
    case 'reopen':
      return [{ type: 'rebase_failure_threshold' }];
    case 'cancel':
      return live ? [{ type: 'end_unfinished_upgrades', event: 'operator_cancel' }] : [];
    case 'expire':
      return live ? [{ type: 'end_unfinished_upgrades', event: 'deadline_reached' }] : [];
    default:
      return [];
  }
}

/** Completed, cancelled or expired; only a completed plan can be reopened. */
export function isPlanFinished(status: PlanStatus): boolean {
  return status === 'completed' || status === 'cancelled' || status === 'expired';
}

/** Whether the dispatcher may push, retry and offer the plan's upgrade to pending devices. */
export function isPlanDispatching(status: PlanStatus): boolean {
  return status === 'running';
}

/** Whether operators may retry, cancel, confirm or reject the plan's device upgrades. */
export function acceptsDeviceUpgradeActions(status: PlanStatus): boolean {
  return status === 'running' || status === 'paused' || status === 'completed';
}

export function allowedPlanActions(status: PlanStatus): PlanAction[] {
  return planActions.filter((action) => edges[status][action] !== undefined);
}

export function transitionPlan(
  status: PlanStatus,
  action: PlanAction,
  ctx: PlanTransitionContext,
): PlanTransitionResult {
  const to = edges[status][action];
  const late = action === 'reopen' && ctx.deadline != null && ctx.now >= ctx.deadline;
  if (to === undefined || late) {
    return {
      ok: false,
      code: 'PLAN_INVALID_TRANSITION',
      message: late
        ? 'cannot reopen a plan after its deadline'
        : `cannot ${action.replace('_', ' ')} a ${status} plan`,
      details: { status, action, allowed: allowedPlanActions(status) },
    };
  }
  const record: PlanTransitionRecord = {
    from: status,
    to,
    action,
    actor: ctx.actor,
    at: ctx.now,
    reason: ctx.reason ?? null,
  };
  return { ok: true, status: to, record, effects: effectsOf(status, action) };
}

/** Plans are edited only in draft (issue 3); afterwards the spec is frozen. */
export function checkPlanEditable(status: PlanStatus): { readonly ok: true } | PlanRefusal {
  if (status === 'draft') return { ok: true };
  return {
    ok: false,
    code: 'PLAN_INVALID_TRANSITION',
    message: `a ${status} plan cannot be edited; only drafts can`,
    details: { status, action: 'edit' },
  };
}
