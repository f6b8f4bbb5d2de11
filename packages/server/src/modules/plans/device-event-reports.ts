// What devices said, applied by the device-upgrade engine (upgrade-engine.ts): the transports'
// entry point. Before core sees a device's check, acceptance or progress from a pending record,
// the plan decides whether it may go ahead now: dispatching, its wave open, inside its push
// window, a free place under its concurrency cap (docs/state-machines.md).
import { applyUpgradeEvent, type DeviceEvent, isInPushWindow, isPlanDispatching } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { UpgradeNotice } from './notifier.ts';
import { notice, type UpgradeBatches } from './upgrade-batches.ts';
import type { DeviceEventInput, UpgradeOutcome } from './upgrade-engine-contract.ts';
import type { ClaimedPlan, StoredUpgrade, UpgradeStore, UpgradeWrite } from './upgrade-store.ts';

/**
 * Device events that take a pending record to pushed (a check answered with the offer) or
 * upgrading (progress or acceptance from a device that went ahead, e.g. after an automatic retry
 * was scheduled): each needs a free place under the plan's concurrency cap, on every path.
 */
const busyingEvents: ReadonlySet<DeviceEvent['type']> = new Set(['checked', 'progress', 'accepted']);

export function createDeviceEventReports(store: UpgradeStore, clock: Clock, batches: UpgradeBatches) {
  const { batchSize, deliver, policyOf, writeOf } = batches;

  /** UpgradeEngine.reportDeviceEvents: one transaction per module and batch. */
  async function reportDeviceEvents(inputs: readonly DeviceEventInput[]): Promise<UpgradeOutcome[]> {
    const results: UpgradeOutcome[] = new Array(inputs.length);
    const byModule = new Map<string, number[]>();
    inputs.forEach((input, index) => {
      const module = input.module ?? 'default';
      const list = byModule.get(module) ?? [];
      list.push(index);
      byModule.set(module, list);
    });
    for (const [module, indexes] of byModule) {
      for (let i = 0; i < indexes.length; i += batchSize) {
        const chunk = indexes.slice(i, i + batchSize);
        const deviceIds = [...new Set(chunk.map((index) => inputs[index]!.deviceId))];
        // Events that can take a pending record to pushed or upgrading count against the cap.
        const withLoad = chunk.some((index) => busyingEvents.has(inputs[index]!.event.type));
        const now = clock.now();
        const { result } = await store.updateUpgrades(
          { kind: 'devices', module, deviceIds, withLoad },
          deviceIds.length,
          (rows, plans) => applyDeviceEvents(inputs, chunk, rows, plans, now, results),
        );
        await deliver(result);
      }
    }
    return results;
  }

  function applyDeviceEvents(
    inputs: readonly DeviceEventInput[],
    chunk: readonly number[],
    rows: readonly StoredUpgrade[],
    plans: ReadonlyMap<number, ClaimedPlan>,
    now: number,
    results: UpgradeOutcome[],
  ) {
    const current = new Map(rows.map((row) => [row.deviceId, row]));
    const busy = new Map([...plans].map(([id, plan]) => [id, plan.busy]));
    const written = new Map<number, UpgradeWrite>();
    const logs: UpgradeWrite[] = [];
    const notify: UpgradeNotice[] = [];
    const withdraw: UpgradeNotice[] = [];
    for (const index of chunk) {
      const { deviceId, event } = inputs[index]!;
      const row = current.get(deviceId);
      const plan = row && plans.get(row.planId);
      const none = { deviceId, upgradeId: null, planId: null, status: null, offered: false };
      if (!row || !plan) {
        results[index] = { ...none, accepted: false, refusal: 'no_upgrade' };
        continue;
      }
      const base = {
        deviceId,
        upgradeId: row.id,
        planId: row.planId,
        status: row.state.status,
        offered: false,
      };
      if (busyingEvents.has(event.type) && row.state.status === 'pending') {
        // A paused plan offers nothing, nor does a wave not started yet (issue 18); a device
        // that went ahead by itself is let through.
        const refusal =
          (!isPlanDispatching(plan.status) || row.wave > plan.openWave) && event.type === 'checked'
            ? 'not_dispatching'
            : event.type === 'checked' && !isInPushWindow(plan.spec, now)
              ? 'outside_window'
              : (busy.get(row.planId) ?? 0) >= plan.spec.concurrency
                ? 'concurrency_full'
                : null;
        if (refusal !== null) {
          results[index] = { ...base, accepted: false, refusal };
          continue;
        }
      }
      // While the plan is paused a device that has not started waits (Quectel's Suspended,
      // protocols.md §3.1: devices under way continue): its start is refused, nothing changes.
      if (
        event.type === 'accepted' &&
        (row.state.status === 'pending' || row.state.status === 'pushed') &&
        (!isPlanDispatching(plan.status) || row.wave > plan.openWave)
      ) {
        results[index] = { ...base, accepted: false, refusal: 'not_dispatching' };
        continue;
      }
      const t = applyUpgradeEvent(row.state, event, policyOf(row.planId, plan.spec), now);
      const wasBusy = row.state.status === 'pushed' || row.state.status === 'upgrading';
      const isBusy = t.state.status === 'pushed' || t.state.status === 'upgrading';
      if (wasBusy !== isBusy) busy.set(row.planId, (busy.get(row.planId) ?? 0) + (isBusy ? 1 : -1));
      if (t.changed) {
        const write = writeOf(row, plan.spec, t, now);
        written.set(row.id, { ...write, log: null });
        // Gone on to another module's component: later events of this module are not its.
        if (write.module === undefined) current.set(deviceId, { ...row, state: t.state });
        else current.delete(deviceId);
      }
      logs.push({ id: row.id, state: null, log: t.log });
      for (const effect of t.effects) {
        if (effect.type === 'notify') notify.push(notice(row));
        if (effect.type === 'withdraw') withdraw.push(notice(row));
      }
      results[index] = {
        ...base,
        status: t.state.status,
        accepted: t.accepted,
        refusal: t.refusal,
        offered: t.effects.some((e) => e.type === 'offer'),
      };
    }
    return { writes: [...written.values(), ...logs], result: { notify, withdraw } };
  }

  return reportDeviceEvents;
}
