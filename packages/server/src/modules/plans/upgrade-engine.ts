// The device-upgrade engine: applies events to device upgrades through @updraft/core's
// applyUpgradeEvent, in batches (upgrade-batches.ts), and tells the transports (Notifier) whom to
// contact. It knows no transport: a transport reports what a device said with reportDeviceEvents
// (device-event-reports.ts) and implements Notifier to receive pushes and withdrawals. Here:
// enrolment, the scheduler's pushes and timers, and the operator's actions.
import {
  createUpgradeState,
  dueUpgradeEvent,
  seenRecentlyMs,
  silenceMs,
  slotHoldMs,
  type UpgradeEvent,
} from '@updraft/core';
import { createDeviceEventReports } from './device-event-reports.ts';
import type { Plan } from './plan-store.ts';
import { createUpgradeBatches, type EngineOptions } from './upgrade-batches.ts';
import type { OperatorAction, UpgradeOutcome } from './upgrade-engine-contract.ts';
import type { UpgradeSelector } from './upgrade-store.ts';

export function createUpgradeEngine(options: EngineOptions) {
  const { store, clock } = options;
  const batches = createUpgradeBatches(options);
  const { batchSize, policyOf, applyEach, deliver, drain, drainOnce } = batches;
  const reportDeviceEvents = createDeviceEventReports(store, clock, batches);

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
    reportDeviceEvents,
  };
}

export type UpgradeEngine = ReturnType<typeof createUpgradeEngine>;
