// What an operator sets on an upgrade plan (issue 3). Times are epoch ms; durations seconds,
// as the API takes them. validatePlanSpec turns untrusted input into this, defaults applied.

import type { PushWindow } from './push-window.ts';
import type { WaveSpec } from './waves.ts';

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

/**
 * One component of a plan (Quectel's "component", protocols.md §3.1): a module of the product,
 * its package and, for a full package, the device versions that may take it. Components are
 * upgraded in order; a device gets component n+1 only after component n succeeded.
 */
export interface PlanComponent {
  readonly moduleId: string;
  readonly firmware: PlanFirmware;
  /** Full packages only: the versions of the module that may take it (1..8); empty = any. */
  readonly specifiedVersions: readonly string[];
}

export type PlanStart =
  | { readonly mode: 'now' }
  | { readonly mode: 'manual' }
  | { readonly mode: 'at'; readonly at: number };

export type PlanMode = 'silent' | 'manual';

/**
 * What the device's owner reads about an upgrade, in Chinese and English (Quectel: zh for the
 * mainland, en elsewhere, protocols.md §3.1). Required on a manual plan; sent with every offer.
 */
export interface UpgradeTexts {
  readonly zh: string;
  readonly en: string;
}

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
  /** 1 to 100 code points, any script, not blank; unique per product (the store enforces it). */
  readonly name: string;
  readonly productId: string;
  /** The first component's module and package (every plan has one component at least). */
  readonly moduleId: string;
  readonly firmware: PlanFirmware;
  /** The first component's specified versions; absent = any version may take it. */
  readonly specifiedVersions?: readonly string[];
  /**
   * The components after the first, in upgrade order; absent in a plan of one component.
   * Read every component with planComponents(spec).
   */
  readonly laterComponents?: readonly PlanComponent[];
  readonly target: PlanTarget;
  /** Device ids; when non-empty only these devices are in scope. */
  readonly whitelist: readonly string[];
  /** Device ids never in scope; wins over everything else. */
  readonly blacklist: readonly string[];
  readonly mode: PlanMode;
  /** The upgrade texts; always set on a manual plan, optional on a silent one. */
  readonly texts?: UpgradeTexts;
  readonly start: PlanStart;
  readonly deadline: number | null;
  /** Minimum signal, dBm (-140..0); handed to the device and checked when it reports one. */
  readonly minSignal: number | null;
  /** Minimum battery, percent (0..100). */
  readonly minBattery: number | null;
  /**
   * Minimum free space, bytes, the device needs for the upgrade (Quectel's `USE_SPACE`,
   * protocols.md §3.2); handed to the device and checked when it reports its free space.
   */
  readonly minFreeSpace: number | null;
  readonly retry: RetryStrategy;
  /** Devices upgrading at once (pushed or upgrading), 1..10,000. */
  readonly concurrency: number;
  readonly failureThreshold: FailureThreshold | null;
  /** How often a pushed device that does not react is pushed again; null = never. */
  readonly pushPeriodSeconds: number | null;
  /** How long an upgrading device may go without progress before it fails with 'timeout'. */
  readonly upgradeTimeoutSeconds: number;
  /**
   * Quectel's "effective period of a push rejection" (protocols.md §3.1): a device that refuses a
   * silent plan's offer is offered it again this long after, instead of failing.
   */
  readonly rejectionPeriodSeconds: number;
  /**
   * Installs confirmed by the device's health (issue 18, Mender's commit): after the device runs
   * the target it has this long to report healthy, or the upgrade fails with `not_confirmed`
   * (`rolled_back` when it says it is back on another version). Absent: success on the version.
   */
  readonly healthWindowSeconds?: number;
  /**
   * The waves the targeted devices are rolled out in, in order (issue 18); absent in a plan of
   * one wave, so specs stored before waves read unchanged.
   */
  readonly waves?: readonly WaveSpec[];
  /**
   * The plan's IANA time zone (protocols.md §3.1): its push window's hours are this zone's, and
   * the console shows and takes its start and end times in it. Required with a push window.
   */
  readonly timeZone: string | null;
  /** The daily hours in which the plan pushes (push-window.ts); null = at any time. */
  readonly pushWindow: PushWindow | null;
  /** Quectel's "push plan actively": false = devices get the plan only when they ask. */
  readonly pushActively: boolean;
  /**
   * The operator means to bring devices to an older version (issue 20's anti-downgrade): without
   * it a plan whose target is older than a targeted device's version is refused at publishing.
   * Rollback plans set it. Absent = false, so specs stored before it read unchanged.
   */
  readonly downgrade?: true;
}

export const planSpecLimits = {
  // Quectel: a plan name of at most 100 characters (protocols.md §3.1).
  nameMaxCodePoints: 100,
  /** Each upgrade text (zh, en). */
  textMaxCodePoints: 500,
  idMaxLength: 128,
  listMaxLength: 10_000,
  // Quectel's TASK_INFO carries at most 20 components, a full package at most 8 specified
  // versions (protocols.md §3.1, §3.2).
  components: 20,
  specifiedVersions: 8,
  concurrency: { min: 1, max: 10_000, default: 10_000 },
  retryAttempts: { min: 0, max: 10, default: 0 },
  retryIntervalSeconds: { min: 0, max: 7 * 86_400, default: 600 },
  signal: { min: -140, max: 0 },
  battery: { min: 0, max: 100 },
  // Bytes; Quectel's USE_SPACE is a 32-bit integer.
  freeSpace: { min: 0, max: 2_147_483_647 },
  failurePercent: { min: 0, max: 100 },
  failureMinFinished: { min: 1, max: 1_000_000, default: 10 },
  // Quectel pushes an active plan every 10 minutes (protocols.md §3.1).
  pushPeriodSeconds: { min: 60, max: 86_400, default: 600 },
  // Quectel's verification allows 60 minutes (protocols.md §3.1).
  upgradeTimeoutSeconds: { min: 60, max: 7 * 86_400, default: 3_600 },
  // Quectel: 10 to 1,440 minutes, 120 by default (protocols.md §3.1).
  rejectionPeriodSeconds: { min: 600, max: 86_400, default: 7_200 },
  // Long enough for a restart and an application's own checks; at most a week.
  healthWindowSeconds: { min: 60, max: 7 * 86_400 },
} as const;
