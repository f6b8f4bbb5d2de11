// The Quectel MQTT dialect (protocols.md §3.2 to §3.4; docs/quectel.md): QuecThing's binary OTA
// commands on `q/…` topics, framed and TTLV-encoded by packages/protocol's codec. A device signs
// in with its client id `qd{ProductKey}{DeviceKey}` and Updraft's signed password (or its secret),
// asks for its plan (0x0115) or is pushed it (0x0111), confirms or refuses it (0x0114 2 or 3), is
// sent the firmware information (0x0113) and reports its statuses (0x0114). An MqttDialect for the
// carriers and a PushingDialect (protocol `quectel`) for the push queue.
import {
  createPacketIds,
  decodeFrame,
  decodeQuectelPayload,
  encodeQuectelMessage,
  isQuectelError,
  parseQuectelPassword,
  type QuectelMessage,
  quectelDecisions,
  quectelTopics,
  verifyQuectelPassword,
} from '@updraft/protocol';
import type { AccessDevice, DeviceAccess, Offer } from '../../modules/device-access/device-access.ts';
import { crcOfRange } from '../../transports/http/send-firmware.ts';
import type { MqttBus, MqttDialect, MqttLog } from '../../transports/mqtt/mqtt-dialect.ts';
import type { PushingDialect } from '../../transports/push-queue.ts';
import { deviceOfClientId, quectelKeyOf } from './client-id.ts';
import type { QuectelContext, Recipient } from './context.ts';
import { dispatch } from './handlers/index.ts';
import { componentTypeOf, firmwareInfoOf, planComponentOf, taskInfoOf } from './messages.ts';
import { isPushTopic, mayPublish, maySubscribe, parseUplink, sharedUplinks } from './topics.ts';

export interface QuectelOptions {
  access: DeviceAccess;
  /** The base URL devices download from (`…/device/v1/quectel/download/{token}`). */
  baseUrl(): string;
  log: MqttLog;
  /** The server's clock (epoch ms), for the expiry of signed passwords. */
  now(): number;
}

export function createQuectelMqtt({
  access,
  baseUrl,
  log,
  now,
}: QuectelOptions): MqttDialect & PushingDialect {
  let bus: MqttBus | undefined;
  const packetIds = createPacketIds(1 + Math.floor(Math.random() * 0xfff0));
  // DOWN_CRC per stored file (its key): computed once, from the bytes the device will download.
  const crcs = new Map<string, string>();

  async function send(clientId: string, message: QuectelMessage): Promise<void> {
    await bus?.publish(quectelTopics.downlink(clientId), encodeQuectelMessage(packetIds(), message));
  }

  async function clientIdOf(device: AccessDevice): Promise<string | undefined> {
    const product = await access.productOf(device.productId);
    return product && `qd${product.productKey}${device.name}`;
  }

  async function crcsOf(offer: Offer): Promise<(string | undefined)[]> {
    return Promise.all(
      offer.files.map(async (file) => {
        const handle = await access.openDownload(file.token, { load: false });
        if ('problem' in handle) return undefined;
        let crc = crcs.get(handle.key);
        if (crc === undefined) {
          crc = await crcOfRange(access, handle, quectelDecisions.crc16, 0, Math.max(0, handle.size - 1));
          if (crcs.size >= 1000) crcs.clear();
          crcs.set(handle.key, crc);
        }
        return crc;
      }),
    );
  }

  /** The offer's component, or every component of its plan (TASK_INFO) when it has several. */
  async function planComponentsOf(device: AccessDevice, module: string, offer: Offer) {
    const plan =
      offer.componentCount > 1
        ? (await access.devicePlans(device)).find((p) => p.upgradeId === offer.upgradeId)
        : undefined;
    const kinds = new Map<string, number>();
    for (const m of new Set([module, ...(plan?.components.map((c) => c.module) ?? [])]))
      kinds.set(m, componentTypeOf(await access.moduleKindOf(device.productId, m)));
    const typeOf = (m: string) => kinds.get(m) ?? componentTypeOf(undefined);
    return plan ? taskInfoOf(offer, plan, typeOf) : [planComponentOf(offer, typeOf(module))];
  }

  const ctx: QuectelContext = {
    access,
    log,
    baseUrl,
    async recipientOf(device) {
      if (device.gatewayId === null) {
        const clientId = await clientIdOf(device);
        return clientId === undefined ? undefined : { clientId };
      }
      const gateway = await access.deviceById(device.gatewayId);
      const [clientId, product] = await Promise.all([
        gateway && clientIdOf(gateway),
        access.productOf(device.productId),
      ]);
      if (clientId === undefined || !product) return undefined;
      return { clientId, subDevice: { productKey: product.productKey, deviceKey: device.name } };
    },
    async pushPlan(device, recipient, module, offer) {
      await send(recipient.clientId, {
        kind: 'plan',
        plan: {
          components: await planComponentsOf(device, module, offer),
          ...(recipient.subDevice && { subDevice: recipient.subDevice }),
        },
      });
    },
    async sendFirmwareInfo(device, recipient, offer, { sha256 }) {
      const componentType = componentTypeOf(
        await access.moduleKindOf(device.productId, offer.component.module),
      );
      const info = firmwareInfoOf(offer, componentType, baseUrl(), {
        sha256,
        crcs: await crcsOf(offer),
        ...(recipient.subDevice && { subDevice: recipient.subDevice }),
      });
      await send(recipient.clientId, { kind: 'firmware-info', info });
    },
    async drop(clientId, d, answer) {
      log.warn({ clientId, reason: d.reason, code: d.code }, 'Quectel uplink dropped');
      await send(clientId, { kind: 'error', error: { code: d.code, message: d.reason, ...answer } });
      return d;
    },
  };

  return {
    name: 'quectel-mqtt',
    protocol: 'quectel',
    // The plan (0x0111) names no file: a push writes no download token. The firmware information
    // after the device's confirm (0x0113) carries the links, from an offer of its own.
    pushesLinks: false,

    keyOf: quectelKeyOf,

    async signIn(credentials) {
      const key = quectelKeyOf(credentials);
      const { password } = credentials;
      if (key === null || !password || password.length > 256) return undefined;
      const claimed = parseQuectelPassword(password);
      if (claimed.kind === 'malformed') return undefined;
      const device = await deviceOfClientId(access, key, async (found, productKey) =>
        claimed.kind === 'plain'
          ? (await access.verifySecret(productKey, found.name, claimed.secret)) !== undefined
          : verifyQuectelPassword(claimed, key, await access.secretOf(found), Math.floor(now() / 1000)),
      );
      return device && { device, key };
    },

    deviceOfKey: (clientId) => deviceOfClientId(access, clientId),
    mayPublish: (clientId, topic) => mayPublish(clientId, topic),
    maySubscribe,
    isPushTopic,
    uplinkOf: parseUplink,
    sharedUplinks,

    // A frame that does not decode is dropped with an error answer (400), quoting its packet id
    // when the frame held together; nothing changes.
    async handle(session, _uplink, payload) {
      let packetId: number | undefined;
      let message: QuectelMessage;
      try {
        const frame = decodeFrame(payload);
        packetId = frame.packetId;
        message = decodeQuectelPayload(frame);
      } catch (error) {
        if (!isQuectelError(error)) throw error;
        await ctx.drop(
          session.key,
          { code: 400, reason: `${error.code}: ${error.message}` },
          packetId === undefined ? {} : { packetId },
        );
        return;
      }
      await dispatch(ctx, session.device, session.key, packetId, message);
    },

    async refuse(session, reason) {
      await ctx.drop(session.key, { code: 403, reason }, {});
    },

    // What waits for the device and its sub-devices, pushed to the session (a device asks with
    // 0x0115 for the upgrade under way, so only pushed and pending ones go out here).
    async connected(session) {
      for (const target of [session.device, ...(await access.subDevicesOf(session.device))]) {
        const sub = target === session.device ? undefined : (await ctx.recipientOf(target))?.subDevice;
        const recipient: Recipient = { clientId: session.key, ...(sub && { subDevice: sub }) };
        for (const { module, offer } of await access.offersOnConnect(target))
          await ctx.pushPlan(target, recipient, module, offer);
      }
    },

    attach(next) {
      bus = next;
    },

    async reach(device) {
      const target = bus;
      if (!target) return undefined;
      const recipient = await ctx.recipientOf(device);
      if (!recipient || (target.isOnline && !target.isOnline(recipient.clientId))) return undefined;
      return (module, offer) => ctx.pushPlan(device, recipient, module, offer);
    },
    // Quectel has no withdraw message: a withdrawn upgrade's download token stops working and
    // the device's next status is answered 409 on the error command.
  };
}
