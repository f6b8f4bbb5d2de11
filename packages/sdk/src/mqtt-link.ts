// The MQTT transport: ThingsPanel v0.5 topics as Updraft serves them (docs/mqtt.md). The device
// signs in as `{productKey}.{deviceName}` with its secret, informs its versions on
// `ota/up/{username}/inform`, receives pushes on `ota/device/inform/{username}` and reports
// progress; a gateway adds `device` to name a sub-device, and receives its sub-devices' pushes
// on its own topic.
import { randomInt } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { SdkError } from './errors.ts';
import type { Credentials, Link, Subject } from './link.ts';
import type { Offer } from './offer.ts';

export interface MqttLinkOptions {
  url: string;
  credentials: Credentials;
  /** Keep the session (and its subscription) across reconnects. */
  persistentSession?: boolean;
  clientId?: string;
}

const steps = { download: -2, check: -3, write: -4 } as const;

export function createMqttLink(options: MqttLinkOptions): Link {
  const username = `${options.credentials.productKey}.${options.credentials.name}`;
  const pushTopic = `ota/device/inform/${username}`;
  // Uplinks on the topics that name the sender: the embedded broker reads either form, an
  // external broker (Mosquitto, EMQX) only these, which its ACL can hold to the device.
  const uplink = (kind: 'inform' | 'progress') => `ota/up/${username}/${kind}`;
  let client: MqttClient | undefined;
  const listeners: ((subject: Subject, offer: Offer) => void)[] = [];

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
    return {
      subject: typeof device === 'string' ? { username: device } : {},
      offer: {
        module: typeof params['module'] === 'string' ? params['module'] : 'default',
        targetVersion: String(params['version']),
        url: params['url'],
        size: Number(params['size']),
        sha256,
        md5: signMethod === 'md5' ? sign : '',
        kind: params['type'] === 'delta' ? 'delta' : 'full',
        minSignal: typeof params['minSignal'] === 'number' ? params['minSignal'] : null,
        minBattery: typeof params['minBattery'] === 'number' ? params['minBattery'] : null,
      },
    };
  }

  return {
    kind: 'mqtt',
    async connect() {
      try {
        client = await connectAsync(options.url, {
          username,
          password: options.credentials.secret,
          clientId: options.clientId ?? `${username}-${randomInt(1e9)}`,
          clean: !options.persistentSession,
          reconnectPeriod: 1000,
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
    },
    async reportVersion(subject, module, version) {
      await publish(
        uplink('inform'),
        { id: String(randomInt(1e9, 1e10)), params: { version, module } },
        subject,
      );
      return null;
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
    succeeded: (subject, offer) => step(subject, offer, 100, `upgraded to ${offer.targetVersion}`),
    failed: (subject, offer, stage) => step(subject, offer, steps[stage], `${stage} failed`),
    async close() {
      await client?.endAsync();
      client = undefined;
    },
  };
}
