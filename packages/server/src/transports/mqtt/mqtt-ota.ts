// ThingsPanel-style OTA over MQTT (protocols.md §1, v0.5 with §0's corrections), independent of
// the broker: the embedded broker and the external-broker client both hand it uplink messages
// and give it a way to publish. It answers informs, takes progress, and is the engine's
// Notifier: pushes are spread out at a configured rate, in chunks whose download tokens are
// written together.
import { randomInt } from 'node:crypto';
import { buildUpgradePush, parseProgressReport, parseVersionInform } from '@updraft/protocol';
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
  /** Whether a device session is connected now; undefined when the broker does not say (external). */
  isOnline?(username: string): boolean;
}

export interface MqttOtaOptions {
  access: DeviceAccessService;
  /** `{productKey}.{deviceName}` of a device. */
  usernameOf(device: AccessDevice): Promise<string>;
  /** md5 or sha256: how the product signs its packages in pushes (§1.9). */
  signMethodOf(productId: number): Promise<'md5' | 'sha256'>;
  /** The base URL devices download from (`…/device/v1/download/{token}`). */
  baseUrl(): string;
  pushRate: number;
  log: { warn(details: object, message: string): void; error(details: object, message: string): void };
}

/** Why an uplink was dropped; also sent back to the device as `{id, code, message}`. */
export interface Dropped {
  code: number;
  reason: string;
}

export function createMqttOta(options: MqttOtaOptions) {
  const { access, log } = options;
  let bus: MqttBus | undefined;

  async function pushMessage(device: AccessDevice, module: string, offer: Offer) {
    const file = offer.pkg.files[0];
    const signMethod = await options.signMethodOf(device.productId);
    const push = buildUpgradePush({
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

  /** Publishes the offer to the device, or to its gateway with the sub-device named. */
  async function deliver(device: AccessDevice, module: string, offer: Offer): Promise<void> {
    if (!bus) return;
    const message: Record<string, unknown> = { ...(await pushMessage(device, module, offer)) };
    let topicOwner = device;
    if (device.gatewayId !== null) {
      const gateway = await access.deviceById(device.gatewayId);
      if (!gateway) return;
      message['device'] = await options.usernameOf(device);
      topicOwner = gateway;
    }
    await bus.publish(pushTopic(await options.usernameOf(topicOwner)), JSON.stringify(message));
  }

  async function reply(username: string, id: string, dropped: Dropped): Promise<void> {
    await bus?.publish(
      pushTopic(username),
      JSON.stringify({ id, code: dropped.code, message: dropped.reason }),
    );
  }

  /** The device a message is about: the sender, or (field `device`) one of its sub-devices. */
  async function subject(caller: AccessCaller, body: unknown): Promise<AccessDevice | Dropped> {
    const named =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['device'] : undefined;
    if (named === undefined) {
      if ('productWide' in caller) return { code: 400, reason: 'device is required' };
      return caller;
    }
    if (typeof named !== 'string') return { code: 400, reason: 'device is not a string' };
    const device = await access.deviceNamed(caller, named);
    return device ?? { code: 403, reason: `${named} is not this gateway's sub-device` };
  }

  function bodyOf(payload: Buffer): unknown {
    try {
      return JSON.parse(payload.toString('utf8'));
    } catch {
      return undefined;
    }
  }

  // Pushes wait in a queue drained at `pushRate` per second, a chunk at a time (a chunk's tokens
  // are written in one transaction).
  const queue: UpgradeNotice[] = [];
  let draining: Promise<void> | undefined;
  let stopped = false;
  async function drain(): Promise<void> {
    const chunk = Math.max(1, Math.min(500, Math.ceil(options.pushRate / 10)));
    while (queue.length > 0 && !stopped) {
      const started = performance.now();
      const batch = queue.splice(0, chunk);
      await Promise.all(
        batch.map(async (notice) => {
          try {
            const found = await access.pushOffer(notice);
            if (!found) return;
            const username = await options.usernameOf(found.device);
            // The embedded broker knows who is connected: an offline device gets its push when
            // it connects or reports (§1.8); an external broker queues for persistent sessions.
            if (bus?.isOnline && found.device.gatewayId === null && !bus.isOnline(username)) return;
            await deliver(found.device, found.module, found.offer);
          } catch (error) {
            log.error({ err: error, deviceId: notice.deviceId }, 'MQTT push failed');
          }
        }),
      );
      const wait = (batch.length / options.pushRate) * 1000 - (performance.now() - started);
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  const notifier: Notifier = {
    async notify(batch) {
      queue.push(...batch);
      draining ??= drain().finally(() => {
        draining = undefined;
      });
    },
    // ThingsPanel has no withdraw message: a cancelled device learns it when its next report is
    // refused (docs/mqtt.md).
    async withdraw() {},
  };

  return {
    notifier,

    attach(next: MqttBus) {
      bus = next;
    },

    /** A version inform from `caller` (§1.3): answered with a push when an upgrade waits. */
    async inform(caller: AccessCaller, callerUsername: string, payload: Buffer): Promise<Dropped | null> {
      const parsed = parseVersionInform(payload);
      const body = bodyOf(payload);
      const id = typeof body === 'object' && body !== null ? String((body as { id?: unknown }).id ?? '') : '';
      const dropped = async (d: Dropped) => {
        log.warn({ username: callerUsername, reason: d.reason }, 'MQTT inform dropped');
        await reply(callerUsername, id, d);
        return d;
      };
      if ('problem' in parsed) return dropped({ code: 400, reason: parsed.problem });
      const device = await subject(caller, body);
      if ('code' in device) return dropped(device);
      const result = await access.inform(device, parsed.module, parsed.version);
      if (result.kind === 'problem')
        return dropped({ code: 404, reason: `${result.problem}: ${parsed.module}` });
      if (result.kind === 'offer') await deliver(device, parsed.module, result.offer);
      return null;
    },

    /** A progress report from `caller` (§1.5). */
    async progress(caller: AccessCaller, callerUsername: string, payload: Buffer): Promise<Dropped | null> {
      const parsed = parseProgressReport(payload);
      const dropped = async (d: Dropped) => {
        log.warn({ username: callerUsername, reason: d.reason }, 'MQTT progress dropped');
        await reply(callerUsername, '', d);
        return d;
      };
      if ('problem' in parsed) return dropped({ code: 400, reason: parsed.problem });
      const device = await subject(caller, bodyOf(payload));
      if ('code' in device) return dropped(device);
      const problem = await access.progress(device, parsed.module, parsed.step, parsed.desc);
      if (problem !== null)
        return dropped({ code: 409, reason: `${problem}: no upgrade takes this step now` });
      return null;
    },

    /** A device session came up: push what waits for it and its sub-devices. */
    async connected(device: AccessDevice): Promise<void> {
      const targets = [device, ...(await access.subDevicesOf(device))];
      for (const target of targets) {
        for (const { module, offer } of await access.offersOnConnect(target))
          await deliver(target, module, offer);
      }
    },

    async stop(): Promise<void> {
      stopped = true;
      queue.length = 0;
      await draining;
    },
  };
}

export type MqttOta = ReturnType<typeof createMqttOta>;
