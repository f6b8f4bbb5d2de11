// Schemas and views of the plan routes. Request shapes are checked here (types, unknown
// fields); the plan rules themselves are @updraft/core's validatePlanSpec, so the API, the CLI
// and imports refuse the same things with the same issue codes.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import {
  failureReasons,
  type PlanSpec,
  planStatuses,
  summarizeUpgrades,
  type UpgradeCounts,
  upgradeStages,
  upgradeStatuses,
} from '@updraft/core';
import type { Plan, UpgradeRecord } from '../../../modules/plans/plan-store.ts';
import { iso, PageQuery, Timestamp } from '../schemas.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Id = Type.Integer({ minimum: 1 });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Target = Type.Union([
  Type.Object({ kind: Type.Literal('all') }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('devices'), deviceIds: Type.Array(Id) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('groups'), groupIds: Type.Array(Id) }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('versions'), versions: Type.Array(Type.String()) },
    { additionalProperties: false },
  ),
]);
const Start = Type.Union([
  Type.Object({ mode: literals(['now', 'manual'] as const) }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('at'), at: Timestamp }, { additionalProperties: false }),
]);
const Retry = Type.Object(
  {
    attempts: Type.Optional(
      Type.Integer({ description: 'Automatic retries after a failed attempt, 0 to 10' }),
    ),
    intervalSeconds: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);
const FailureThreshold = Type.Object(
  {
    percent: Type.Number({ description: 'Pause when more than this % of decided devices failed' }),
    minFinished: Type.Optional(Type.Integer({ description: '... once at least this many decided' })),
  },
  { additionalProperties: false },
);

export const PlanBody = Type.Object(
  {
    name: Type.String({ description: '1 to 64 characters, any script' }),
    productId: Id,
    firmwarePackageId: Type.Integer({
      minimum: 1,
      description: 'Full, or delta (targets its source version only)',
    }),
    target: Target,
    whitelist: Type.Optional(Type.Array(Id, { description: 'When set, only these devices' })),
    blacklist: Type.Optional(Type.Array(Id, { description: 'Never these devices; wins over everything' })),
    mode: Type.Optional(literals(['silent', 'manual'] as const)),
    start: Type.Optional(Start),
    deadline: Type.Optional(Nullable(Timestamp)),
    minSignal: Type.Optional(Nullable(Type.Integer({ description: 'dBm, -140 to 0' }))),
    minBattery: Type.Optional(Nullable(Type.Integer({ description: 'percent' }))),
    retry: Type.Optional(Retry),
    concurrency: Type.Optional(
      Type.Integer({ description: 'Devices upgrading at once, 1 to 10,000 (default)' }),
    ),
    failureThreshold: Type.Optional(Nullable(FailureThreshold)),
    pushPeriodSeconds: Type.Optional(Nullable(Type.Integer())),
    upgradeTimeoutSeconds: Type.Optional(Type.Integer()),
    verification: Type.Optional(Type.Boolean({ description: 'Verification plan on test devices' })),
  },
  { additionalProperties: false },
);
export type PlanBodyType = Static<typeof PlanBody>;

/** A plan body to count the targets of before saving: the name may be left out. */
export const TargetsBody = Type.Object(
  { ...PlanBody.properties, name: Type.Optional(PlanBody.properties.name) },
  { additionalProperties: false },
);

export const Targets = Type.Object({
  devices: Type.Integer(),
  busy: Type.Integer(),
  busyDeviceIds: Type.Array(Type.Integer(), { description: 'The first 100 busy devices' }),
});

const ms = (value: string) => Date.parse(value);

/** The API's shape (ISO times) to the service's (epoch ms). */
export function planInputOf<T extends Static<typeof TargetsBody>>(body: T) {
  const { start, deadline, ...rest } = body;
  return {
    ...rest,
    ...(start !== undefined && { start: start.mode === 'at' ? { mode: 'at', at: ms(start.at) } : start }),
    ...(deadline !== undefined && { deadline: deadline === null ? null : ms(deadline) }),
  };
}

const Counts = Type.Object(Object.fromEntries(upgradeStatuses.map((s) => [s, Type.Integer()])));
const Summary = Type.Object({
  total: Type.Integer(),
  unfinished: Type.Integer(),
  finished: Type.Integer(),
  decided: Type.Integer(),
  successRate: Nullable(Type.Number()),
  failureRate: Nullable(Type.Number()),
  completion: Type.Number(),
});

export const PlanSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  productId: Type.Integer(),
  module: Type.String(),
  firmwarePackageId: Type.Integer(),
  packageKind: literals(['full', 'delta'] as const),
  targetVersion: Type.String(),
  sourceVersion: Nullable(Type.String()),
  status: literals(planStatuses),
  verification: Type.Boolean(),
  takeOver: Type.Boolean({
    description:
      'Devices busy in another plan of the module are taken over at the start (publish or start with takeOver)',
  }),
  target: Target,
  whitelist: Type.Array(Type.Integer()),
  blacklist: Type.Array(Type.Integer()),
  mode: literals(['silent', 'manual'] as const),
  start: Start,
  deadline: Nullable(Timestamp),
  minSignal: Nullable(Type.Integer()),
  minBattery: Nullable(Type.Integer()),
  retry: Type.Object({ attempts: Type.Integer(), intervalSeconds: Type.Integer() }),
  concurrency: Type.Integer(),
  failureThreshold: Nullable(Type.Object({ percent: Type.Number(), minFinished: Type.Integer() })),
  pushPeriodSeconds: Nullable(Type.Integer()),
  upgradeTimeoutSeconds: Type.Integer(),
  createdBy: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
});

const numbers = (ids: readonly string[]) => ids.map(Number);

function targetView(target: PlanSpec['target']) {
  switch (target.kind) {
    case 'devices':
      return { kind: 'devices' as const, deviceIds: numbers(target.deviceIds) };
    case 'groups':
      return { kind: 'groups' as const, groupIds: numbers(target.groupIds) };
    default:
      return target;
  }
}

export function planView(plan: Plan) {
  const { spec } = plan;
  return {
    id: plan.id,
    name: plan.name,
    productId: plan.productId,
    module: plan.module,
    firmwarePackageId: plan.firmwarePackageId,
    packageKind: spec.firmware.kind,
    targetVersion: spec.firmware.targetVersion,
    sourceVersion: spec.firmware.kind === 'delta' ? spec.firmware.sourceVersion : null,
    status: plan.status,
    verification: plan.verification,
    takeOver: plan.takeOver,
    target: targetView(spec.target),
    whitelist: numbers(spec.whitelist),
    blacklist: numbers(spec.blacklist),
    mode: spec.mode,
    start: spec.start.mode === 'at' ? { mode: 'at' as const, at: iso(spec.start.at)! } : spec.start,
    deadline: iso(spec.deadline),
    minSignal: spec.minSignal,
    minBattery: spec.minBattery,
    retry: spec.retry,
    concurrency: spec.concurrency,
    failureThreshold: spec.failureThreshold,
    pushPeriodSeconds: spec.pushPeriodSeconds,
    upgradeTimeoutSeconds: spec.upgradeTimeoutSeconds,
    createdBy: plan.createdBy,
    createdAt: iso(plan.createdAt)!,
    updatedAt: iso(plan.updatedAt)!,
    startedAt: iso(plan.startedAt),
    finishedAt: iso(plan.finishedAt),
  };
}

export const PlanWithCounts = Type.Intersect([PlanSchema, Type.Object({ counts: Counts, summary: Summary })]);

export function countsView(counts: UpgradeCounts) {
  return { counts, summary: summarizeUpgrades(counts) };
}

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
  nextAction: Nullable(Type.String()),
  nextActionAt: Nullable(Timestamp),
  reportedVersion: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  offeredAt: Nullable(Timestamp),
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
});

export function upgradeView(record: UpgradeRecord) {
  const s = record.state;
  return {
    id: record.id,
    planId: record.planId,
    planStatus: record.planStatus,
    deviceId: record.deviceId,
    deviceName: record.deviceName,
    module: record.module,
    ...s,
    nextActionAt: iso(s.nextActionAt),
    createdAt: iso(s.createdAt)!,
    updatedAt: iso(s.updatedAt)!,
    offeredAt: iso(s.offeredAt),
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
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

export const Transition = Type.Object({
  from: literals(planStatuses),
  to: literals(planStatuses),
  action: Type.String(),
  actor: Type.String(),
  at: Timestamp,
  reason: Nullable(Type.String()),
});

export const ActionBody = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    takeOver: Type.Optional(
      Type.Boolean({ description: 'Move devices busy in another plan of the module to this one' }),
    ),
  },
  { additionalProperties: false },
);

export const UpgradeIdsBody = Type.Object(
  {
    upgradeIds: Type.Optional(
      Type.Array(Id, { maxItems: 10_000, description: 'Absent: every eligible record' }),
    ),
  },
  { additionalProperties: false },
);

export const Outcomes = Type.Object({
  affected: Type.Integer(),
  items: Type.Array(
    Type.Object({
      upgradeId: Nullable(Type.Integer()),
      deviceId: Type.Integer(),
      accepted: Type.Boolean(),
      refusal: Nullable(Type.String()),
      status: Nullable(literals(upgradeStatuses)),
    }),
  ),
});

export const PlanQuery = Type.Object(
  { ...PageQuery, productId: Type.Optional(Id), status: Type.Optional(literals(planStatuses)) },
  { additionalProperties: false },
);
export const UpgradeQuery = Type.Object(
  { ...PageQuery, status: Type.Optional(literals(upgradeStatuses)), deviceId: Type.Optional(Id) },
  { additionalProperties: false },
);
export const ReportQuery = Type.Object(
  { bucketMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080, default: 60 })) },
  { additionalProperties: false },
);
export const ExportQuery = Type.Object(
  { format: Type.Optional(literals(['csv', 'json'] as const)) },
  { additionalProperties: false },
);

export const Report = Type.Object({
  counts: Counts,
  summary: Summary,
  progressBuckets: Type.Array(Type.Integer(), { description: '10 buckets of upgrading devices by progress' }),
  failureReasons: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
  completions: Type.Array(
    Type.Object({
      at: Timestamp,
      success: Type.Integer(),
      failure: Type.Integer(),
      cancelled: Type.Integer(),
    }),
  ),
});
