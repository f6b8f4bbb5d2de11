// createDevice: the device side of an Updraft upgrade, over MQTT or HTTP. It reports versions,
// receives pushes or asks, and runs each offer through upgrade-run.ts (consent, resumable download,
// verification, delta restore, install, activation); upgrades the state folder holds from an
// earlier session (a restart, a reboot into a new slot, a power cut) go on at start().

import { type Confirmation, createConfirmations } from './confirmations.ts';
import { createDeviceApiCall } from './device-api-call.ts';
import { isSdkError, SdkError } from './errors.ts';
import { createHttpLink } from './http-link.ts';
import type { Link, Subject, Telemetry } from './link.ts';
import { createLwm2mLink } from './lwm2m-link.ts';
import { createMqttLink } from './mqtt-link.ts';
import type { Offer } from './offer.ts';
import type { DeviceEvent, DeviceOptions, ModuleOptions, UpgradeResult } from './options.ts';
import { createQuectelLink } from './quectel-link.ts';
import { withRetry } from './retry.ts';
import { retrySettings, sendReport, type Target } from './run-context.ts';
import { createStateStore } from './state.ts';
import { createStudioLink } from './studio-link.ts';
import { createUpgradeRun } from './upgrade-run.ts';

export type {
  Consent,
  DeviceEvent,
  DeviceOptions,
  InstallOutcome,
  InstallUpdate,
  ModuleOptions,
  PackageFile,
  PendingPhase,
  SubDeviceOptions,
  UpdateInfo,
  UpgradeResult,
} from './options.ts';

function versionsOf(modules: Record<string, ModuleOptions>): Record<string, string> {
  return Object.fromEntries(Object.entries(modules).map(([name, m]) => [name, m.version]));
}

/** A device (or a gateway with its sub-devices) that takes upgrades from an Updraft server. */
export function createDevice(options: DeviceOptions) {
  const own = `${options.credentials.productKey}.${options.credentials.name}`;
  const targets: Target[] = [];
  const link = createLink(options, {
    version: () => targets[0]?.state.versions['default'] ?? options.modules['default']?.version ?? '',
    telemetry: async () => (await options.telemetry?.(own)) ?? {},
  });
  const running = new Set<Promise<unknown>>();
  const results: UpgradeResult[] = [];
  // stop() aborts running downloads as a killed process would: the partial file stays, nothing is
  // reported, and the next session resumes from it.
  const stopping = new AbortController();
  const emit = (event: DeviceEvent) => options.onEvent?.(event);
  /** New links for the upgrade a target runs: its download's next attempt takes them. */
  const relink = (target: Target, offer: Offer) => {
    target.newer.set(offer.module, offer);
    emit({ type: 'links', subject: target.name, offer });
  };
  const telemetry = async (subject: string) => (await options.telemetry?.(subject)) ?? {};
  const confirmations = createConfirmations(
    createDeviceApiCall(options.server.replace(/\/$/, ''), options.credentials, options.fetch),
  );
  const upgrades = createUpgradeRun({
    link,
    options,
    emit,
    record(result) {
      results.push(result);
      return result;
    },
    stopping: stopping.signal,
    async askAgain(target, module, under) {
      const version = target.state.versions[module];
      if (version === undefined) return;
      const offer = await link.reportVersion(
        target.subject,
        module,
        version,
        await telemetry(target.name),
        target.modules[module]?.codes,
        { version: under.targetVersion, step: target.steps.get(module) ?? 1, relink: true },
      );
      if (offer && offer.targetVersion === under.targetVersion) relink(target, offer);
    },
  });

  /**
   * Runs one upgrade per target and module at a time. A second offer meanwhile starts nothing;
   * its links (new tokens) serve the running download from its next attempt.
   */
  function schedule(
    target: Target,
    offer: Offer,
    job: () => Promise<UpgradeResult> = () => upgrades.run(target, offer),
  ): Promise<UpgradeResult | null> {
    if (target.busy.has(offer.module)) {
      relink(target, offer);
      return Promise.resolve(null);
    }
    target.busy.add(offer.module);
    const started = job()
      // A report that cannot leave (the connection dropped, or stop() closed it) ends this
      // attempt; pushes arrive without a caller, so it must not become an unhandled rejection.
      .catch((cause: unknown): UpgradeResult => {
        const error = isSdkError(cause)
          ? cause
          : new SdkError('NETWORK', (cause as Error).message, {}, { cause });
        if (!stopping.signal.aborted) emit({ type: 'failed', subject: target.name, offer, error });
        const r: UpgradeResult = {
          subject: target.name,
          module: offer.module,
          targetVersion: offer.targetVersion,
          outcome: 'failed',
          error,
        };
        results.push(r);
        return r;
      })
      .finally(() => {
        target.busy.delete(offer.module);
        target.newer.delete(offer.module);
        running.delete(started);
      });
    running.add(started);
    return started;
  }

  /** Outcomes the server may not have (a crash on either side): sent again, oldest state first. */
  async function sendUnsent(target: Target): Promise<void> {
    for (const [module, unsent] of Object.entries(target.state.unsent ?? {})) {
      try {
        await withRetry(
          () => sendReport(link, target.subject, unsent),
          retrySettings(options),
          stopping.signal,
        );
      } catch {
        continue;
      }
      if (target.state.unsent?.[module] === unsent) {
        delete target.state.unsent[module];
        await target.store.save(target.state);
      }
    }
  }

  /**
   * Reconciliation (MQTT): where the device is with each module's upgrade under way, its target
   * and last step, so that the server heals whatever it missed; the others inform as at start.
   */
  async function reconcile(target: Target): Promise<void> {
    await sendUnsent(target);
    for (const [module, version] of Object.entries(target.state.versions)) {
      const under = target.state.pending[module]?.offer;
      if (!under && !target.busy.has(module)) continue;
      const step = target.steps.get(module) ?? 1;
      const upgrade = under ? { version: under.targetVersion, step } : null;
      await link.reportVersion(
        target.subject,
        module,
        version,
        await telemetry(target.name),
        target.modules[module]?.codes,
        upgrade,
      );
    }
    await report(target, true);
  }

  /**
   * Informs each module's version (HTTP: checks) and takes the offers. `reconciling` (MQTT, after
   * a reconnect) says that no upgrade is under way here, so that a push lost while the link was
   * down is offered again without counting as a version mismatch (§1.7); a check at start or
   * by hand is a plain inform, which does count.
   */
  async function report(target: Target, reconciling = false): Promise<UpgradeResult[]> {
    const done: UpgradeResult[] = [];
    for (const [module, version] of Object.entries(target.state.versions)) {
      // An upgrade under way reports through its own steps, and its version when it ends.
      if (target.state.pending[module] || target.busy.has(module)) continue;
      const upgrade = reconciling && link.kind === 'mqtt' ? null : undefined;
      const offer = await link.reportVersion(
        target.subject,
        module,
        version,
        await telemetry(target.name),
        target.modules[module]?.codes,
        upgrade,
      );
      if (offer) {
        const outcome = await schedule(target, offer);
        if (outcome) done.push(outcome);
      }
    }
    return done;
  }

  async function reportAll(): Promise<UpgradeResult[]> {
    const done: UpgradeResult[] = [];
    for (const target of targets) done.push(...(await report(target)));
    return done;
  }

  function subjectOf(name: string): Subject {
    if (name === own) return {};
    const sub = options.subDevices?.find((s) => s.username === name);
    if (!sub) throw new SdkError('INVALID_ARGUMENT', `${name} is not a sub-device of this gateway`);
    if (sub.deviceId === undefined) {
      throw new SdkError('INVALID_ARGUMENT', `sub-device ${name} needs its deviceId for this call`);
    }
    return { username: sub.username, deviceId: sub.deviceId };
  }

  link.onNoOffer((subject, module, reason) => {
    const name = subject.username ?? own;
    emit({ type: 'no-offer', subject: name, module, reason });
  });

  link.onCancel?.((subject, offer) => emit({ type: 'cancelled', subject: subject.username ?? own, offer }));

  link.onReconnect(() => {
    if (stopping.signal.aborted) return;
    void (async () => {
      for (const target of targets) await reconcile(target);
    })().catch((error: unknown) => emit({ type: 'reconnect-failed', error: error as Error }));
  });

  link.onOffer((subject, offer) => {
    const target = subject.username ? targets.find((t) => t.name === subject.username) : targets[0];
    if (!target) return;
    void schedule(target, offer);
  });

  async function load(
    name: string,
    subject: Subject,
    stateDir: string,
    modules: Record<string, ModuleOptions>,
  ) {
    const store = createStateStore(stateDir);
    const state = await store.load(versionsOf(modules));
    // What the system says it runs wins over what the state folder remembers.
    for (const [module, m] of Object.entries(modules)) {
      if (m.currentVersion && !state.pending[module]) state.versions[module] = await m.currentVersion();
    }
    targets.push({
      name,
      subject,
      store,
      state,
      modules,
      busy: new Set(),
      steps: new Map(),
      newer: new Map(),
    });
  }

  /** Goes on with the upgrades the state folders hold from an earlier session. */
  async function resumeAll(): Promise<UpgradeResult[]> {
    const jobs: Promise<UpgradeResult | null>[] = [];
    for (const target of targets) {
      for (const [module, pending] of Object.entries(target.state.pending)) {
        if (!target.modules[module]) {
          // The module is no longer configured: nothing can finish it.
          delete target.state.pending[module];
          await target.store.save(target.state);
          continue;
        }
        jobs.push(schedule(target, pending.offer, () => upgrades.resume(target, pending)));
      }
    }
    return (await Promise.all(jobs)).filter((r): r is UpgradeResult => r !== null);
  }

  return {
    /**
     * Loads the state, connects (MQTT), goes on with the upgrades an earlier session left under
     * way, and reports every other module's version (HTTP: and takes the offers).
     */
    async start(): Promise<UpgradeResult[]> {
      await load(own, {}, options.stateDir, options.modules);
      for (const sub of options.subDevices ?? []) {
        const subject = {
          username: sub.username,
          ...(sub.deviceId !== undefined && { deviceId: sub.deviceId }),
        };
        await load(sub.username, subject, sub.stateDir, sub.modules);
      }
      await link.connect();
      for (const target of targets) await sendUnsent(target);
      const resumed = await resumeAll();
      return [...resumed, ...(await reportAll())];
    },

    /** Reports versions again: an HTTP device polls with it; an MQTT device informs. */
    checkNow: (): Promise<UpgradeResult[]> => reportAll(),

    /** Resolves once no upgrade is running. */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
    },

    /** The installed version of each module of the device (or of the named sub-device). */
    versions(subject = own): Record<string, string> {
      return { ...(targets.find((t) => t.name === subject)?.state.versions ?? {}) };
    },

    /**
     * Manual plans: the upgrades waiting for the device's (or the named sub-device's) decision.
     * These go over HTTP with either transport; a sub-device needs its `deviceId`.
     */
    confirmations: (subject = own): Promise<Confirmation[]> => confirmations.list(subjectOf(subject)),

    /**
     * Confirms an upgrade of a manual plan, then reports the device's versions so that the
     * upgrade is offered (HTTP, the answer's results) or pushed (MQTT) at once.
     */
    async confirm(upgradeId: number, subject = own): Promise<UpgradeResult[]> {
      await confirmations.decide(subjectOf(subject), upgradeId, 'confirm');
      const target = targets.find((t) => t.name === subject);
      return target ? report(target) : [];
    },

    /** Rejects an upgrade of a manual plan: it ends in failure, reason `rejected`. */
    reject: (upgradeId: number, subject = own): Promise<void> =>
      confirmations.decide(subjectOf(subject), upgradeId, 'reject'),

    /** Every upgrade this session ran, in order. */
    results: (): readonly UpgradeResult[] => results,

    /** Aborts running downloads (their partial files stay for the next session) and disconnects. */
    async stop(): Promise<void> {
      stopping.abort();
      while (running.size > 0) await Promise.allSettled([...running]);
      await link.close();
    },
  };
}

export type Device = ReturnType<typeof createDevice>;

/** The transport's link (options.ts, `transport`); `device` is what the LwM2M client reads. */
function createLink(
  options: DeviceOptions,
  device: { version(): string; telemetry(): Promise<Telemetry> },
): Link {
  switch (options.transport) {
    case 'http':
      return createHttpLink(options.server, options.credentials, options.fetch);
    case 'onenet-studio':
      return createStudioLink({
        server: options.server,
        credentials: options.credentials,
        ...(options.studioPrefix !== undefined && { prefix: options.studioPrefix }),
        ...(options.fetch !== undefined && { fetch: options.fetch }),
      });
    case 'mqtt':
    case 'thingspanel-v1':
      if (!options.mqttUrl) {
        throw new SdkError('INVALID_ARGUMENT', `the ${options.transport} transport needs mqttUrl`);
      }
      return createMqttLink({
        url: options.mqttUrl,
        credentials: options.credentials,
        generation: options.transport === 'mqtt' ? 'v0.5' : 'v1',
        ...(options.persistentSession !== undefined && { persistentSession: options.persistentSession }),
        ...(options.mqttClientId !== undefined && { clientId: options.mqttClientId }),
      });
    case 'quectel':
      if (!options.mqttUrl) throw new SdkError('INVALID_ARGUMENT', 'the quectel transport needs mqttUrl');
      return createQuectelLink({
        url: options.mqttUrl,
        credentials: options.credentials,
        ...(options.persistentSession !== undefined && { persistentSession: options.persistentSession }),
      });
    case 'lwm2m':
      if (!options.coapUrl) throw new SdkError('INVALID_ARGUMENT', 'the lwm2m transport needs coapUrl');
      return createLwm2mLink({
        url: options.coapUrl,
        credentials: options.credentials,
        ...device,
        ...(options.lwm2mLifetime !== undefined && { lifetime: options.lwm2mLifetime }),
        ...(options.lwm2mDelivery !== undefined && { delivery: options.lwm2mDelivery }),
        ...(options.fetch !== undefined && { fetch: options.fetch }),
      });
    default:
      throw new SdkError('INVALID_ARGUMENT', `unknown transport ${String(options.transport)}`);
  }
}
