// The plan form's values and their translation to the body of POST /plans. Empty fields are left
// out so the server applies its defaults (packages/core plan-spec.ts, planSpecLimits).
import type { PlanInput, PlanTargetsInput } from '../../api/types.ts';

/** What antd's DatePicker gives (a Dayjs), without importing dayjs here. */
export interface PickedTime {
  toISOString(): string;
}

export type TargetKind = PlanInput['target']['kind'];
export type StartMode = PlanInput['start'] extends infer S
  ? S extends { mode: infer M }
    ? M
    : never
  : never;

export interface PlanFormValues {
  name: string;
  productId: number;
  module?: string;
  firmwarePackageId: number;
  targetKind: TargetKind;
  deviceIds?: number[];
  groupIds?: number[];
  versions?: string[];
  whitelist?: number[];
  blacklist?: number[];
  mode: 'silent' | 'manual';
  startMode: StartMode;
  startAt?: PickedTime | null;
  deadline?: PickedTime | null;
  minSignal?: number | null;
  minBattery?: number | null;
  retryAttempts?: number | null;
  retryIntervalSeconds?: number | null;
  concurrency?: number | null;
  failurePercent?: number | null;
  failureMinFinished?: number | null;
  pushPeriodSeconds?: number | null;
  upgradeTimeoutSeconds?: number | null;
  verification?: boolean;
}

const given = (value: number | null | undefined): value is number => typeof value === 'number';

function targetOf(values: Partial<PlanFormValues>): PlanInput['target'] {
  switch (values.targetKind) {
    case 'devices':
      return { kind: 'devices', deviceIds: values.deviceIds ?? [] };
    case 'groups':
      return { kind: 'groups', groupIds: values.groupIds ?? [] };
    case 'versions':
      return { kind: 'versions', versions: values.versions ?? [] };
    default:
      return { kind: 'all' };
  }
}

/** The request body for the form's values. */
export function toPlanInput(values: PlanFormValues): PlanInput {
  const retry = {
    ...(given(values.retryAttempts) && { attempts: values.retryAttempts }),
    ...(given(values.retryIntervalSeconds) && { intervalSeconds: values.retryIntervalSeconds }),
  };
  const start: PlanInput['start'] =
    values.startMode === 'at' && values.startAt
      ? { mode: 'at', at: values.startAt.toISOString() }
      : { mode: values.startMode === 'at' ? 'now' : values.startMode };
  return {
    name: values.name.trim(),
    productId: values.productId,
    firmwarePackageId: values.firmwarePackageId,
    target: targetOf(values),
    ...(values.whitelist?.length && { whitelist: values.whitelist }),
    ...(values.blacklist?.length && { blacklist: values.blacklist }),
    mode: values.mode,
    start,
    ...(values.deadline && { deadline: values.deadline.toISOString() }),
    ...(given(values.minSignal) && { minSignal: values.minSignal }),
    ...(given(values.minBattery) && { minBattery: values.minBattery }),
    ...(Object.keys(retry).length > 0 && { retry }),
    ...(given(values.concurrency) && { concurrency: values.concurrency }),
    ...(given(values.failurePercent) && {
      failureThreshold: {
        percent: values.failurePercent,
        ...(given(values.failureMinFinished) && { minFinished: values.failureMinFinished }),
      },
    }),
    ...(given(values.pushPeriodSeconds) && { pushPeriodSeconds: values.pushPeriodSeconds }),
    ...(given(values.upgradeTimeoutSeconds) && { upgradeTimeoutSeconds: values.upgradeTimeoutSeconds }),
    ...(values.verification && { verification: true }),
  };
}

/**
 * The targeting fields as the body of POST /plans/targets (the server counts the devices, as it
 * would when the plan starts); null until a product, a package and a non-empty target are chosen.
 */
export function toTargetsInput(values: Partial<PlanFormValues>): PlanTargetsInput | null {
  const { productId, firmwarePackageId } = values;
  if (productId === undefined || firmwarePackageId === undefined) return null;
  const target = targetOf(values);
  const listed =
    target.kind === 'devices'
      ? target.deviceIds
      : target.kind === 'groups'
        ? target.groupIds
        : target.kind === 'versions'
          ? target.versions
          : null;
  if (listed?.length === 0) return null;
  return {
    productId,
    firmwarePackageId,
    target,
    ...(values.whitelist?.length && { whitelist: values.whitelist }),
    ...(values.blacklist?.length && { blacklist: values.blacklist }),
    ...(values.verification && { verification: true }),
  };
}
