// What a device should get now: the answer to its check or version statement, the offers it
// gets when it comes online, and the offers behind a batch of pushes. An offer is the plan's
// package of the component under way (or the stored delta from the device's version) with a
// download token per file.
import {
  acceptsVersion,
  componentCount,
  componentStatusOf,
  isTerminalUpgradeStatus,
  type PlanSpec,
  planComponent,
  planComponents,
} from '@updraft/core';
import type { AccessCaches } from './caches.ts';
import { engineEventOf } from './canonical-events.ts';
import { componentView, targetOf } from './components.ts';
import type {
  AccessDevice,
  CheckInput,
  CheckResult,
  DeviceAccess,
  DevicePlan,
  Offer,
  UpgradeSummary,
} from './device-access.ts';
import { noOfferReasonOf } from './device-problems.ts';
import type { DownloadTokens } from './download-tokens.ts';
import { moduleCodeMismatch } from './module-codes.ts';
import type { AccessPlan, DeviceDirectory, UpgradeDirectory } from './ports.ts';
import type { Reports } from './reports.ts';
import type { Measured, SeenWriter } from './seen-writer.ts';

export type Offers = Pick<
  DeviceAccess,
  | 'devicePlans'
  | 'check'
  | 'informVersion'
  | 'offerUnderWay'
  | 'offersOnConnect'
  | 'pushOffers'
  | 'activeUpgradesOf'
>;

/** The engine's threshold rule (core thresholdShortfall): a missing measurement passes. */
function meetsThresholds(spec: PlanSpec, measured: Measured): boolean {
  const { signal, battery, freeSpace } = measured;
  const minFreeSpace = spec.minFreeSpace ?? null;
  return (
    (battery === undefined || spec.minBattery === null || battery >= spec.minBattery) &&
    (signal === undefined || spec.minSignal === null || signal >= spec.minSignal) &&
    (freeSpace === undefined || minFreeSpace === null || freeSpace >= minFreeSpace)
  );
}

export function createOffers({
  devices,
  upgrades,
  tokens,
  caches,
  reports,
  seen,
}: {
  devices: Pick<DeviceDirectory, 'versionOf'>;
  upgrades: Pick<UpgradeDirectory, 'pushSubjects' | 'activeUpgrade' | 'activeUpgrades' | 'activeUpgradesOf'>;
  tokens: DownloadTokens;
  caches: AccessCaches;
  reports: Pick<Reports, 'submit' | 'saveVersion' | 'storeVersion' | 'healTimedOut'>;
  seen: SeenWriter;
}): Offers {
  const { submit } = reports;
  const tokenRuleOf = (input: CheckInput): 'fresh' | 'reuse' => (input.freshToken ? 'fresh' : 'reuse');

  /**
   * An offer of the package of the component the upgrade is on, or of the stored delta from the
   * device's version, with a token (the upgrade's current one when it may be reused, a `fresh`
   * one, or `none` for a push whose message names no file).
   */
  async function issueOffer(
    device: AccessDevice,
    upgrade: Pick<UpgradeSummary, 'id' | 'state'>,
    module: string,
    plan: AccessPlan,
    version: string | undefined,
    tokenRule: 'reuse' | 'fresh' | 'none' = 'reuse',
  ): Promise<Offer> {
    const component = componentView(plan.spec, upgrade.state.component);
    const { firmware } = planComponent(plan.spec, component.index);
    // A full plan gives a device on the source version of a stored delta that delta instead.
    const delta =
      firmware.kind === 'full' && version !== undefined
        ? await caches.deltaOf(device.productId, module, version, firmware.targetVersion)
        : undefined;
    const pkg = delta ?? (await caches.packageOf(Number(firmware.packageId)));
    const issued =
      tokenRule === 'none'
        ? { tokens: [], expiresAt: 0 }
        : await tokens.issue(
            {
              upgradeId: upgrade.id,
              deviceId: device.id,
              packageId: pkg.id,
              filePositions: pkg.files.map((f) => f.position),
            },
            tokenRule === 'fresh',
          );
    const files = pkg.files.map((file, i) => ({
      index: file.position,
      name: file.name,
      size: file.size,
      md5: file.md5,
      sha256: file.sha256,
      token: issued.tokens[i]?.token ?? '',
    }));
    return {
      upgradeId: upgrade.id,
      token: files[0]?.token ?? '',
      expiresAt: issued.expiresAt,
      pkg,
      spec: plan.spec,
      files,
      component,
      componentCount: componentCount(plan.spec),
    };
  }

  /** Whether a plan the device is in has `module` as a component after the one under way. */
  async function laterComponentOf(device: AccessDevice, module: string): Promise<boolean> {
    for (const upgrade of await upgrades.activeUpgrades(device.id)) {
      const plan = await caches.planOf(upgrade.planId);
      const later = plan && planComponents(plan.spec).slice(upgrade.state.component + 1);
      if (later?.some((c) => c.moduleId === module)) return true;
    }
    return false;
  }

  async function check(device: AccessDevice, input: CheckInput): Promise<CheckResult> {
    const { module, version } = input;
    const measured: Measured = {
      ...(input.signal !== undefined && { signal: input.signal }),
      ...(input.battery !== undefined && { battery: input.battery }),
      ...(input.freeSpace !== undefined && { freeSpace: input.freeSpace }),
    };
    await seen.noteSeen(device.id, measured);
    const recorded = await reports.storeVersion(device, module, version);
    if ('problem' in recorded) return { kind: 'problem', problem: recorded.problem };
    // Still the active upgrade: storeVersion only changed it when the version is its target,
    // which is answered `up_to_date` below.
    const { active } = recorded;
    const mismatch =
      input.manufacturer || input.model
        ? moduleCodeMismatch(
            await caches.moduleCodesOf(device.productId, module),
            input.manufacturer,
            input.model,
          )
        : null;
    if (mismatch !== null) {
      // protocols.md §2.4 (1) errno 8: the task is set to failed.
      if (active) await submit(device.id, module, { type: 'failed', reason: 'failed', detail: mismatch });
      return { kind: 'product_mismatch', detail: mismatch };
    }
    if (!active) {
      return {
        kind: 'none',
        reason: (await laterComponentOf(device, module)) ? 'earlier_component' : 'no_plan',
      };
    }
    // A paused plan holds back devices that have not started (the engine refuses their start).
    if (active.status === 'pushed' && active.planStatus === 'paused') {
      return { kind: 'none', reason: 'not_dispatching' };
    }
    const plan = await caches.planOf(active.planId);
    if (!plan) return { kind: 'none', reason: 'no_plan' };
    const component = planComponent(plan.spec, active.state.component);
    if (component.firmware.targetVersion === version) return { kind: 'none', reason: 'up_to_date' };
    if (!acceptsVersion(component, version)) {
      // OneNET errno 9: a delta from another version, or a version the package does not take;
      // the engine fails the attempt (version_mismatch).
      await submit(device.id, module, { type: 'version_reported', version, ...measured });
      return { kind: 'version_mismatch' };
    }
    // Already offered or under way: the engine would change nothing and offer again (it only
    // holds a pushed upgrade back below the thresholds), so the check costs it no transaction.
    if (
      active.status === 'upgrading' ||
      (active.status === 'pushed' && meetsThresholds(plan.spec, measured))
    ) {
      return {
        kind: 'offer',
        offer: await issueOffer(device, active, module, plan, version, tokenRuleOf(input)),
      };
    }
    const outcome = await submit(device.id, module, { type: 'checked', ...measured });
    if (!outcome.offered || outcome.upgradeId === null) {
      return { kind: 'none', reason: noOfferReasonOf(outcome.refusal) };
    }
    return {
      kind: 'offer',
      offer: await issueOffer(
        device,
        { id: outcome.upgradeId, state: active.state },
        module,
        plan,
        version,
        tokenRuleOf(input),
      ),
    };
  }

  return {
    check,

    async devicePlans(device) {
      const found: DevicePlan[] = [];
      for (const upgrade of await upgrades.activeUpgrades(device.id)) {
        const plan = await caches.planOf(upgrade.planId);
        if (!plan) continue;
        const count = componentCount(plan.spec);
        found.push({
          upgradeId: upgrade.id,
          planId: upgrade.planId,
          plan: plan.name,
          status: upgrade.status,
          current: upgrade.state.component,
          components: await Promise.all(
            Array.from({ length: count }, async (_, index) => ({
              ...componentView(plan.spec, index),
              status: componentStatusOf(upgrade.state, index),
              size: (await caches.packageOf(Number(planComponent(plan.spec, index).firmware.packageId)))
                .totalSize,
            })),
          ),
        });
      }
      return found;
    },

    async informVersion(device, module, version, statement) {
      await seen.noteSeen(device.id);
      if (!(await reports.saveVersion(device, module, version)))
        return { kind: 'problem', problem: 'unknown_module' };
      const active = await upgrades.activeUpgrade(device.id, module);
      const plan = active && (await caches.planOf(active.planId));
      if (!active) {
        await reports.healTimedOut(device, module, version);
        return {
          kind: 'none',
          reason: (await laterComponentOf(device, module)) ? 'earlier_component' : 'no_plan',
        };
      }
      if (!plan) {
        await reports.healTimedOut(device, module, version);
        return { kind: 'none', reason: 'no_plan' };
      }
      const target = targetOf(plan.spec, active);
      if (active.status === 'pending' && target !== version) {
        return check(device, { module, version });
      }
      if (statement !== undefined && target !== version) {
        // Reconciliation (issue 14): the device says where it is; nothing here is a mismatch.
        if (statement?.target === target) {
          if (statement.event !== null) await submit(device.id, module, engineEventOf(statement.event));
          // Its links were superseded by a push that never reached it (a crash, a reconnect).
          if (statement.relink) return check(device, { module, version, freshToken: true });
          return { kind: 'none', reason: 'no_plan' };
        }
        // No upgrade under way on the device: the push was lost. Offered again, not counted.
        if (active.status === 'pushed') return check(device, { module, version });
      }
      const outcome = await submit(device.id, module, { type: 'version_reported', version });
      return {
        kind: 'none',
        reason: target === version ? 'up_to_date' : noOfferReasonOf(outcome.refusal),
      };
    },

    async offerUnderWay(device, module) {
      const active = await upgrades.activeUpgrade(device.id, module);
      const version = await devices.versionOf(device.id, module);
      if (active?.status !== 'upgrading' || version === undefined) return { kind: 'none', reason: 'no_plan' };
      return check(device, { module, version, freshToken: true });
    },

    async offersOnConnect(device, { underWay = false } = {}) {
      await seen.noteSeen(device.id);
      const offers: { module: string; offer: Offer }[] = [];
      for (const active of await upgrades.activeUpgrades(device.id)) {
        const plan = await caches.planOf(active.planId);
        if (!plan) continue;
        const version = await devices.versionOf(device.id, active.module);
        // An upgrade under way goes on while its plan is paused.
        const offered =
          (active.status === 'pushed' && active.planStatus !== 'paused') ||
          (active.status === 'upgrading' && underWay);
        if (offered) {
          offers.push({
            module: active.module,
            offer: await issueOffer(device, active, active.module, plan, version),
          });
        } else if (active.status === 'pending' && version !== undefined) {
          const result = await check(device, { module: active.module, version });
          if (result.kind === 'offer') offers.push({ module: active.module, offer: result.offer });
        }
      }
      return offers;
    },

    activeUpgradesOf: (deviceIds) => upgrades.activeUpgradesOf(deviceIds),

    async pushOffers(notices, reachable = async () => true) {
      const subjects = await upgrades.pushSubjects(notices.map((n) => n.upgradeId));
      const byId = new Map(subjects.map((subject) => [subject.upgrade.id, subject]));
      // One offer per notice: a device re-pushed twice before the queue reached it gets both (§1.7).
      const live = notices
        .map((n) => byId.get(n.upgradeId))
        .filter(
          (s): s is NonNullable<typeof s> => s !== undefined && !isTerminalUpgradeStatus(s.upgrade.status),
        );
      const offers = await Promise.all(
        live.map(async ({ upgrade, device, version }) => {
          const plan = await caches.planOf(upgrade.planId);
          const reach = plan && (await reachable(device));
          if (!plan || !reach) return undefined;
          const rule = reach === 'without-links' ? 'none' : 'reuse';
          const offer = await issueOffer(device, upgrade, upgrade.module, plan, version, rule);
          return { device, module: upgrade.module, offer };
        }),
      );
      return offers.filter((o) => o !== undefined);
    },
  };
}
