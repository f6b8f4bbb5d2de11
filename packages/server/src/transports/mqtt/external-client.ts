// External broker mode (UPDRAFT_MQTT_URL): Updraft joins an existing broker (Mosquitto, EMQX,
// HiveMQ) as a client. Devices publish on their own uplink topics (`ota/up/{username}/…`), which
// the broker's ACL restricts to them (broker-auth-routes.ts gives it the answers); several Updraft
// instances subscribe through one shared-subscription group and so split the device traffic.
import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import type { AccessDevice, DeviceAccessService } from '../../modules/device-access/device-access-service.ts';
import type { MqttOta } from './mqtt-ota.ts';
import { parseUplink } from './mqtt-topics.ts';

export interface ExternalClientOptions {
  url: string;
  shareGroup: string;
  access: DeviceAccessService;
  ota: MqttOta;
  log: { warn(details: object, message: string): void; error(details: object, message: string): void };
}

export async function connectExternalBroker(options: ExternalClientOptions) {
  const { access, ota, log } = options;
  const client: MqttClient = await connectAsync(options.url, {
    clientId: `updraft-${randomUUID()}`,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 1000,
  });
  // A device's messages are handled in order; devices are looked up once per name.
  const chains = new Map<string, Promise<unknown>>();
  const known = new Map<string, AccessDevice | null>();
  async function deviceOf(username: string): Promise<AccessDevice | undefined> {
    if (!known.has(username)) {
      if (known.size > 100_000) known.clear();
      known.set(username, (await access.deviceByUsername(username)) ?? null);
    }
    return known.get(username) ?? undefined;
  }

  client.on('message', (topic, payload) => {
    const uplink = parseUplink(topic);
    // Shared topics carry no identity on an external broker: only per-device uplinks count.
    if (!uplink?.username) return;
    const username = uplink.username;
    const next = (chains.get(username) ?? Promise.resolve())
      .then(async () => {
        const device = await deviceOf(username);
        if (!device) return log.warn({ username, topic }, 'MQTT message from an unknown device dropped');
        if (uplink.kind === 'inform') await ota.inform(device, username, payload);
        else await ota.progress(device, username, payload);
      })
      .catch((error: unknown) => log.error({ err: error, topic }, 'MQTT message handling failed'))
      .finally(() => {
        if (chains.get(username) === next) chains.delete(username);
      });
    chains.set(username, next);
  });
  client.on('error', (error) => log.error({ err: error }, 'MQTT broker connection error'));

  const group = options.shareGroup;
  await client.subscribeAsync([`$share/${group}/ota/up/+/inform`, `$share/${group}/ota/up/+/progress`], {
    qos: 1,
  });
  ota.attach({
    publish: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
  });

  return {
    kind: 'external' as const,
    url: options.url.replace(/\/\/[^@/]*@/, '//'),
    connectedDevices: () => undefined,
    async close(): Promise<void> {
      await ota.stop();
      await client.endAsync();
    },
  };
}
