// Schemas and views of the plan routes. Request shapes are checked here (types, unknown
// fields); the plan rules themselves are @updraft/core's validatePlanSpec, so the API, the CLI
// and imports refuse the same things with the same issue codes.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import {
  type PlanSpec,
  planComponents,
  planStatuses,
  summarizeUpgrades,
  type UpgradeCounts,
  upgradeStatuses,
  wavePhases,
} from '@updraft/core';
import type { Plan } from '../../../modules/plans/plan-store.ts';
import { waveStateOf, waveStates } from '../../../modules/plans/plan-waves.ts';
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

const SpecifiedVersions = Type.Array(Type.String(), {
  description:
    'Full packages: the versions of the module that may take it (at most 8); absent = any. A device on another version is not targeted.',
});
const ComponentBody = Type.Object(
  { firmwarePackageId: Id, specifiedVersions: Type.Optional(SpecifiedVersions) },
  { additionalProperties: false },
);

/** A plan's upgrade texts (plan-spec.ts UpgradeTexts). */
export const UpgradeTexts = Type.Object(
  {
    zh: Type.String({ description: 'Chinese, 1 to 500 characters' }),
    en: Type.String({ description: 'English, 1 to 500 characters' }),
  },
  {
    additionalProperties: false,
    description:
      "What the device's owner reads about the upgrade, in Chinese and English: required on a manual plan (texts_required); sent with every offer and in the confirmations list and the end-user API",
  },
);
const WaveFields = {
  percent: Type.Optional(
    Type.Number({
      description: 'This % of the targeted devices (rounded up), from those no earlier wave took',
    }),
  ),
  count: Type.Optional(Type.Integer({ description: 'This many devices' })),
  groupIds: Type.Optional(
    Type.Array(Id, { description: 'The members of these groups that no earlier wave took' }),
  ),
  successPercent: Type.Optional(
    Type.Number({ description: 'The wave is through once this % of its devices succeeded (default 100)' }),
  ),
  errorPercent: Type.Optional(
    Nullable(
      Type.Number({
        description: 'More than this % of its devices failed: the plan halts (paused, reason recorded)',
      }),
    ),
  ),
  soakSeconds: Type.Optional(
    Type.Integer({ description: 'Wait this long after the success threshold before the next wave' }),
  ),
  manualGate: Type.Optional(
    Type.Boolean({ description: 'The next wave waits for POST /plans/{id}/waves/approve' }),
  ),
};
const WaveBody = Type.Object(WaveFields, { additionalProperties: false });

const PushWindow = Type.Object(
  {
    fromHour: Type.Integer({ minimum: 0, maximum: 23 }),
    toHour: Type.Integer({ minimum: 0, maximum: 23 }),
  },
  {
    additionalProperties: false,
    description:
      'Daily push window in the plan’s time zone, from fromHour:00 to toHour:00 (at least 1 h; 22 to 6 crosses midnight). Outside it nothing is pushed and devices that ask are told there is no task yet; inside it the plan pushes again every push period',
  },
);

export const PlanBody = Type.Object(
  {
    name: Type.String({
      description: '1 to 100 characters, any script; unique per product (PLAN_NAME_EXISTS)',
    }),
    productId: Id,
    firmwarePackageId: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'A plan of one component: its package, full or delta (targets its source version only). Or give components.',
      }),
    ),
    specifiedVersions: Type.Optional(SpecifiedVersions),
    components: Type.Optional(
      Type.Array(ComponentBody, {
        minItems: 1,
        maxItems: 20,
        description:
          'A plan of several components, upgraded in this order (module firmware, then MCU firmware, …), one per module: a device gets component n+1 only after component n succeeded. Instead of firmwarePackageId.',
      }),
    ),
    target: Target,
    whitelist: Type.Optional(Type.Array(Id, { description: 'When set, only these devices' })),
    blacklist: Type.Optional(Type.Array(Id, { description: 'Never these devices; wins over everything' })),
    mode: Type.Optional(literals(['silent', 'manual'] as const)),
    texts: Type.Optional(Nullable(UpgradeTexts)),
    start: Type.Optional(Start),
    deadline: Type.Optional(Nullable(Timestamp)),
    minSignal: Type.Optional(Nullable(Type.Integer({ description: 'dBm, -140 to 0' }))),
    minBattery: Type.Optional(Nullable(Type.Integer({ description: 'percent' }))),
    minFreeSpace: Type.Optional(
      Nullable(
        Type.Integer({
          description:
            "Bytes the device needs free (Quectel's USE_SPACE), 0 to 2,147,483,647: handed to the device; a device that reports less waits (space_low)",
        }),
      ),
    ),
    retry: Type.Optional(Retry),
    concurrency: Type.Optional(
      Type.Integer({ description: 'Devices upgrading at once, 1 to 10,000 (default)' }),
    ),
    failureThreshold: Type.Optional(Nullable(FailureThreshold)),
    pushPeriodSeconds: Type.Optional(Nullable(Type.Integer())),
    upgradeTimeoutSeconds: Type.Optional(Type.Integer()),
    timeZone: Type.Optional(
      Nullable(
        Type.String({
          description:
            'IANA time zone of the plan (Asia/Shanghai, Europe/Berlin, UTC): the push window’s hours are its. Required with pushWindow',
        }),
      ),
    ),
    pushWindow: Type.Optional(Nullable(PushWindow)),
    pushActively: Type.Optional(
      Type.Boolean({
        description: 'Push the plan to devices (default); false: devices get it only when they ask',
      }),
    ),
    rejectionPeriodSeconds: Type.Optional(
      Type.Integer({
        description:
          'Effective period of a rejection: a device that refuses a silent plan’s offer gets it again this long after, 600 to 86,400 s (10 to 1,440 min), 7,200 by default',
      }),
    ),
    healthWindowSeconds: Type.Optional(
      Nullable(
        Type.Integer({
          description:
            'Installs confirmed by health: after a device runs the target it has this long to report healthy, 60 to 604,800 s; a device that reports unhealthy or stays silent fails with not_confirmed (rolled_back when it is back on another version). Absent or null: the version alone is success',
        }),
      ),
    ),
    verification: Type.Optional(Type.Boolean({ description: 'Verification plan on test devices' })),
    downgrade: Type.Optional(
      Type.Boolean({
        description:
          'The plan brings devices to an older version on purpose. Without it, publishing a plan whose target is older than a version its devices report is refused with 409 PLAN_DOWNGRADE (rollback plans set it)',
      }),
    ),
    waves: Type.Optional(
      Nullable(
        Type.Array(WaveBody, {
          minItems: 1,
          maxItems: 20,
          description:
            'Waves rolled out in order, each by percent, count or groups (one of them; the last wave takes every device left and may give none). Which device is in which wave is fixed when the plan starts, by a hash of the plan and the device; devices that join later go to the last wave. Absent: one wave.',
        }),
      ),
    ),
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
  waves: Type.Array(Type.Integer(), {
    description: 'Devices per wave if the plan started now (empty for a plan of one wave)',
  }),
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

export const Counts = Type.Object(Object.fromEntries(upgradeStatuses.map((s) => [s, Type.Integer()])));
export const Summary = Type.Object({
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
  specifiedVersions: Type.Array(Type.String()),
  components: Type.Array(
    Type.Object({
      index: Type.Integer(),
      module: Type.String(),
      firmwarePackageId: Type.Integer(),
      packageKind: literals(['full', 'delta'] as const),
      targetVersion: Type.String(),
      sourceVersion: Nullable(Type.String()),
      specifiedVersions: Type.Array(Type.String()),
    }),
    { description: 'Every component in upgrade order; the first is also given at the top' },
  ),
  target: Target,
  whitelist: Type.Array(Type.Integer()),
  blacklist: Type.Array(Type.Integer()),
  mode: literals(['silent', 'manual'] as const),
  texts: Nullable(UpgradeTexts),
  start: Start,
  deadline: Nullable(Timestamp),
  minSignal: Nullable(Type.Integer()),
  minBattery: Nullable(Type.Integer()),
  minFreeSpace: Nullable(Type.Integer({ description: 'bytes' })),
  retry: Type.Object({ attempts: Type.Integer(), intervalSeconds: Type.Integer() }),
  concurrency: Type.Integer(),
  failureThreshold: Nullable(Type.Object({ percent: Type.Number(), minFinished: Type.Integer() })),
  pushPeriodSeconds: Nullable(Type.Integer()),
  upgradeTimeoutSeconds: Type.Integer(),
  rejectionPeriodSeconds: Type.Integer(),
  healthWindowSeconds: Nullable(Type.Integer()),
  waves: Type.Array(
    Type.Object({
      index: Type.Integer(),
      ...WaveFields,
      successPercent: Type.Number(),
      errorPercent: Nullable(Type.Number()),
      soakSeconds: Type.Integer(),
      manualGate: Type.Boolean(),
      state: literals(waveStates),
    }),
    { description: 'The waves in order, with where each stands; empty for a plan of one wave' },
  ),
  wave: Type.Object(
    {
      index: Type.Integer({ description: 'The wave under way, 0-based' }),
      phase: literals(wavePhases),
      soakUntil: Nullable(Timestamp),
    },
    { description: 'Where the rollout stands (always wave 0, rolling, for a plan of one wave)' },
  ),
  timeZone: Nullable(Type.String()),
  pushWindow: Nullable(PushWindow),
  pushActively: Type.Boolean(),
  downgrade: Type.Boolean({ description: 'Marked a downgrade (not refused for targeting newer devices)' }),
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
    specifiedVersions: spec.specifiedVersions ?? [],
    components: planComponents(spec).map((c, index) => ({
      index,
      module: index === 0 ? plan.module : c.moduleId,
      firmwarePackageId: Number(c.firmware.packageId),
      packageKind: c.firmware.kind,
      targetVersion: c.firmware.targetVersion,
      sourceVersion: c.firmware.kind === 'delta' ? c.firmware.sourceVersion : null,
      specifiedVersions: c.specifiedVersions,
    })),
    status: plan.status,
    verification: plan.verification,
    takeOver: plan.takeOver,
    target: targetView(spec.target),
    whitelist: numbers(spec.whitelist),
    blacklist: numbers(spec.blacklist),
    mode: spec.mode,
    texts: spec.texts ?? null,
    start: spec.start.mode === 'at' ? { mode: 'at' as const, at: iso(spec.start.at)! } : spec.start,
    deadline: iso(spec.deadline),
    minSignal: spec.minSignal,
    minBattery: spec.minBattery,
    minFreeSpace: spec.minFreeSpace ?? null,
    retry: spec.retry,
    concurrency: spec.concurrency,
    failureThreshold: spec.failureThreshold,
    pushPeriodSeconds: spec.pushPeriodSeconds,
    upgradeTimeoutSeconds: spec.upgradeTimeoutSeconds,
    rejectionPeriodSeconds: spec.rejectionPeriodSeconds,
    healthWindowSeconds: spec.healthWindowSeconds ?? null,
    waves: (spec.waves && spec.waves.length > 1 ? spec.waves : []).map((w, index) => ({
      index,
      ...(w.size.kind === 'percent' && { percent: w.size.percent }),
      ...(w.size.kind === 'count' && { count: w.size.count }),
      ...(w.size.kind === 'groups' && { groupIds: numbers(w.size.groupIds) }),
      successPercent: w.successPercent,
      errorPercent: w.errorPercent,
      soakSeconds: w.soakSeconds,
      manualGate: w.manualGate,
      state: waveStateOf(plan, index),
    })),
    wave: { index: plan.wave.index, phase: plan.wave.phase, soakUntil: iso(plan.wave.until) },
    timeZone: spec.timeZone,
    pushWindow: spec.pushWindow,
    pushActively: spec.pushActively,
    downgrade: spec.downgrade === true,
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
  {
    ...PageQuery,
    productId: Type.Optional(Id),
    status: Type.Optional(literals(planStatuses)),
    firmwarePackageId: Type.Optional(
      Type.Integer({ minimum: 1, description: 'The plans of this firmware package' }),
    ),
  },
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
