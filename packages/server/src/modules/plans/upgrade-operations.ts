// What operators do to device upgrades (retry, cancel, confirm, reject; one or many) and how
// they are read, with the rule that a device is in one active plan per module.
import { acceptsDeviceUpgradeActions, UpdraftError, type UpgradeStatus } from '@updraft/core';
import type { PageRequest } from '../pagination.ts';
import { createComponentViews, type DescribedUpgrade } from './component-views.ts';
import type { PlanLifecycle } from './plan-lifecycle.ts';
import type { PlanServiceOptions } from './plan-service-options.ts';
import type { Plan } from './plan-store.ts';
import type { OperatorAction, UpgradeOutcome } from './upgrade-engine-contract.ts';
import type { UpgradeRecord } from './upgrade-store.ts';

const actionVerbs: Record<OperatorAction, string> = {
  operator_retry: 'retry',
  operator_cancel: 'cancel',
  confirmed: 'confirm',
  rejected: 'reject',
};

/** A refusal in words ("it has ended (cancelled)", not "finished"). */
function refusalText(refusal: string | null | undefined, status: UpgradeStatus | null): string {
  if (refusal === 'finished') return `it has ended (${status})`;
  if (refusal === 'not_manual') return 'it awaits no confirmation';
  if (refusal === 'not_failed') return `it has not failed (${status})`;
  return (refusal ?? 'refused').replaceAll('_', ' ');
}

export function createUpgradeOperations(
  { upgrades: store, plans, engine, clock }: PlanServiceOptions,
  { getPlan, act }: Pick<PlanLifecycle, 'getPlan' | 'act'>,
) {
  const views = createComponentViews(plans, store, clock);

  /**
   * The active upgrade another plan of the module holds for the record's device, if any: a
   * retry there would put the device in two active plans (one-active-plan index).
   */
  async function heldElsewhere(record: UpgradeRecord): Promise<UpgradeRecord | undefined> {
    const active = await store.activeUpgradesOfDevice(record.deviceId);
    return active.find((u) => u.module === record.module && u.planId !== record.planId);
  }

  function heldError(record: UpgradeRecord, other: UpgradeRecord): UpdraftError {
    return new UpdraftError(
      'PLAN_CONFLICT',
      `device ${record.deviceId} is in plan ${other.planId} of module ${record.module} now; cancel it there first`,
      { count: 1, deviceIds: [record.deviceId], planId: other.planId, upgradeId: other.id },
    );
  }

  async function forDeviceActions(planId: number, actor: string, reopen: boolean): Promise<Plan> {
    const plan = await getPlan(planId);
    if (plan.status === 'completed' && reopen) {
      await act(plan, 'reopen', actor, { reason: 'operator retry' });
      return getPlan(planId);
    }
    if (!acceptsDeviceUpgradeActions(plan.status)) {
      throw new UpdraftError(
        'PLAN_INVALID_TRANSITION',
        `a ${plan.status} plan takes no device-upgrade actions`,
        {
          status: plan.status,
        },
      );
    }
    return plan;
  }

  return {
    async actOnUpgrades(
      planId: number,
      ids: number[],
      action: OperatorAction,
      actor: string,
    ): Promise<UpgradeOutcome[]> {
      await forDeviceActions(planId, actor, action === 'operator_retry');
      const outcomes = await engine.actOnUpgrades(ids, action, actor, planId);
      if (action !== 'operator_retry' || outcomes.length === ids.length) return outcomes;
      // The claim leaves out records whose device another plan holds: say so for each.
      const done = new Set(outcomes.map((o) => o.upgradeId));
      for (const id of new Set(ids)) {
        if (done.has(id)) continue;
        const record = await store.getUpgrade(id);
        if (!record || record.planId !== planId) continue;
        outcomes.push({
          deviceId: record.deviceId,
          upgradeId: id,
          planId,
          status: record.state.status,
          accepted: false,
          refusal: 'device_busy',
          offered: false,
        });
      }
      return outcomes;
    },

    /** One device upgrade by id; refusals become UPGRADE_INVALID_TRANSITION. */
    async actOnUpgrade(upgradeId: number, action: OperatorAction, actor: string): Promise<DescribedUpgrade> {
      const record = await store.getUpgrade(upgradeId);
      if (!record) {
        throw new UpdraftError('NOT_FOUND', `no device upgrade ${upgradeId}`, {
          resource: 'upgrade',
          id: upgradeId,
        });
      }
      const retry = action === 'operator_retry';
      // Refused before a completed plan is reopened for it.
      const held = retry ? await heldElsewhere(record) : undefined;
      if (held) throw heldError(record, held);
      await forDeviceActions(record.planId, actor, retry);
      const [outcome] = await engine.actOnUpgrades([upgradeId], action, actor, record.planId);
      if (!outcome && retry) {
        // Another plan took the device between the check and the claim.
        const other = await heldElsewhere(record);
        if (other) throw heldError(record, other);
      }
      if (outcome && !outcome.accepted) {
        throw new UpdraftError(
          'UPGRADE_INVALID_TRANSITION',
          `cannot ${actionVerbs[action]} this device upgrade: ${refusalText(outcome.refusal, outcome.status)}`,
          {
            refusal: outcome.refusal,
            status: outcome.status,
          },
        );
      }
      return (await views.describe([(await store.getUpgrade(upgradeId))!]))[0]!;
    },

    async retryFailed(planId: number, actor: string): Promise<number> {
      await forDeviceActions(planId, actor, true);
      return engine.retryFailed(planId, actor);
    },

    async decideAwaiting(planId: number, action: 'confirmed' | 'rejected', actor: string): Promise<number> {
      await forDeviceActions(planId, actor, false);
      return engine.decideAwaiting(planId, action, actor);
    },

    /** A device upgrade with its components' states (component-views.ts). */
    async getUpgrade(id: number): Promise<DescribedUpgrade> {
      const record = await store.getUpgrade(id);
      if (!record)
        throw new UpdraftError('NOT_FOUND', `no device upgrade ${id}`, { resource: 'upgrade', id });
      return (await views.describe([record]))[0]!;
    },
    upgradeLog: (id: number) => store.upgradeLog(id),
    async listUpgrades(
      planId: number,
      filter: { status?: UpgradeStatus; deviceId?: number },
      page: PageRequest,
    ) {
      await getPlan(planId);
      return views.describePage(await store.listUpgrades(planId, filter, page));
    },
    upgradesOfDevice: async (deviceId: number, page: PageRequest) =>
      views.describePage(await store.upgradesOfDevice(deviceId, page)),
    /** The plans that wait for a device (the device's app asks, e.g. to confirm a manual plan). */
    activeUpgradesOfDevice: async (deviceId: number) =>
      views.describe(await store.activeUpgradesOfDevice(deviceId)),
  };
}

export type UpgradeOperations = ReturnType<typeof createUpgradeOperations>;
