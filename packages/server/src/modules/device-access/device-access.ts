// The device service as every device dialect sees it: one declared, canonical surface (ADR 0010).
// A dialect (dialects/<name>/) decodes its wire, calls these methods in canonical terms, and
// encodes the answer; offers, thresholds, confirmations, re-push and retry rules live behind
// this interface and in core, once. Methods are plain functions (no `this`): a dialect may pass
// one on by itself. This file declares; create-device-access.ts builds.
import type { Readable } from 'node:stream';
import type {
  ComponentStatus,
  PlanSpec,
  PlanStatus,
  UpgradeRefusal,
  UpgradeState,
  UpgradeStatus,
  UpgradeTexts,
} from '@updraft/core';
import type { FirmwarePackage } from '../firmware/firmware-store.ts';
import type { UpgradeNotice } from '../plans/notifier.ts';
import type { CanonicalEvent } from './canonical-events.ts';
import type { AccessProblem, NoOfferReason } from './device-problems.ts';

export type { CanonicalEvent } from './canonical-events.ts';
export type { AccessProblem, NoOfferReason } from './device-problems.ts';

export interface AccessDevice {
  id: number;
  productId: number;
  name: string;
  gatewayId: number | null;
}

/**
 * A caller that signed with its product's access key (`res = products/{pid}`, protocols.md
 * §2.2), when the product has the product-level key on: it may act for any device of that
 * product, and must name it.
 */
export interface ProductCaller {
  productWide: true;
  productId: number;
}

export type AccessCaller = AccessDevice | ProductCaller;

export function isProductCaller(caller: AccessCaller): caller is ProductCaller {
  return 'productWide' in caller;
}

/** What dialects need to know of a device's product (cached: products change rarely). */
export interface ProductProfile {
  productKey: string;
  /** How the product signs its packages in pushes (ThingsPanel §1.9). */
  signMethod: 'md5' | 'sha256';
  /** The dialect families its devices speak (products.protocols): pushes go only there. */
  protocols: readonly string[];
}

export interface UpgradeSummary {
  id: number;
  planId: number;
  deviceId: number;
  module: string;
  status: UpgradeStatus;
  state: UpgradeState;
  /** Its plan's status when the upgrade was read. */
  planStatus: PlanStatus;
}

/** One file of an offered package, with the download token that fetches it. */
export interface OfferedFile {
  /** 1-based position of the file in its package. */
  index: number;
  name: string;
  size: number;
  md5: string;
  sha256: string;
  token: string;
}

/** One component of a plan as a device is told of it (docs/adr/0013-plan-components.md). */
export interface PlanComponentView {
  /** 0-based, in upgrade order. */
  index: number;
  module: string;
  targetVersion: string;
  kind: 'full' | 'delta';
  /** Delta packages: the version it applies to. */
  sourceVersion: string | null;
  /** Full packages: the versions that may take it; empty = any. */
  specifiedVersions: readonly string[];
}

/**
 * An upgrade offered to a device: the package of the component it should get now (or the delta
 * for its version) and a download token per file. `token` is the first file's, for dialects
 * whose wire carries one file; every token of the offer stands for the upgrade (token checks and
 * reports take any of them). An offer pushed without links (pushOffers, `'without-links'`) has
 * no token: `token` and the files' tokens are empty and `expiresAt` is 0.
 */
export interface Offer {
  upgradeId: number;
  token: string;
  expiresAt: number;
  pkg: FirmwarePackage;
  spec: PlanSpec;
  /** Every file of the package, in package order (1 to 5). */
  files: OfferedFile[];
  /** The component offered, and how many the plan has (`componentCount`). */
  component: PlanComponentView;
  componentCount: number;
}

/**
 * A plan the device is in, as a whole: every component with its state, and the one it should
 * get now (what a dialect that announces a whole plan, Quectel's TASK_INFO, sends).
 */
export interface DevicePlan {
  upgradeId: number;
  planId: number;
  plan: string;
  status: UpgradeStatus;
  /** Index of the component under way (the one `check` offers for its module). */
  current: number;
  /** `size`: the bytes of the component's package, every file (Quectel's USE_SPACE). */
  components: (PlanComponentView & { status: ComponentStatus; size: number })[];
}

/**
 * Reconciliation (issue 14): where a device says it is with its current upgrade when it
 * (re)connects: the upgrade's target and the canonical event of the last step it took (null:
 * offered, not started). A statement of null says no upgrade is under way on the device.
 */
export interface UpgradeStatement {
  target: string;
  event: CanonicalEvent | null;
  /** The links the device holds no longer download: offer the upgrade again with new tokens. */
  relink?: boolean;
}

export type CheckResult =
  | { kind: 'offer'; offer: Offer }
  | { kind: 'none'; reason: NoOfferReason }
  /** A delta plan and a device on another source version (OneNET errno 9); the attempt fails. */
  | { kind: 'version_mismatch' }
  /** The product codes the device claims are not its product's (OneNET errno 8); the attempt fails. */
  | { kind: 'product_mismatch'; detail: string }
  | { kind: 'problem'; problem: AccessProblem };

export interface CheckInput {
  module: string;
  version: string;
  signal?: number | undefined;
  battery?: number | undefined;
  /** Bytes free for the upgrade, when the device says (Updraft's `space`). */
  freeSpace?: number | undefined;
  /** The manufacturer and model codes the device claims for the module (OneNET §2.7). */
  manufacturer?: string | undefined;
  model?: string | undefined;
  /** Issue a new download token even while the current one may be reused. */
  freshToken?: boolean;
}

/** The outcome of a canonical report: null problem when applied (or a harmless repeat). */
export interface Reported {
  problem: AccessProblem | null;
  /** The engine's own word, for a dialect that quotes it. */
  refusal: string | null;
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

/** An upgrade of a manual plan waiting for the device (or its app) to confirm or reject it. */
export interface AwaitedConfirmation {
  upgradeId: number;
  planId: number;
  plan: string;
  /** The component the confirmation starts with (the first not yet done). */
  module: string;
  target: string;
  kind: 'full' | 'delta';
  /** Every component the plan installs, in order. */
  components: PlanComponentView[];
  /** Waiting since (epoch ms). */
  since: number;
  deadline: number | null;
  /** The plan's upgrade texts (always set on a manual plan). */
  texts: UpgradeTexts | null;
  /** The release notes of the package of the component it starts with. */
  releaseNotes: string;
}

export type Decision = 'confirmed' | 'rejected';
export type DecisionProblem = 'no_such_upgrade' | 'not_manual' | 'finished' | 'cancelled' | 'invalid_state';

/** What a pushing dialect does with a batch of notices; see pushOffers. */
export interface PushedOffer {
  device: AccessDevice;
  module: string;
  offer: Offer;
}

export interface DeviceAccess {
  // identity.ts: who is calling, for which device.
  deviceById(id: number): Promise<AccessDevice | undefined>;
  /** The device `name` of the product whose key this is. */
  deviceByKey(productKey: string, name: string): Promise<AccessDevice | undefined>;
  /** The device `name` of product `productId`, whoever asks (check actingFor before acting). */
  deviceInProduct(productId: number, name: string): Promise<AccessDevice | undefined>;
  /** The device, when `secret` is its secret (compared in constant time). */
  verifySecret(productKey: string, name: string, secret: string): Promise<AccessDevice | undefined>;
  /** The device's current secret, for dialects that check signatures made with it. */
  secretOf(device: AccessDevice): Promise<string>;
  /** The product (by key, or by id when all digits) with its access key, when that key is on. */
  productAccess(product: string): Promise<{ productId: number; accessKey: string } | undefined>;
  productOf(productId: number): Promise<ProductProfile | undefined>;
  /** The kind of the product's module (firmware, module, mcu), undefined when it has no such module. */
  moduleKindOf(productId: number, module: string): Promise<'firmware' | 'module' | 'mcu' | undefined>;
  /** Device `devId`, when the caller is that device, its gateway, or signed with its product's key. */
  actingFor(caller: AccessCaller, devId: number): Promise<AccessDevice | undefined>;
  subDevicesOf(gateway: AccessDevice): Promise<AccessDevice[]>;

  // offers.ts: what the device should get now.
  /**
   * The plans the device is in now, each with all its components, their states and the one it
   * should get now. A device gets one component at a time: the one under way, for its module.
   */
  devicePlans(device: AccessDevice): Promise<DevicePlan[]>;
  /** The device asks (protocols.md §2.4 (1)): records its version, then offers what waits. */
  check(device: AccessDevice, input: CheckInput): Promise<CheckResult>;
  /**
   * The device states its version and expects a push if anything waits (ThingsPanel §1.3): a
   * pending upgrade is checked for it; otherwise the version is judged against the offer
   * (the target completes it; another version while pushed or upgrading is re-pushed, §1.7).
   */
  informVersion(
    device: AccessDevice,
    module: string,
    version: string,
    statement?: UpgradeStatement | null,
  ): Promise<CheckResult>;
  /** The upgrade the device is downloading or installing, offered again with a new token. */
  offerUnderWay(device: AccessDevice, module: string): Promise<CheckResult>;
  /**
   * A device came online: its pushed upgrades again, its pending ones checked for it, and with
   * `underWay` the ones it is downloading or installing too (for a dialect without a version
   * statement that would bring them back, ThingsPanel v1).
   */
  offersOnConnect(
    device: AccessDevice,
    options?: { underWay?: boolean },
  ): Promise<{ module: string; offer: Offer }[]>;
  /**
   * The offers for notices the engine has just pushed, looked up together, each with a token;
   * `reachable` says whether a device can be told now (no token is issued otherwise), and
   * `'without-links'` when what it is told names no file (no token is issued then either).
   */
  pushOffers(
    notices: readonly UpgradeNotice[],
    reachable?: (device: AccessDevice) => Promise<boolean | 'without-links'>,
  ): Promise<PushedOffer[]>;
  /**
   * The active upgrades of these devices (one query per 500): what an instance compares with
   * what it has put on the wire of the devices connected to it (issue 21, docs/scale-out.md).
   */
  activeUpgradesOf(deviceIds: readonly number[]): Promise<UpgradeSummary[]>;

  // reports.ts: what the device says, in canonical events.
  /**
   * A canonical event about the device's active upgrade of `module`. With `upgradeId`, the
   * report is about that upgrade: when another one is active now, the problem is `finished`.
   */
  report(
    device: AccessDevice,
    module: string,
    event: CanonicalEvent,
    options?: { upgradeId?: number },
  ): Promise<Reported>;
  /**
   * A success reported again for an upgrade that ended in success (its answer was lost): the
   * target version is the device's, written now when the first report's write was lost with a
   * crash between the success and the version.
   */
  repeatSuccess(device: AccessDevice, upgrade: UpgradeSummary): Promise<void>;
  /** Stores a version statement; completes the active upgrade when it is its target (§2.4 (0)). */
  recordVersion(device: AccessDevice, module: string, version: string): Promise<AccessProblem | null>;
  versionOf(device: AccessDevice, module: string): Promise<string | undefined>;
  awaitedConfirmations(device: AccessDevice): Promise<AwaitedConfirmation[]>;
  /** The device (or its app, `actor`) confirms or rejects an upgrade of a manual plan. */
  decide(
    device: AccessDevice,
    upgradeId: number,
    decision: Decision,
    actor: string,
  ): Promise<{ problem: DecisionProblem | null; refusal: UpgradeRefusal | string | null }>;

  // seen-writer.ts
  /** A session of the device opened (true) or its last one closed (false). */
  markOnline(device: AccessDevice, online: boolean): Promise<void>;

  // downloads.ts: tokens and files.
  /** The upgrade a download token stands for, checked against the device that presents it. */
  upgradeOfToken(
    token: string,
    device: AccessDevice,
  ): Promise<{ upgrade: UpgradeSummary } | { problem: AccessProblem }>;
  /**
   * The device's upgrade `upgradeId`, for dialects whose wire names the upgrade itself (OneNET
   * Studio's `tid`): `token_unknown` when there is none, `token_device_mismatch` when it is
   * another device's.
   */
  upgradeOfTask(
    device: AccessDevice,
    upgradeId: number,
  ): Promise<{ upgrade: UpgradeSummary } | { problem: AccessProblem }>;
  /**
   * The file a token downloads; checked on every call. `load: false` leaves a file that is not
   * in memory there (the caller redirects the device to the file's URL instead). `byDevice`: the
   * device itself asks for it (a download request), which counts as seeing it (the silence of an
   * upgrade under way, core silence.ts); false when a dialect reads the file to push it.
   */
  openDownload(
    token: string,
    options?: { load?: boolean; byDevice?: boolean },
  ): Promise<FirmwareHandle | { problem: AccessProblem }>;
  /**
   * File `fileIndex` (1-based) of what the device was last offered for its upgrade `upgradeId`:
   * the grant of the offer's token for that file, with the token's lifetime (expired:
   * `token_expired`; never offered: `token_unknown`), checked on every call.
   */
  openTaskDownload(
    device: AccessDevice,
    upgradeId: number,
    fileIndex: number,
  ): Promise<FirmwareHandle | { problem: AccessProblem }>;
  openBlob(key: string, range?: { start: number; end: number }): Promise<Readable>;
  /** A short-lived URL of the file the device may fetch directly (S3), if the store has one. */
  fileUrl(file: FirmwareHandle): Promise<string | undefined>;
}
