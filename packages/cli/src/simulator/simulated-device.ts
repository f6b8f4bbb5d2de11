// One simulated device on the SDK, or one gateway with its simulated sub-devices: it connects
// (after a while, if `offline`), informs or polls, decides manual plans' upgrades through the
// device API, and downloads through the faulty link of its behaviour. Each device (sub-device)
// it acts for is a subject whose state the simulator counts.
import { join } from 'node:path';
import { createDevice, type DeviceEvent, isSdkError, type ModuleOptions, type SdkError } from '@updraft/sdk';
import type { Behaviour, BehaviourSettings } from './behaviours.ts';
import { createFaultyFetch, type LinkCounters } from './link-faults.ts';

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
  transport: 'http' | 'mqtt';
  server: string;
  mqttUrl?: string;
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
  onChange(): void;
  signal: AbortSignal;
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
  const faultyFetch = createFaultyFetch(
    (url) => urls.get(url) ?? options.self?.behaviour ?? 'succeed',
    options.settings,
    options.counters,
  );
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
    const subject = subjectOf(event.subject);
    switch (event.type) {
      case 'offer':
        if (subject) urls.set(event.offer.url, subject.behaviour);
        set(subject, 'downloading');
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
  const device = createDevice({
    server: options.server,
    transport: options.transport,
    ...(options.mqttUrl !== undefined && { mqttUrl: options.mqttUrl }),
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
      if (subject.behaviour === 'reject') return false;
      const wait = onlineAt(subject) - Date.now();
      if (wait > 0) await sleep(wait, options.signal);
      set(subject, 'downloading');
      return true;
    },
    onEvent,
    fetch: faultyFetch,
  });
  const decided = new Set<string>();
  try {
    await device.start();
    while (!settled() && !options.signal.aborted) {
      for (const s of subjects) if (s.state === 'offline' && Date.now() >= onlineAt(s)) set(s, 'waiting');
      try {
        await step();
      } catch (error) {
        // A dropped link or a server restart: try again at the next poll.
        if (!isSdkError(error) || !error.retryable) throw error;
      }
      if (!settled()) await sleep(options.pollMs, options.signal);
    }
    await device.idle();
  } finally {
    await device.stop();
  }

  async function step() {
    if (options.manual) {
      for (const s of subjects) {
        if (decided.has(s.username) || settledStates.includes(s.state) || s.state === 'offline') continue;
        const name = s === options.self ? own : s.username;
        const [waiting] = await device.confirmations(name);
        if (!waiting) continue;
        decided.add(s.username);
        if (s.behaviour === 'reject') {
          await device.reject(waiting.upgradeId, name);
          set(s, 'rejected');
        } else {
          await device.confirm(waiting.upgradeId, name);
        }
      }
    }
    // HTTP devices ask; MQTT devices are pushed (informing again would count as a mismatch).
    if (options.transport === 'http' && !settled()) await device.checkNow();
  }
}
