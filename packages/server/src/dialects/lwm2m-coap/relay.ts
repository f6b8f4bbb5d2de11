// What other instances decided for the clients registered here (issue 21, docs/scale-out.md).
// A plan's step runs on whichever instance holds its lease, and that instance reaches only the
// LwM2M clients registered with it. With several instances on one PostgreSQL database, each
// instance's sweep (every 5 s) reads the active upgrades of the clients registered with it, one
// query per 500 clients, and puts on their wire what this instance has not: an offer pushed
// elsewhere, or the withdrawal of an offer it wrote whose upgrade was cancelled, ended or set
// back to wait elsewhere.
import type { UpgradeSummary } from '../../modules/device-access/device-access.ts';
import type { UpgradeNotice } from '../../modules/plans/notifier.ts';
import type { Lwm2mContext, UnderWay } from './context.ts';
import type { FirmwareSession } from './firmware-session.ts';
import type { Registration } from './registry.ts';

/** Offers sent per sweep at most (100 a second at a sweep every 5 s), not a whole campaign at once. */
const maxOffersPerSweep = 500;

/** An offer written here stays on the client while its upgrade is in one of these. */
const offered = (status: UpgradeSummary['status']) => status === 'pushed' || status === 'upgrading';

export function createRelay(ctx: Lwm2mContext, session: FirmwareSession) {
  /**
   * Pushed upgrades seen at the last sweep and not yet written, by device. An offer goes at its
   * second sighting, so that a push decided here leaves through this instance's own push queue
   * (at its rate) and is not written twice.
   */
  let sighted = new Map<number, number>();

  function withdraw(reg: Registration, under: UnderWay): void {
    void ctx.serially(reg, async () => {
      if (ctx.underWay.get(reg.device.id) === under) await session.withdraw(reg, under);
    });
  }

  async function offer(regs: ReadonlyMap<number, Registration>, notices: UpgradeNotice[]): Promise<void> {
    if (notices.length === 0) return;
    // As the push queue does: only to devices whose product speaks LwM2M (products.protocols).
    const offers = await ctx.access.pushOffers(
      notices,
      async (device) =>
        regs.has(device.id) &&
        ((await ctx.access.productOf(device.productId))?.protocols ?? []).includes('lwm2m'),
    );
    for (const { device, module, offer } of offers) {
      const reg = regs.get(device.id)!;
      // Whatever reached the client meanwhile (a push from here, its Register) goes first.
      void ctx.serially(reg, async () => {
        if (ctx.registry.byDevice(device.id) !== reg || ctx.underWay.has(device.id)) return;
        await session.deliver(reg, module, offer);
      });
    }
  }

  /** One pass over the live registrations of this instance. */
  return async function relay(live: readonly Registration[]): Promise<void> {
    // What was under way before the query: a later change here is newer than what it reads.
    const before = new Map(live.map((reg) => [reg.device.id, ctx.underWay.get(reg.device.id)]));
    const upgrades = await ctx.access.activeUpgradesOf([...before.keys()]);
    const activeOf = new Map<number, UpgradeSummary[]>();
    for (const upgrade of upgrades) {
      const list = activeOf.get(upgrade.deviceId) ?? [];
      list.push(upgrade);
      activeOf.set(upgrade.deviceId, list);
    }
    const next = new Map<number, number>();
    const notices: UpgradeNotice[] = [];
    const regs = new Map<number, Registration>();
    for (const reg of live) {
      const id = reg.device.id;
      const active = activeOf.get(id) ?? [];
      const under = before.get(id);
      if (under) {
        const on = active.some((u) => u.id === under.upgradeId && offered(u.status));
        // Cancelled, timed out or waiting again: the engine's withdrawal went out elsewhere.
        if (!on && !under.executed && ctx.underWay.get(id) === under) withdraw(reg, under);
        continue;
      }
      const pushed = active.find((u) => u.status === 'pushed' && u.planStatus === 'running');
      if (!pushed) continue;
      if (sighted.get(id) === pushed.id && notices.length < maxOffersPerSweep) {
        notices.push({ deviceId: id, upgradeId: pushed.id, planId: pushed.planId });
        regs.set(id, reg);
      } else {
        next.set(id, pushed.id);
      }
    }
    sighted = next;
    await offer(regs, notices);
  };
}
