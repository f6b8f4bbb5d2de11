// Small readers for untrusted JSON that collect coded issues instead of throwing.

export const planSpecIssueCodes = [
  'required',
  'invalid_type',
  'unknown_field',
  'invalid_value',
  'blank',
  'too_short',
  'too_long',
  'too_many',
  'not_integer',
  'out_of_range',
  'invalid_version',
  'source_version_required',
  'source_equals_target',
  'deadline_not_after_start',
  'deadline_passed',
  'exclusive',
  'duplicate_module',
  'full_package_only',
  'equals_target',
  'texts_required',
] as const;
export type PlanSpecIssueCode = (typeof planSpecIssueCodes)[number];

export interface PlanSpecIssue {
  /** Dotted path of the field, e.g. `retry.attempts`, `target.deviceIds.3`. */
  readonly path: string;
  readonly code: PlanSpecIssueCode;
  readonly message: string;
}

export class Issues {
  readonly list: PlanSpecIssue[] = [];

  add(path: string, code: PlanSpecIssueCode, message: string): null {
    this.list.push({ path, code, message });
    return null;
  }
}

export type Json = Readonly<Record<string, unknown>>;

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function readObject(
  value: unknown,
  path: string,
  issues: Issues,
  allowed: readonly string[],
): Json | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return issues.add(path, 'invalid_type', 'must be an object');
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) issues.add(join(path, key), 'unknown_field', 'is not a known field');
  }
  return value as Json;
}

/** `object[key]` and its path; `undefined` when absent or null-less absent. */
export function field(object: Json, path: string, key: string): { value: unknown; path: string } {
  return { value: Object.hasOwn(object, key) ? object[key] : undefined, path: join(path, key) };
}

export function readId(value: unknown, path: string, issues: Issues, maxLength: number): string | null {
  if (value === undefined) return issues.add(path, 'required', 'is required');
  if (typeof value !== 'string') return issues.add(path, 'invalid_type', 'must be a string');
  if (value.trim() === '') return issues.add(path, 'blank', 'must not be blank');
  if (value.length > maxLength)
    return issues.add(path, 'too_long', `must be at most ${maxLength} characters`);
  return value;
}

export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

export function readInteger(
  value: unknown,
  path: string,
  issues: Issues,
  range: IntegerRange,
): number | null {
  if (typeof value !== 'number' || Number.isNaN(value))
    return issues.add(path, 'invalid_type', 'must be a number');
  if (!Number.isSafeInteger(value)) return issues.add(path, 'not_integer', 'must be an integer');
  if (value < range.min || value > range.max) {
    return issues.add(path, 'out_of_range', `must be between ${range.min} and ${range.max}`);
  }
  return value;
}

export function readNumber(value: unknown, path: string, issues: Issues, range: IntegerRange): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return issues.add(path, 'invalid_type', 'must be a number');
  if (value < range.min || value > range.max) {
    return issues.add(path, 'out_of_range', `must be between ${range.min} and ${range.max}`);
  }
  return value;
}

/** A list of strings, each checked by `item`; duplicates are dropped, order kept. */
export function readList(
  value: unknown,
  path: string,
  issues: Issues,
  options: { readonly maxLength: number; readonly nonEmpty: boolean },
  item: (value: unknown, path: string) => string | null,
): string[] | null {
  if (!Array.isArray(value)) return issues.add(path, 'invalid_type', 'must be an array');
  if (options.nonEmpty && value.length === 0) return issues.add(path, 'too_short', 'must not be empty');
  if (value.length > options.maxLength) {
    return issues.add(path, 'too_many', `must have at most ${options.maxLength} entries`);
  }
  const before = issues.list.length;
  const items = value.map((entry, index) => item(entry, join(path, String(index))));
  if (issues.list.length > before) return null;
  return [...new Set(items as string[])];
}
