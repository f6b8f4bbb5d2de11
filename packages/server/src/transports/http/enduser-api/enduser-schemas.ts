// The shapes of the end-user API (docs/enduser-api.md), from which the OpenAPI document is made.
import { type TSchema, Type } from '@sinclair/typebox';
import { componentStatuses, failureReasons, upgradeStages, upgradeStatuses } from '@updraft/core';
import type { OwnerDevice, OwnerUpgrade } from '../../../modules/end-users/owner-actions.ts';
import { iso, Timestamp } from '../schemas.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));

export const DeviceSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  productId: Type.Integer(),
  autoUpgrade: Type.Boolean({
    description: "On: manual plans' upgrades of the device are confirmed by themselves",
  }),
});

export const UpgradeSchema = Type.Object({
  upgradeId: Type.Integer(),
  deviceId: Type.Integer(),
  deviceName: Type.String(),
  planId: Type.Integer(),
  planName: Type.String(),
  mode: literals(['silent', 'manual'] as const),
  texts: Nullable(
    Type.Object({ zh: Type.String(), en: Type.String() }, { description: "The plan's upgrade texts" }),
  ),
  releaseNotes: Type.String({ description: 'Release notes of the package under way' }),
  periodFrom: Nullable(Timestamp),
  periodUntil: Nullable(Timestamp),
  status: literals(upgradeStatuses),
  confirmation: literals(['none', 'awaiting', 'confirmed', 'rejected'] as const),
  waiting: Type.Boolean({ description: "Awaits the owner's decision: confirm, appoint or reject" }),
  appointedFrom: Nullable(Timestamp),
  appointedUntil: Nullable(Timestamp),
  stage: Nullable(literals(upgradeStages)),
  progress: Type.Integer(),
  failureReason: Nullable(literals(failureReasons)),
  attempts: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  components: Type.Array(
    Type.Object({ module: Type.String(), targetVersion: Type.String(), status: literals(componentStatuses) }),
    { description: 'In upgrade order, each with its state' },
  ),
});

export const Appointment = Type.Object(
  {
    from: Timestamp,
    until: Type.String({
      format: 'date-time',
      description: "At least an hour after from, inside the plan's period (APPOINTMENT_INVALID otherwise)",
    }),
  },
  { additionalProperties: false },
);

export const AutoUpgrade = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });

export function deviceView(d: OwnerDevice) {
  return d;
}

export function upgradeView({ upgrade, plan, texts, releaseNotes, periodFrom, periodUntil }: OwnerUpgrade) {
  const s = upgrade.state;
  return {
    upgradeId: upgrade.id,
    deviceId: upgrade.deviceId,
    deviceName: upgrade.deviceName,
    planId: plan.id,
    planName: plan.name,
    mode: plan.mode,
    texts,
    releaseNotes,
    periodFrom: iso(periodFrom),
    periodUntil: iso(periodUntil),
    status: s.status,
    confirmation: s.confirmation,
    waiting: s.status === 'pending' && s.confirmation === 'awaiting',
    appointedFrom: iso(s.appointedFrom),
    appointedUntil: iso(s.appointedUntil),
    stage: s.stage,
    progress: s.progress,
    failureReason: s.failureReason,
    attempts: s.attempts,
    createdAt: iso(s.createdAt)!,
    updatedAt: iso(s.updatedAt)!,
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    components: upgrade.components,
  };
}
