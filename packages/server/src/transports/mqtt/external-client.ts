// External broker mode (UPDRAFT_MQTT_URL): Updraft joins an existing broker (Mosquitto, EMQX,
// HiveMQ) as a client. Devices publish on their own uplink topics (`ota/up/{username}/…`),
// which the broker's ACL restricts to them (broker-auth.ts answers its questions); several
// Updraft instances subscribe through one shared-subscription group (`$share/{group}/…`, MQTT 5
// §4.8.2) and so split the device traffic: each message reaches one instance of the group.
import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import type { AccessDevice, DeviceAccessService } from '../../modules/device-access/device-access-service.ts';
import type { BrokerAuth } from './broker-auth.ts';
import type { MqttLog, MqttOta } from './mqtt-ota.ts';
import { parseUplink } from './mqtt-topics.ts';

export interface ExternalClientOptions {
  url: string;
  shareGroup: string;
  access: DeviceAccessService;
  ota: MqttOta;
  auth: BrokerAuth;
  log: MqttLog;
  /**
   * After the broker asked Updraft to sign a device in, how long to wait before pushing what
   * waits for it: the device subscribes right after its CONNACK.
   */
  greetDelayMs?: number;
}

/** The uplink subscriptions of a share group. */
export function sharedUplinks(group: string): string[] {
  return [`$share/${group}/ota/up/+/inform`, `$share/${group}/ota/up/+/progress`];
}

export async function connectExternalBroker(options: ExternalClientOptions) {
  const { access, ota, log } = options;
  const client: MqttClient = await connectAsync(options.url, {
    clientId: `updraft-${randomUUID()}`,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    // mqtt.js subscribes again after a reconnect (the session is clean).
    resubscribe: true,
  });
  // A device's messages are handled in order; devices are looked up once per name for a while.
  const chains = new Map<string, Promise<unknown>>();
  const known = new Map<string, { device: AccessDevice | null; until: number }>();
  async function deviceOf(username: string): Promise<AccessDevice | undefined> {
    const now = Date.now();
    let entry = known.get(username);
    if (!entry || entry.until < now) {
      if (known.size > 100_000) known.clear();
      entry = { device: (await access.deviceByUsername(username)) ?? null, until: now + 60_000 };
      known.set(username, entry);
    }
    return entry.device ?? undefined;
  }
  function inOrder(username: string, work: () => Promise<unknown>) {
    const next = (chains.get(username) ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => log.error({ err: error, username }, 'MQTT message handling failed'))
      .finally(() => {
        if (chains.get(username) === next) chains.delete(username);
      });
    chains.set(username, next);
  }

  let handled = 0;
  client.on('message', (topic, payload) => {
    const uplink = parseUplink(topic);
    // Only per-device uplinks are subscribed: on a shared topic nothing says who sent it.
    if (!uplink?.username) return;
    handled++;
    const username = uplink.username;
    inOrder(username, async () => {
      const device = await deviceOf(username);
      if (!device) {
        log.warn({ username, topic }, 'MQTT message from an unknown device dropped');
        return;
      }
      if (uplink.kind === 'inform') await ota.inform(device, username, payload);
      else await ota.progress(device, username, payload);
    });
  });
  client.on('error', (error) => log.error({ err: error }, 'MQTT broker connection error'));
  client.on('offline', () => log.warn({ url: redact(options.url) }, 'MQTT broker unreachable; reconnecting'));

  // A device the broker just signed in is greeted once it has had time to subscribe.
  const greetDelayMs = options.greetDelayMs ?? 1000;
  const timers = new Set<NodeJS.Timeout>();
  options.auth.listen((device) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      inOrder(`greet:${device.id}`, () => ota.connected(device));
    }, greetDelayMs);
    timers.add(timer);
  });

  const granted = await client.subscribeAsync(sharedUplinks(options.shareGroup), { qos: 1 });
  const refused = granted.filter((g) => g.qos >= 0x80);
  if (refused.length > 0) {
    await client.endAsync(true);
    throw new Error(`the broker refused ${refused.map((g) => g.topic).join(', ')} (shared subscriptions?)`);
  }
  ota.attach({
    publish: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
  });

  return {
    kind: 'external' as const,
    url: redact(options.url),
    connectedDevices: () => undefined,
    uplinksHandled: () => handled,
    /** Publishes as the platform (QoS 1). */
    publish: async (topic: string, payload: string) => {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    async close(): Promise<void> {
      options.auth.listen(undefined);
      for (const timer of timers) clearTimeout(timer);
      await ota.stop();
      await Promise.allSettled([...chains.values()]);
      await client.endAsync();
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
