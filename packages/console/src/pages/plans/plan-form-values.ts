// A saved plan as the plan form's values (the reverse of plan-input.ts), so a draft opens in the
// editor as it was saved (PUT /plans/:id). Every value the server filled in with its default is
// shown as such: saving the form again sends it explicitly, which changes nothing.
import dayjs, { type Dayjs } from 'dayjs';
import type { Plan } from '../../api/types.ts';
import type { PlanFormValues, WaveFormValues } from './plan-input.ts';

/** The wall-clock time of `iso` in `timeZone` (the browser's when null), as the date picker holds it. */
export function pickedOf(iso: string, timeZone: string | null): Dayjs {
  if (!timeZone) return dayjs(iso);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return dayjs(
    `${parts['year']}-${parts['month']}-${parts['day']}T${parts['hour']}:${parts['minute']}:${parts['second']}`,
  );
}

const orUndefined = <T>(value: T | null): T | undefined => value ?? undefined;

function wavesOf(plan: Plan): WaveFormValues[] {
  return plan.waves.map((w) => ({
    sizeKind: typeof w.count === 'number' ? 'count' : 'percent',
    size: w.count ?? w.percent ?? null,
    successPercent: w.successPercent,
    errorPercent: w.errorPercent,
    soakMinutes: w.soakSeconds / 60,
    manualGate: w.manualGate,
  }));
}

export function formValuesOf(plan: Plan): PlanFormValues {
  const [first, ...later] = plan.components;
  const { target, timeZone } = plan;
  return {
    name: plan.name,
    productId: plan.productId,
    module: first?.module ?? plan.module,
    firmwarePackageId: first?.firmwarePackageId ?? plan.firmwarePackageId,
    specifiedVersions: first?.specifiedVersions ?? plan.specifiedVersions,
    laterComponents: later.map((c) => ({
      module: c.module,
      firmwarePackageId: c.firmwarePackageId,
      specifiedVersions: c.specifiedVersions,
    })),
    targetKind: target.kind,
    ...(target.kind === 'devices' && { deviceIds: target.deviceIds }),
    ...(target.kind === 'groups' && { groupIds: target.groupIds }),
    ...(target.kind === 'versions' && { versions: target.versions }),
    whitelist: plan.whitelist,
    blacklist: plan.blacklist,
    mode: plan.mode,
    textsZh: plan.texts?.zh,
    textsEn: plan.texts?.en,
    startMode: plan.start.mode,
    startAt: plan.start.mode === 'at' ? pickedOf(plan.start.at, timeZone) : null,
    deadline: plan.deadline ? pickedOf(plan.deadline, timeZone) : null,
    minSignal: plan.minSignal,
    minBattery: plan.minBattery,
    minFreeSpace: plan.minFreeSpace,
    retryAttempts: plan.retry.attempts,
    retryIntervalSeconds: plan.retry.intervalSeconds,
    concurrency: plan.concurrency,
    failurePercent: plan.failureThreshold?.percent ?? null,
    failureMinFinished: plan.failureThreshold?.minFinished ?? null,
    pushPeriodSeconds: plan.pushPeriodSeconds,
    upgradeTimeoutSeconds: plan.upgradeTimeoutSeconds,
    rejectionPeriodMinutes: plan.rejectionPeriodSeconds / 60,
    healthWindowMinutes: plan.healthWindowSeconds === null ? null : plan.healthWindowSeconds / 60,
    timeZone: orUndefined(timeZone),
    windowFromHour: plan.pushWindow?.fromHour ?? null,
    windowToHour: plan.pushWindow?.toHour ?? null,
    pushActively: plan.pushActively,
    verification: plan.verification,
    waves: wavesOf(plan),
  };
}
