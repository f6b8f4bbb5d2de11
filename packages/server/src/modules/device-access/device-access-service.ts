// What devices do over the device APIs, independent of the wire: authenticate, check for an
// upgrade (and receive a download token), accept it, report progress and results, open the
// firmware. Transports (the OneNET HTTP dialect first) translate the results to their codes.
import type { Readable } from 'node:stream';
import type { DeviceEvent, PlanSpec, UpgradeState, UpgradeStatus } from '@updraft/core';
import { eventFromOneNetCode, eventFromThingsPanelStep, isTerminalUpgradeStatus } from '@updraft/core';
import { parseOneNetResource, parseOneNetToken, verifyOneNetToken } from '@updraft/protocol';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { FirmwarePackage } from '../firmware/firmware-store.ts';
import type { DeviceEventInput, UpgradeOutcome } from '../plans/upgrade-engine.ts';
import type { StoredDownloadToken } from './download-token-store.ts';
import type { DownloadTokens, TokenProblem } from './download-tokens.ts';
import { createEventBatcher } from './event-batcher.ts';
import type { FirmwareCache } from './firmware-cache.ts';
import { oneNetCodeRule, oneNetTaskState, oneNetTokenCheckAllowed, repeatsEnd } from './onenet-task-rules.ts';
import { createProductCodeCheck, type ProductCodeLookup } from './product-codes.ts';

export interface AccessDevice {
  id: number;
  productId: number;
  name: string;
  gatewayId: number | null;
}

/**
 * A caller that signed with its product's access key (`res = products/{pid}`, protocols.md
 * §2.2), when the product has the product-level key on: it may act for any device of that
 * product, and must name it with `dev_id`.
 */
export interface ProductCaller {
  productWide: true;
  productId: number;
}

export type AccessCaller = AccessDevice | ProductCaller;

export function isProductCaller(caller: AccessCaller): caller is ProductCaller {
  return 'productWide' in caller;
}

/** The devices module as device access needs it (wired in app.ts). */
export interface DeviceDirectory {
  get(id: number): Promise<AccessDevice | undefined>;
  /** The devices of these ids that exist (one query). */
  getMany(ids: readonly number[]): Promise<AccessDevice[]>;
  /** The versions these devices last reported for the module, by device id (one query). */
  moduleVersionsOf(ids: readonly number[], module: string): Promise<Map<number, string>>;
  findByProductKey(productKey: string, name: string): Promise<AccessDevice | undefined>;
  findByName(productId: number, name: string): Promise<AccessDevice | undefined>;
  secretOf(id: number): Promise<string>;
  /** The sub-devices whose gateway this is. */
  subDevicesOf(gatewayId: number): Promise<AccessDevice[]>;
  /** The device, when `secret` is its secret (compared in constant time). */
  verifySecret(productKey: string, name: string, secret: string): Promise<AccessDevice | undefined>;
  /** The product (by key, or by id when `product` is all digits) with its access key, when on. */
  productAccess(product: string): Promise<{ productId: number; accessKey: string } | undefined>;
  /** The version last reported for the module, if any. */
  versionOf(id: number, module: string): Promise<string | undefined>;
  /** Marks devices seen now with the signal and battery they reported, or online (one batch). */
  recordSeen(
    entries: readonly { id: number; telemetry: { signal?: number; battery?: number; online?: boolean } }[],
  ): Promise<void>;
  /** Throws on a version or module the product does not accept. */
  reportVersion(id: number, module: string, version: string): Promise<void>;
  /** The product's manufacturer and model ('' when unset), matched against OneNET's manuf/model. */
  productCodes?: ProductCodeLookup;
}

export interface UpgradeSummary {
  id: number;
  planId: number;
  deviceId: number;
  module: string;
  status: UpgradeStatus;
  state: UpgradeState;
}

/** The plans module as device access needs it. */
export interface UpgradeDirectory {
  report(inputs: readonly DeviceEventInput[]): Promise<UpgradeOutcome[]>;
  getUpgrade(id: number): Promise<UpgradeSummary | undefined>;
  /** The upgrades of these ids that exist (one query). */
  getUpgrades(ids: readonly number[]): Promise<UpgradeSummary[]>;
  activeUpgrade(deviceId: number, module: string): Promise<UpgradeSummary | undefined>;
  /** Every active upgrade of the device, one per module at most. */
  activeUpgrades(deviceId: number): Promise<UpgradeSummary[]>;
  getPlan(id: number): Promise<{ firmwarePackageId: number; spec: PlanSpec } | undefined>;
  getPackage(id: number): Promise<FirmwarePackage>;
  /**
   * The delta package of the product and module from `sourceVersion` to `targetVersion`, if one
   * is stored (uploaded or generated): a full plan offers it to devices on its source version.
   */
  deltaFor(
    productId: number,
    module: string,
    sourceVersion: string,
    targetVersion: string,
  ): Promise<FirmwarePackage | undefined>;
  openBlob(key: string, range?: { start: number; end: number }): Promise<Readable>;
}

export type AuthProblem = 'missing' | 'malformed' | 'expired' | 'bad_signature' | 'unknown_device';
export type AccessProblem =
  | 'not_your_device'
  | 'unknown_module'
  | `token_${TokenProblem}`
  | 'token_device_mismatch'
  | 'finished'
  | 'cancelled'
  | 'invalid_state'
  | 'awaiting_confirmation'
  | 'bad_result';

export type NoOfferReason =
  | 'no_plan'
  | 'up_to_date'
  | 'below_threshold'
  | 'awaiting_confirmation'
  | 'retry_wait'
  | 'not_dispatching'
  | 'concurrency_full';

export interface Offer {
  upgradeId: number;
  token: string;
  expiresAt: number;
  pkg: FirmwarePackage;
  spec: PlanSpec;
}

export type CheckResult =
  | { kind: 'offer'; offer: Offer }
  | { kind: 'none'; reason: NoOfferReason }
  | { kind: 'version_mismatch' }
  /** OneNET errno 8: manuf or model is not the product's; the attempt fails. */
  | { kind: 'product_mismatch'; detail: string }
  | { kind: 'problem'; problem: AccessProblem };

export interface CheckInput {
  module: string;
  version: string;
  signal?: number | undefined;
  battery?: number | undefined;
  /** OneNET's manufacturer and model codes, when the device sent them. */
  manuf?: string | undefined;
  model?: string | undefined;
  /** Issue a new download token even while the current one may be reused (tasking). */
  freshToken?: boolean;
}

export interface FirmwareHandle {
  key: string;
  name: string;
  size: number;
  sha256: string;
  md5: string;
  /** The whole file when it is cached in memory. */
  bytes: Buffer | undefined;
}

export interface DeviceAccessOptions {
  devices: DeviceDirectory;
  upgrades: UpgradeDirectory;
  tokens: DownloadTokens;
  cache: FirmwareCache;
  clock: Clock;
  /** How long a verified Authorization header is remembered (ms); 0 checks every call. */
  authCacheMs?: number;
  /** How long the answer to "is there a delta from this version" is remembered (ms). */
  deltaCacheMs?: number;
  /** A device's last-seen time is written at most this often unless its signal or battery changes. */
  seenWriteMs?: number;
}

/** The engine's threshold rule (core thresholdShortfall): a missing measurement passes. */
function meetsThresholds(spec: PlanSpec, measured: { signal?: number; battery?: number }): boolean {
  const { signal, battery } = measured;
  return (
    (battery === undefined || spec.minBattery === null || battery >= spec.minBattery) &&
    (signal === undefined || spec.minSignal === null || signal >= spec.minSignal)
  );
}

function noOfferReason(refusal: UpgradeOutcome['refusal']): NoOfferReason {
  switch (refusal) {
    case 'below_threshold':
    case 'awaiting_confirmation':
    case 'retry_wait':
    case 'not_dispatching':
    case 'concurrency_full':
      return refusal;
    default:
      return 'no_plan';
  }
}

export function createDeviceAccessService({
  devices,
  upgrades,
  tokens,
  cache,
  clock,
  authCacheMs = 30_000,
  deltaCacheMs = 30_000,
  seenWriteMs = 60_000,
}: DeviceAccessOptions) {
  // A device sends the same Authorization until its `et`: a verified header is kept for a short
  // while (never past its `et`), so a secret rotation takes effect within authCacheMs.
  const verified = new Map<string, { device: AccessCaller; until: number }>();
  const batcher = createEventBatcher((inputs) => upgrades.report(inputs));
  // Last seen, signal and battery: written when they change, or a minute after the last write,
  // batched per turn of the event loop (a check must not cost a commit of its own for this).
  const seenWriter = createEventBatcher<
    { id: number; telemetry: { signal?: number; battery?: number; online?: boolean } },
    void
  >(async (entries) => {
    await devices.recordSeen(entries);
    return entries.map(() => undefined);
  });
  const seen = new Map<number, { at: number; signal: number | undefined; battery: number | undefined }>();
  const productMismatch = createProductCodeCheck(devices.productCodes, clock, deltaCacheMs);
  async function noteSeen(deviceId: number, signal?: number, battery?: number): Promise<void> {
    const now = clock.now();
    const last = seen.get(deviceId);
    if (
      last &&
      now - last.at < seenWriteMs &&
      (signal === undefined || signal === last.signal) &&
      (battery === undefined || battery === last.battery)
    ) {
      return;
    }
    if (seen.size >= 200_000) seen.clear();
    seen.set(deviceId, {
      at: now,
      signal: signal ?? last?.signal,
      battery: battery ?? last?.battery,
    });
    await seenWriter.report({
      id: deviceId,
      telemetry: { ...(signal !== undefined && { signal }), ...(battery !== undefined && { battery }) },
    });
  }

  // A plan's spec and its package are frozen once the plan leaves draft; devices only ever see
  // running plans, so both are cached for the life of the process.
  const plans = new Map<number, { firmwarePackageId: number; spec: PlanSpec }>();
  const packages = new Map<number, FirmwarePackage>();
  // Which delta package (if any) serves a source version of a full plan; a delta generated or
  // uploaded while the plan runs is offered within deltaCacheMs.
  const deltas = new Map<string, { pkg: FirmwarePackage | undefined; until: number }>();
  async function deltaOf(device: AccessDevice, module: string, source: string, target: string) {
    const key = `${device.productId}\u0000${module}\u0000${source}\u0000${target}`;
    const now = clock.now();
    const known = deltas.get(key);
    if (known && known.until > now) return known.pkg;
    const pkg = await upgrades.deltaFor(device.productId, module, source, target);
    if (deltas.size >= 10_000) deltas.clear();
    deltas.set(key, { pkg, until: now + deltaCacheMs });
    return pkg;
  }

  async function planOf(id: number) {
    let plan = plans.get(id);
    if (!plan) {
      plan = await upgrades.getPlan(id);
      if (!plan) return undefined;
      if (plans.size > 10_000) plans.clear();
      plans.set(id, plan);
    }
    return plan;
  }
  async function packageOf(id: number) {
    let pkg = packages.get(id);
    if (!pkg) {
      pkg = await upgrades.getPackage(id);
      if (packages.size > 10_000) packages.clear();
      packages.set(id, pkg);
    }
    return pkg;
  }

  /** An offer of the plan's package, or of the stored delta from the device's version, with a token. */
  async function issueOffer(
    device: AccessDevice,
    upgradeId: number,
    module: string,
    plan: { firmwarePackageId: number; spec: PlanSpec },
    version: string | undefined,
    freshToken = false,
  ): Promise<Offer> {
    const firmware = plan.spec.firmware;
    // A full plan gives a device on the source version of a stored delta that delta instead.
    const delta =
      firmware.kind === 'full' && version !== undefined
        ? await deltaOf(device, module, version, firmware.targetVersion)
        : undefined;
    const pkg = delta ?? (await packageOf(plan.firmwarePackageId));
    const { token, expiresAt } = await tokens.issue(
      { upgradeId, deviceId: device.id, packageId: pkg.id, filePosition: pkg.files[0]?.position ?? 1 },
      freshToken,
    );
    return { upgradeId, token, expiresAt, pkg, spec: plan.spec };
  }

  function report(deviceId: number, module: string, event: DeviceEvent): Promise<UpgradeOutcome> {
    return batcher.report({ deviceId, module, event });
  }

  /** A token's upgrade, checked against the device that presents it. */
  async function grantFor(
    token: string,
    deviceId: number | null,
  ): Promise<{ grant: StoredDownloadToken; upgrade: UpgradeSummary } | { problem: AccessProblem }> {
    const resolved = await tokens.resolve(token);
    if ('problem' in resolved) return { problem: `token_${resolved.problem}` };
    const { grant } = resolved;
    if (deviceId !== null && grant.deviceId !== deviceId) return { problem: 'token_device_mismatch' };
    const upgrade = await upgrades.getUpgrade(grant.upgradeId);
    if (!upgrade) return { problem: 'token_unknown' };
    return { grant, upgrade };
  }

  /**
   * Stores a reported version (only when it changed: devices repeat it on every check) and
   * completes the active upgrade when it is the target (protocols.md §2.4 (0); other versions
   * only bind). Returns the active upgrade as it was before.
   */
  async function recordVersion(
    device: AccessDevice,
    module: string,
    version: string,
  ): Promise<{ problem: AccessProblem } | { active: UpgradeSummary | undefined }> {
    if ((await devices.versionOf(device.id, module)) !== version) {
      try {
        await devices.reportVersion(device.id, module, version);
      } catch {
        return { problem: 'unknown_module' };
      }
    }
    const active = await upgrades.activeUpgrade(device.id, module);
    if (!active) return { active };
    const plan = await planOf(active.planId);
    if (plan && plan.spec.firmware.targetVersion === version) {
      await report(device.id, module, { type: 'version_reported', version });
    }
    return { active };
  }

  function endedProblem(status: UpgradeStatus): AccessProblem {
    return status === 'cancelled' ? 'cancelled' : 'finished';
  }

  return {
    /**
     * OneNET Authorization (protocols.md §2.2): `res = products/{productKey or id}/devices/{name}`
     * signed with the device's secret, or, when the product has its product-level key on,
     * `res = products/{productKey or id}` signed with that key. Returns the caller.
     */
    async authenticate(header: string | undefined): Promise<AccessCaller | { problem: AuthProblem }> {
      if (!header) return { problem: 'missing' };
      const now = clock.now();
      const known = verified.get(header);
      if (known && known.until > now) return known.device;
      const token = parseOneNetToken(header);
      if ('problem' in token) return { problem: 'malformed' };
      const res = parseOneNetResource(token.res);
      if (!res) return { problem: 'malformed' };
      let caller: AccessCaller;
      let key: string;
      if (res.device === undefined) {
        const product = await devices.productAccess(res.product);
        if (!product) return { problem: 'unknown_device' };
        caller = { productWide: true, productId: product.productId };
        key = product.accessKey;
      } else {
        const device =
          (await devices.findByProductKey(res.product, res.device)) ??
          (/^\d{1,15}$/.test(res.product)
            ? await devices.findByName(Number(res.product), res.device)
            : undefined);
        if (!device) return { problem: 'unknown_device' };
        caller = device;
        key = await devices.secretOf(device.id);
      }
      const problem = verifyOneNetToken(token, key, Math.floor(clock.now() / 1000));
      if (problem === 'expired') return { problem: 'expired' };
      if (problem !== null) return { problem: 'bad_signature' };
      if (authCacheMs > 0) {
        if (verified.size >= 50_000) verified.clear();
        verified.set(header, { device: caller, until: Math.min(now + authCacheMs, token.et * 1000) });
      }
      return caller;
    },

    /**
     * The device `devId` names, when the caller is that device or its gateway, or signed with
     * the key of the device's product.
     */
    async actingFor(caller: AccessCaller, devId: number): Promise<AccessDevice | undefined> {
      if (isProductCaller(caller)) {
        const device = await devices.get(devId);
        return device && device.productId === caller.productId ? device : undefined;
      }
      if (devId === caller.id) return caller;
      const device = await devices.get(devId);
      return device && device.gatewayId === caller.id ? device : undefined;
    },

    async reportVersion(
      device: AccessDevice,
      module: string,
      version: string,
    ): Promise<AccessProblem | null> {
      await noteSeen(device.id);
      const recorded = await recordVersion(device, module, version);
      return 'problem' in recorded ? recorded.problem : null;
    },

    /** protocols.md §2.4 (7): the versions last reported for the two OneNET slots. */
    async versionsOf(device: AccessDevice, fotaModule: string) {
      const [f, s] = await Promise.all([
        devices.versionOf(device.id, fotaModule),
        devices.versionOf(device.id, 'sota'),
      ]);
      return { ...(f !== undefined && { f_version: f }), ...(s !== undefined && { s_version: s }) };
    },

    /** protocols.md §2.4 (1): records the version, then asks the engine whether to offer. */
    async check(device: AccessDevice, input: CheckInput): Promise<CheckResult> {
      const { module, version } = input;
      await noteSeen(device.id, input.signal, input.battery);
      const recorded = await recordVersion(device, module, version);
      if ('problem' in recorded) return { kind: 'problem', problem: recorded.problem };
      const measured = {
        ...(input.signal !== undefined && { signal: input.signal }),
        ...(input.battery !== undefined && { battery: input.battery }),
      };
      // Still the active upgrade: recordVersion only changed it when the version is its target,
      // which is answered `up_to_date` below.
      const { active } = recorded;
      const mismatch = await productMismatch(device.productId, input.manuf, input.model);
      if (mismatch !== null) {
        // protocols.md §2.4 (1) errno 8: the task is set to failed.
        if (active) await report(device.id, module, { type: 'failed', reason: 'failed', detail: mismatch });
        return { kind: 'product_mismatch', detail: mismatch };
      }
      if (!active) return { kind: 'none', reason: 'no_plan' };
      const plan = await planOf(active.planId);
      if (!plan) return { kind: 'none', reason: 'no_plan' };
      if (plan.spec.firmware.targetVersion === version) return { kind: 'none', reason: 'up_to_date' };
      const firmware = plan.spec.firmware;
      if (firmware.kind === 'delta' && firmware.sourceVersion !== version) {
        // OneNET errno 9: the engine fails the attempt (version_mismatch).
        await report(device.id, module, { type: 'version_reported', version, ...measured });
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
          offer: await issueOffer(device, active.id, module, plan, version, input.freshToken),
        };
      }
      const outcome = await report(device.id, module, { type: 'checked', ...measured });
      if (!outcome.offered || outcome.upgradeId === null) {
        return { kind: 'none', reason: noOfferReason(outcome.refusal) };
      }
      return {
        kind: 'offer',
        offer: await issueOffer(device, outcome.upgradeId, module, plan, version, input.freshToken),
      };
    },

    /**
     * protocols.md §1.3, an MQTT version inform: stores the version and lets the engine judge it
     * (the target completes the upgrade; another version while pushed or upgrading is pushed
     * again through the notifier, the fourth mismatch fails, §1.7). A pending upgrade is
     * answered as a check is: the device is here and asking.
     */
    async inform(device: AccessDevice, module: string, version: string): Promise<CheckResult> {
      await noteSeen(device.id);
      if ((await devices.versionOf(device.id, module)) !== version) {
        try {
          await devices.reportVersion(device.id, module, version);
        } catch {
          return { kind: 'problem', problem: 'unknown_module' };
        }
      }
      const active = await upgrades.activeUpgrade(device.id, module);
      const plan = active && (await planOf(active.planId));
      if (!active || !plan) return { kind: 'none', reason: 'no_plan' };
      if (active.status === 'pending' && plan.spec.firmware.targetVersion !== version) {
        return this.check(device, { module, version });
      }
      const outcome = await report(device.id, module, { type: 'version_reported', version });
      return {
        kind: 'none',
        reason: plan.spec.firmware.targetVersion === version ? 'up_to_date' : noOfferReason(outcome.refusal),
      };
    },

    /** protocols.md §1.5: an MQTT progress step (1..100, -1..-4) for the device's active upgrade. */
    async progress(
      device: AccessDevice,
      module: string,
      step: number,
      desc: string,
    ): Promise<AccessProblem | null> {
      const event = eventFromThingsPanelStep(step, desc);
      if (event === null) return 'bad_result';
      await noteSeen(device.id);
      const outcome = await report(device.id, module, event);
      if (outcome.accepted) return null;
      if (outcome.refusal === 'awaiting_confirmation') return 'awaiting_confirmation';
      return outcome.refusal === 'finished' ? endedProblem(outcome.status ?? 'success') : 'invalid_state';
    },

    /**
     * The offers to push for a batch of upgrades the engine has just marked pushed, looked up
     * with a few queries for the whole batch (a plan start pushes thousands), each with a download
     * token (new ones written together). Upgrades that ended meanwhile are left out.
     */
    async pushOffers(
      notices: readonly { deviceId: number; upgradeId: number }[],
      /** Whether the device can be reached now; no token is issued for one that cannot. */
      reachable: (device: AccessDevice) => Promise<boolean> = async () => true,
    ): Promise<{ device: AccessDevice; module: string; offer: Offer }[]> {
      const [found, summaries] = await Promise.all([
        devices.getMany(notices.map((n) => n.deviceId)),
        upgrades.getUpgrades(notices.map((n) => n.upgradeId)),
      ]);
      const byId = new Map(found.map((device) => [device.id, device]));
      const upgradeById = new Map(summaries.map((u) => [u.id, u]));
      // One offer per notice: a device re-pushed twice before the queue reached it gets both (§1.7).
      const live = notices
        .map((n) => upgradeById.get(n.upgradeId))
        .filter(
          (u): u is UpgradeSummary =>
            u !== undefined && byId.has(u.deviceId) && !isTerminalUpgradeStatus(u.status),
        );
      const versions = new Map<string, Map<number, string>>();
      for (const module of new Set(live.map((u) => u.module))) {
        const ids = live.filter((u) => u.module === module).map((u) => u.deviceId);
        versions.set(module, await devices.moduleVersionsOf(ids, module));
      }
      const offers = await Promise.all(
        live.map(async (upgrade) => {
          const device = byId.get(upgrade.deviceId)!;
          const plan = await planOf(upgrade.planId);
          if (!plan || !(await reachable(device))) return undefined;
          const version = versions.get(upgrade.module)?.get(device.id);
          const offer = await issueOffer(device, upgrade.id, upgrade.module, plan, version);
          return { device, module: upgrade.module, offer };
        }),
      );
      return offers.filter((o) => o !== undefined);
    },

    /** An MQTT session of the device opened (true) or its last one closed (false). */
    async markOnline(device: AccessDevice, online: boolean): Promise<void> {
      const last = seen.get(device.id);
      seen.set(device.id, { at: clock.now(), signal: last?.signal, battery: last?.battery });
      await seenWriter.report({ id: device.id, telemetry: { online } });
    },

    /**
     * A device came online (MQTT connect): its pending upgrades are checked for it (and offered
     * when the plan dispatches and has room), the ones pushed while it was away are pushed again.
     */
    async offersOnConnect(device: AccessDevice): Promise<{ module: string; offer: Offer }[]> {
      await noteSeen(device.id);
      const offers: { module: string; offer: Offer }[] = [];
      for (const active of await upgrades.activeUpgrades(device.id)) {
        const plan = await planOf(active.planId);
        if (!plan) continue;
        const version = await devices.versionOf(device.id, active.module);
        if (active.status === 'pushed') {
          offers.push({
            module: active.module,
            offer: await issueOffer(device, active.id, active.module, plan, version),
          });
        } else if (active.status === 'pending' && version !== undefined) {
          const result = await this.check(device, { module: active.module, version });
          if (result.kind === 'offer') offers.push({ module: active.module, offer: result.offer });
        }
      }
      return offers;
    },

    deviceById: (id: number) => devices.get(id),
    subDevicesOf: (gateway: AccessDevice) => devices.subDevicesOf(gateway.id),

    /** MQTT sign-in: `{productKey}.{deviceName}` and the device secret. */
    async authenticateSecret(username: string, secret: string): Promise<AccessDevice | undefined> {
      const dot = username.indexOf('.');
      if (dot <= 0 || dot === username.length - 1 || secret.length === 0 || secret.length > 256)
        return undefined;
      return devices.verifySecret(username.slice(0, dot), username.slice(dot + 1), secret);
    },

    /** The device whose MQTT username is `{productKey}.{deviceName}`. */
    async deviceByUsername(username: string): Promise<AccessDevice | undefined> {
      const dot = username.indexOf('.');
      if (dot <= 0) return undefined;
      return devices.findByProductKey(username.slice(0, dot), username.slice(dot + 1));
    },

    /** The device named `{productKey}.{deviceName}`, when the caller may act for it. */
    async deviceNamed(caller: AccessCaller, username: string): Promise<AccessDevice | undefined> {
      const device = await this.deviceByUsername(username);
      return device && (await this.actingFor(caller, device.id));
    },

    /**
     * protocols.md §2.4 (6) tasking: the upgrade the device is downloading or installing, offered
     * again with a new token; `none` when there is no such upgrade.
     */
    async tasking(device: AccessDevice, module: string): Promise<CheckResult> {
      const active = await upgrades.activeUpgrade(device.id, module);
      const version = await devices.versionOf(device.id, module);
      if (active?.status !== 'upgrading' || version === undefined) {
        return { kind: 'none', reason: 'no_plan' };
      }
      return this.check(device, { module, version, freshToken: true });
    },

    /**
     * protocols.md §2.4 (8) devInfo: the device named `name` in product `productId`, when the
     * caller may act for it (its product's key, the device itself or its gateway).
     */
    async findDevice(
      caller: AccessCaller,
      productId: number,
      name: string,
    ): Promise<AccessDevice | undefined> {
      const device = await devices.findByName(productId, name);
      return device && (await this.actingFor(caller, device.id));
    },

    /** protocols.md §2.4 (2): a valid token moves the upgrade to downloading. */
    async acceptToken(device: AccessDevice, token: string): Promise<AccessProblem | null> {
      await noteSeen(device.id);
      const found = await grantFor(token, device.id);
      if ('problem' in found) return found.problem;
      const { upgrade } = found;
      if (isTerminalUpgradeStatus(upgrade.status)) return endedProblem(upgrade.status);
      if (!oneNetTokenCheckAllowed(upgrade.state)) {
        return oneNetTaskState(upgrade.state) === 'failed_retrying' ? 'finished' : 'invalid_state';
      }
      const outcome = await report(device.id, upgrade.module, { type: 'accepted' });
      if (outcome.upgradeId !== upgrade.id) return 'finished';
      if (outcome.accepted) return null;
      if (outcome.refusal === 'awaiting_confirmation') return 'awaiting_confirmation';
      return outcome.refusal === 'finished' ? endedProblem(outcome.status ?? 'success') : 'invalid_state';
    },

    /**
     * protocols.md §2.4 (4)/(5): a OneNET step (0..100) or result code (101..208). Reporting the
     * code the upgrade already ended with again answers success (idempotent).
     */
    async reportCode(device: AccessDevice, token: string, code: number): Promise<AccessProblem | null> {
      const event = eventFromOneNetCode(code);
      if (event === null) return 'bad_result';
      await noteSeen(device.id);
      const found = await grantFor(token, device.id);
      // An expired token ends the flow (protocols.md §2.5): its reports are refused too.
      if ('problem' in found) return found.problem;
      const { upgrade } = found;
      if (isTerminalUpgradeStatus(upgrade.status)) {
        return repeatsEnd(upgrade.state, code, event) ? null : endedProblem(upgrade.status);
      }
      const rule = oneNetCodeRule(upgrade.state, code, event);
      if (rule === 'repeat') return null;
      if (rule !== 'engine') return rule;
      const outcome = await report(device.id, upgrade.module, event);
      if (outcome.upgradeId !== upgrade.id) return 'finished';
      if (outcome.accepted && code === 201) {
        // protocols.md §2.4 (4): 201 sets the device's version to the task's target.
        const target = (await planOf(upgrade.planId))?.spec.firmware.targetVersion;
        if (target !== undefined && (await devices.versionOf(device.id, upgrade.module)) !== target) {
          await devices.reportVersion(device.id, upgrade.module, target);
        }
      }
      if (outcome.accepted) return null;
      switch (outcome.refusal) {
        case 'finished':
          return endedProblem(outcome.status ?? 'success');
        case 'invalid_event':
          return 'bad_result';
        case 'awaiting_confirmation':
          return 'awaiting_confirmation';
        default:
          return 'invalid_state';
      }
    },

    /** The file a token downloads; checked on every call (protocols.md §2.2). */
    async openDownload(token: string): Promise<FirmwareHandle | { problem: AccessProblem }> {
      const found = await grantFor(token, null);
      if ('problem' in found) return found;
      const { grant, upgrade } = found;
      if (isTerminalUpgradeStatus(upgrade.status)) return { problem: endedProblem(upgrade.status) };
      const pkg = await packageOf(grant.packageId);
      const file = pkg.files.find((f) => f.position === grant.filePosition);
      if (!file) return { problem: 'token_unknown' };
      const bytes = await cache.getOrLoad(file.sha256, file.size, async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of await upgrades.openBlob(file.sha256)) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      });
      return {
        key: file.sha256,
        name: file.name,
        size: file.size,
        sha256: file.sha256,
        md5: file.md5,
        bytes,
      };
    },

    openBlob: (key: string, range?: { start: number; end: number }) => upgrades.openBlob(key, range),
  };
}

export type DeviceAccessService = ReturnType<typeof createDeviceAccessService>;
