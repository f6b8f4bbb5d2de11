/** Time comes from one place so that tests can drive it (test-support/manual-clock.ts). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
