// External broker mode (UPDRAFT_MQTT_URL): Updraft joins an existing broker (Mosquitto, EMQX,
// HiveMQ) as a client. Devices publish on their own uplink topics (ThingsPanel: `ota/up/{username}/…`),
// which the broker's ACL restricts to them (broker-auth.ts answers its questions); several
// Updraft instances subscribe through one shared-subscription group (`$share/{group}/…`, MQTT 5
// §4.8.2) and so split the device traffic: each message reaches one instance of the group.
//
// Acknowledgement follows durability (ADR 0012): the instance keeps a session on the broker under
// a client id that outlives restarts, and answers a device message's PUBACK only once its effect
// is committed (ack-after-commit.ts). A message handed over and not yet acknowledged when the
// instance dies stays in that session and comes again when the instance is back.
import { connectAsync, type MqttClient } from 'mqtt';
import type { AccessDevice } from '../../modules/device-access/device-access.ts';
import type { PushQueue } from '../push-queue.ts';
import { holdAcksUntilCommitted } from './ack-after-commit.ts';
import type { BrokerAuth } from './broker-auth.ts';
import { createDeviceOrder } from './device-order.ts';
import type { MqttDialect, MqttLog } from './mqtt-dialect.ts';

export interface ExternalClientOptions {
  url: string;
  shareGroup: string;
  /** Stable across restarts of this instance, unique among instances (its broker session). */
  clientId: string;
  /** Seconds the broker keeps the session while the instance is away (MQTT 5 §3.1.2.11.2). */
  sessionExpiry: number;
  /** false: the client id will not come back (taken at random); the session ends with close(). */
  keepSession?: boolean;
  dialects: readonly MqttDialect[];
  pushes: PushQueue;
  auth: BrokerAuth;
  log: MqttLog;
  /**
   * After the broker asked Updraft to sign a device in, how long to wait before pushing what
   * waits for it: the device subscribes right after its CONNACK.
   */
  greetDelayMs?: number;
}

/** Every uplink subscription of a share group, over the dialects. */
export function sharedUplinks(dialects: readonly MqttDialect[], group: string): string[] {
  return dialects.flatMap((dialect) => dialect.sharedUplinks(group));
}

export async function connectExternalBroker(options: ExternalClientOptions) {
  const { dialects, pushes, log } = options;
  const client: MqttClient = await connectAsync(options.url, {
    clientId: options.clientId,
    protocolVersion: 5,
    clean: options.sessionExpiry === 0,
    properties: {
      sessionExpiryInterval: options.sessionExpiry,
      // Messages the broker may hand over unacknowledged (MQTT 5 §3.1.2.11.3): acknowledgements
      // wait for commits, so this is how many device messages one commit can take together.
      receiveMaximum: 1000,
    },
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    // mqtt.js subscribes again after a reconnect whose session the broker did not keep.
    resubscribe: true,
    // mqtt.js logs each packet through `debug` (a formatted call per publish and acknowledgement
    // even when off: a fiftieth of a plan's push); DEBUG=mqttjs* still turns its log on.
    ...(!process.env['DEBUG'] && { log: () => {} }),
  });
  const acks = holdAcksUntilCommitted(client, log);
  const order = createDeviceOrder(log);
  // Devices are looked up once per key for a while: a message names its sender by key only.
  const known = new Map<string, { device: AccessDevice | null; until: number }>();
  async function deviceOf(dialect: MqttDialect, key: string): Promise<AccessDevice | undefined> {
    const now = Date.now();
    const id = `${dialect.name} ${key}`;
    let entry = known.get(id);
    if (!entry || entry.until < now) {
      if (known.size > 100_000) known.clear();
      entry = { device: (await dialect.deviceOfKey(key)) ?? null, until: now + 60_000 };
      known.set(id, entry);
    }
    return entry.device ?? undefined;
  }

  let handled = 0;
  client.on('message', (topic, payload, packet) => {
    for (const dialect of dialects) {
      const uplink = dialect.uplinkOf(topic);
      // Only per-device uplinks are subscribed: on a shared topic nothing says who sent it.
      if (uplink?.key == null) continue;
      handled++;
      const key = uplink.key;
      const work = order.run(`${dialect.name} ${key}`, async () => {
        const device = await deviceOf(dialect, key);
        if (!device) {
          log.warn({ username: key, topic }, 'MQTT message from an unknown device dropped');
          return;
        }
        await dialect.handle({ device, key }, uplink, payload);
      });
      acks.hold(packet, work);
      return;
    }
  });
  client.on('error', (error) => log.error({ err: error }, 'MQTT broker connection error'));
  client.on('offline', () => log.warn({ url: redact(options.url) }, 'MQTT broker unreachable; reconnecting'));

  // A device the broker just signed in is greeted once it has had time to subscribe.
  const greetDelayMs = options.greetDelayMs ?? 1000;
  const timers = new Set<NodeJS.Timeout>();
  options.auth.listen((dialect, session) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      order.run(`${dialect.name} ${session.key}`, () => dialect.connected(session));
    }, greetDelayMs);
    timers.add(timer);
  });

  const granted = await client.subscribeAsync(sharedUplinks(dialects, options.shareGroup), { qos: 1 });
  const refused = granted.filter((g) => g.qos >= 0x80);
  if (refused.length > 0) {
    await client.endAsync(true);
    throw new Error(`the broker refused ${refused.map((g) => g.topic).join(', ')} (shared subscriptions?)`);
  }
  const publish = async (topic: string, payload: string | Buffer) => {
    await client.publishAsync(topic, payload, { qos: 1 });
  };
  for (const dialect of dialects) dialect.attach({ publish });
  pushes.start();

  return {
    kind: 'external' as const,
    url: redact(options.url),
    connectedDevices: () => undefined,
    uplinksHandled: () => handled,
    /** Connected to the broker now, not between reconnects (GET /readyz). */
    connected: () => client.connected,
    /** Publishes as the platform (QoS 1). */
    publish,
    async close(): Promise<void> {
      options.auth.listen(undefined);
      for (const timer of timers) clearTimeout(timer);
      await pushes.stop();
      for (const dialect of dialects) dialect.attach(undefined);
      await order.settle();
      // Every message handled is acknowledged before leaving; the session stays on the broker
      // (for UPDRAFT_MQTT_SESSION_EXPIRY) and is taken up again by the next start.
      await acks.flush();
      await client.endAsync(
        false,
        options.keepSession === false ? { properties: { sessionExpiryInterval: 0 } } : {},
      );
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
