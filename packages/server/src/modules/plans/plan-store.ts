// Persistence of plans and device upgrades (owned by the plans module). Every operation that
// changes device upgrades claims, applies and writes in one database transaction, so a crash
// at any point leaves either the old state or the new one, never half a batch.
import type {
  PlanSpec,
  PlanStatus,
  PlanTransitionRecord,
  UpgradeCounts,
  UpgradeLogEntry,
  UpgradeState,
  UpgradeStatus,
} from '@updraft/core';
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
}

/** What changes on a plan together with a transition. */
export interface PlanTransitionPatch {
  failureBaseline?: UpgradeCounts | null;
  takeOver?: boolean;
  startedAt?: number;
  finishedAt?: number | null;
  /** Mark this firmware package verified (a verification plan completing with all devices successful). */
  verifyPackageId?: number;
}

/** One device upgrade as the engine sees it. */
export interface StoredUpgrade {
  id: number;
  planId: number;
  deviceId: number;
  module: string;
  state: UpgradeState;
  /** The owning plan's status when the row was claimed. */
  planStatus: PlanStatus;
}

/** What a claim also says about each plan of the claimed rows. */
export interface ClaimedPlan {
  status: PlanStatus;
  /** Frozen since the plan left draft. */
  spec: PlanSpec;
  /**
   * Pushed plus upgrading records; only counted when the selector asks (withLoad) and the batch
   * holds a pending record of the plan (0 otherwise: nothing in the batch could use it).
   */
  busy: number;
}

/** A row to write back: the new state (null when unchanged) and a log line (null for none). */
export interface UpgradeWrite {
  id: number;
  state: UpgradeState | null;
  log: UpgradeLogEntry | null;
}

/** Which device upgrades a claim takes. Every selector takes unfinished rows only, except where noted. */
export type UpgradeSelector =
  /** Due pushes and retries of a running plan, no more than its concurrency cap leaves room for. */
  | { kind: 'due_dispatch'; planId: number; now: number }
  /** Due re-pushes (running plans) and timeouts. */
  | { kind: 'due_timers'; planId: number; now: number; actions: readonly ('repush' | 'timeout')[] }
  | { kind: 'unfinished'; planId: number }
  /**
   * Any status: operator actions name records; the engine refuses what does not apply. Records
   * whose device is active in another plan of the module are not taken.
   */
  | { kind: 'ids'; ids: readonly number[]; planId?: number | undefined }
  | { kind: 'failed'; planId: number; afterId: number }
  | { kind: 'awaiting'; planId: number; afterId: number }
  /** Active records of these devices for the module (device events). */
  | { kind: 'devices'; module: string; deviceIds: readonly number[]; withLoad: boolean };

export interface UpgradeFilter {
  status?: UpgradeStatus | undefined;
  deviceId?: number | undefined;
}

export interface UpgradeRecord extends StoredUpgrade {
  deviceName: string;
}

export interface PlanReportData {
  counts: UpgradeCounts;
  /** Progress value -> devices upgrading at it. */
  progress: { progress: number; count: number }[];
  failureReasons: { reason: string; count: number }[];
  /** Finished records per time bucket (start of bucket, epoch ms). */
  completions: Completions[];
}

/** Records that ended in one time bucket (its start, epoch ms). */
export interface Completions {
  at: number;
  success: number;
  failure: number;
  cancelled: number;
}

export interface CompletionFilter {
  productId?: number | undefined;
  /** Records finished at or after this instant (epoch ms). */
  since: number;
}

/**
 * What targeting reads: a saved plan (its lists are stored with it) or a spec not saved (id
 * null: a preview, whose lists are read from the spec).
 */
export interface TargetedSpec {
  id: number | null;
  productId: number;
  module: string;
  spec: PlanSpec;
}

export interface ConflictReport {
  count: number;
  /** The first conflicting devices, by id. */
  deviceIds: number[];
}

export interface FleetVersion {
  module: string;
  version: string;
  devices: number;
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

  countUpgrades(planId: number): Promise<UpgradeCounts>;
  /** Devices the plan targets now: its target, lists and, for a delta, the source version. */
  countTargets(plan: TargetedSpec): Promise<number>;
  /** Targeted devices that have an active upgrade of the module in another plan. */
  findConflicts(plan: TargetedSpec, limit: number): Promise<ConflictReport>;
  /** Active upgrades of other plans held by devices this plan targets, at most `limit`. */
  conflictingUpgradeIds(planId: number, limit: number): Promise<number[]>;
  /**
   * One batch of the enrolment sweep: inserts a pending record for each matching device with an
   * id in the next `limit` devices of the product, and moves the plan's cursor. Returns whether
   * the sweep is done.
   */
  enrolNextBatch(
    planId: number,
    limit: number,
    initial: UpgradeState,
  ): Promise<{ inserted: number; done: boolean }>;
  /**
   * Enrols matching devices registered or added to a group since `since`, and those another
   * plan of the module let go since (busy when this plan enrolled them); moves scanned_at.
   */
  enrolRecent(planId: number, since: number, initial: UpgradeState, now: number): Promise<number>;
  planScannedAt(planId: number): Promise<number | null>;

  /**
   * Claims at most `limit` upgrades (locked until commit; rows another instance holds are
   * skipped), calls `apply` and writes its rows and log lines, all in one transaction.
   */
  updateUpgrades<T>(
    selector: UpgradeSelector,
    limit: number,
    apply: (
      rows: readonly StoredUpgrade[],
      plans: ReadonlyMap<number, ClaimedPlan>,
    ) => { writes: UpgradeWrite[]; result: T },
  ): Promise<{ claimed: number; result: T }>;

  getUpgrade(id: number): Promise<UpgradeRecord | undefined>;
  /** The upgrades of these ids that exist, in no particular order (one query per 500). */
  getUpgrades(ids: readonly number[]): Promise<UpgradeRecord[]>;
  listUpgrades(planId: number, filter: UpgradeFilter, page: PageRequest): Promise<Page<UpgradeRecord>>;
  upgradesOfDevice(deviceId: number, page: PageRequest): Promise<Page<UpgradeRecord>>;
  activeUpgradesOfDevice(deviceId: number): Promise<UpgradeRecord[]>;
  upgradeLog(upgradeId: number): Promise<UpgradeLogEntry[]>;
  report(planId: number, bucketMs: number): Promise<PlanReportData>;
  /** Ended records of every plan (or one product's), per bucket of finish time; empty buckets left out. */
  completions(filter: CompletionFilter, bucketMs: number): Promise<Completions[]>;
  fleetVersions(productId: number): Promise<FleetVersion[]>;
  isPackageInUse(packageId: number): Promise<boolean>;
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
}
