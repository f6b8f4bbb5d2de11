// What devices say about their upgrades, in canonical events (canonical-events.ts), handed to
// the engine in batches (one transaction per turn of the event loop), and answered through the
// one table of device-problems.ts. Also version statements and manual-plan decisions.
import { componentCount, type DeviceEvent, planComponent } from '@updraft/core';
import type { UpgradeOutcome } from '../plans/upgrade-engine-contract.ts';
import type { AccessCaches } from './caches.ts';
import { engineEventOf } from './canonical-events.ts';
import { componentView, targetOf } from './components.ts';
import type { AccessDevice, DeviceAccess, UpgradeSummary } from './device-access.ts';
import { endedProblem, problemOf } from './device-problems.ts';
import { createEventBatcher } from './event-batcher.ts';
import type { DeviceDirectory, UpgradeDirectory } from './ports.ts';
import type { SeenWriter } from './seen-writer.ts';

export type Reports = Pick<
  DeviceAccess,
  'report' | 'repeatSuccess' | 'recordVersion' | 'versionOf' | 'awaitedConfirmations' | 'decide'
> & {
  /** An engine event for the device's active upgrade of `module` (offers' checks). */
  submit(deviceId: number, module: string, event: DeviceEvent): Promise<UpgradeOutcome>;
  healTimedOut(device: AccessDevice, module: string, version: string): Promise<void>;
  /** Stores the version when it is not the one stored; false when the product refuses it. */
  saveVersion(device: AccessDevice, module: string, version: string): Promise<boolean>;
  /**
   * Stores a reported version (only when it changed: devices repeat it on every check) and
   * completes the active upgrade when it is the target (protocols.md §2.4 (0); other versions
   * only bind). Returns the active upgrade as it was before.
   */
  storeVersion(
    device: AccessDevice,
    module: string,
    version: string,
  ): Promise<{ problem: 'unknown_module' } | { active: UpgradeSummary | undefined }>;
};

export function createReports({
  devices,
  upgrades,
  caches,
  seen,
}: {
  devices: Pick<DeviceDirectory, 'versionOf' | 'reportVersions'>;
  upgrades: Pick<
    UpgradeDirectory,
    'report' | 'activeUpgrade' | 'versionAndActiveUpgrade' | 'activeUpgrades' | 'lastUpgrade'
  >;
  caches: Pick<AccessCaches, 'planOf' | 'packageOf'>;
  seen: SeenWriter;
}): Reports {
  const batcher = createEventBatcher((inputs) => upgrades.report(inputs));
  const submit = (deviceId: number, module: string, event: DeviceEvent) =>
    batcher.report({ deviceId, module, event });
  // Versions too are written per turn of the event loop: every device of a campaign stores its
  // new one when it reports success, in the same turns as its fellows.
  const versions = createEventBatcher<{ id: number; module: string; version: string }, unknown | null>(
    (entries) => devices.reportVersions(entries),
  );
  /** Stores the version; throws the product's refusal of it. */
  async function reportVersion(id: number, module: string, version: string): Promise<void> {
    const refusal = await versions.report({ id, module, version });
    if (refusal !== null) throw refusal;
  }

  async function saveVersion(device: AccessDevice, module: string, version: string): Promise<boolean> {
    if ((await devices.versionOf(device.id, module)) === version) return true;
    try {
      await reportVersion(device.id, module, version);
      return true;
    } catch {
      return false;
    }
  }

  /** The device runs the target of `upgrade`, a success: stored when it is not the stored one. */
  async function setTarget(device: AccessDevice, upgrade: UpgradeSummary) {
    const plan = await caches.planOf(upgrade.planId);
    const target = plan && targetOf(plan.spec, upgrade);
    if (target && (await devices.versionOf(device.id, upgrade.module)) !== target) {
      await reportVersion(device.id, upgrade.module, target);
    }
  }

  /**
   * No active upgrade, and the device states the target of its last one, which a timeout ended:
   * the engine reconciles it to success (core; issue 14).
   */
  async function healTimedOut(device: AccessDevice, module: string, version: string): Promise<void> {
    const last = await upgrades.lastUpgrade(device.id, module);
    if (last?.status !== 'failure') return;
    const plan = await caches.planOf(last.planId);
    if (plan && targetOf(plan.spec, last) === version) {
      await submit(device.id, module, { type: 'version_reported', version });
    }
  }

  async function storeVersion(device: AccessDevice, module: string, version: string) {
    // Devices repeat their version on every check: then one read gives both; a new version is
    // written first, and the active upgrade read after it.
    const stored = await upgrades.versionAndActiveUpgrade(device.id, module);
    let { active } = stored;
    if (stored.version !== version) {
      try {
        await reportVersion(device.id, module, version);
      } catch {
        return { problem: 'unknown_module' as const };
      }
      active = await upgrades.activeUpgrade(device.id, module);
    }
    if (!active) {
      await healTimedOut(device, module, version);
      return { active };
    }
    const plan = await caches.planOf(active.planId);
    if (plan && targetOf(plan.spec, active) === version) {
      await submit(device.id, module, { type: 'version_reported', version });
    }
    return { active };
  }

  return {
    submit,
    saveVersion,
    storeVersion,
    healTimedOut,

    async report(device, module, event, options = {}) {
      await seen.noteSeen(device.id);
      // The target to set is the component's the success is about: read before the record
      // goes on to the next component.
      const setsTarget = event.type === 'succeeded' && event.setsTargetVersion === true;
      // The upgrade the success is about: the active one, or the last one when a timeout ended it
      // (the engine turns that into success, ADR 0012).
      const before = setsTarget
        ? ((await upgrades.activeUpgrade(device.id, module)) ??
          (await upgrades.lastUpgrade(device.id, module)))
        : undefined;
      const outcome = await submit(device.id, module, engineEventOf(event));
      if (options.upgradeId !== undefined && outcome.upgradeId !== options.upgradeId) {
        return { problem: 'finished', refusal: outcome.refusal };
      }
      let problem = problemOf(outcome);
      if (outcome.refusal === 'no_upgrade') {
        // No active upgrade: one that ended (success, failure) is told as finished, so that a
        // late or reordered report about it is recognised as such (issue 14).
        const last = await upgrades.lastUpgrade(device.id, module);
        if (last && (last.status === 'success' || last.status === 'failure')) problem = 'finished';
        if (last?.status === 'cancelled') problem = 'cancelled';
        // A repeated healthy report (its answer was lost) of the upgrade it confirmed is answered
        // as applied: the device must not take it for a failure and roll back.
        if (event.type === 'health_confirmed' && last?.status === 'success') problem = null;
      }
      if (problem === null && outcome.accepted && before && before.id === outcome.upgradeId) {
        await setTarget(device, before);
      }
      return { problem, refusal: outcome.refusal };
    },

    async repeatSuccess(device, upgrade) {
      await seen.noteSeen(device.id);
      if (upgrade.status === 'success') await setTarget(device, upgrade);
    },

    async recordVersion(device, module, version) {
      await seen.noteSeen(device.id);
      const recorded = await storeVersion(device, module, version);
      return 'problem' in recorded ? (recorded.problem ?? null) : null;
    },

    versionOf: (device, module) => devices.versionOf(device.id, module),

    async awaitedConfirmations(device) {
      const items = [];
      for (const upgrade of await upgrades.activeUpgrades(device.id)) {
        const { state } = upgrade;
        if (state.confirmation !== 'awaiting' || state.status !== 'pending') continue;
        const plan = await caches.planOf(upgrade.planId);
        if (!plan) continue;
        const current = componentView(plan.spec, state.component);
        const pkg = await caches.packageOf(
          Number(planComponent(plan.spec, state.component).firmware.packageId),
        );
        items.push({
          upgradeId: upgrade.id,
          planId: upgrade.planId,
          plan: plan.name,
          module: upgrade.module,
          target: current.targetVersion,
          kind: current.kind,
          components: Array.from({ length: componentCount(plan.spec) }, (_, i) =>
            componentView(plan.spec, i),
          ),
          since: state.createdAt,
          deadline: plan.spec.deadline,
          texts: plan.spec.texts ?? null,
          releaseNotes: pkg.releaseNotes,
        });
      }
      return items;
    },

    async decide(device, upgradeId, decision, actor) {
      const upgrade = (await upgrades.activeUpgrades(device.id)).find((u) => u.id === upgradeId);
      if (!upgrade) return { problem: 'no_such_upgrade', refusal: null };
      if (upgrade.state.confirmation === 'none') return { problem: 'not_manual', refusal: null };
      const outcome = await submit(device.id, upgrade.module, { type: decision, actor });
      if (outcome.upgradeId !== upgradeId) return { problem: 'no_such_upgrade', refusal: null };
      if (outcome.accepted) return { problem: null, refusal: null };
      if (outcome.refusal === 'finished')
        return { problem: endedProblem(outcome.status), refusal: 'finished' };
      return { problem: 'invalid_state', refusal: outcome.refusal ?? 'refused' };
    },
  };
}
