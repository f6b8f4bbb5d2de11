// What an operator sets on an upgrade plan (issue 3). Times are epoch ms; durations seconds,
// as the API takes them. validatePlanSpec turns untrusted input into this, defaults applied.

export type PlanTarget =
  | { readonly kind: 'all' }
  | { readonly kind: 'devices'; readonly deviceIds: readonly string[] }
  | { readonly kind: 'groups'; readonly groupIds: readonly string[] }
  | { readonly kind: 'versions'; readonly versions: readonly string[] };

/**
 * The firmware package as stored. The server fills kind and versions from the package it looked
 * up by id, never from the client; a delta package only targets devices on its source version.
 */
export type PlanFirmware =
  | { readonly kind: 'full'; readonly packageId: string; readonly targetVersion: string }
  | {
      readonly kind: 'delta';
      readonly packageId: string;
      readonly targetVersion: string;
      readonly sourceVersion: string;
    };

export type PlanStart =
  | { readonly mode: 'now' }
  | { readonly mode: 'manual' }
  | { readonly mode: 'at'; readonly at: number };

export type PlanMode = 'silent' | 'manual';

export interface RetryStrategy {
  /** Automatic retries after a failed attempt, 0..10. */
  readonly attempts: number;
  readonly intervalSeconds: number;
}

/** Pause the plan when more than `percent` % of at least `minFinished` decided devices failed. */
export interface FailureThreshold {
  readonly percent: number;
  readonly minFinished: number;
}

export interface PlanSpec {
  /** 1 to 64 code points, any script, not blank. */
  readonly name: string;
  readonly productId: string;
  readonly moduleId: string;
  readonly firmware: PlanFirmware;
  readonly target: PlanTarget;
  /** Device ids; when non-empty only these devices are in scope. */
  readonly whitelist: readonly string[];
  /** Device ids never in scope; wins over everything else. */
  readonly blacklist: readonly string[];
  readonly mode: PlanMode;
  readonly start: PlanStart;
  readonly deadline: number | null;
  /** Minimum signal, dBm (-140..0); handed to the device and checked when it reports one. */
  readonly minSignal: number | null;
  /** Minimum battery, percent (0..100). */
  readonly minBattery: number | null;
  readonly retry: RetryStrategy;
  /** Devices upgrading at once (pushed or upgrading), 1..10,000. */
  readonly concurrency: number;
  readonly failureThreshold: FailureThreshold | null;
  /** How often a pushed device that does not react is pushed again; null = never. */
  readonly pushPeriodSeconds: number | null;
  /** How long an upgrading device may go without progress before it fails with 'timeout'. */
  readonly upgradeTimeoutSeconds: number;
}

export const planSpecLimits = {
  nameMaxCodePoints: 64,
  idMaxLength: 128,
  listMaxLength: 10_000,
  concurrency: { min: 1, max: 10_000, default: 10_000 },
  retryAttempts: { min: 0, max: 10, default: 0 },
  retryIntervalSeconds: { min: 0, max: 7 * 86_400, default: 600 },
  signal: { min: -140, max: 0 },
  battery: { min: 0, max: 100 },
  failurePercent: { min: 0, max: 100 },
  failureMinFinished: { min: 1, max: 1_000_000, default: 10 },
  // Quectel pushes an active plan every 10 minutes (protocols.md §3.1).
  pushPeriodSeconds: { min: 60, max: 86_400, default: 600 },
  // Quectel's verification allows 60 minutes (protocols.md §3.1).
  upgradeTimeoutSeconds: { min: 60, max: 7 * 86_400, default: 3_600 },
} as const;
