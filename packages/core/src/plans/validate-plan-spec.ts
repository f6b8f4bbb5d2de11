// Untrusted input (API body, CLI flags, import) -> PlanSpec with defaults, or coded issues.
import { UpdraftError } from '../errors.ts';
import { idReader, readComponents, readVersion } from './internal/read-components.ts';
import { readTexts } from './internal/read-texts.ts';
import { readTiming } from './internal/read-timing.ts';
import { readWaves } from './internal/read-waves.ts';
import {
  field,
  Issues,
  type Json,
  type PlanSpecIssue,
  readInteger,
  readList,
  readNumber,
  readObject,
} from './internal/spec-reader.ts';
import {
  type FailureThreshold,
  planSpecLimits as limits,
  type PlanComponent,
  type PlanMode,
  type PlanSpec,
  type PlanStart,
  type PlanTarget,
  type RetryStrategy,
} from './plan-spec.ts';

export type PlanSpecValidation =
  | { readonly ok: true; readonly spec: PlanSpec }
  | { readonly ok: false; readonly issues: readonly PlanSpecIssue[] };

const topLevel = [
  'name',
  'productId',
  'moduleId',
  'firmware',
  'specifiedVersions',
  'components',
  'target',
  'whitelist',
  'blacklist',
  'mode',
  'texts',
  'downgrade',
  'start',
  'deadline',
  'minSignal',
  'minBattery',
  'minFreeSpace',
  'retry',
  'concurrency',
  'failureThreshold',
  'pushPeriodSeconds',
  'upgradeTimeoutSeconds',
  'rejectionPeriodSeconds',
  'healthWindowSeconds',
  'waves',
  'timeZone',
  'pushWindow',
  'pushActively',
];

// Unicode control characters (C0, DEL, C1) would break logs and CSV exports.
const controlCharacter = /\p{Cc}/u;

function readName(value: unknown, path: string, issues: Issues): string | null {
  if (value === undefined) return issues.add(path, 'required', 'is required');
  if (typeof value !== 'string') return issues.add(path, 'invalid_type', 'must be a string');
  if (value.trim() === '') return issues.add(path, 'blank', 'must not be blank');
  if ([...value].length > limits.nameMaxCodePoints) {
    return issues.add(path, 'too_long', `must be at most ${limits.nameMaxCodePoints} characters`);
  }
  if (controlCharacter.test(value))
    return issues.add(path, 'invalid_value', 'must not contain control characters');
  return value;
}

function readTarget(value: unknown, path: string, issues: Issues): PlanTarget | null {
  if (value === undefined)
    return issues.add(path, 'required', 'is required: all, devices, groups or versions');
  const kind = typeof value === 'object' && value !== null ? (value as Json)['kind'] : undefined;
  const list = { maxLength: limits.listMaxLength, nonEmpty: true };
  const readIds = idReader(issues);
  switch (kind) {
    case 'all':
      return readObject(value, path, issues, ['kind']) && { kind: 'all' };
    case 'devices': {
      const object = readObject(value, path, issues, ['kind', 'deviceIds']);
      const ids = object && readList(object['deviceIds'], `${path}.deviceIds`, issues, list, readIds);
      return ids && { kind: 'devices', deviceIds: ids };
    }
    case 'groups': {
      const object = readObject(value, path, issues, ['kind', 'groupIds']);
      const ids = object && readList(object['groupIds'], `${path}.groupIds`, issues, list, readIds);
      return ids && { kind: 'groups', groupIds: ids };
    }
    case 'versions': {
      const object = readObject(value, path, issues, ['kind', 'versions']);
      const readVersions = (entry: unknown, at: string) => readVersion(entry, at, issues);
      const versions = object && readList(object['versions'], `${path}.versions`, issues, list, readVersions);
      return versions && { kind: 'versions', versions };
    }
    default:
      return issues.add(`${path}.kind`, 'invalid_value', "must be 'all', 'devices', 'groups' or 'versions'");
  }
}

function readStart(value: unknown, path: string, issues: Issues): PlanStart | null {
  if (value === undefined) return { mode: 'now' };
  const object = readObject(value, path, issues, ['mode', 'at']);
  if (object === null) return null;
  const mode = object['mode'];
  if (mode === 'now' || mode === 'manual') {
    if (object['at'] !== undefined)
      issues.add(`${path}.at`, 'invalid_value', "only start mode 'at' takes a time");
    return { mode };
  }
  if (mode !== 'at') return issues.add(`${path}.mode`, 'invalid_value', "must be 'now', 'manual' or 'at'");
  if (object['at'] === undefined)
    return issues.add(`${path}.at`, 'required', "is required with start mode 'at'");
  const at = readInteger(object['at'], `${path}.at`, issues, { min: 0, max: Number.MAX_SAFE_INTEGER });
  return at === null ? null : { mode: 'at', at };
}

function readRetry(value: unknown, path: string, issues: Issues): RetryStrategy | null {
  if (value === undefined) {
    return { attempts: limits.retryAttempts.default, intervalSeconds: limits.retryIntervalSeconds.default };
  }
  const object = readObject(value, path, issues, ['attempts', 'intervalSeconds']);
  if (object === null) return null;
  const attempts = withDefault(object, path, 'attempts', issues, limits.retryAttempts);
  const intervalSeconds = withDefault(object, path, 'intervalSeconds', issues, limits.retryIntervalSeconds);
  return attempts === null || intervalSeconds === null ? null : { attempts, intervalSeconds };
}

function readFailureThreshold(
  value: unknown,
  path: string,
  issues: Issues,
): FailureThreshold | null | undefined {
  if (value === undefined || value === null) return null;
  const object = readObject(value, path, issues, ['percent', 'minFinished']);
  if (object === null) return undefined;
  const percent =
    object['percent'] === undefined
      ? issues.add(`${path}.percent`, 'required', 'is required')
      : readNumber(object['percent'], `${path}.percent`, issues, limits.failurePercent);
  const minFinished = withDefault(object, path, 'minFinished', issues, limits.failureMinFinished);
  return percent === null || minFinished === null ? undefined : { percent, minFinished };
}

function withDefault(
  object: Json,
  path: string,
  key: string,
  issues: Issues,
  range: { min: number; max: number; default: number },
): number | null {
  const { value, path: at } = field(object, path, key);
  return value === undefined ? range.default : readInteger(value, at, issues, range);
}

/** An integer or null; `undefined` (absent) gives `fallback`. Returns undefined on an issue. */
function nullableInteger(
  object: Json,
  key: string,
  issues: Issues,
  range: { min: number; max: number },
  fallback: number | null,
): number | null | undefined {
  const value = object[key];
  if (value === undefined) return fallback;
  if (value === null) return null;
  return readInteger(value, key, issues, range) ?? undefined;
}

export interface PlanSpecContext {
  /** When given, a deadline must lie after it. */
  readonly now?: number;
  /**
   * The least push period, upgrade timeout and rejection period, when lower than planSpecLimits'
   * (a server setting for tests and demos).
   */
  readonly minPeriodSeconds?: number;
}

/**
 * Check an untrusted plan spec. Unknown fields, wrong types and out-of-range values come back as
 * issues with a path and a code; nothing throws. On success, defaults are applied and
 * duplicate ids in lists are dropped.
 */
export function validatePlanSpec(input: unknown, ctx: PlanSpecContext = {}): PlanSpecValidation {
  const issues = new Issues();
  const object = readObject(input, '', issues, topLevel);
  if (object === null) return { ok: false, issues: issues.list };
  const readIds = idReader(issues);
  const lists = { maxLength: limits.listMaxLength, nonEmpty: false };

  const name = readName(object['name'], 'name', issues);
  const productId = readIds(object['productId'], 'productId');
  const components = readComponents(object, issues);
  const target = readTarget(object['target'], 'target', issues);
  const whitelist =
    object['whitelist'] === undefined
      ? []
      : readList(object['whitelist'], 'whitelist', issues, lists, readIds);
  const blacklist =
    object['blacklist'] === undefined
      ? []
      : readList(object['blacklist'], 'blacklist', issues, lists, readIds);
  const modeValue = object['mode'] ?? 'silent';
  const mode: PlanMode | null =
    modeValue === 'silent' || modeValue === 'manual'
      ? modeValue
      : issues.add('mode', 'invalid_value', "must be 'silent' or 'manual'");
  const texts = readTexts(object['texts'], mode === 'manual', issues);
  const start = readStart(object['start'], 'start', issues);
  const deadline = nullableInteger(
    object,
    'deadline',
    issues,
    { min: 0, max: Number.MAX_SAFE_INTEGER },
    null,
  );
  const minSignal = nullableInteger(object, 'minSignal', issues, limits.signal, null);
  const minBattery = nullableInteger(object, 'minBattery', issues, limits.battery, null);
  const minFreeSpace = nullableInteger(object, 'minFreeSpace', issues, limits.freeSpace, null);
  const retry = readRetry(object['retry'], 'retry', issues);
  const concurrency = withDefault(object, '', 'concurrency', issues, limits.concurrency);
  const failureThreshold = readFailureThreshold(object['failureThreshold'], 'failureThreshold', issues);
  const floor = <L extends { min: number }>(range: L): L =>
    ctx.minPeriodSeconds === undefined ? range : { ...range, min: Math.min(range.min, ctx.minPeriodSeconds) };
  const pushPeriodSeconds = nullableInteger(
    object,
    'pushPeriodSeconds',
    issues,
    floor(limits.pushPeriodSeconds),
    limits.pushPeriodSeconds.default,
  );
  const upgradeTimeoutSeconds = withDefault(
    object,
    '',
    'upgradeTimeoutSeconds',
    issues,
    floor(limits.upgradeTimeoutSeconds),
  );
  const timing = readTiming(object, issues);
  const rejectionPeriodSeconds = withDefault(
    object,
    '',
    'rejectionPeriodSeconds',
    issues,
    floor(limits.rejectionPeriodSeconds),
  );

  // Absent or null: installs are not confirmed by the device's health (docs/state-machines.md).
  const healthWindowSeconds = nullableInteger(
    object,
    'healthWindowSeconds',
    issues,
    floor(limits.healthWindowSeconds),
    null,
  );

  const waves = readWaves(object['waves'], issues);
  const downgradeValue = object['downgrade'] ?? false;
  const downgrade =
    typeof downgradeValue === 'boolean'
      ? downgradeValue
      : issues.add('downgrade', 'invalid_type', 'must be true or false');

  if (typeof deadline === 'number') {
    if (start?.mode === 'at' && deadline <= start.at) {
      issues.add('deadline', 'deadline_not_after_start', 'must be after the start time');
    } else if (ctx.now !== undefined && deadline <= ctx.now) {
      issues.add('deadline', 'deadline_passed', 'must be in the future');
    }
  }

  if (
    issues.list.length > 0 ||
    name === null ||
    productId === null ||
    components === null ||
    target === null ||
    whitelist === null ||
    blacklist === null ||
    mode === null ||
    texts === null ||
    start === null ||
    deadline === undefined ||
    minSignal === undefined ||
    minBattery === undefined ||
    minFreeSpace === undefined ||
    retry === null ||
    concurrency === null ||
    failureThreshold === undefined ||
    pushPeriodSeconds === undefined ||
    upgradeTimeoutSeconds === null ||
    rejectionPeriodSeconds === null ||
    healthWindowSeconds === undefined ||
    waves === null ||
    downgrade === null ||
    timing === null
  ) {
    return { ok: false, issues: issues.list };
  }
  const [first, ...later] = components as [PlanComponent, ...PlanComponent[]];
  return {
    ok: true,
    spec: {
      name,
      productId,
      moduleId: first.moduleId,
      firmware: first.firmware,
      // Absent when they say nothing, so a plan of one component reads as plans always did.
      ...(first.specifiedVersions.length > 0 && { specifiedVersions: first.specifiedVersions }),
      ...(later.length > 0 && { laterComponents: later }),
      target,
      whitelist,
      blacklist,
      mode,
      ...(texts !== undefined && { texts }),
      start,
      deadline,
      minSignal,
      minBattery,
      minFreeSpace,
      retry,
      concurrency,
      failureThreshold,
      pushPeriodSeconds,
      upgradeTimeoutSeconds,
      rejectionPeriodSeconds,
      ...(healthWindowSeconds !== null && { healthWindowSeconds }),
      ...(waves !== undefined && { waves }),
      ...timing,
      ...(downgrade && { downgrade: true as const }),
    },
  };
}

/** The error the API edge throws for a refused spec: VALIDATION_FAILED with the issues. */
export function planSpecError(issues: readonly PlanSpecIssue[]): UpdraftError {
  return new UpdraftError('VALIDATION_FAILED', 'The plan is not valid', { issues });
}
