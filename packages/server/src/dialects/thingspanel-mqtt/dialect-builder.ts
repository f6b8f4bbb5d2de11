// One ThingsPanel dialect, whichever generation (generation.ts): how a device signs in
// (`{productKey}.{deviceName}` and its secret), its messages (handlers/), error replies, gateways
// and pushes. An MqttDialect for the carriers, a PushingDialect for the push queue; v0.5
// (dialect.ts) and v1 (../thingspanel-v1-mqtt) each give their generation.
import { type OtaErrorReply, subDeviceField } from '@updraft/protocol';
import type { AccessDevice, DeviceAccess, Offer } from '../../modules/device-access/device-access.ts';
import type { MqttBus, MqttDialect, MqttLog } from '../../transports/mqtt/mqtt-dialect.ts';
import type { PushingDialect } from '../../transports/push-queue.ts';
import type { Recipient, ThingsPanelContext } from './context.ts';
import type { ThingsPanelGeneration } from './generation.ts';
import { dispatch } from './handlers/index.ts';
import { deviceOfUsername } from './message-subject.ts';
import { pushMessageOf } from './push-message.ts';
import { isDeviceUsername } from './topics.ts';

export interface ThingsPanelOptions {
  access: DeviceAccess;
  /** The base URL devices download from (`…/device/v1/thingspanel/download/{token}`). */
  baseUrl(): string;
  log: MqttLog;
}

export function buildThingsPanelDialect(
  generation: ThingsPanelGeneration,
  { access, baseUrl, log }: ThingsPanelOptions,
): MqttDialect & PushingDialect {
  let bus: MqttBus | undefined;

  async function productOf(productId: number) {
    const product = await access.productOf(productId);
    if (!product) throw new Error(`no product ${productId}`);
    return product;
  }
  const usernameOf = async (device: AccessDevice) =>
    `${(await productOf(device.productId)).productKey}.${device.name}`;

  async function reply(username: string, body: OtaErrorReply): Promise<void> {
    await bus?.publish(generation.replyTopic(username), JSON.stringify(body));
  }

  const ctx: ThingsPanelContext = {
    access,
    log,
    eventOf: generation.eventOf,
    async recipientOf(device) {
      const target = device.gatewayId === null ? device : await access.deviceById(device.gatewayId);
      if (!target) return undefined;
      const product = await productOf(target.productId);
      const username = `${product.productKey}.${target.name}`;
      return { username, topics: generation.pushTopics(username, product) };
    },
    async deliver(device, recipient, module, offer: Offer) {
      if (!bus) return;
      const { signMethod } = await productOf(device.productId);
      const message: Record<string, unknown> = { ...pushMessageOf(offer, module, signMethod, baseUrl()) };
      if (device.gatewayId !== null) message[subDeviceField] = await usernameOf(device);
      const payload = JSON.stringify(message);
      for (const topic of recipient.topics) await bus.publish(topic, payload);
    },
    async drop(kind, username, id, named, d) {
      log.warn({ username, device: named, reason: d.reason }, `MQTT ${kind} dropped`);
      await reply(username, {
        id,
        code: d.code,
        message: d.reason,
        ...(typeof named === 'string' && { device: named }),
      });
      return d;
    },
  };

  return {
    name: generation.name,
    protocol: generation.protocol,

    keyOf: ({ username }) => (username !== undefined && isDeviceUsername(username) ? username : null),

    async signIn({ username, password }) {
      if (username === undefined || !isDeviceUsername(username)) return undefined;
      if (!password || password.length > 256) return undefined;
      const dot = username.indexOf('.');
      const device = await access.verifySecret(username.slice(0, dot), username.slice(dot + 1), password);
      return device && { device, key: username };
    },

    deviceOfKey: (username) => deviceOfUsername(access, username),
    mayPublish: generation.mayPublish,
    maySubscribe: generation.maySubscribe,
    isPushTopic: generation.isPushTopic,

    uplinkOf(topic) {
      const uplink = generation.parseUplink(topic);
      return uplink && { message: uplink.kind, key: uplink.username };
    },
    sharedUplinks: generation.sharedUplinks,

    async handle(session, uplink, payload) {
      await dispatch(ctx, uplink.message as 'inform' | 'progress', session.device, session.key, payload);
    },

    async refuse(session, reason) {
      log.warn({ username: session.key, reason }, 'MQTT publish dropped');
      await reply(session.key, { id: '', code: 403, message: reason });
    },

    // On the topic the device subscribed; without one, on the generation's push topics when the
    // device's product speaks it.
    async connected(session, pushTopic) {
      let recipient: Recipient;
      if (pushTopic !== undefined) recipient = { username: session.key, topics: [pushTopic] };
      else {
        const product = await productOf(session.device.productId);
        if (!generation.greets(product)) return;
        recipient = { username: session.key, topics: generation.pushTopics(session.key, product) };
      }
      for (const target of [session.device, ...(await access.subDevicesOf(session.device))]) {
        const offers = await access.offersOnConnect(target, { underWay: generation.reoffersUnderWay });
        for (const { module, offer } of offers) {
          await ctx.deliver(target, recipient, module, offer);
        }
      }
    },

    attach(next) {
      bus = next;
    },

    async reach(device) {
      const target = bus;
      if (!target) return undefined;
      const recipient = await ctx.recipientOf(device);
      if (!recipient || (target.isOnline && !target.isOnline(recipient.username))) return undefined;
      return (module, offer) => ctx.deliver(device, recipient, module, offer);
    },
    // ThingsPanel has no withdraw message: a withdrawn upgrade's download token stops working
    // and the device's next report is answered 409 (docs/mqtt.md).
  };
}
