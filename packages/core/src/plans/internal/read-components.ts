// Readers of a plan's components: versions, packages, specified versions, and the ordered list
// (validatePlanSpec's part for "what is installed", docs/adr/0013-plan-components.md).
import { checkVersionName } from '../../versions/version-name.ts';
import { planSpecLimits as limits, type PlanComponent, type PlanFirmware } from '../plan-spec.ts';
import { field, type Issues, type Json, readId, readList, readObject } from './spec-reader.ts';

export function readVersion(value: unknown, path: string, issues: Issues): string | null {
  if (value === undefined) return issues.add(path, 'required', 'is required');
  const problem = checkVersionName(value);
  if (problem === null) return value as string;
  return issues.add(
    path,
    'invalid_version',
    `is not a version name (${problem}): 1 to 50 of A-Z a-z 0-9 . _ -`,
  );
}

export function idReader(issues: Issues) {
  return (value: unknown, path: string) => readId(value, path, issues, limits.idMaxLength);
}

export function readFirmware(value: unknown, path: string, issues: Issues): PlanFirmware | null {
  if (value === undefined) return issues.add(path, 'required', 'is required');
  const object = readObject(value, path, issues, ['kind', 'packageId', 'targetVersion', 'sourceVersion']);
  if (object === null) return null;
  const kind = field(object, path, 'kind');
  const packageId = readId(
    field(object, path, 'packageId').value,
    `${path}.packageId`,
    issues,
    limits.idMaxLength,
  );
  const targetVersion = readVersion(
    field(object, path, 'targetVersion').value,
    `${path}.targetVersion`,
    issues,
  );
  const source = field(object, path, 'sourceVersion');
  if (kind.value === 'full') {
    if (source.value !== undefined)
      issues.add(source.path, 'invalid_value', 'only a delta package has a source version');
    return packageId !== null && targetVersion !== null ? { kind: 'full', packageId, targetVersion } : null;
  }
  if (kind.value !== 'delta') return issues.add(kind.path, 'invalid_value', "must be 'full' or 'delta'");
  if (source.value === undefined || source.value === null) {
    return issues.add(source.path, 'source_version_required', 'a delta package needs its source version');
  }
  const sourceVersion = readVersion(source.value, source.path, issues);
  if (sourceVersion !== null && sourceVersion === targetVersion) {
    return issues.add(source.path, 'source_equals_target', 'must differ from the target version');
  }
  if (packageId === null || targetVersion === null || sourceVersion === null) return null;
  return { kind: 'delta', packageId, targetVersion, sourceVersion };
}

/** A full package's specified versions (Quectel: "specified versions", ≤8); absent = []. */
function readSpecifiedVersions(
  value: unknown,
  path: string,
  issues: Issues,
  firmware: PlanFirmware | null,
): string[] | null {
  if (value === undefined) return [];
  const options = { maxLength: limits.specifiedVersions, nonEmpty: false };
  const versions = readList(value, path, issues, options, (entry, at) => readVersion(entry, at, issues));
  if (versions === null || firmware === null || versions.length === 0) return versions;
  if (firmware.kind === 'delta') {
    return issues.add(path, 'full_package_only', 'only a full package takes specified versions');
  }
  if (versions.includes(firmware.targetVersion)) {
    return issues.add(path, 'equals_target', 'must not list the target version');
  }
  return versions;
}

/** One component: `{ moduleId, firmware, specifiedVersions? }` at `path` (or the spec's top). */
export function readComponent(object: Json, path: string, issues: Issues): PlanComponent | null {
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  const moduleId = idReader(issues)(object['moduleId'], at('moduleId'));
  const firmware = readFirmware(object['firmware'], at('firmware'), issues);
  const specifiedVersions = readSpecifiedVersions(
    object['specifiedVersions'],
    at('specifiedVersions'),
    issues,
    firmware,
  );
  if (moduleId === null || firmware === null || specifiedVersions === null) return null;
  return { moduleId, firmware, specifiedVersions };
}

/**
 * The ordered components: the `components` list (1 to 20), or the one component that
 * `moduleId`, `firmware` and `specifiedVersions` give at the top. Not both.
 */
export function readComponents(object: Json, issues: Issues): PlanComponent[] | null {
  const list = object['components'];
  if (list === undefined) {
    const single = readComponent(object, '', issues);
    return single && [single];
  }
  for (const key of ['moduleId', 'firmware', 'specifiedVersions']) {
    if (object[key] !== undefined) issues.add(key, 'exclusive', 'give components, or this, not both');
  }
  if (!Array.isArray(list)) return issues.add('components', 'invalid_type', 'must be an array');
  if (list.length === 0) return issues.add('components', 'too_short', 'must not be empty');
  if (list.length > limits.components) {
    return issues.add('components', 'too_many', `must have at most ${limits.components} entries`);
  }
  const before = issues.list.length;
  const components: PlanComponent[] = [];
  list.forEach((entry, index) => {
    const path = `components.${index}`;
    const item = readObject(entry, path, issues, ['moduleId', 'firmware', 'specifiedVersions']);
    const component = item && readComponent(item, path, issues);
    if (component === null) return;
    if (components.some((c) => c.moduleId === component.moduleId)) {
      issues.add(`${path}.moduleId`, 'duplicate_module', 'each module takes one component of the plan');
    }
    components.push(component);
  });
  return issues.list.length > before ? null : components;
}
