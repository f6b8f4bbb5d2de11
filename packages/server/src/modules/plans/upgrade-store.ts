// Persistence of device upgrades and their enrolment (owned by the plans module). Every
// operation that changes device upgrades claims, applies and writes in one database
// transaction, so a crash at any point leaves either the old state or the new one, never half
// a batch.
import type {
  PlanSpec,
  PlanStatus,
  UpgradeCounts,
  UpgradeLogEntry,
  UpgradeState,
  UpgradeStatus,
} from '@updraft/core';
import type { Page, PageRequest } from '../pagination.ts';

/** One device upgrade as the engine sees it. */
export interface StoredUpgrade {
  id: number;
  planId: number;
  deviceId: number;
  module: string;
  state: UpgradeState;
  /** The owning plan's status when the row was claimed. */
  planStatus: PlanStatus;
  /** Due-dispatch claims: the device's last reported version of the row's module. */
  knownVersion?: string | null;
  /** Silent-upgrading claims: when the device was last seen (any request, a download), null: never. */
  seenAt?: number | null;
  /** The record's wave, 0-based (0 in a plan without waves). */
  wave: number;
}

/** What a claim also says about each plan of the claimed rows. */
export interface ClaimedPlan {
  status: PlanStatus;
  /** Frozen since the plan left draft. */
  spec: PlanSpec;
  /**
   * Pushed plus upgrading records; only counted when the selector asks (withLoad) and the batch
   * holds a pending record of the plan (0 otherwise: nothing in the batch could use it). Counted
   * under the plan row's lock, the one the dispatcher takes, so that the concurrency cap holds
   * across transactions and instances.
   */
  busy: number;
  /** The plan's wave under way: records of later waves are not offered anything yet. */
  openWave: number;
}

/** A row to write back: the new state (null when unchanged) and a log line (null for none). */
export interface UpgradeWrite {
  id: number;
  state: UpgradeState | null;
  log: UpgradeLogEntry | null;
  /** The record went on to a component of another module: the row's module from now on. */
  module?: string;
  /**
   * Written instead, with one more log line, when the device is in another active plan of that
   * module (the one-active-plan index refuses the move; docs/adr/0013-plan-components.md).
   */
  busy?: { state: UpgradeState; log: UpgradeLogEntry };
}

/** Which device upgrades a claim takes. Every selector takes unfinished rows only, except where noted. */
export type UpgradeSelector =
  /** Due pushes and retries of a running plan, no more than its concurrency cap leaves room for. */
  | { kind: 'due_dispatch'; planId: number; now: number }
  /** Due re-pushes (running plans) and timeouts. */
  | { kind: 'due_timers'; planId: number; now: number; actions: readonly ('repush' | 'timeout' | 'health')[] }
  | { kind: 'unfinished'; planId: number }
  /**
   * Pushed records offered at or before `pushedBefore` whose device is not connected and was
   * not seen after `seenBefore`: they give their place under the cap back (core slot-release.ts).
   */
  | { kind: 'offline_pushed'; planId: number; pushedBefore: number; seenBefore: number }
  /**
   * Upgrading records nothing was heard of since `heardBefore` (core silence.ts): their timeout
   * timer falls due at or before `timeoutBefore` (their last progress is at or before
   * `heardBefore`), they were last offered and their device last seen at or before `heardBefore`.
   * In the timer's order: the range of its index, not every upgrading record of the plan.
   */
  | { kind: 'silent_upgrading'; planId: number; timeoutBefore: number; heardBefore: number }
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
  /** The device as last seen, and its reported version of the record's module (null: none). */
  device: {
    online: boolean;
    lastSeenAt: number | null;
    signal: number | null;
    battery: number | null;
    freeSpace: number | null;
    version: string | null;
  };
}

/** An upgrade about to be pushed, read together with what its push needs of the device. */
export interface PushSubject {
  upgrade: StoredUpgrade;
  device: { id: number; productId: number; name: string; gatewayId: number | null };
  /** The version the device last reported for the upgrade's module (null: none). */
  version: string | null;
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

export interface UpgradeStore {
  countUpgrades(planId: number): Promise<UpgradeCounts>;
  /**
   * Devices the plan targets now (its target, lists and, for a delta, the source version), and
   * those of them another plan holds, as findConflicts lists them: counted in one pass.
   */
  countTargets(plan: TargetedSpec, limit: number): Promise<{ devices: number; busy: ConflictReport }>;
  /** The versions the targeted devices report for the plan's module, with how many run each. */
  targetVersions(plan: TargetedSpec): Promise<{ version: string; devices: number }[]>;
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
  /**
   * What pushing these upgrades needs, for the ids that exist, in no particular order (one query
   * per 500): each upgrade with its device and the version the device last reported for the
   * upgrade's module.
   */
  pushSubjects(ids: readonly number[]): Promise<PushSubject[]>;
  listUpgrades(planId: number, filter: UpgradeFilter, page: PageRequest): Promise<Page<UpgradeRecord>>;
  upgradesOfDevice(deviceId: number, page: PageRequest): Promise<Page<UpgradeRecord>>;
  activeUpgradesOfDevice(deviceId: number): Promise<UpgradeRecord[]>;
  /** The active upgrades of these devices, in no particular order (one query per 500). */
  activeUpgradesOfDevices(deviceIds: readonly number[]): Promise<UpgradeRecord[]>;
  /** The device's active upgrade of the module, without the device's name: device requests read it each time. */
  activeUpgradeRow(deviceId: number, module: string): Promise<StoredUpgrade | undefined>;
  /** The same with the version the device last reported for the module, in one read (a check's). */
  activeUpgradeRowWithVersion(
    deviceId: number,
    module: string,
  ): Promise<{ upgrade: StoredUpgrade | undefined; version: string | undefined }>;
  /** One upgrade, without the device's name: every download request reads it. */
  upgradeRow(id: number): Promise<StoredUpgrade | undefined>;
  /**
   * The device's newest upgrade of the module, active or ended, without the device's name: a
   * version report with no active upgrade reads it.
   */
  lastUpgradeRow(deviceId: number, module: string): Promise<StoredUpgrade | undefined>;
  upgradeLog(upgradeId: number): Promise<UpgradeLogEntry[]>;
  /**
   * The plan's successful records by the version their device had when enrolled (null: none
   * known), device ids in order: who a rollback plan brings back, to which version.
   */
  rollbackSources(planId: number): Promise<{ version: string | null; deviceIds: number[] }[]>;
  /** The plan's records counted by wave and status. */
  waveGroups(planId: number): Promise<{ wave: number; status: UpgradeStatus; count: number }[]>;
  /**
   * Gives the plan's records their waves, once: `assign` gets the enrolled devices with the
   * groups among `groupIds` they are in, and returns each one's wave. False when already done.
   */
  assignWaves(
    planId: number,
    groupIds: readonly string[],
    assign: (devices: readonly { id: string; groupIds: string[] }[]) => number[],
  ): Promise<boolean>;
  /** The devices a spec targets now, with the groups among `groupIds` they are in (wave previews). */
  targetedDevices(
    plan: TargetedSpec,
    groupIds: readonly string[],
  ): Promise<{ id: string; groupIds: string[] }[]>;
}
