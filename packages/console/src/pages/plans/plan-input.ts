// The plan form's values and their translation to the body of POST /plans. Empty fields are left
// out so the server applies its defaults (packages/core plan-spec.ts, planSpecLimits).
import type { PlanInput, PlanTargetsInput } from '../../api/types.ts';

/** What antd's DatePicker gives (a Dayjs), without importing dayjs here. */
export interface PickedTime {
  toISOString(): string;
  /** `YYYY-MM-DDTHH:mm:ss`: the wall-clock time picked. */
  format(template: string): string;
}

/** The instant of wall-clock time `local` (YYYY-MM-DDTHH:mm:ss) in `timeZone` (core zonedTimeToEpoch). */
export function zonedIso(local: string, timeZone: string): string {
  const [date = '', time = ''] = local.split('T');
  const [y = 0, mo = 1, d = 1] = date.split('-').map(Number);
  const [h = 0, mi = 0, s = 0] = time.split(':').map(Number);
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const offsetAt = (at: number) => {
    const p = Object.fromEntries(format.formatToParts(at).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']! % 24, p['minute']!, p['second']!) - at;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first)).toISOString();
}

/** A picked time as an ISO instant: the browser's zone, or the plan's when it has one. */
function instantOf(picked: PickedTime, timeZone: string | null | undefined): string {
  return timeZone ? zonedIso(picked.format('YYYY-MM-DDTHH:mm:ss'), timeZone) : picked.toISOString();
}

export type TargetKind = PlanInput['target']['kind'];
export type StartMode = PlanInput['start'] extends infer S
  ? S extends { mode: infer M }
    ? M
    : never
  : never;

/** A component after the first, as the form holds it. */
export interface ComponentFormValues {
  module?: string;
  firmwarePackageId?: number;
  specifiedVersions?: string[];
}

/** One wave of the plan form (plan-wave-fields.tsx); the last one takes the devices left. */
export interface WaveFormValues {
  sizeKind?: 'percent' | 'count';
  size?: number | null;
  successPercent?: number | null;
  errorPercent?: number | null;
  soakMinutes?: number | null;
  manualGate?: boolean;
}

/** The form's waves as the API takes them; absent for fewer than two. */
export function wavesOf(values: Partial<PlanFormValues>): PlanInput['waves'] | undefined {
  const waves = values.waves ?? [];
  if (waves.length < 2) return undefined;
  return waves.map((w, i) => ({
    ...(i < waves.length - 1 &&
      given(w.size) &&
      (w.sizeKind === 'count' ? { count: w.size } : { percent: w.size })),
    ...(given(w.successPercent) && { successPercent: w.successPercent }),
    ...(given(w.errorPercent) && { errorPercent: w.errorPercent }),
    ...(given(w.soakMinutes) && { soakSeconds: w.soakMinutes * 60 }),
    ...(w.manualGate && { manualGate: true }),
  }));
}

export interface PlanFormValues {
  /** Waves in order (issue 18); fewer than two: one wave. */
  waves?: WaveFormValues[];
  name: string;
  productId: number;
  module?: string;
  firmwarePackageId: number;
  specifiedVersions?: string[];
  /** The components after the first, in upgrade order. */
  laterComponents?: ComponentFormValues[];
  targetKind: TargetKind;
  deviceIds?: number[];
  groupIds?: number[];
  versions?: string[];
  whitelist?: number[];
  blacklist?: number[];
  mode: 'silent' | 'manual';
  /** The upgrade texts (plan-text-fields.tsx): both or neither are sent. */
  textsZh?: string;
  textsEn?: string;
  startMode: StartMode;
  startAt?: PickedTime | null;
  deadline?: PickedTime | null;
  minSignal?: number | null;
  minBattery?: number | null;
  minFreeSpace?: number | null;
  retryAttempts?: number | null;
  retryIntervalSeconds?: number | null;
  concurrency?: number | null;
  failurePercent?: number | null;
  failureMinFinished?: number | null;
  pushPeriodSeconds?: number | null;
  upgradeTimeoutSeconds?: number | null;
  /** Minutes, as Quectel's console has it; the API takes seconds. */
  rejectionPeriodMinutes?: number | null;
  /** Minutes; empty: no health confirmation. The API takes seconds. */
  healthWindowMinutes?: number | null;
  /** IANA zone: the window's hours, and the start and end picked, are its wall-clock times. */
  timeZone?: string | null;
  windowFromHour?: number | null;
  windowToHour?: number | null;
  /** Absent: on (the server's default). */
  pushActively?: boolean;
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

type Installed = Pick<PlanInput, 'firmwarePackageId' | 'specifiedVersions' | 'components'>;

/** What to install: one package (and its specified versions), or the list of components. */
function installedOf(values: Partial<PlanFormValues>): Installed | null {
  if (values.firmwarePackageId === undefined) return null;
  const first = {
    firmwarePackageId: values.firmwarePackageId,
    ...(values.specifiedVersions?.length && { specifiedVersions: values.specifiedVersions }),
  };
  const later = (values.laterComponents ?? []).filter((c) => c.firmwarePackageId !== undefined);
  if (later.length === 0) return first;
  return {
    components: [
      first,
      ...later.map((c) => ({
        firmwarePackageId: c.firmwarePackageId!,
        ...(c.specifiedVersions?.length && { specifiedVersions: c.specifiedVersions }),
      })),
    ],
  };
}

/** The request body for the form's values. */
export function toPlanInput(values: PlanFormValues): PlanInput {
  const retry = {
    ...(given(values.retryAttempts) && { attempts: values.retryAttempts }),
    ...(given(values.retryIntervalSeconds) && { intervalSeconds: values.retryIntervalSeconds }),
  };
  const start: PlanInput['start'] =
    values.startMode === 'at' && values.startAt
      ? { mode: 'at', at: instantOf(values.startAt, values.timeZone) }
      : { mode: values.startMode === 'at' ? 'now' : values.startMode };
  return {
    name: values.name.trim(),
    productId: values.productId,
    ...installedOf(values),
    target: targetOf(values),
    ...(values.whitelist?.length && { whitelist: values.whitelist }),
    ...(values.blacklist?.length && { blacklist: values.blacklist }),
    mode: values.mode,
    ...(values.textsZh?.trim() &&
      values.textsEn?.trim() && { texts: { zh: values.textsZh.trim(), en: values.textsEn.trim() } }),
    start,
    ...(values.deadline && { deadline: instantOf(values.deadline, values.timeZone) }),
    ...(values.timeZone && { timeZone: values.timeZone }),
    ...(given(values.windowFromHour) &&
      given(values.windowToHour) && {
        pushWindow: { fromHour: values.windowFromHour, toHour: values.windowToHour },
      }),
    ...(values.pushActively === false && { pushActively: false }),
    ...(given(values.minSignal) && { minSignal: values.minSignal }),
    ...(given(values.minBattery) && { minBattery: values.minBattery }),
    ...(given(values.minFreeSpace) && { minFreeSpace: values.minFreeSpace }),
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
    ...(given(values.rejectionPeriodMinutes) && {
      rejectionPeriodSeconds: values.rejectionPeriodMinutes * 60,
    }),
    ...(given(values.healthWindowMinutes) && { healthWindowSeconds: values.healthWindowMinutes * 60 }),
    ...(values.verification && { verification: true }),
    ...(wavesOf(values) && { waves: wavesOf(values) }),
  };
}

/**
 * The targeting fields as the body of POST /plans/targets (the server counts the devices, as it
 * would when the plan starts); null until a product, a package and a non-empty target are chosen.
 */
export function toTargetsInput(values: Partial<PlanFormValues>): PlanTargetsInput | null {
  const { productId } = values;
  const installed = installedOf(values);
  if (productId === undefined || installed === null) return null;
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
    ...installed,
    target,
    ...(values.whitelist?.length && { whitelist: values.whitelist }),
    ...(values.blacklist?.length && { blacklist: values.blacklist }),
    ...(values.verification && { verification: true }),
    ...(wavesOf(values) && { waves: wavesOf(values) }),
  };
}
