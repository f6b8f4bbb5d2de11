// One simulated device on the SDK, or one gateway with its simulated sub-devices: it connects
// (after a while, if `offline`), informs or polls, decides manual plans' upgrades through the
// device API, and downloads through the faulty link of its behaviour. Each device (sub-device)
// it acts for is a subject whose state the simulator counts.
import { join } from 'node:path';
import { isUpdraftError } from '@updraft/core';
import {
  createDevice,
  type Device,
  type DeviceEvent,
  type DeviceOptions,
  isSdkError,
  type ModuleOptions,
  type Offer,
  type SdkError,
} from '@updraft/sdk';
import type { Behaviour, BehaviourSettings } from './behaviours.ts';
import { createFaultyFetch, type LinkCounters } from './link-faults.ts';
import type { OwnerApp } from './owner-app.ts';

export const subjectStates = [
  'offline',
  'waiting',
  'downloading',
  'installing',
  'success',
  'failed',
  'rejected',
  'deferred',
] as const;
export type SubjectState = (typeof subjectStates)[number];
export const settledStates: readonly SubjectState[] = ['success', 'failed', 'rejected', 'deferred'];

export interface Subject {
  /** `{productKey}.{deviceName}` */
  username: string;
  deviceId: number;
  behaviour: Behaviour;
  state: SubjectState;
  /** For `failed`: the stage the SDK reported. */
  failure?: 'download' | 'check' | 'write' | 'other';
  /** Why it was deferred (the SDK's or the server's reason). */
  reason?: string;
}

export interface SimulatedDeviceOptions {
  transport: DeviceOptions['transport'];
  server: string;
  mqttUrl?: string;
  /** coap://host:port, for `lwm2m`. */
  coapUrl?: string;
  productKey: string;
  name: string;
  secret: string;
  /** The device's own subject; absent for a gateway, which only acts for its sub-devices. */
  self?: Subject;
  subDevices: Subject[];
  module: string;
  version: string;
  stateDir: string;
  manual: boolean;
  pollMs: number;
  settings: BehaviourSettings;
  counters: LinkCounters;
  /** The owner's app of the `appoint` and `auto-upgrade` devices (manual plans). */
  owner?: OwnerApp;
  onChange(): void;
  /** The run is over (every device settled, or `halt`): stop looping. */
  signal: AbortSignal;
  /** The run was cut short (timeout, interrupt): stop the device at once, work in flight too. */
  halt: AbortSignal;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

function failureOf(error: SdkError): Subject['failure'] {
  switch (error.code) {
    case 'DOWNLOAD_FAILED':
    case 'NETWORK':
    case 'SERVER_ERROR':
      return 'download';
    case 'CHECK_FAILED':
    case 'DELTA_FAILED':
      return 'check';
    case 'WRITE_FAILED':
      return 'write';
    default:
      return 'other';
  }
}

export async function runSimulatedDevice(options: SimulatedDeviceOptions): Promise<void> {
  const subjects = [...(options.self ? [options.self] : []), ...options.subDevices];
  const byName = new Map(subjects.map((s) => [s.username, s]));
  const own = `${options.productKey}.${options.name}`;
  const subjectOf = (name: string) => byName.get(name);
  const settled = () => subjects.every((s) => settledStates.includes(s.state));
  const set = (subject: Subject | undefined, state: SubjectState, extra: Partial<Subject> = {}) => {
    if (!subject || settledStates.includes(subject.state)) return;
    Object.assign(subject, { state, ...extra });
    options.onChange();
  };
  const startedAt = Date.now();
  const onlineAt = (s: Subject) =>
    startedAt + (s.behaviour === 'offline' ? options.settings.offlineSeconds * 1000 : 0);

  // Which subject a download URL belongs to, learnt from the offer before the download starts.
  const urls = new Map<string, Behaviour>();
  const behaviourOf = (url: string) => urls.get(url) ?? options.self?.behaviour ?? 'succeed';
  const faultyFetch = createFaultyFetch(behaviourOf, options.settings, options.counters);
  const moduleFor = (subject: Subject): Record<string, ModuleOptions> => ({
    [options.module]: {
      version: options.version,
      async install() {
        set(subject, 'installing');
        if (subject.behaviour === 'fail-write') throw new Error('flash write failed (simulated)');
      },
    },
  });
  function onEvent(event: DeviceEvent) {
    if (event.type === 'reconnect-failed') return;
    const subject = subjectOf(event.subject);
    const learn = (offer: Offer) => {
      if (!subject) return;
      for (const url of [offer.url, ...(offer.files ?? []).map((f) => f.url)])
        urls.set(url, subject.behaviour);
    };
    switch (event.type) {
      case 'offer':
        learn(event.offer);
        set(subject, 'downloading');
        break;
      case 'links':
        // A push again while the download runs (a re-offer after silence): new tokens, which
        // the next attempt fetches; the subject's fault goes with them.
        learn(event.offer);
        break;
      case 'installed':
        set(subject, 'success');
        break;
      case 'failed':
        set(subject, 'failed', { failure: failureOf(event.error) });
        break;
      case 'deferred':
        if (subject?.behaviour === 'reject' || subject?.behaviour === 'low-battery') {
          set(subject, 'deferred', { reason: event.reason });
        }
        break;
      case 'no-offer':
        // HTTP: the server keeps the offer back below the plan's signal or battery minimum.
        if (subject?.behaviour === 'low-battery' && /below the threshold/.test(event.reason)) {
          set(subject, 'deferred', { reason: event.reason });
        }
        break;
      case 'progress':
        break;
    }
  }

  // A plain `offline` device connects late; a gateway's `offline` sub-devices accept late.
  if (options.self?.behaviour === 'offline')
    await sleep(options.settings.offlineSeconds * 1000, options.signal);
  if (options.signal.aborted) return;
  for (const s of subjects) if (s.state === 'offline' && Date.now() >= onlineAt(s)) set(s, 'waiting');
  const makeDevice = () =>
    createDevice({
      server: options.server,
      transport: options.transport,
      ...(options.mqttUrl !== undefined && { mqttUrl: options.mqttUrl }),
      ...(options.coapUrl !== undefined && { coapUrl: options.coapUrl }),
      credentials: { productKey: options.productKey, name: options.name, secret: options.secret },
      stateDir: options.stateDir,
      modules: options.self ? moduleFor(options.self) : {},
      subDevices: options.subDevices.map((s) => ({
        username: s.username,
        deviceId: s.deviceId,
        stateDir: join(options.stateDir, s.username),
        modules: moduleFor(s),
      })),
      telemetry: (name) => ({
        signal: -60,
        battery: subjectOf(name)?.behaviour === 'low-battery' ? options.settings.lowBattery : 90,
      }),
      async accept(_offer, name) {
        const subject = subjectOf(name);
        if (!subject) return true;
        // A silent plan's offer is refused through the device API: counted, offered again after
        // the plan's rejection period (docs/device-http.md, "Refusing an offer").
        if (subject.behaviour === 'reject') return 'refuse';
        const wait = onlineAt(subject) - Date.now();
        if (wait > 0) await sleep(wait, options.signal);
        set(subject, 'downloading');
        return true;
      },
      onEvent,
      fetch: faultyFetch,
      // LwM2M downloads over CoAP, not fetch: the same faults around its download.
      ...(options.transport === 'lwm2m' && {
        wrapDownload: (download: typeof fetch) =>
          createFaultyFetch(behaviourOf, options.settings, options.counters, download),
      }),
    });
  const decided = new Set<string>();
  let device: Device | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= device ? device.stop() : Promise.resolve();
    return stopped;
  };
  const onHalt = () => void stop();
  options.halt.addEventListener('abort', onHalt, { once: true });
  try {
    // A server that is down or restarting when the device starts: start again at the next poll
    // (a fresh session on the same state folder), as a device that powers on before its server.
    for (;;) {
      device = makeDevice();
      try {
        await device.start();
        break;
      } catch (error) {
        await device.stop();
        if (!isSdkError(error) || !error.retryable) throw error;
        await sleep(options.pollMs, options.signal);
        if (options.signal.aborted) return;
      }
    }
    while (!settled() && !options.signal.aborted) {
      for (const s of subjects) if (s.state === 'offline' && Date.now() >= onlineAt(s)) set(s, 'waiting');
      try {
        await step(device);
      } catch (error) {
        // A dropped link or a server restart (the device's or the owner's app's calls): try
        // again at the next poll.
        const retryable = isSdkError(error)
          ? error.retryable
          : isUpdraftError(error) && error.details['retryable'] === true;
        if (!retryable) throw error;
      }
      if (!settled()) await sleep(options.pollMs, options.signal);
    }
    if (!options.halt.aborted) await device.idle();
  } finally {
    options.halt.removeEventListener('abort', onHalt);
    await stop();
  }

  async function step(device: Device) {
    if (options.manual) {
      for (const s of subjects) {
        if (decided.has(s.username) || settledStates.includes(s.state) || s.state === 'offline') continue;
        const name = s === options.self ? own : s.username;
        const owner = options.owner;
        if (owner && (s.behaviour === 'appoint' || s.behaviour === 'auto-upgrade')) {
          // The owner's app decides through the end-user API, not the device.
          if (s.behaviour === 'auto-upgrade') {
            await owner.setAutoUpgrade(s.deviceId, true);
            decided.add(s.username);
            continue;
          }
          const upgradeId = await owner.waitingUpgrade(s.deviceId);
          if (upgradeId === undefined) continue;
          const from = Date.now() + options.settings.appointDelaySeconds * 1000;
          await owner.appoint(upgradeId, from, from + 3_600_000);
          decided.add(s.username);
          continue;
        }
        const [waiting] = await device.confirmations(name);
        if (!waiting) continue;
        if (s.behaviour === 'reject') {
          await device.reject(waiting.upgradeId, name);
          set(s, 'rejected');
        } else {
          await device.confirm(waiting.upgradeId, name);
        }
        // Decided once the server has it: a restart in between asks again.
        decided.add(s.username);
      }
    }
    // HTTP devices ask; MQTT devices are pushed (informing again would count as a mismatch).
    const asks = options.transport === 'http' || options.transport === 'onenet-studio';
    if (asks && !settled()) await device.checkNow();
  }
}
