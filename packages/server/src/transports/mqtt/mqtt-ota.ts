// ThingsPanel-style OTA over MQTT (protocols.md §1, v0.5 with §0's corrections), independent of
// the broker: the embedded broker and the external-broker client both hand it uplink messages
// and give it a way to publish (MqttBus). It answers informs, takes progress, and is the
// engine's Notifier: pushes wait in a queue drained at the configured rate, a chunk at a time,
// so that a chunk's download tokens are written together.
import { randomInt } from 'node:crypto';
import {
  buildUpgradePush,
  type OtaErrorReply,
  parseProgressReport,
  parseVersionInform,
  subDeviceField,
} from '@updraft/protocol';
import type {
  AccessCaller,
  AccessDevice,
  DeviceAccessService,
  Offer,
} from '../../modules/device-access/device-access-service.ts';
import type { Notifier, UpgradeNotice } from '../../modules/plans/notifier.ts';
import { pushTopic } from './mqtt-topics.ts';

export interface MqttBus {
  /** Publishes at QoS 1. */
  publish(topic: string, payload: string): Promise<void>;
  /** Whether a session of this username is connected now; absent when the broker does not say (external). */
  isOnline?(username: string): boolean;
}

export interface MqttLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface MqttOtaOptions {
  access: DeviceAccessService;
  /** `{productKey}.{deviceName}` of a device. */
  usernameOf(device: AccessDevice): Promise<string>;
  /** md5 or sha256: how the product signs its packages in pushes (§1.9). */
  signMethodOf(productId: number): Promise<'md5' | 'sha256'>;
  /** The base URL devices download from (`…/device/v1/download/{token}`). */
  baseUrl(): string;
  /** Pushes per second at most. */
  pushRate: number;
  log: MqttLog;
}

/** Why an uplink was dropped: logged, and sent back to the device as an OtaErrorReply. */
export interface Dropped {
  code: OtaErrorReply['code'];
  reason: string;
}

const maxChunk = 500;
const maxInFlight = 4;

export function createMqttOta(options: MqttOtaOptions) {
  const { access, log } = options;
  let bus: MqttBus | undefined;

  async function pushMessage(device: AccessDevice, module: string, offer: Offer) {
    const file = offer.pkg.files[0];
    const signMethod = await options.signMethodOf(device.productId);
    const push = buildUpgradePush({
      // ThingsPanel sends 9 random digits (protocols.md §1.4).
      id: String(randomInt(100_000_000, 1_000_000_000)),
      version: offer.spec.firmware.targetVersion,
      size: file?.size ?? 0,
      url: `${options.baseUrl()}/device/v1/download/${offer.token}`,
      signMethod,
      sign: (signMethod === 'md5' ? file?.md5 : file?.sha256) ?? '',
      module,
      extData: offer.pkg.extData,
    });
    return {
      ...push,
      params: {
        ...push.params,
        // Updraft's additions (docs/mqtt.md): devices that do not know them ignore them.
        type: offer.pkg.type,
        sha256: file?.sha256 ?? '',
        minSignal: offer.spec.minSignal,
        minBattery: offer.spec.minBattery,
        retry: offer.spec.retry.attempts,
        interval: offer.spec.retry.intervalSeconds,
        expires: Math.floor(offer.expiresAt / 1000),
      },
    };
  }

  /** Where a device's pushes go: its own topic, or its gateway's (docs/mqtt.md, gateways). */
  async function recipientOf(device: AccessDevice): Promise<{ username: string } | undefined> {
    if (device.gatewayId === null) return { username: await options.usernameOf(device) };
    const gateway = await access.deviceById(device.gatewayId);
    return gateway && { username: await options.usernameOf(gateway) };
  }

  async function deliver(
    device: AccessDevice,
    recipient: { username: string },
    module: string,
    offer: Offer,
  ): Promise<void> {
    if (!bus) return;
    const message: Record<string, unknown> = { ...(await pushMessage(device, module, offer)) };
    if (device.gatewayId !== null) message[subDeviceField] = await options.usernameOf(device);
    await bus.publish(pushTopic(recipient.username), JSON.stringify(message));
  }

  async function reply(username: string, body: OtaErrorReply): Promise<void> {
    await bus?.publish(pushTopic(username), JSON.stringify(body));
  }

  function fieldsOf(payload: Buffer): { id: string; named: unknown } {
    try {
      const body: unknown = JSON.parse(payload.toString('utf8'));
      if (typeof body !== 'object' || body === null) return { id: '', named: undefined };
      const { id, [subDeviceField]: named } = body as Record<string, unknown>;
      return { id: typeof id === 'string' || typeof id === 'number' ? String(id) : '', named };
    } catch {
      return { id: '', named: undefined };
    }
  }

  /** Logs why an uplink was dropped and tells its sender on its push topic. */
  async function drop(
    kind: 'inform' | 'progress',
    username: string,
    id: string,
    named: unknown,
    d: Dropped,
  ): Promise<Dropped> {
    log.warn({ username, device: named, reason: d.reason }, `MQTT ${kind} dropped`);
    await reply(username, {
      id,
      code: d.code,
      message: d.reason,
      ...(typeof named === 'string' && { device: named }),
    });
    return d;
  }

  /** The device a message is about: the sender, or (field `device`) one of its sub-devices. */
  async function subjectOf(caller: AccessCaller, named: unknown): Promise<AccessDevice | Dropped> {
    if (named === undefined) {
      if ('productWide' in caller) return { code: 400, reason: 'device is required' };
      return caller;
    }
    if (typeof named !== 'string') return { code: 400, reason: 'device is not a string' };
    const device = await access.deviceNamed(caller, named);
    return device ?? { code: 403, reason: `${named} is not this gateway's sub-device` };
  }

  /**
   * A chunk of queued pushes, looked up together. A device whose recipient is offline is skipped
   * (pushed when it connects, §1.8); one push failing does not stop the others.
   */
  async function pushChunk(batch: readonly UpgradeNotice[]): Promise<void> {
    const target = bus;
    if (!target) return;
    const recipients = new Map<number, { username: string }>();
    const offers = await access.pushOffers(batch, async (device) => {
      const recipient = await recipientOf(device);
      if (!recipient || (target.isOnline && !target.isOnline(recipient.username))) return false;
      recipients.set(device.id, recipient);
      return true;
    });
    await Promise.all(
      offers.map(({ device, module, offer }) =>
        deliver(device, recipients.get(device.id)!, module, offer).catch((error: unknown) =>
          log.error({ err: error, deviceId: device.id }, 'MQTT push failed'),
        ),
      ),
    );
  }

  // Pushes wait here and leave at pushRate per second, a chunk every chunk/pushRate seconds.
  const queue: UpgradeNotice[] = [];
  let draining: Promise<void> | undefined;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  async function drain(): Promise<void> {
    const chunk = Math.max(1, Math.min(maxChunk, Math.ceil(options.pushRate / 10)));
    while (queue.length > 0 && !stopped) {
      const started = performance.now();
      const batch = queue.splice(0, chunk);
      const sending: Promise<void> = pushChunk(batch)
        .catch((error: unknown) => log.error({ err: error, devices: batch.length }, 'MQTT pushes failed'))
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      // A few chunks at once: one chunk's lookups overlap the previous one's acknowledgements.
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      const wait = (batch.length / options.pushRate) * 1000 - (performance.now() - started);
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await Promise.all(inFlight);
  }

  // Notices that arrive while the last chunks are in flight are picked up by a new drain.
  function startDraining(): void {
    draining ??= drain().finally(() => {
      draining = undefined;
      if (queue.length > 0 && !stopped) startDraining();
    });
  }

  const notifier: Notifier = {
    async notify(batch) {
      // Before MQTT runs (or after it stopped) nobody can be reached: a device gets its push
      // when it connects.
      if (!bus || stopped) return;
      queue.push(...batch);
      startDraining();
    },
    // ThingsPanel has no withdraw message: a withdrawn upgrade's download token stops working
    // and the device's next report is answered 409 (docs/mqtt.md).
    async withdraw() {},
  };

  return {
    notifier,

    attach(next: MqttBus) {
      bus = next;
      stopped = false;
    },

    /** Pushes waiting for their turn. */
    queued: () => queue.length,

    /** A version inform from `caller` (§1.3): answered with a push when an upgrade waits. */
    async inform(caller: AccessCaller, username: string, payload: Buffer): Promise<Dropped | null> {
      const { id, named } = fieldsOf(payload);
      const dropped = (d: Dropped) => drop('inform', username, id, named, d);
      const parsed = parseVersionInform(payload);
      if ('problem' in parsed) return dropped({ code: 400, reason: parsed.problem });
      const device = await subjectOf(caller, named);
      if ('code' in device) return dropped(device);
      const result = await access.inform(device, parsed.module, parsed.version);
      if (result.kind === 'problem') {
        return dropped({ code: 404, reason: `${result.problem}: ${parsed.module}` });
      }
      if (result.kind === 'offer') {
        const recipient = await recipientOf(device);
        if (recipient) await deliver(device, recipient, parsed.module, result.offer);
      }
      return null;
    },

    /** A progress report from `caller` (§1.5). */
    async progress(caller: AccessCaller, username: string, payload: Buffer): Promise<Dropped | null> {
      const { id, named } = fieldsOf(payload);
      const dropped = (d: Dropped) => drop('progress', username, id, named, d);
      const parsed = parseProgressReport(payload);
      if ('problem' in parsed) return dropped({ code: 400, reason: parsed.problem });
      const device = await subjectOf(caller, named);
      if ('code' in device) return dropped(device);
      const problem = await access.progress(device, parsed.module, parsed.step, parsed.desc);
      if (problem !== null) {
        return dropped({
          code: 409,
          reason: `${problem}: no upgrade of ${parsed.module} takes this step now`,
        });
      }
      return null;
    },

    /** Tells the device it published where it may not; the message was dropped. */
    async refuse(username: string, reason: string): Promise<void> {
      log.warn({ username, reason }, 'MQTT publish dropped');
      await reply(username, { id: '', code: 403, message: reason });
    },

    /** A device session came up: push what waits for it and its sub-devices. */
    async connected(device: AccessDevice): Promise<void> {
      const recipient = { username: await options.usernameOf(device) };
      for (const target of [device, ...(await access.subDevicesOf(device))]) {
        for (const { module, offer } of await access.offersOnConnect(target)) {
          await deliver(target, recipient, module, offer);
        }
      }
    },

    /** Drops the queue and waits for the chunk in flight. */
    async stop(): Promise<void> {
      stopped = true;
      queue.length = 0;
      await draining;
      bus = undefined;
    },
  };
}

export type MqttOta = ReturnType<typeof createMqttOta>;
