// Schemas and views of device upgrades (plan routes and device-upgrade routes): one record as
// the API shows it, with its components, why it waits and the device's state, and its log.
import { type TSchema, Type } from '@sinclair/typebox';
import {
  componentStatuses,
  failureReasons,
  planStatuses,
  upgradeStages,
  upgradeStatuses,
  waitingReasons,
} from '@updraft/core';
import type { DescribedUpgrade } from '../../../modules/plans/component-views.ts';
import { iso, Timestamp } from '../schemas.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const UpgradeSchema = Type.Object({
  id: Type.Integer(),
  planId: Type.Integer(),
  planStatus: literals(planStatuses),
  deviceId: Type.Integer(),
  deviceName: Type.String(),
  module: Type.String(),
  status: literals(upgradeStatuses),
  stage: Nullable(literals(upgradeStages)),
  progress: Type.Integer(),
  failureReason: Nullable(literals(failureReasons)),
  lastFailureReason: Nullable(literals(failureReasons)),
  failureDetail: Nullable(Type.String()),
  attempts: Type.Integer(),
  autoRetries: Type.Integer(),
  pushCount: Type.Integer(),
  mismatchCount: Type.Integer(),
  confirmation: literals(['none', 'awaiting', 'confirmed', 'rejected'] as const),
  refusals: Type.Integer({
    description: 'Times the device refused the offer (offered again after the rejection period)',
  }),
  nextAction: Nullable(
    Type.String({
      description: 'push, retry, repush, timeout, reoffer or health (the end of the health window)',
    }),
  ),
  nextActionAt: Nullable(Timestamp),
  reportedVersion: Nullable(
    Type.String({
      description:
        "The version of the record's module the device reported last: in the upgrade's events, else the device's own report",
    }),
  ),
  waitingReason: Type.Union([...literals(waitingReasons).anyOf, Type.Null()], {
    description:
      'Why a pending or pushed record waits (docs/console.md, "Why a device waits"); null once upgrading or ended',
  }),
  noUpdateRequired: Type.Boolean({
    description:
      "A success of a device that already ran every component's target: nothing was offered (Quectel's No Update Required)",
  }),
  deviceOnline: Type.Boolean(),
  deviceLastSeenAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  offeredAt: Nullable(Timestamp),
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  component: Type.Integer({
    description: 'The component under way (0-based); status, stage and progress are its',
  }),
  appointedFrom: Nullable(Timestamp),
  appointedUntil: Nullable(
    Type.String({
      format: 'date-time',
      description:
        "The window the device's owner appointed (end-user API): the upgrade is pushed or offered inside it only",
    }),
  ),
  wave: Type.Integer({ description: 'The wave of the device, 0-based (0 in a plan of one wave)' }),
  components: Type.Array(
    Type.Object({
      module: Type.String(),
      targetVersion: Type.String(),
      status: literals(componentStatuses),
    }),
    {
      description:
        'Each component of the plan: success or skipped (the device had the target) before the one under way, its status, then waiting, or not_reached once the upgrade ended',
    },
  ),
});

export function upgradeView(record: DescribedUpgrade) {
  const { skipped: _skipped, ...s } = record.state;
  return {
    id: record.id,
    planId: record.planId,
    planStatus: record.planStatus,
    deviceId: record.deviceId,
    deviceName: record.deviceName,
    module: record.module,
    wave: record.wave,
    components: record.components,
    ...s,
    reportedVersion: s.reportedVersion ?? record.device.version,
    waitingReason: record.waitingReason,
    noUpdateRequired: record.noUpdateRequired,
    deviceOnline: record.device.online,
    deviceLastSeenAt: iso(record.device.lastSeenAt),
    nextActionAt: iso(s.nextActionAt),
    createdAt: iso(s.createdAt)!,
    updatedAt: iso(s.updatedAt)!,
    offeredAt: iso(s.offeredAt),
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    appointedFrom: iso(s.appointedFrom),
    appointedUntil: iso(s.appointedUntil),
  };
}

export const LogEntry = Type.Object({
  at: Timestamp,
  event: Type.String(),
  from: literals(upgradeStatuses),
  to: literals(upgradeStatuses),
  actor: Nullable(Type.String()),
  message: Type.String(),
});
