// Persistence of plans: their specs, lifecycle transitions and housekeeping leases (owned by the
// plans module). Device upgrades are upgrade-store.ts's, reports report-store.ts's.
import type { PlanSpec, PlanStatus, PlanTransitionRecord, UpgradeCounts, WaveProgress } from '@updraft/core';
import type { Page, PageRequest } from '../pagination.ts';

export interface Plan {
  id: number;
  productId: number;
  module: string;
  name: string;
  firmwarePackageId: number;
  status: PlanStatus;
  spec: PlanSpec;
  /** A verification plan marks its package verified when every device succeeds. */
  verification: boolean;
  /** Devices in another active plan of the module are taken over at start. */
  takeOver: boolean;
  failureBaseline: UpgradeCounts | null;
  /** True once the first sweep over the product's devices has finished. */
  enrolled: boolean;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** The wave under way and its phase (a plan without waves stays on wave 0, rolling). */
  wave: WaveProgress;
  /** True once the records have their waves (the end of the enrolment sweep). */
  wavesAssigned: boolean;
}

/** A wave event (webhooks wave.started, wave.completed, wave.halted), sent with the change that made it. */
export interface WaveEvent {
  type: 'wave.started' | 'wave.completed' | 'wave.halted';
  /** 0-based. */
  wave: number;
  at: number;
  reason?: string;
}

export interface NewPlan {
  productId: number;
  module: string;
  name: string;
  firmwarePackageId: number;
  spec: PlanSpec;
  verification: boolean;
  createdBy: string;
}

export interface PlanFilter {
  productId?: number | undefined;
  status?: PlanStatus | undefined;
  /** The plans of this firmware package ("view the tasks of this package", seed 004). */
  firmwarePackageId?: number | undefined;
}

/** What changes on a plan together with a transition. */
export interface PlanTransitionPatch {
  failureBaseline?: UpgradeCounts | null;
  takeOver?: boolean;
  startedAt?: number;
  finishedAt?: number | null;
  /** Mark this firmware package verified (a verification plan completing with all devices successful). */
  verifyPackageId?: number;
  /** The plan's wave progress from now on (a halt, the start). */
  wave?: WaveProgress;
  /** Wave events to send with the transition. */
  waveEvents?: WaveEvent[];
}

export interface PlanStore {
  insertPlan(plan: NewPlan, now: number): Promise<Plan>;
  getPlan(id: number): Promise<Plan | undefined>;
  listPlans(filter: PlanFilter, page: PageRequest): Promise<Page<Plan>>;
  /** Replaces a draft's spec and verification flag; false when the plan is no longer a draft. */
  updateDraft(
    id: number,
    draft: Pick<NewPlan, 'name' | 'spec' | 'verification'>,
    now: number,
  ): Promise<boolean>;
  /**
   * Compare-and-set: moves the plan from `record.from` to `record.to` and stores the transition
   * record, in one transaction; false (nothing written) when the plan is no longer at `from`.
   */
  transition(id: number, record: PlanTransitionRecord, patch: PlanTransitionPatch): Promise<boolean>;
  listTransitions(planId: number): Promise<PlanTransitionRecord[]>;
  /** Plans the scheduler looks after: scheduled, running, paused, and ended ones with active records. */
  listLivePlanIds(): Promise<number[]>;
  /** Takes the plan's housekeeping lease when it is free, expired or already ours. */
  claimPlanLease(id: number, owner: string, now: number, ttlMs: number): Promise<boolean>;
  releasePlanLease(id: number, owner: string): Promise<void>;
  /**
   * Compare-and-set of the wave progress: moves it from `from` to `to` and queues the events, in
   * one transaction; false when the plan is no longer at `from` or no longer `status`.
   */
  moveWave(
    id: number,
    status: PlanStatus,
    from: WaveProgress,
    to: WaveProgress,
    events: WaveEvent[],
  ): Promise<boolean>;
  /** Whether a plan uses the package for any of its components. */
  isPackageInUse(packageId: number): Promise<boolean>;
  /** The components of these plans, in order, with their target versions (one query). */
  componentTargets(planIds: readonly number[]): Promise<Map<number, ComponentTarget[]>>;
}

/** A component of a plan as the views list it. */
export interface ComponentTarget {
  module: string;
  targetVersion: string;
}
