// Rows of plans and device upgrades to domain values and back: one column per field of
// @updraft/core's UpgradeState, in one order for inserts and updates.
import {
  type PlanSpec,
  type PlanStatus,
  type UpgradeCounts,
  type UpgradeState,
  type WavePhase,
  withSpecDefaults,
} from '@updraft/core';
import { type Kysely, type RawBuilder, type Selectable, sql, type Transaction } from 'kysely';
import type { Plan } from '../../../modules/plans/plan-store.ts';
import type { StoredUpgrade } from '../../../modules/plans/upgrade-store.ts';
import type { DatabaseSchema, DeviceUpgradesTable, PlansTable } from '../schema.ts';

export type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export type UpgradeRow = Selectable<DeviceUpgradesTable>;

export function toPlan(row: Selectable<PlansTable>): Plan {
  return {
    id: row.id,
    productId: row.product_id,
    module: row.module,
    name: row.name,
    firmwarePackageId: row.firmware_package_id,
    status: row.status as PlanStatus,
    spec: withSpecDefaults(JSON.parse(row.spec) as PlanSpec),
    verification: row.verification === 1,
    takeOver: row.take_over === 1,
    failureBaseline:
      row.failure_baseline === null ? null : (JSON.parse(row.failure_baseline) as UpgradeCounts),
    enrolled: row.enrol_done === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    wave: {
      index: row.wave_index,
      phase: row.wave_phase as WavePhase,
      until: row.wave_until === null ? null : Number(row.wave_until),
    },
    wavesAssigned: row.waves_assigned === 1,
  };
}

export function toState(row: UpgradeRow): UpgradeState {
  return {
    status: row.status as UpgradeState['status'],
    stage: row.stage as UpgradeState['stage'],
    progress: row.progress,
    failureReason: row.failure_reason as UpgradeState['failureReason'],
    lastFailureReason: row.last_failure_reason as UpgradeState['lastFailureReason'],
    failureDetail: row.failure_detail,
    attempts: row.attempts,
    autoRetries: row.auto_retries,
    pushCount: row.push_count,
    mismatchCount: row.mismatch_count,
    confirmation: row.confirmation as UpgradeState['confirmation'],
    nextAction: row.next_action as UpgradeState['nextAction'],
    nextActionAt: row.next_action_at,
    reportedVersion: row.reported_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    offeredAt: row.offered_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    component: row.component,
    skipped: row.skipped,
    appointedFrom: row.appointed_from ?? null,
    appointedUntil: row.appointed_until ?? null,
    refusals: row.refusals,
  };
}

/** An upgrade row read with its plan's status (`p.status as plan_status`). */
export function toStoredUpgrade(row: UpgradeRow & { plan_status: string }): StoredUpgrade {
  return {
    id: row.id,
    planId: row.plan_id,
    deviceId: row.device_id,
    module: row.module,
    state: toState(row),
    planStatus: row.plan_status as PlanStatus,
    wave: row.wave,
  };
}

export const isActive = (state: UpgradeState) =>
  state.status === 'success' || state.status === 'failure' || state.status === 'cancelled' ? 0 : 1;

// The state columns in one order, for the initial insert and the batch update.
export function stateValues(s: UpgradeState): RawBuilder<unknown>[] {
  const n = (v: number | null) => sql`cast(${v} as bigint)`;
  const t = (v: string | null) => sql`cast(${v} as text)`;
  return [
    n(isActive(s)),
    t(s.status),
    t(s.stage),
    n(s.progress),
    t(s.failureReason),
    t(s.lastFailureReason),
    t(s.failureDetail),
    n(s.attempts),
    n(s.autoRetries),
    n(s.pushCount),
    n(s.mismatchCount),
    t(s.confirmation),
    t(s.nextAction),
    n(s.nextActionAt),
    t(s.reportedVersion),
    n(s.updatedAt),
    n(s.offeredAt),
    n(s.startedAt),
    n(s.finishedAt),
    n(s.component),
    n(s.skipped),
    n(s.appointedFrom),
    n(s.appointedUntil),
    n(s.refusals),
  ];
}
export const stateColumns = [
  'active',
  'status',
  'stage',
  'progress',
  'failure_reason',
  'last_failure_reason',
  'failure_detail',
  'attempts',
  'auto_retries',
  'push_count',
  'mismatch_count',
  'confirmation',
  'next_action',
  'next_action_at',
  'reported_version',
  'updated_at',
  'offered_at',
  'started_at',
  'finished_at',
  'component',
  'skipped',
  'appointed_from',
  'appointed_until',
  'refusals',
] as const;

export function stateParams(s: UpgradeState): unknown[] {
  return [
    isActive(s),
    s.status,
    s.stage,
    s.progress,
    s.failureReason,
    s.lastFailureReason,
    s.failureDetail,
    s.attempts,
    s.autoRetries,
    s.pushCount,
    s.mismatchCount,
    s.confirmation,
    s.nextAction,
    s.nextActionAt,
    s.reportedVersion,
    s.updatedAt,
    s.offeredAt,
    s.startedAt,
    s.finishedAt,
    s.component,
    s.skipped,
    s.appointedFrom,
    s.appointedUntil,
    s.refusals,
  ];
}
