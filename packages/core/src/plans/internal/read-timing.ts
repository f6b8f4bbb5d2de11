// The plan's time zone, push window and "push actively" switch, read from untrusted input
// (protocols.md §3.1): a window is hour to hour, at least 1 h (its hours differ), may cross
// midnight, and needs a time zone; the zone is an IANA name Intl knows.
import { isValidTimeZone, type PushWindow } from '../push-window.ts';
import { field, type Issues, type Json, readInteger, readObject } from './spec-reader.ts';

export interface Timing {
  timeZone: string | null;
  pushWindow: PushWindow | null;
  pushActively: boolean;
}

const hours = { min: 0, max: 23 };

function readWindow(value: unknown, issues: Issues): PushWindow | null | undefined {
  if (value === undefined || value === null) return null;
  const object = readObject(value, 'pushWindow', issues, ['fromHour', 'toHour']);
  if (object === null) return undefined;
  const read = (key: string) => {
    const { value: v, path } = field(object, 'pushWindow', key);
    return v === undefined
      ? issues.add(path, 'required', 'is required')
      : readInteger(v, path, issues, hours);
  };
  const fromHour = read('fromHour');
  const toHour = read('toHour');
  if (fromHour === null || toHour === null) return undefined;
  if (fromHour === toHour) {
    issues.add(
      'pushWindow.toHour',
      'invalid_value',
      'must differ from fromHour: a window lasts 1 to 23 hours',
    );
    return undefined;
  }
  return { fromHour, toHour };
}

/** The timing fields, or null after adding issues. */
export function readTiming(object: Json, issues: Issues): Timing | null {
  const before = issues.list.length;
  const zone = object['timeZone'];
  let timeZone: string | null = null;
  if (zone !== undefined && zone !== null) {
    if (typeof zone !== 'string') issues.add('timeZone', 'invalid_type', 'must be a string');
    else if (!isValidTimeZone(zone))
      issues.add('timeZone', 'invalid_value', 'must be an IANA time zone, e.g. Asia/Shanghai');
    else timeZone = zone;
  }
  const pushWindow = readWindow(object['pushWindow'], issues);
  if (pushWindow && timeZone === null && issues.list.length === before) {
    issues.add('timeZone', 'required', 'is required with a push window');
  }
  const active = object['pushActively'];
  if (active !== undefined && typeof active !== 'boolean')
    issues.add('pushActively', 'invalid_type', 'must be a boolean');
  if (issues.list.length > before || pushWindow === undefined) return null;
  return { timeZone, pushWindow, pushActively: active !== false };
}
