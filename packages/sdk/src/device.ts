// createDevice: the device side of an Updraft upgrade, over MQTT or HTTP. It reports versions,
// receives pushes or asks, lets the device refuse or defer, downloads with resume, verifies,
// restores deltas, hands the image to the device's installer and reports every step.

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { apply, isDeltaError } from '@updraft/delta';
import { type Confirmation, createConfirmations } from './confirmations.ts';
import { createDeviceApiCall } from './device-api-call.ts';
import { downloadResumable, verifyDownload } from './download.ts';
import { isSdkError, SdkError } from './errors.ts';
import { createHttpLink } from './http-link.ts';
import type { Credentials, FailureStage, Link, Subject, Telemetry } from './link.ts';
import { createMqttLink } from './mqtt-link.ts';
import type { Offer } from './offer.ts';
import { createStateStore, type DeviceState, type StateStore } from './state.ts';

/** One updatable part of the device. */
export interface ModuleOptions {
  /** The version the device ships with; the state folder remembers later ones. */
  version: string;
  /**
   * Installs the verified image at `path` (write to flash, swap a file, exec). Throwing reports
   * a write failure; returning means the device now runs `version`.
   */
  install(update: { module: string; version: string; path: string; offer: Offer }): Promise<void>;
  /** Reads the running image, for delta packages (random offsets, as from flash). */
  readCurrent?(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
}

export interface SubDeviceOptions {
  /** `{productKey}.{deviceName}` of the sub-device. */
  username: string;
  /** Its numeric id (the HTTP transport names sub-devices by id). */
  deviceId?: number;
  stateDir: string;
  modules: Record<string, ModuleOptions>;
}

export type DeviceEvent =
  | { type: 'offer'; subject: string; offer: Offer }
  /** A version report that brought nothing, with the server's reason (HTTP). */
  | { type: 'no-offer'; subject: string; module: string; reason: string }
  | { type: 'deferred'; subject: string; offer: Offer; reason: string }
  | { type: 'progress'; subject: string; offer: Offer; received: number; total: number }
  | { type: 'installed'; subject: string; offer: Offer }
  | { type: 'failed'; subject: string; offer: Offer; error: SdkError };

export interface DeviceOptions {
  /** Base URL of the Updraft server (HTTP API and downloads). */
  server: string;
  transport: 'http' | 'mqtt';
  /** mqtt://host:port, for the MQTT transport. */
  mqttUrl?: string;
  credentials: Credentials;
  /** Where versions and partial downloads survive restarts. */
  stateDir: string;
  modules: Record<string, ModuleOptions>;
  /**
   * Signal (dBm) and battery (%) now of the device or the named sub-device (`subject`); reported,
   * and compared with the plan's minimums.
   */
  telemetry?(subject: string): Telemetry;
  /** Return false to defer an offer (busy, own thresholds); it is offered again later. */
  accept?(offer: Offer, subject: string): boolean | Promise<boolean>;
  /** Gateway mode: sub-devices this session upgrades, each with its own modules. */
  subDevices?: SubDeviceOptions[];
  onEvent?(event: DeviceEvent): void;
  /** MQTT: keep the session across reconnects. */
  persistentSession?: boolean;
  mqttClientId?: string;
  /** A fetch to download with (a slow or failing link in the simulator). */
  fetch?: typeof fetch;
  /** Largest working memory a delta patch may ask for (bytes). */
  deltaMemoryLimit?: number;
}

export interface UpgradeResult {
  subject: string;
  module: string;
  targetVersion: string;
  outcome: 'success' | 'deferred' | 'failed';
  error?: SdkError;
}

interface Target {
  name: string;
  subject: Subject;
  store: StateStore;
  state: DeviceState;
  modules: Record<string, ModuleOptions>;
  busy: Set<string>;
}

function versionsOf(modules: Record<string, ModuleOptions>): Record<string, string> {
  return Object.fromEntries(Object.entries(modules).map(([name, m]) => [name, m.version]));
}

/** A device (or a gateway with its sub-devices) that takes upgrades from an Updraft server. */
export function createDevice(options: DeviceOptions) {
  if (options.transport === 'mqtt' && !options.mqttUrl) {
    throw new SdkError('INVALID_ARGUMENT', 'the MQTT transport needs mqttUrl');
  }
  const own = `${options.credentials.productKey}.${options.credentials.name}`;
  const link: Link =
    options.transport === 'mqtt'
      ? createMqttLink({
          url: options.mqttUrl!,
          credentials: options.credentials,
          ...(options.persistentSession !== undefined && { persistentSession: options.persistentSession }),
          ...(options.mqttClientId !== undefined && { clientId: options.mqttClientId }),
        })
      : createHttpLink(options.server, options.credentials, options.fetch);
  const targets: Target[] = [];
  const running = new Set<Promise<unknown>>();
  const results: UpgradeResult[] = [];
  // stop() aborts running downloads as a killed process would: the partial file stays, nothing is
  // reported, and the next session resumes from it.
  const stopping = new AbortController();
  const emit = (event: DeviceEvent) => options.onEvent?.(event);
  const telemetry = (subject: string) => options.telemetry?.(subject) ?? {};
  const confirmations = createConfirmations(
    createDeviceApiCall(options.server.replace(/\/$/, ''), options.credentials, options.fetch),
  );

  async function runUpgrade(target: Target, offer: Offer): Promise<UpgradeResult> {
    const result = (outcome: UpgradeResult['outcome'], error?: SdkError): UpgradeResult => {
      const r: UpgradeResult = {
        subject: target.name,
        module: offer.module,
        targetVersion: offer.targetVersion,
        outcome,
        ...(error && { error }),
      };
      results.push(r);
      return r;
    };
    const module = target.modules[offer.module];
    emit({ type: 'offer', subject: target.name, offer });
    if (!module) {
      const error = new SdkError('INVALID_ARGUMENT', `no module ${offer.module} on ${target.name}`);
      emit({ type: 'failed', subject: target.name, offer, error });
      return result('failed', error);
    }
    const defer = (reason: string) => {
      emit({ type: 'deferred', subject: target.name, offer, reason });
      return result('deferred');
    };
    if (offer.targetVersion === target.state.versions[offer.module]) {
      await link.succeeded(target.subject, offer);
      return result('success');
    }
    const now = telemetry(target.name);
    if (offer.minBattery !== null && now.battery !== undefined && now.battery < offer.minBattery) {
      return defer(`battery ${now.battery}% is below ${offer.minBattery}%`);
    }
    if (offer.minSignal !== null && now.signal !== undefined && now.signal < offer.minSignal) {
      return defer(`signal ${now.signal} dBm is below ${offer.minSignal} dBm`);
    }
    if (options.accept && !(await options.accept(offer, target.name))) return defer('the device deferred it');

    const key = (offer.sha256 || offer.md5 || offer.token || offer.targetVersion).replace(
      /[^A-Za-z0-9]/g,
      '',
    );
    const partial = target.store.partialPath(key);
    const fail = async (stage: FailureStage, error: SdkError) => {
      emit({ type: 'failed', subject: target.name, offer, error });
      await link.failed(target.subject, offer, stage).catch(() => {});
      return result('failed', error);
    };
    try {
      await link.accepted(target.subject, offer);
      let reported = -10;
      await downloadResumable(offer, partial, {
        ...(options.fetch && { fetch: options.fetch }),
        signal: stopping.signal,
        onProgress(received, total) {
          emit({ type: 'progress', subject: target.name, offer, received, total });
          const percent = Math.floor((received * 100) / Math.max(1, total));
          if (percent >= reported + 10 && percent < 100) {
            reported = percent;
            void link.progress(target.subject, offer, percent).catch(() => {});
          }
        },
      });
    } catch (error) {
      if (stopping.signal.aborted) return defer('the device stopped');
      return fail('download', isSdkError(error) ? error : new SdkError('DOWNLOAD_FAILED', String(error)));
    }
    try {
      await verifyDownload(offer, partial);
    } catch (error) {
      await target.store.forget(key);
      return fail('check', error as SdkError);
    }
    await link.downloaded(target.subject, offer);

    let image = partial;
    if (offer.kind === 'delta') {
      if (!module.readCurrent) {
        await target.store.forget(key);
        return fail(
          'check',
          new SdkError('DELTA_FAILED', `module ${offer.module} cannot read its current image`),
        );
      }
      image = target.store.imagePath(key);
      try {
        const out = createWriteStream(image);
        for await (const chunk of apply(module.readCurrent.bind(module), createReadStream(partial), {
          ...(options.deltaMemoryLimit !== undefined && { memoryLimit: options.deltaMemoryLimit }),
        })) {
          if (!out.write(chunk)) await once(out, 'drain');
        }
        out.end();
        await once(out, 'finish');
      } catch (error) {
        await target.store.forget(key);
        const message = isDeltaError(error) ? `${error.code}: ${error.message}` : String(error);
        return fail(
          'check',
          new SdkError('DELTA_FAILED', `the delta does not restore: ${message}`, {}, { cause: error }),
        );
      }
    }
    try {
      await module.install({ module: offer.module, version: offer.targetVersion, path: image, offer });
    } catch (error) {
      await target.store.forget(key);
      return fail(
        'write',
        new SdkError('WRITE_FAILED', `install failed: ${(error as Error).message}`, {}, { cause: error }),
      );
    }
    target.state.versions[offer.module] = offer.targetVersion;
    await target.store.save(target.state);
    await target.store.forget(key);
    await link.succeeded(target.subject, offer);
    emit({ type: 'installed', subject: target.name, offer });
    return result('success');
  }

  /** Runs one upgrade per target and module at a time; a second offer meanwhile is ignored. */
  function schedule(target: Target, offer: Offer): Promise<UpgradeResult | null> {
    if (target.busy.has(offer.module)) return Promise.resolve(null);
    target.busy.add(offer.module);
    const job = runUpgrade(target, offer)
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
        running.delete(job);
      });
    running.add(job);
    return job;
  }

  async function report(target: Target): Promise<UpgradeResult[]> {
    const done: UpgradeResult[] = [];
    for (const [module, version] of Object.entries(target.state.versions)) {
      const offer = await link.reportVersion(target.subject, module, version, telemetry(target.name));
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

  link.onOffer((subject, offer) => {
    const target = subject.username ? targets.find((t) => t.name === subject.username) : targets[0];
    if (!target) return;
    void schedule(target, offer).then(async (outcome) => {
      // After a successful install the device restarts and informs its new version.
      if (outcome?.outcome === 'success') {
        await link
          .reportVersion(target.subject, offer.module, offer.targetVersion, telemetry(target.name))
          .catch(() => {});
      }
    });
  });

  return {
    /** Loads the state, connects (MQTT) and reports every module's version (HTTP: and takes the offers). */
    async start(): Promise<UpgradeResult[]> {
      const main = createStateStore(options.stateDir);
      targets.push({
        name: own,
        subject: {},
        store: main,
        state: await main.load(versionsOf(options.modules)),
        modules: options.modules,
        busy: new Set(),
      });
      for (const sub of options.subDevices ?? []) {
        const store = createStateStore(sub.stateDir);
        targets.push({
          name: sub.username,
          subject: { username: sub.username, ...(sub.deviceId !== undefined && { deviceId: sub.deviceId }) },
          store,
          state: await store.load(versionsOf(sub.modules)),
          modules: sub.modules,
          busy: new Set(),
        });
      }
      await link.connect();
      return reportAll();
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
