// A clock the test moves by hand: nothing in Updraft reads the time except through a Clock.
import type { Clock } from '../adapters/clock/clock.ts';

export type ManualClock = Clock & { advance(ms: number): void; set(ms: number): void };

export function createManualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}
