// Device upgrades as the views show them: with the state of each of their plan's components
// (docs/adr/0013-plan-components.md), read in one query for the plans of a page, and why each
// one that has not begun waits (core waitingReason; nothing stored, computed on read).
import {
  type ComponentStatus,
  componentStatusesOf,
  isNoUpdateRequired,
  type PlanSpec,
  upgradePolicyFromPlanSpec,
  type WaitingReason,
  waitingReason,
} from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { Page } from '../pagination.ts';
import type { ComponentTarget, PlanStore } from './plan-store.ts';
import type { UpgradeRecord, UpgradeStore } from './upgrade-store.ts';

export interface DescribedUpgrade extends UpgradeRecord {
  components: (ComponentTarget & { status: ComponentStatus })[];
  waitingReason: WaitingReason | null;
  /** A success of a device already on every component's target (core no-update-required.ts). */
  noUpdateRequired: boolean;
}

const waits = (record: UpgradeRecord) =>
  record.state.status === 'pending' || record.state.status === 'pushed';

export function createComponentViews(
  plans: Pick<PlanStore, 'componentTargets' | 'getPlan'>,
  upgrades: Pick<UpgradeStore, 'countUpgrades'>,
  clock: Clock,
) {
  /** The spec and load of each plan with a waiting record (the load only where a pending one may be capped). */
  async function loads(records: readonly UpgradeRecord[]) {
    const found = new Map<number, { spec: PlanSpec; busy: number | undefined }>();
    for (const record of records) {
      if (!waits(record) || found.has(record.planId)) continue;
      const plan = await plans.getPlan(record.planId);
      if (!plan) continue;
      const counted =
        plan.status === 'running' &&
        records.some((r) => r.planId === plan.id && r.state.status === 'pending');
      const counts = counted ? await upgrades.countUpgrades(plan.id) : undefined;
      found.set(plan.id, { spec: plan.spec, busy: counts && counts.pushed + counts.upgrading });
    }
    return found;
  }

  async function describe(records: readonly UpgradeRecord[]): Promise<DescribedUpgrade[]> {
    const targets = await plans.componentTargets(records.map((r) => r.planId));
    const planLoads = await loads(records);
    const now = clock.now();
    return records.map((record) => {
      const components = targets.get(record.planId) ?? [];
      const statuses = componentStatusesOf(record.state, components.length);
      const load = planLoads.get(record.planId);
      const reason =
        load === undefined
          ? null
          : waitingReason(record.state, {
              planStatus: record.planStatus,
              policy: upgradePolicyFromPlanSpec(load.spec),
              device: record.device,
              concurrency: load.spec.concurrency,
              busy: load.busy,
              now,
            });
      return {
        ...record,
        components: components.map((c, i) => ({ ...c, status: statuses[i]! })),
        waitingReason: reason,
        noUpdateRequired: isNoUpdateRequired(record.state, components.length),
      };
    });
  }
  return {
    describe,
    async describePage(page: Page<UpgradeRecord>): Promise<Page<DescribedUpgrade>> {
      return { ...page, items: await describe(page.items) };
    },
  };
}
