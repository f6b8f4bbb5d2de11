// The device-upgrade engine: applies events to device upgrades through @updraft/core's
// applyUpgradeEvent, in batches, and tells the transports (Notifier) whom to contact. It knows
// no transport: a transport reports what a device said with reportDeviceEvents and implements
// Notifier to receive pushes and withdrawals.
import {
  applyUpgradeEvent,
  createUpgradeState,
  type DeviceEvent,
  dueUpgradeEvent,
  isInPushWindow,
  isPlanDispatching,
  type PlanSpec,
  planComponent,
  seenRecentlyMs,
  silenceMs,
  slotHoldMs,
  type UpgradeEvent,
  type UpgradePolicy,
  type UpgradeRefusal,
  type UpgradeStatus,
  type UpgradeTransition,
  upgradePolicyFromPlanSpec,
} from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { Notifier, UpgradeNotice } from './notifier.ts';
import type { Plan } from './plan-store.ts';
import type {
  ClaimedPlan,
  StoredUpgrade,
  UpgradeSelector,
  UpgradeStore,
  UpgradeWrite,
} from './upgrade-store.ts';

/** What a device said, as a transport reports it. `module` defaults to `default`. */
export interface DeviceEventInput {
  deviceId: number;
  module?: string | undefined;
  event: DeviceEvent;
}

/** `device_busy`: an operator retry of a device that is active in another plan of the module. */
export type EngineRefusal =
  | UpgradeRefusal
  | 'no_upgrade'
  | 'not_dispatching'
  | 'concurrency_full'
  /** The plan's daily push window is closed: a device that asks is told there is no task yet. */
  | 'outside_window'
  | 'device_busy';

export interface UpgradeOutcome {
  deviceId: number;
  upgradeId: number | null;
  planId: number | null;
  status: UpgradeStatus | null;
  accepted: boolean;
  refusal: EngineRefusal | null;
  /** The device's check is answered with the upgrade (effect `offer`). */
  offered: boolean;
}

export type OperatorAction = 'operator_retry' | 'operator_cancel' | 'confirmed' | 'rejected';

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

/**
 * Device events that take a pending record to pushed (a check answered with the offer) or
 * upgrading (progress or acceptance from a device that went ahead, e.g. after an automatic retry
 * was scheduled): each needs a free place under the plan's concurrency cap, on every path.
 */
const busyingEvents: ReadonlySet<DeviceEvent['type']> = new Set(['checked', 'progress', 'accepted']);

function notice(row: StoredUpgrade): UpgradeNotice {
  return { deviceId: row.deviceId, upgradeId: row.id, planId: row.planId };
}

export function createUpgradeEngine({ store, notifier, clock, batchSize = 1000 }: EngineOptions) {
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

  function initialState(plan: Plan, now: number) {
    return createUpgradeState(now, { manual: plan.spec.mode === 'manual' });
  }

  return {
    /** Creates the pending records of every targeted device, batch by batch; resumes after a crash. */
    async enrolAll(plan: Plan): Promise<number> {
      let total = 0;
      for (;;) {
        const { inserted, done } = await store.enrolNextBatch(
          plan.id,
          batchSize * 10,
          initialState(plan, clock.now()),
        );
        total += inserted;
        if (done) return total;
      }
    },

    /** Devices registered or added to a targeted group since the last scan join the plan. */
    async enrolRecent(plan: Plan, slackMs: number): Promise<number> {
      const now = clock.now();
      const since = ((await store.planScannedAt(plan.id)) ?? now) - slackMs;
      return store.enrolRecent(plan.id, since, initialState(plan, now), now);
    },

    /** Pushes due records of a running plan within its concurrency cap. */
    async dispatch(planId: number): Promise<number> {
      const outcomes = await drain(
        () => ({ kind: 'due_dispatch', planId, now: clock.now() }),
        (row) => {
          const event = dueUpgradeEvent(row.state, clock.now());
          // The device's known version lets core skip a component it already runs (ADR 0013).
          return event?.type === 'pushed' && row.knownVersion != null
            ? { type: 'pushed', version: row.knownVersion }
            : event;
        },
        false,
      );
      return outcomes.filter((o) => o.accepted).length;
    },

    /**
     * Pushed records of devices that are offline give their places under the cap back (core
     * slot-release.ts): pending again, due at once, behind the devices already waiting.
     */
    async releaseOfflineSlots(plan: Plan): Promise<number> {
      const now = clock.now();
      const held = slotHoldMs(policyOf(plan.id, plan.spec));
      const outcomes = await drain(
        () => ({
          kind: 'offline_pushed',
          planId: plan.id,
          pushedBefore: now - held,
          seenBefore: now - seenRecentlyMs,
        }),
        () => ({ type: 'slot_released' }),
        false,
      );
      return outcomes.filter((o) => o.accepted).length;
    },

    /**
     * Upgrades under way that nothing was heard of for the silence (core silence.ts: two push
     * periods) are offered again, as re-pushes are; their status and timeout stay.
     */
    async reofferSilent(plan: Plan): Promise<number> {
      const policy = policyOf(plan.id, plan.spec);
      const silence = silenceMs(policy);
      if (silence === null) return 0;
      const heardBefore = clock.now() - silence;
      const selector: UpgradeSelector = {
        kind: 'silent_upgrading',
        planId: plan.id,
        timeoutBefore: heardBefore + policy.upgradeTimeoutMs,
        heardBefore,
      };
      let total = 0;
      for (;;) {
        const now = clock.now();
        const { claimed, result } = await store.updateUpgrades(selector, batchSize, (rows, plans) => {
          const collected = applyEach(
            rows,
            plans,
            (row) => ({ type: 'silence_elapsed', seenAt: row.seenAt ?? null }),
            now,
            false,
          );
          return { writes: collected.writes, result: collected };
        });
        await deliver(result);
        const accepted = result.outcomes.filter((o) => o.accepted).length;
        total += accepted;
        // An offered record leaves the selection; a batch refused whole would come back the same.
        if (claimed < batchSize || accepted === 0) return total;
      }
    },

    /**
     * Re-pushes (running plans only), timeouts and ends of health windows (also while paused)
     * that are due.
     */
    async runTimers(planId: number, dispatching: boolean): Promise<number> {
      const actions: ('repush' | 'timeout' | 'health')[] = dispatching
        ? ['repush', 'timeout', 'health']
        : ['timeout', 'health'];
      const outcomes = await drain(
        () => ({ kind: 'due_timers', planId, now: clock.now(), actions }),
        (row) => dueUpgradeEvent(row.state, clock.now()),
        false,
      );
      return outcomes.filter((o) => o.accepted).length;
    },

    /** Cancel or deadline: every unfinished record of the plan ends. */
    async endUnfinished(
      planId: number,
      event: 'operator_cancel' | 'deadline_reached',
      actor: string,
    ): Promise<number> {
      const outcomes = await drain(
        () => ({ kind: 'unfinished', planId }),
        () => (event === 'operator_cancel' ? { type: event, actor } : { type: event }),
        false,
      );
      return outcomes.filter((o) => o.accepted).length;
    },

    /**
     * Operator actions on named records (retry, cancel, confirm, reject), in batches. Refused
     * records are reported, not thrown; `check` may refuse by plan (e.g. a draft's plan).
     */
    async actOnUpgrades(
      ids: readonly number[],
      action: OperatorAction,
      actor: string,
      planId?: number,
    ): Promise<UpgradeOutcome[]> {
      const outcomes: UpgradeOutcome[] = [];
      for (let i = 0; i < ids.length; i += batchSize) {
        const chunk = ids.slice(i, i + batchSize);
        outcomes.push(
          ...(await drainOnce(
            { kind: 'ids', ids: chunk, planId },
            () => ({ type: action, actor }) as UpgradeEvent,
          )),
        );
      }
      return outcomes;
    },

    /** The device's owner appoints a window for a manual plan's upgrade (core `appointed`). */
    async appoint(
      upgradeId: number,
      from: number,
      until: number,
      actor: string,
    ): Promise<UpgradeOutcome | undefined> {
      const [outcome] = await drainOnce({ kind: 'ids', ids: [upgradeId] }, () => ({
        type: 'appointed',
        from,
        until,
        actor,
      }));
      return outcome;
    },

    /** Retries every failed record of the plan (automatic `operator_retry`). */
    async retryFailed(planId: number, actor: string): Promise<number> {
      const outcomes = await drain(
        (afterId) => ({ kind: 'failed', planId, afterId }),
        () => ({ type: 'operator_retry', actor }),
        true,
      );
      return outcomes.filter((o) => o.accepted).length;
    },

    /** Confirms or rejects every record of a manual plan that awaits confirmation. */
    async decideAwaiting(planId: number, action: 'confirmed' | 'rejected', actor: string): Promise<number> {
      const outcomes = await drain(
        (afterId) => ({ kind: 'awaiting', planId, afterId }),
        () => ({ type: action, actor }),
        true,
      );
      return outcomes.filter((o) => o.accepted).length;
    },

    /**
     * What devices said, in one transaction per module and batch: the transports' entry point.
     * Events of one device apply in order. A check from a pending device is answered "no task"
     * while its plan is paused or its concurrency cap is full (docs/state-machines.md).
     */
    async reportDeviceEvents(inputs: readonly DeviceEventInput[]): Promise<UpgradeOutcome[]> {
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
    },
  };

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
}

export type UpgradeEngine = ReturnType<typeof createUpgradeEngine>;
