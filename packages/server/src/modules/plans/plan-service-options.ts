// What the plans service is built from (a leaf: each part of the service imports it, none of
// them imports the service).
import type { Clock } from '../../adapters/clock/clock.ts';
import type { SettingStore } from '../settings/setting-store.ts';
import type { PackageLookup, ProductLookup } from './plan-input.ts';
import type { PlanStore } from './plan-store.ts';
import type { ReportStore } from './report-store.ts';
import type { UpgradeEngine } from './upgrade-engine.ts';
import type { UpgradeStore } from './upgrade-store.ts';

export interface PlanServiceOptions {
  plans: PlanStore;
  upgrades: UpgradeStore;
  reports: ReportStore;
  settings: SettingStore;
  engine: UpgradeEngine;
  packages: PackageLookup;
  /** Without it, components are not checked against the product's node type. */
  products?: ProductLookup;
  clock: Clock;
  /** How often a live plan looks for newly registered devices and group members. */
  rescanMs?: number;
  /** The least push period and upgrade timeout (UPDRAFT_PLAN_MIN_PERIOD_SECONDS); core's 60 s by default. */
  minPeriodSeconds?: number;
}
