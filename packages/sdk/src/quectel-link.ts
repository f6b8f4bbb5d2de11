// The Quectel transport: QuecThing's binary OTA protocol over MQTT as Updraft serves it
// (docs/quectel.md). The device signs in as `qd{productKey}{deviceName}` with Updraft's signed
// password (made from its secret, valid a day, new at every connect), subscribes to
// `q/1/d/{clientId}/+` and publishes framed TTLV on `q/2/d/{clientId}/ota`: a version report is
// an OTA request (0x0115), a plan (0x0111; of TASK_INFO's components the first whose target the
// device does not run) is confirmed at once (0x0114 status 2, asking for the
// sha256) as QuecThing does for plans it handles itself, and the firmware information (0x0113)
// that answers the confirm becomes the SDK's offer. An offer the device defers is refused
// (status 3); steps are statuses 4, 5 (with Updraft's percentage), 8, 9, 11 (with the new
// version) and 6 or 12. A gateway names a sub-device with Updraft's ids 8001 and 8002.
import { randomInt } from 'node:crypto';
import {
  createPacketIds,
  createQuectelPassword,
  decodeQuectelMessage,
  encodeQuectelMessage,
  type OtaComponent,
  type OtaEvent,
  type QuectelMessage,
  type QuectelSubDevice,
  quectelClientId,
  quectelDecisions,
  quectelStatusText,
  quectelTopics,
  quectelOtaStatus as status,
} from '@updraft/protocol';
import type { MqttClient } from 'mqtt';
import { SdkError } from './errors.ts';
import type { Credentials, FailureReason, Link, Subject } from './link.ts';
import { loadMqtt } from './mqtt-link.ts';
import type { Offer } from './offer.ts';
import { componentToTake } from './quectel-plan.ts';

export interface QuectelLinkOptions {
  url: string;
  credentials: Credentials;
  persistentSession?: boolean;
}

/** MESSAGE (14) is text for people: kept short. */
const MESSAGE_LIMIT = 128;

function subDeviceOf(subject: Subject): QuectelSubDevice | undefined {
  if (!subject.username) return undefined;
  const dot = subject.username.indexOf('.');
  return { productKey: subject.username.slice(0, dot), deviceKey: subject.username.slice(dot + 1) };
}

export function createQuectelLink(options: QuectelLinkOptions): Link {
  const { productKey, name, secret } = options.credentials;
  const clientId = quectelClientId(productKey, name);
  const packetIds = createPacketIds(1 + randomInt(0xfff0));
  let client: MqttClient | undefined;
  const listeners: ((subject: Subject, offer: Offer) => void)[] = [];
  const reconnects: (() => void)[] = [];
  /** The plans confirmed, by subject and component: what the firmware information completes. */
  const plans = new Map<string, OtaComponent>();
  const planKey = (sub: QuectelSubDevice | undefined, componentNo: string) =>
    `${sub ? `${sub.productKey}.${sub.deviceKey}` : ''} ${componentNo}`;
  /** The versions the device stated and installed, by subject and component (see `plans`). */
  const versions = new Map<string, string>();

  async function send(message: QuectelMessage): Promise<void> {
    if (!client) throw new SdkError('NETWORK', 'not connected');
    try {
      await client.publishAsync(quectelTopics.uplink(clientId), encodeQuectelMessage(packetIds(), message), {
        qos: 1,
      });
    } catch (error) {
      throw new SdkError('NETWORK', `publish: ${(error as Error).message}`, {}, { cause: error });
    }
  }
  const event = (subject: Subject, offer: Offer, fields: OtaEvent) => {
    const sub = subDeviceOf(subject);
    const text = quectelStatusText[fields.status as keyof typeof quectelStatusText];
    return send({
      kind: 'event',
      event: {
        ...(text && { message: text }),
        ...fields,
        componentNo: offer.module,
        ...(sub && { subDevice: sub }),
      },
    });
  };

  async function received(message: QuectelMessage): Promise<void> {
    if (message.kind === 'plan') {
      const { plan } = message;
      // A plan of several components (TASK_INFO): the first whose target the device does not run,
      // in the plan's order (protocols.md §3.1), as QuecThing takes them.
      const component = componentToTake(plan.components, (no) => versions.get(planKey(plan.subDevice, no)));
      if (!component) return;
      plans.set(planKey(plan.subDevice, component.componentNo), component);
      await send({
        kind: 'event',
        event: {
          status: status.confirmed,
          message: quectelStatusText[status.confirmed],
          componentNo: component.componentNo,
          componentType: component.componentType,
          downSign: quectelDecisions.sha256Sign,
          ...(plan.subDevice && { subDevice: plan.subDevice }),
        },
      });
      return;
    }
    if (message.kind !== 'firmware-info') return;
    const { info } = message;
    const plan = plans.get(planKey(info.subDevice, info.componentNo));
    const files = (
      info.files ?? [
        { index: 1, url: info.url, size: info.size, md5: info.md5, sha256: info.sha256, name: info.name },
      ]
    ).map((f) => ({
      index: f.index,
      name: f.name ?? '',
      url: f.url,
      size: f.size,
      sha256: f.sha256 ?? '',
      md5: f.md5,
    }));
    const offer: Offer = {
      module: info.componentNo,
      targetVersion: info.targetVersion,
      url: info.url,
      size: info.size,
      sha256: info.sha256 ?? '',
      md5: info.md5,
      files,
      kind: plan?.packageType === 'delta' ? 'delta' : 'full',
      minSignal:
        plan?.minSignal !== undefined && plan.minSignal > quectelDecisions.noSignalLimit
          ? plan.minSignal
          : null,
      minBattery: plan?.batteryLimit ? plan.batteryLimit : null,
      // USE_SPACE: the disk space the upgrade needs (the plan's minimum, else the package's size).
      minFreeSpace: plan?.useSpace ? plan.useSpace : null,
    };
    const subject: Subject = info.subDevice
      ? { username: `${info.subDevice.productKey}.${info.subDevice.deviceKey}` }
      : {};
    for (const listener of listeners) listener(subject, offer);
  }

  return {
    kind: 'mqtt',
    async connect() {
      const { connectAsync } = await loadMqtt();
      const password = () =>
        createQuectelPassword(
          clientId,
          secret,
          Math.floor(Date.now() / 1000) + quectelDecisions.password.sdkLifetimeSeconds,
        );
      try {
        client = await connectAsync(options.url, {
          clientId,
          // MQTT 3.1.1 sends a password only with a username (§3.1.2.9): an empty one.
          username: '',
          password: password(),
          clean: !options.persistentSession,
          reconnectPeriod: 1000 + randomInt(1000),
          connectTimeout: 15_000,
        });
      } catch (error) {
        const refused = /Not authorized|Bad username/i.test((error as Error).message);
        throw new SdkError(
          refused ? 'AUTH_FAILED' : 'NETWORK',
          (error as Error).message,
          {},
          { cause: error },
        );
      }
      const connected = client;
      // A new signed password for every reconnect (each is valid a day).
      connected.on('close', () => {
        connected.options.password = password();
      });
      connected.on('message', (_topic, payload) => {
        let decoded: ReturnType<typeof decodeQuectelMessage>;
        try {
          decoded = decodeQuectelMessage(payload);
        } catch {
          return;
        }
        void received(decoded.message).catch(() => {});
      });
      await connected.subscribeAsync(quectelTopics.subscription(clientId), { qos: 1 });
      connected.on('connect', () => {
        for (const listener of reconnects) listener();
      });
    },
    // MODULE_VER names its component (`{module}:{version}`, docs/quectel.md): one request per module.
    async reportVersion(subject, module, version) {
      const sub = subDeviceOf(subject);
      versions.set(planKey(sub, module), version);
      await send({
        kind: 'request',
        request: {
          moduleVersion: `${module}${quectelDecisions.mcuVersions.nameSeparator}${version}`,
          ...(sub && { subDevice: sub }),
        },
      });
      return null;
    },
    onReconnect(listener) {
      reconnects.push(listener);
    },
    onOffer(listener) {
      listeners.push(listener);
    },
    onNoOffer() {},
    accepted: (subject, offer) => event(subject, offer, { status: status.downloadStart }),
    progress: (subject, offer, percent) =>
      event(subject, offer, {
        status: status.downloading,
        percent: Math.max(0, Math.min(99, Math.round(percent))),
      }),
    downloaded: (subject, offer) => event(subject, offer, { status: status.downloaded }),
    async succeeded(subject, offer) {
      versions.set(planKey(subDeviceOf(subject), offer.module), offer.targetVersion);
      await event(subject, offer, { status: status.updating });
      await event(subject, offer, {
        status: status.updateSuccess,
        moduleVersion: `${offer.module}${quectelDecisions.mcuVersions.nameSeparator}${offer.targetVersion}`,
      });
    },
    failed: (subject, offer, reason: FailureReason, detail) =>
      event(subject, offer, {
        status: reason === 'download_failed' ? status.downloadError : status.updateError,
        message: `${reason}: ${detail}`.slice(0, MESSAGE_LIMIT),
      }),
    declined: (subject, offer, reason) =>
      event(subject, offer, {
        status: status.refused,
        message: `REFUSEDOTA: ${reason}`.slice(0, MESSAGE_LIMIT),
      }),
    async close() {
      await client?.endAsync();
      client = undefined;
    },
  };
}
