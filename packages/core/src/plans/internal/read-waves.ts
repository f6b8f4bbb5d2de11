// The reader of a plan's waves (validatePlanSpec's part for "in which order", issue 18).
import { type WaveSize, type WaveSpec, waveLimits } from '../waves.ts';
import { idReader } from './read-components.ts';
import { type Issues, type Json, readInteger, readList, readNumber, readObject } from './spec-reader.ts';

const waveFields = [
  'percent',
  'count',
  'groupIds',
  'successPercent',
  'errorPercent',
  'soakSeconds',
  'manualGate',
];

function readSize(object: Json, path: string, issues: Issues, last: boolean): WaveSize | null {
  const given = (['percent', 'count', 'groupIds'] as const).filter((k) => object[k] !== undefined);
  if (given.length > 1) {
    return issues.add(`${path}.${given[1]}`, 'exclusive', 'give one of percent, count or groupIds');
  }
  if (given.length === 0) {
    if (last) return { kind: 'rest' };
    return issues.add(
      `${path}.percent`,
      'required',
      'give percent, count or groupIds (only the last wave may leave it out)',
    );
  }
  switch (given[0]) {
    case 'percent': {
      const percent = readNumber(object['percent'], `${path}.percent`, issues, { min: 0, max: 100 });
      if (percent === 0) return issues.add(`${path}.percent`, 'out_of_range', 'must be more than 0');
      return percent === null ? null : { kind: 'percent', percent };
    }
    case 'count': {
      const count = readInteger(object['count'], `${path}.count`, issues, waveLimits.count);
      return count === null ? null : { kind: 'count', count };
    }
    default: {
      const list = { maxLength: waveLimits.groups, nonEmpty: true };
      const ids = readList(object['groupIds'], `${path}.groupIds`, issues, list, idReader(issues));
      return ids === null ? null : { kind: 'groups', groupIds: ids };
    }
  }
}

/** A plan's waves; absent (or null) = a plan of one wave, as plans always were. */
export function readWaves(value: unknown, issues: Issues): readonly WaveSpec[] | null | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return issues.add('waves', 'invalid_type', 'must be an array');
  if (value.length === 0)
    return issues.add('waves', 'too_short', 'must not be empty; leave it out for one wave');
  if (value.length > waveLimits.waves) {
    return issues.add('waves', 'too_many', `must have at most ${waveLimits.waves} waves`);
  }
  const before = issues.list.length;
  const waves: WaveSpec[] = [];
  value.forEach((entry, index) => {
    const path = `waves.${index}`;
    const object = readObject(entry, path, issues, waveFields);
    if (object === null) return;
    const size = readSize(object, path, issues, index === value.length - 1);
    const percent = (key: string, fallback: number | null) =>
      object[key] === undefined || (object[key] === null && fallback === null)
        ? fallback
        : readNumber(object[key], `${path}.${key}`, issues, { min: 0, max: 100 });
    const successPercent = percent('successPercent', 100);
    const errorPercent = percent('errorPercent', null);
    const soakSeconds =
      object['soakSeconds'] === undefined
        ? 0
        : readInteger(object['soakSeconds'], `${path}.soakSeconds`, issues, waveLimits.soakSeconds);
    const gate = object['manualGate'] ?? false;
    if (typeof gate !== 'boolean') issues.add(`${path}.manualGate`, 'invalid_type', 'must be a boolean');
    if (size === null || successPercent === null || soakSeconds === null) return;
    waves.push({ size, successPercent, errorPercent, soakSeconds, manualGate: gate === true });
  });
  return issues.list.length > before ? null : waves;
}
