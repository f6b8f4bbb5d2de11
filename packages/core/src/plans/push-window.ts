// A plan's time zone and daily push window (Quectel's plan model, protocols.md §3.1: a time zone,
// planned start and end times in it, an optional push period "hour to hour, at least 1 h", and
// pushes every 10 minutes inside it). Pure: the IANA zone is read through Intl, the time is an
// argument. A window may cross midnight (22 to 6).

/** Hours of the plan's time zone: pushing from `fromHour`:00 up to `toHour`:00 (0..23, not equal). */
export interface PushWindow {
  readonly fromHour: number;
  readonly toHour: number;
}

const hourFormats = new Map<string, Intl.DateTimeFormat>();

function hourFormat(timeZone: string): Intl.DateTimeFormat {
  let format = hourFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' });
    hourFormats.set(timeZone, format);
  }
  return format;
}

/** Whether `name` is a time zone Intl knows (an IANA name such as Asia/Shanghai, or UTC). */
export function isValidTimeZone(name: string): boolean {
  if (name.trim() === '' || name.length > 64) return false;
  try {
    hourFormat(name);
    return true;
  } catch {
    return false;
  }
}

/** The hour (0..23) of `at` (epoch ms) on the clocks of `timeZone`. */
export function hourIn(timeZone: string, at: number): number {
  const part = hourFormat(timeZone)
    .formatToParts(at)
    .find((p) => p.type === 'hour');
  return Number(part?.value ?? 0) % 24;
}

/** Whether the hour falls inside the window (from included, to excluded; across midnight too). */
export function hourInWindow(window: PushWindow, hour: number): boolean {
  const { fromHour, toHour } = window;
  return fromHour < toHour ? hour >= fromHour && hour < toHour : hour >= fromHour || hour < toHour;
}

/** A plan's timing as the window rules read it. */
export interface PlanTiming {
  readonly timeZone: string | null;
  readonly pushWindow: PushWindow | null;
}

/** Whether the plan may push at `now`: always without a window, else inside it. */
export function isInPushWindow(timing: PlanTiming, now: number): boolean {
  if (timing.pushWindow === null) return true;
  return hourInWindow(timing.pushWindow, hourIn(timing.timeZone ?? 'UTC', now));
}

// Every zone's offset is a multiple of 15 minutes, so each hour of every zone starts on one.
const quarter = 15 * 60_000;

/** When the window next opens after `now` (epoch ms), or null without a window. */
export function nextWindowOpening(timing: PlanTiming, now: number): number | null {
  if (timing.pushWindow === null) return null;
  const zone = timing.timeZone ?? 'UTC';
  let at = Math.floor(now / quarter) * quarter + quarter;
  // Two days of quarters cover any window, daylight saving changes included.
  for (let i = 0; i < 2 * 24 * 4; i++, at += quarter) {
    if (
      hourInWindow(timing.pushWindow, hourIn(zone, at)) &&
      !hourInWindow(timing.pushWindow, hourIn(zone, at - quarter))
    ) {
      return at;
    }
  }
  return null;
}

/**
 * The epoch ms of a wall-clock time in `timeZone` (`2026-12-07T09:30` or with seconds): what an
 * operator means by a start or end time "in the plan's time zone". Null when it does not parse.
 */
export function zonedTimeToEpoch(local: string, timeZone: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi, s = '0', ms = '0'] = match;
  const guess = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s, +ms.padEnd(3, '0'));
  if (Number.isNaN(guess)) return null;
  // The zone's offset at the guess, then at the corrected instant (they differ near a DST change).
  let at = guess - offsetOf(timeZone, guess);
  at = guess - offsetOf(timeZone, at);
  return at;
}

const fullFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `at`, in ms (east positive). */
function offsetOf(timeZone: string, at: number): number {
  let format = fullFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    fullFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  const wall = Date.UTC(
    +parts['year']!,
    +parts['month']! - 1,
    +parts['day']!,
    +parts['hour']! % 24,
    +parts['minute']!,
    +parts['second']!,
  );
  return wall - (at - (at % 1000));
}
