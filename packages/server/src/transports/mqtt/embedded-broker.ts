// The embedded MQTT broker (aedes: MQTT 3.1 and 3.1.1; aedes does not speak MQTT 5 yet), with TLS
// when a certificate is configured. Devices sign in with `{productKey}.{deviceName}` and their
// secret; each may publish and subscribe only its own topics (mqtt-topics.ts). Uplink OTA
// messages go to the OTA handler, one at a time per session so that a device's reports apply in
// the order it sent them.
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { AccessDevice, DeviceAccessService } from '../../modules/device-access/device-access-service.ts';
import type { MqttOta } from './mqtt-ota.ts';
import { maySubscribe, parseUplink, pushTopic } from './mqtt-topics.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  tls: { cert: string; key: string } | null;
  access: DeviceAccessService;
  ota: MqttOta;
  log: {
    info(details: object, message: string): void;
    warn(details: object, message: string): void;
    error(details: object, message: string): void;
  };
}

interface Session {
  device: AccessDevice;
  username: string;
  chain: Promise<unknown>;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions) {
  const { access, ota, log } = options;
  const sessions = new Map<Client, Session>();
  const online = new Map<string, number>();

  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const refuse = () => {
        const error = new Error('bad username or password') as AuthenticateError;
        error.returnCode = 4;
        done(error, false);
      };
      if (!username || !password) return refuse();
      access
        .authenticateSecret(username, password.toString('utf8'))
        .then((device) => {
          if (!device) return refuse();
          sessions.set(client, { device, username, chain: Promise.resolve() });
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
      // A negated subscription: SUBACK 0x80, the session stays up.
      callback(null, null);
    },
    authorizePublish(client, packet, callback) {
      if (!client) return callback(null);
      const session = sessions.get(client);
      // Another device's uplink topic is let through here and dropped with an error reply by the
      // handler below (the session stays up); nobody but Updraft may subscribe to uplinks.
      if (session && parseUplink(packet.topic)) return callback(null);
      log.warn({ username: session?.username, topic: packet.topic }, 'MQTT publish refused');
      // MQTT 3.1.1 has no refusal for a publish: the broker closes the session of a device that
      // writes outside its topics.
      callback(new Error(`not allowed to publish ${packet.topic}`));
    },
  });

  // What waits for a device is pushed once it can receive it: when it subscribes to its push
  // topic, or at once when a persistent session brings its subscription back.
  const pushWaiting = (session: Session) => {
    session.chain = session.chain
      .then(() => ota.connected(session.device))
      .catch((error: unknown) => log.error({ err: error }, 'MQTT connect handling failed'));
  };
  broker.on('clientReady', (client) => {
    const session = sessions.get(client);
    if (!session) return;
    online.set(session.username, (online.get(session.username) ?? 0) + 1);
    if (!client.clean) pushWaiting(session);
  });
  broker.on('subscribe', (subscriptions, client) => {
    const session = sessions.get(client);
    if (session && subscriptions.some((s) => s.topic === pushTopic(session.username))) pushWaiting(session);
  });
  broker.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    if (!session) return;
    sessions.delete(client);
    const left = (online.get(session.username) ?? 1) - 1;
    if (left <= 0) online.delete(session.username);
    else online.set(session.username, left);
  });
  broker.on('publish', (packet, client) => {
    if (!client) return;
    const session = sessions.get(client);
    const uplink = parseUplink(packet.topic);
    if (!session || !uplink) return;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (uplink.username !== null && uplink.username !== session.username) {
      log.warn(
        { username: session.username, topic: packet.topic },
        'MQTT message for another device dropped',
      );
      const refusal = { id: '', code: 403, message: `${packet.topic} is not this device's topic` };
      void broker.publish(
        {
          cmd: 'publish',
          topic: pushTopic(session.username),
          payload: Buffer.from(JSON.stringify(refusal)),
          qos: 1,
          retain: false,
          dup: false,
        },
        () => {},
      );
      return;
    }
    session.chain = session.chain
      .then(() =>
        uplink.kind === 'inform'
          ? ota.inform(session.device, session.username, payload)
          : ota.progress(session.device, session.username, payload),
      )
      .catch((error: unknown) =>
        log.error({ err: error, topic: packet.topic }, 'MQTT message handling failed'),
      );
  });

  ota.attach({
    publish: (topic, payload) =>
      new Promise((resolve, reject) =>
        broker.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
          (error) => (error ? reject(error) : resolve()),
        ),
      ),
    isOnline: (username) => online.has(username),
  });

  const server: Server = options.tls
    ? createTlsServer(
        { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) },
        broker.handle,
      )
    : createNetServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    kind: 'embedded' as const,
    port,
    url: `${options.tls ? 'mqtts' : 'mqtt'}://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port}`,
    connectedDevices: () => online.size,
    async close(): Promise<void> {
      await ota.stop();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
