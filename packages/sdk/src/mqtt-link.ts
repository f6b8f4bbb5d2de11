// The MQTT transport: ThingsPanel v0.5 topics as Updraft serves them (docs/mqtt.md). The device
// signs in as `{productKey}.{deviceName}` with its secret, informs its versions on
// `ota/up/{username}/inform`, receives pushes on `ota/device/inform/{username}` and reports
// progress; a gateway adds `device` to name a sub-device, and receives its sub-devices' pushes
// on its own topic. ThingsPanel v1 (`generation: 'v1'`, docs/mqtt.md "ThingsPanel v1") signs in
// alike, receives pushes on `ota/devices/inform/{username}`, reports progress on
// `ota/devices/progress/{username}` and informs no version: step 100 is its success, and the
// server pushes an upgrade under way again when the device subscribes.
//
// mqtt.js is an optional peer dependency, loaded when an MQTT device connects: an HTTP device
// installs the SDK without it (and its forty-odd packages).
import { randomInt } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { SdkError } from './errors.ts';
import type { Credentials, FailureReason, Link, Subject } from './link.ts';
import { healthWindowOf, type Offer, type OfferFile, ownerTextsOf, signatureOf } from './offer.ts';

export interface MqttLinkOptions {
  url: string;
  credentials: Credentials;
  /** Keep the session (and its subscription) across reconnects. */
  persistentSession?: boolean;
  clientId?: string;
  /** ThingsPanel's generation of topics: v0.5 (default) or v1. */
  generation?: 'v0.5' | 'v1';
}

/** ThingsPanel failure steps (protocols.md §1.5); reasons without a step of their own are -1. */
const steps: Record<FailureReason, number> = {
  download_failed: -2,
  check_failed: -3,
  write_failed: -4,
  low_battery: -1,
  failed: -1,
  // Verification failed; `desc` starts with `signature_invalid` so the server records that reason.
  signature_invalid: -3,
};
/** `desc` is at most 128 characters (protocols.md §1.5). */
const DESC_LIMIT = 128;

export function createMqttLink(options: MqttLinkOptions): Link {
  const username = `${options.credentials.productKey}.${options.credentials.name}`;
  const v1 = options.generation === 'v1';
  const pushTopic = v1 ? `ota/devices/inform/${username}` : `ota/device/inform/${username}`;
  // Uplinks on the topics that name the sender: the embedded broker reads either form, an
  // external broker (Mosquitto, EMQX) only these, which its ACL can hold to the device.
  const uplink = (kind: 'inform' | 'progress') =>
    v1 ? `ota/devices/${kind}/${username}` : `ota/up/${username}/${kind}`;
  let client: MqttClient | undefined;
  const listeners: ((subject: Subject, offer: Offer) => void)[] = [];
  const reconnects: (() => void)[] = [];

  async function publish(topic: string, body: Record<string, unknown>, subject: Subject): Promise<void> {
    if (!client) throw new SdkError('NETWORK', 'not connected');
    const payload = { ...body, ...(subject.username && { device: subject.username }) };
    try {
      await client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
    } catch (error) {
      throw new SdkError('NETWORK', `publish ${topic}: ${(error as Error).message}`, {}, { cause: error });
    }
  }
  const step = (subject: Subject, offer: Offer, value: number, desc: string) =>
    publish(uplink('progress'), { step: String(value), desc, module: offer.module }, subject);

  function toOffer(message: Record<string, unknown>): { subject: Subject; offer: Offer } | null {
    const code = message['code'];
    if (code !== 200 && code !== '200') return null;
    const params = message['params'] as Record<string, unknown> | undefined;
    if (!params || typeof params['url'] !== 'string') return null;
    const signMethod = String(params['signMethod'] ?? '').toLowerCase();
    const sign = String(params['sign'] ?? '').toLowerCase();
    const sha256 =
      typeof params['sha256'] === 'string' ? params['sha256'] : signMethod === 'sha256' ? sign : '';
    const device = message['device'];
    // Updraft's addition (docs/mqtt.md): every file of the package, each with its own URL.
    const files: OfferFile[] | undefined = Array.isArray(params['files'])
      ? (params['files'] as Record<string, unknown>[]).map((f) => ({
          index: Number(f['index']),
          name: String(f['name'] ?? ''),
          url: String(f['url']),
          size: Number(f['size']),
          sha256: String(f['sha256'] ?? ''),
          md5: String(f['md5'] ?? ''),
        }))
      : undefined;
    return {
      subject: typeof device === 'string' ? { username: device } : {},
      offer: {
        module: typeof params['module'] === 'string' ? params['module'] : 'default',
        targetVersion: String(params['version']),
        url: params['url'],
        size: Number(params['size']),
        sha256,
        md5: signMethod === 'md5' ? sign : '',
        ...(files && { files }),
        kind: params['type'] === 'delta' ? 'delta' : 'full',
        minSignal: typeof params['minSignal'] === 'number' ? params['minSignal'] : null,
        minBattery: typeof params['minBattery'] === 'number' ? params['minBattery'] : null,
        minFreeSpace: typeof params['minFreeSpace'] === 'number' ? params['minFreeSpace'] : null,
        ...ownerTextsOf(params),
        ...signatureOf(params),
        ...healthWindowOf(params),
      },
    };
  }

  return {
    kind: 'mqtt',
    async connect() {
      const { connectAsync } = await loadMqtt();
      try {
        client = await connectAsync(options.url, {
          username,
          password: options.credentials.secret,
          // The broker takes only client ids of the signed-in device: `{username}` or `{username}~…`.
          clientId: options.clientId ?? `${username}~${randomInt(1e9)}`,
          clean: !options.persistentSession,
          // Spread out: a fleet whose broker restarted must not come back in one burst.
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
      client.on('message', (topic, payload) => {
        if (topic !== pushTopic) return;
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
        } catch {
          return;
        }
        const found = toOffer(message);
        if (found) for (const listener of listeners) listener(found.subject, found.offer);
      });
      await client.subscribeAsync(pushTopic, { qos: 1 });
      // mqtt.js reconnects by itself (and subscribes again); each later connect is a reconnect.
      client.on('connect', () => {
        for (const listener of reconnects) listener();
      });
    },
    async reportVersion(subject, module, version, _telemetry, _codes, upgrade) {
      // v1 has no version inform (§1.1): its offers come as pushes only.
      if (v1) return null;
      const params = { version, module, ...(upgrade !== undefined && { upgrade }) };
      await publish(uplink('inform'), { id: String(randomInt(1e9, 1e10)), params }, subject);
      return null;
    },
    onReconnect(listener) {
      reconnects.push(listener);
    },
    onOffer(listener) {
      listeners.push(listener);
    },
    // Error replies (409 and the like) answer malformed or untimely uplinks, not a quiet fleet.
    onNoOffer() {},
    async accepted() {},
    progress: (subject, offer, percent) =>
      step(
        subject,
        offer,
        Math.max(1, Math.min(99, Math.round(percent))),
        `downloading ${Math.round(percent)}%`,
      ),
    async downloaded() {},
    // The device's `accept` declined the pushed offer (docs/mqtt.md: `"refused": true`).
    async declined(subject, offer, reason, byChoice) {
      if (!byChoice) return;
      await publish(
        uplink('progress'),
        { refused: true, desc: reason.slice(0, DESC_LIMIT), module: offer.module },
        subject,
      );
    },
    succeeded: (subject, offer) => step(subject, offer, 100, `upgraded to ${offer.targetVersion}`),
    // docs/mqtt.md, "Health after the install": `"healthy"` instead of a step. MQTT has no answer:
    // a device that was too late learns nothing here and rolls back on its own window.
    async health(subject, offer, report) {
      const body = {
        healthy: report.healthy,
        ...(report.version !== undefined && { version: report.version }),
        desc: (report.detail ?? '').slice(0, DESC_LIMIT),
        module: offer.module,
      };
      await publish(uplink('progress'), body, subject);
      return 'applied';
    },
    failed: (subject, offer, reason, detail) =>
      step(
        subject,
        offer,
        steps[reason],
        (reason === 'signature_invalid' ? `signature_invalid: ${detail}` : detail || reason).slice(
          0,
          DESC_LIMIT,
        ),
      ),
    async close() {
      await client?.endAsync();
      client = undefined;
    },
  };
}

export async function loadMqtt(): Promise<typeof import('mqtt')> {
  try {
    return await import('mqtt');
  } catch (error) {
    throw new SdkError(
      'INVALID_ARGUMENT',
      'the MQTT transport needs the mqtt package next to the SDK: npm install mqtt',
      {},
      { cause: error },
    );
  }
}
