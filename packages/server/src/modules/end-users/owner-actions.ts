// What the device's owner does through the end-user API (docs/enduser-api.md), modelled on
// Quectel's enduserapi (protocols.md §3.5): the upgrades waiting for its devices with their
// texts, confirm, reject, appoint a window, retry after a failure, upgrade details, and the
// auto-upgrade switch. A session reaches its token's devices only: anything else is NOT_FOUND,
// the same answer as for what does not exist, so a token learns nothing of other devices.
import {
  acceptsDeviceUpgradeActions,
  minAppointmentMs,
  planComponent,
  UpdraftError,
  type UpgradeTexts,
} from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { DescribedUpgrade } from '../plans/component-views.ts';
import type { PlanService } from '../plans/plan-service.ts';
import type { Plan } from '../plans/plan-store.ts';
import type { UpgradeEngine } from '../plans/upgrade-engine.ts';
import type { EndUserStore } from './enduser-store.ts';
import type { EndUserSession } from './enduser-tokens.ts';

/** An upgrade as the owner's app sees it: the record, its plan's texts and period, the notes. */
export interface OwnerUpgrade {
  upgrade: DescribedUpgrade;
  plan: Pick<Plan, 'id' | 'name' | 'status'> & { mode: 'silent' | 'manual' };
  texts: UpgradeTexts | null;
  /** Release notes of the package of the component under way. */
  releaseNotes: string;
  /** The plan's period: when it started (or is to start) and its deadline. */
  periodFrom: number | null;
  periodUntil: number | null;
}

export interface OwnerDevice {
  id: number;
  name: string;
  productId: number;
  autoUpgrade: boolean;
}

export function createOwnerActions({
  store,
  plans,
  engine,
  devices,
  packages,
  clock,
}: {
  store: EndUserStore;
  plans: Pick<PlanService, 'getPlan' | 'getUpgrade' | 'activeUpgradesOfDevice' | 'actOnUpgrade'>;
  engine: Pick<UpgradeEngine, 'actOnUpgrades' | 'appoint'>;
  devices: { getDevice(id: number): Promise<{ id: number; name: string; productId: number }> };
  packages: { getPackage(id: number): Promise<{ releaseNotes: string }> };
  clock: Clock;
}) {
  const notFound = (id: number) =>
    new UpdraftError('NOT_FOUND', `no device upgrade ${id}`, { resource: 'upgrade', id });

  function reach(session: EndUserSession, deviceId: number): void {
    if (!session.deviceIds.has(deviceId)) {
      throw new UpdraftError('NOT_FOUND', `no device ${deviceId}`, { resource: 'device', id: deviceId });
    }
  }

  async function ownUpgrade(session: EndUserSession, id: number): Promise<DescribedUpgrade> {
    const upgrade = await plans.getUpgrade(id).catch(() => undefined);
    if (!upgrade || !session.deviceIds.has(upgrade.deviceId)) throw notFound(id);
    return upgrade;
  }

  const periodFromOf = (plan: Plan) =>
    plan.startedAt ?? (plan.spec.start.mode === 'at' ? plan.spec.start.at : null);

  async function describe(upgrade: DescribedUpgrade): Promise<OwnerUpgrade> {
    const plan = await plans.getPlan(upgrade.planId);
    const component = planComponent(plan.spec, upgrade.state.component);
    const pkg = await packages.getPackage(Number(component.firmware.packageId));
    return {
      upgrade,
      plan: { id: plan.id, name: plan.name, status: plan.status, mode: plan.spec.mode },
      texts: plan.spec.texts ?? null,
      releaseNotes: pkg.releaseNotes,
      periodFrom: periodFromOf(plan),
      periodUntil: plan.spec.deadline,
    };
  }

  /** Confirms what waits on devices whose switch is on; `deviceId` narrows it to one. */
  async function confirmAutomatically(deviceId?: number): Promise<number> {
    let confirmed = 0;
    for (;;) {
      const ids = await store.awaitingOnAutoDevices(500, deviceId);
      if (ids.length === 0) return confirmed;
      const outcomes = await engine.actOnUpgrades(ids, 'confirmed', 'auto-upgrade');
      const accepted = outcomes.filter((o) => o.accepted).length;
      confirmed += accepted;
      // Refused ones would come back in every round: stop rather than spin.
      if (accepted === 0 || ids.length < 500) return confirmed;
    }
  }

  return {
    confirmAutomatically,

    async devices(session: EndUserSession): Promise<OwnerDevice[]> {
      const ids = [...session.deviceIds].sort((a, b) => a - b);
      const switches = await store.autoUpgradeOf(ids);
      const out: OwnerDevice[] = [];
      for (const id of ids) {
        const device = await devices.getDevice(id).catch(() => undefined);
        if (device)
          out.push({ id, name: device.name, productId: device.productId, autoUpgrade: switches.get(id)! });
      }
      return out;
    },

    /** The active upgrades of the session's devices (one device's with `deviceId`). */
    async upgrades(session: EndUserSession, deviceId?: number): Promise<OwnerUpgrade[]> {
      if (deviceId !== undefined) reach(session, deviceId);
      const ids = deviceId === undefined ? [...session.deviceIds].sort((a, b) => a - b) : [deviceId];
      const out: OwnerUpgrade[] = [];
      for (const id of ids) {
        for (const upgrade of await plans.activeUpgradesOfDevice(id)) out.push(await describe(upgrade));
      }
      return out;
    },

    async upgrade(session: EndUserSession, id: number): Promise<OwnerUpgrade> {
      return describe(await ownUpgrade(session, id));
    },

    /** confirm, reject or retry (after a failure), as the plan's operators can. */
    async act(
      session: EndUserSession,
      id: number,
      action: 'confirm' | 'reject' | 'retry',
    ): Promise<OwnerUpgrade> {
      await ownUpgrade(session, id);
      const event = action === 'confirm' ? 'confirmed' : action === 'reject' ? 'rejected' : 'operator_retry';
      return describe(await plans.actOnUpgrade(id, event, session.actor));
    },

    /** A window of at least an hour inside the plan's period, in which the device gets it. */
    async appoint(session: EndUserSession, id: number, from: number, until: number): Promise<OwnerUpgrade> {
      const upgrade = await ownUpgrade(session, id);
      const plan = await plans.getPlan(upgrade.planId);
      const bad = (reason: string, message: string) =>
        new UpdraftError('APPOINTMENT_INVALID', message, { reason, from, until });
      if (until - from < minAppointmentMs)
        throw bad('too_short', 'an appointed window lasts an hour at least');
      if (until <= clock.now()) throw bad('over', 'the window is over');
      const periodFrom = periodFromOf(plan);
      if (periodFrom !== null && from < periodFrom)
        throw bad('outside_plan', "the window starts before the plan's period");
      if (plan.spec.deadline !== null && until > plan.spec.deadline) {
        throw bad('outside_plan', "the window ends after the plan's deadline");
      }
      if (plan.spec.mode !== 'manual') throw bad('not_manual', 'only a manual plan takes an appointment');
      if (!acceptsDeviceUpgradeActions(plan.status)) {
        throw new UpdraftError('PLAN_INVALID_TRANSITION', `a ${plan.status} plan takes no appointment`, {
          status: plan.status,
        });
      }
      const outcome = await engine.appoint(id, from, until, session.actor);
      if (!outcome?.accepted) {
        throw new UpdraftError(
          'UPGRADE_INVALID_TRANSITION',
          `cannot appoint: ${outcome?.refusal ?? 'finished'}`,
          {
            refusal: outcome?.refusal ?? 'finished',
            status: outcome?.status ?? upgrade.state.status,
          },
        );
      }
      return describe(await plans.getUpgrade(id));
    },

    async autoUpgrade(session: EndUserSession, deviceId: number): Promise<boolean> {
      reach(session, deviceId);
      return (await store.autoUpgradeOf([deviceId])).get(deviceId)!;
    },

    /** On: what waits for a confirmation on the device is confirmed now, and later ones as they come. */
    async setAutoUpgrade(session: EndUserSession, deviceId: number, enabled: boolean): Promise<boolean> {
      reach(session, deviceId);
      await store.setAutoUpgrade(deviceId, enabled, session.actor, clock.now());
      if (enabled) await confirmAutomatically(deviceId);
      return enabled;
    },
  };
}

export type OwnerActions = ReturnType<typeof createOwnerActions>;
