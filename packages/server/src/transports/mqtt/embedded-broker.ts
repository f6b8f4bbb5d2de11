// The embedded MQTT broker: aedes, which speaks MQTT 3.1 and 3.1.1 (MQTT 5 devices go through
// the translator of mqtt5-bridge.ts), with TLS when a certificate is configured. Devices sign in with `{productKey}.{deviceName}`
// and their secret; each may subscribe only to its push topic and publish only OTA uplinks
// (mqtt-topics.ts). Uplink messages go to the OTA handler one at a time per session, so that a
// device's reports apply in the order it sent them.
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { AccessDevice, DeviceAccessService } from '../../modules/device-access/device-access-service.ts';
import type { MqttLog, MqttOta } from './mqtt-ota.ts';
import { mayPublish, maySubscribe, parseUplink, pushTopic } from './mqtt-topics.ts';
import { bridgeMqtt5, probeMqttVersion } from './mqtt5-bridge.ts';
import { watchPacketSize } from './packet-size-limit.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  tls: { cert: string; key: string } | null;
  access: DeviceAccessService;
  ota: MqttOta;
  log: MqttLog;
  /** Largest MQTT packet accepted from a client, in bytes; a bigger one closes the connection. */
  maxPacketBytes?: number;
}

interface Session {
  device: AccessDevice;
  username: string;
  /** This session's uplinks, handled in order. */
  chain: Promise<unknown>;
  /** What waited for the device has been pushed in this session. */
  greeted: boolean;
}

// Where a refused publish goes (MQTT-3.3.5-2 lets a server acknowledge and discard it): no
// client may subscribe to it, so nothing is delivered and the session stays up.
const discardTopic = '$updraft/discarded';

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions) {
  const { access, ota, log } = options;
  const sessions = new Map<Client, Session>();
  const online = new Map<string, number>();
  let handled = 0;

  const broker = await Aedes.createBroker({
    // MQTT 3.1.1 §3.1.3.1 allows up to 65535 bytes; the 23-byte limit is MQTT 3.1's.
    maxClientsIdLength: 256,
    authenticate(client, username, password, done) {
      const refuse = () => {
        const error = new Error('bad username or password') as AuthenticateError;
        error.returnCode = 4; // MQTT 3.1.1 §3.2.2.3: bad user name or password
        done(error, false);
      };
      if (!username || !password) return refuse();
      access
        .authenticateSecret(username, password.toString('utf8'))
        .then((device) => {
          if (!device) {
            log.warn({ username, clientId: client.id }, 'MQTT sign-in refused');
            return refuse();
          }
          sessions.set(client, { device, username, chain: Promise.resolve(), greeted: false });
          done(null, true);
        })
        .catch((error: unknown) => {
          log.error({ err: error }, 'MQTT authentication failed');
          refuse();
        });
    },
    authorizeSubscribe(client, subscription, callback) {
      const session = sessions.get(client);
      if (session && maySubscribe(session.username, subscription.topic)) return callback(null, subscription);
      log.warn({ username: session?.username, topic: subscription.topic }, 'MQTT subscription refused');
      // MQTT 3.1.1 §3.9.3: SUBACK return code 0x80 (failure); the session stays up.
      callback(null, null);
    },
    authorizePublish(client, packet, callback) {
      if (!client) return callback(null);
      const session = sessions.get(client);
      // A retained uplink would be kept per device for nothing: only Updraft reads uplinks.
      packet.retain = false;
      // Another device's uplink topic passes here and is answered by the handler below.
      if (session && (mayPublish(session.username, packet.topic, true) || parseUplink(packet.topic))) {
        return callback(null);
      }
      if (session) {
        const topic = packet.topic;
        void ota.refuse(session.username, `not allowed to publish ${topic}`);
      }
      packet.topic = discardTopic;
      callback(null);
    },
  });

  // What waits for a device is pushed once it can receive it: when it subscribes to its push
  // topic, or at once when a persistent session brings its subscription back.
  const greet = (session: Session) => {
    if (session.greeted) return;
    session.greeted = true;
    session.chain = session.chain
      .then(() => ota.connected(session.device))
      .catch((error: unknown) => log.error({ err: error }, 'MQTT connect handling failed'));
  };
  const markOnline = (device: AccessDevice, value: boolean) =>
    access
      .markOnline(device, value)
      .catch((error: unknown) => log.error({ err: error }, 'MQTT online flag not written'));
  broker.on('clientReady', (client) => {
    const session = sessions.get(client);
    if (!session) return;
    const count = (online.get(session.username) ?? 0) + 1;
    online.set(session.username, count);
    if (count === 1) void markOnline(session.device, true);
    if (!client.clean) greet(session);
  });
  broker.on('subscribe', (subscriptions, client) => {
    const session = sessions.get(client);
    if (session && subscriptions.some((s) => s.topic === pushTopic(session.username))) greet(session);
  });
  broker.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    if (!session) return;
    sessions.delete(client);
    const left = (online.get(session.username) ?? 1) - 1;
    if (left > 0) online.set(session.username, left);
    else {
      online.delete(session.username);
      void markOnline(session.device, false);
    }
  });
  broker.on('publish', (packet, client) => {
    if (!client) return;
    const session = sessions.get(client);
    const uplink = parseUplink(packet.topic);
    if (!session || !uplink) return;
    handled++;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    session.chain = session.chain
      .then(async (): Promise<unknown> => {
        if (uplink.username !== null && uplink.username !== session.username) {
          return ota.refuse(session.username, `${packet.topic} is not this device's topic`);
        }
        return uplink.kind === 'inform'
          ? ota.inform(session.device, session.username, payload)
          : ota.progress(session.device, session.username, payload);
      })
      .catch((error: unknown) =>
        log.error({ err: error, topic: packet.topic }, 'MQTT message handling failed'),
      );
  });

  const publish = (topic: string, payload: string) =>
    new Promise<void>((resolve, reject) => {
      const packet: PublishPacket = {
        cmd: 'publish',
        topic,
        payload: Buffer.from(payload),
        qos: 1,
        retain: false,
        dup: false,
      };
      broker.publish(packet, (error) => (error ? reject(error) : resolve()));
    });
  ota.attach({ publish, isOnline: (username) => online.has(username) });

  const maxPacketBytes = options.maxPacketBytes ?? 64 * 1024;
  // MQTT 3.1 and 3.1.1 devices get the socket itself (a connection costs no stream of ours).
  const handle = (socket: Socket) =>
    probeMqttVersion(socket, (version) => {
      broker.handle(version === 5 ? bridgeMqtt5(socket) : socket);
      watchPacketSize(socket, maxPacketBytes, log);
    });
  const server: Server = options.tls
    ? createTlsServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }, handle)
    : createNetServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;

  return {
    kind: 'embedded' as const,
    port,
    url: `${options.tls ? 'mqtts' : 'mqtt'}://${host}:${port}`,
    connectedDevices: () => online.size,
    uplinksHandled: () => handled,
    /** Publishes as the platform (QoS 1), past every ACL. */
    publish,
    async close(): Promise<void> {
      await ota.stop();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
