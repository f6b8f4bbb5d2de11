// How the device-upgrade engine applies core's applyUpgradeEvent to stored records: claimed in
// batches through the UpgradeStore, one transaction each, the pushes and withdrawals handed to
// the Notifier after commit. Shared by the engine's scheduled and operator work
// (upgrade-engine.ts) and the devices' reports (device-event-reports.ts).
import {
  applyUpgradeEvent,
  type PlanSpec,
  planComponent,
  type UpgradeEvent,
  type UpgradePolicy,
  type UpgradeTransition,
  upgradePolicyFromPlanSpec,
} from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { Notifier, UpgradeNotice } from './notifier.ts';
import type { UpgradeOutcome } from './upgrade-engine-contract.ts';
import type {
  ClaimedPlan,
  StoredUpgrade,
  UpgradeSelector,
  UpgradeStore,
  UpgradeWrite,
} from './upgrade-store.ts';

export interface EngineOptions {
  store: UpgradeStore;
  notifier: Notifier;
  clock: Clock;
  /** Rows per transaction (claims, device-event batches); enrolment takes ten times as many devices. */
  batchSize?: number;
}

interface Collected {
  writes: UpgradeWrite[];
  notify: UpgradeNotice[];
  withdraw: UpgradeNotice[];
  outcomes: UpgradeOutcome[];
}

export function notice(row: StoredUpgrade): UpgradeNotice {
  return { deviceId: row.deviceId, upgradeId: row.id, planId: row.planId };
}

export function createUpgradeBatches({ store, notifier, clock, batchSize = 1000 }: EngineOptions) {
  // A plan's spec is frozen once it leaves draft, so its policy can be kept for good.
  const policies = new Map<number, UpgradePolicy>();
  function policyOf(planId: number, spec: PlanSpec): UpgradePolicy {
    let policy = policies.get(planId);
    if (!policy) {
      policy = upgradePolicyFromPlanSpec(spec);
      policies.set(planId, policy);
    }
    return policy;
  }

  /**
   * The write of a changed record. A record that went on to a component of another module gets
   * its new module, and the state to write instead when another plan holds that module for the
   * device (core `module_busy`; the store decides, docs/adr/0013-plan-components.md).
   */
  function writeOf(row: StoredUpgrade, spec: PlanSpec, t: UpgradeTransition, now: number): UpgradeWrite {
    const write: UpgradeWrite = { id: row.id, state: t.changed ? t.state : null, log: t.log };
    if (!t.changed) return write;
    const module = planComponent(spec, t.state.component).moduleId;
    if (t.state.component === 0 || module === row.module) return write;
    const busy = applyUpgradeEvent(t.state, { type: 'module_busy', module }, policyOf(row.planId, spec), now);
    return { ...write, module, busy: { state: busy.state, log: busy.log } };
  }

  /** Applies one event per row; `log` says whether refused events get a log line. */
  function applyEach(
    rows: readonly StoredUpgrade[],
    plans: ReadonlyMap<number, ClaimedPlan>,
    eventOf: (row: StoredUpgrade) => UpgradeEvent | null,
    now: number,
    log: boolean,
  ): Collected {
    const out: Collected = { writes: [], notify: [], withdraw: [], outcomes: [] };
    for (const row of rows) {
      const event = eventOf(row);
      const plan = plans.get(row.planId);
      if (event === null || plan === undefined) continue;
      const t = applyUpgradeEvent(row.state, event, policyOf(row.planId, plan.spec), now);
      if (t.accepted || log) out.writes.push(writeOf(row, plan.spec, t, now));
      for (const effect of t.effects) {
        if (effect.type === 'notify') out.notify.push(notice(row));
        if (effect.type === 'withdraw') out.withdraw.push(notice(row));
      }
      out.outcomes.push({
        deviceId: row.deviceId,
        upgradeId: row.id,
        planId: row.planId,
        status: t.state.status,
        accepted: t.accepted,
        refusal: t.refusal,
        offered: t.effects.some((e) => e.type === 'offer'),
      });
    }
    return out;
  }

  async function deliver(collected: Pick<Collected, 'notify' | 'withdraw'>): Promise<void> {
    // After commit: a crash before this line loses the push, never the state; the re-push
    // timer (push period) and the device's own checks recover it.
    if (collected.notify.length > 0) await notifier.notify(collected.notify);
    if (collected.withdraw.length > 0) await notifier.withdraw(collected.withdraw);
  }

  /** Claims and applies batch after batch until a claim comes back short. */
  async function drain(
    selector: (afterId: number) => UpgradeSelector,
    eventOf: (row: StoredUpgrade, plan: ClaimedPlan) => UpgradeEvent | null,
    log: boolean,
  ): Promise<UpgradeOutcome[]> {
    const outcomes: UpgradeOutcome[] = [];
    let afterId = 0;
    for (;;) {
      const now = clock.now();
      const { claimed, result } = await store.updateUpgrades(selector(afterId), batchSize, (rows, plans) => {
        const collected = applyEach(rows, plans, (row) => eventOf(row, plans.get(row.planId)!), now, log);
        const last = rows[rows.length - 1];
        return { writes: collected.writes, result: { collected, lastId: last ? last.id : afterId } };
      });
      await deliver(result.collected);
      outcomes.push(...result.collected.outcomes);
      afterId = result.lastId;
      if (claimed < batchSize) return outcomes;
    }
  }

  /** Claims and applies one batch, refused events logged too. */
  async function drainOnce(
    selector: UpgradeSelector,
    eventOf: (row: StoredUpgrade) => UpgradeEvent,
  ): Promise<UpgradeOutcome[]> {
    const now = clock.now();
    const { result } = await store.updateUpgrades(selector, batchSize, (rows, plans) => {
      const collected = applyEach(rows, plans, eventOf, now, true);
      return { writes: collected.writes, result: collected };
    });
    await deliver(result);
    return result.outcomes;
  }

  return { batchSize, policyOf, writeOf, applyEach, deliver, drain, drainOnce };
}

export type UpgradeBatches = ReturnType<typeof createUpgradeBatches>;
