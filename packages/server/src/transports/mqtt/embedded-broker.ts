// The embedded MQTT broker: aedes, which speaks MQTT 3.1 and 3.1.1 (MQTT 5 devices go through
// the translator of mqtt5-bridge.ts), with TLS when a certificate is configured. It carries the
// MQTT dialects it is given (mqtt-dialect.ts): the first whose form the credentials have signs
// the client in and says what it may subscribe and publish. Uplinks go to the session's dialect
// one at a time per device (device-order.ts), so that a device's reports apply in order, and are
// handled inside authorizePublish: aedes writes the PUBACK only once that hook calls back, so a
// device's QoS 1 report is acknowledged after its effect is committed (ADR 0012). A handler that
// fails (the database is down) closes the connection unacknowledged: the device sends it again.
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { AccessDevice, DeviceAccess } from '../../modules/device-access/device-access.ts';
import type { PushQueue } from '../push-queue.ts';
import { createDeviceOrder } from './device-order.ts';
import {
  clientIdBelongs,
  dialectOf,
  type MqttDialect,
  type MqttLog,
  type MqttSession,
} from './mqtt-dialect.ts';
import { bridgeMqtt5, probeMqttVersion } from './mqtt5-bridge.ts';
import { watchPacketSize } from './packet-size-limit.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  tls: { cert: string; key: string } | null;
  access: Pick<DeviceAccess, 'markOnline'>;
  dialects: readonly MqttDialect[];
  pushes: PushQueue;
  log: MqttLog;
  /** Largest MQTT packet accepted from a client, in bytes; a bigger one closes the connection. */
  maxPacketBytes?: number;
  /** From the connection's first moment until its CONNECT is accepted (UPDRAFT_MQTT_CONNECT_TIMEOUT_SECONDS). */
  connectTimeoutMs?: number;
}

interface Session extends MqttSession {
  dialect: MqttDialect;
  /** Where the device's online count and uplink order are kept: `{dialect} {key}`. */
  id: string;
  /** What waited for the device has been pushed in this session. */
  greeted: boolean;
}

// Where a refused publish goes (MQTT-3.3.5-2 lets a server acknowledge and discard it): no
// client may subscribe to it, so nothing is delivered and the session stays up.
const discardTopic = '$updraft/discarded';

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions) {
  const { access, dialects, pushes, log } = options;
  const sessions = new Map<Client, Session>();
  const online = new Map<string, number>();
  const order = createDeviceOrder(log);
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
      const credentials = { clientId: client.id, username, password: password?.toString('utf8') };
      const claimed = dialectOf(dialects, credentials);
      if (!claimed) {
        log.warn({ username, clientId: client.id }, 'MQTT sign-in refused');
        return refuse();
      }
      const { dialect } = claimed;
      dialect
        .signIn(credentials)
        .then((session) => {
          if (!session) {
            log.warn({ username, clientId: client.id }, 'MQTT sign-in refused');
            return refuse();
          }
          if (!clientIdBelongs(client.id, session.key)) {
            log.warn({ username, clientId: client.id }, 'MQTT client id of another identity refused');
            const error = new Error('client identifier rejected') as AuthenticateError;
            // MQTT 3.1.1 §3.2.2.3: 2, identifier rejected (MQTT 5: 0x85, through mqtt5-bridge.ts).
            error.returnCode = 2;
            return done(error, false);
          }
          sessions.set(client, { ...session, dialect, id: `${dialect.name} ${session.key}`, greeted: false });
          done(null, true);
        })
        .catch((error: unknown) => {
          log.error({ err: error }, 'MQTT authentication failed');
          refuse();
        });
    },
    authorizeSubscribe(client, subscription, callback) {
      const session = sessions.get(client);
      if (session?.dialect.maySubscribe(session.key, subscription.topic)) return callback(null, subscription);
      log.warn({ username: session?.key, topic: subscription.topic }, 'MQTT subscription refused');
      // MQTT 3.1.1 §3.9.3: SUBACK return code 0x80 (failure); the session stays up.
      callback(null, null);
    },
    authorizePublish(client, packet, callback) {
      if (!client) return callback(null);
      const session = sessions.get(client);
      // A retained uplink would be kept per device for nothing: only Updraft reads uplinks.
      packet.retain = false;
      const uplink = session?.dialect.uplinkOf(packet.topic);
      if (session && uplink) {
        handled++;
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        const topic = packet.topic;
        // Nobody subscribes to uplinks: once handled, the message is delivered nowhere.
        packet.topic = discardTopic;
        // Another device's uplink topic is answered here too (a refusal, acknowledged).
        const work =
          uplink.key !== null && uplink.key !== session.key
            ? () => session.dialect.refuse(session, `${topic} is not this device's topic`)
            : () => session.dialect.handle(session, uplink, payload);
        order.run(session.id, work).then(
          () => callback(null),
          // MQTT 3.1.1 has no negative PUBACK: the connection closes and the device resends.
          (error: unknown) => callback(error as Error),
        );
        return;
      }
      if (session?.dialect.mayPublish(session.key, packet.topic, true)) return callback(null);
      if (session) void session.dialect.refuse(session, `not allowed to publish ${packet.topic}`);
      packet.topic = discardTopic;
      callback(null);
    },
  });

  // Handled uplinks skip aedes' delivery queue (mqemitter): nothing subscribes to the discard
  // topic. Queued behind 100 deliveries in flight (a loaded machine, devices slow to read), each
  // such message was released synchronously into the next, one stack frame deeper per message,
  // until a campaign of 10,000 devices crashed the server with a stack overflow.
  type Emitter = { emit(packet: { topic: string }, done?: (error?: Error) => void): unknown };
  const mq = (broker as unknown as { mq: Emitter }).mq;
  const emit = mq.emit.bind(mq);
  mq.emit = (packet, done) => {
    if (packet.topic !== discardTopic) return emit(packet, done);
    done?.();
    return mq;
  };

  // What waits for a device is pushed once it can receive it: when it subscribes to its push
  // topic (on that topic), or at once when a persistent session brings its subscription back.
  const greet = (session: Session, pushTopic?: string) => {
    if (session.greeted) return;
    session.greeted = true;
    order.run(session.id, () => session.dialect.connected(session, pushTopic));
  };
  const markOnline = (device: AccessDevice, value: boolean) =>
    access
      .markOnline(device, value)
      .catch((error: unknown) => log.error({ err: error }, 'MQTT online flag not written'));
  broker.on('clientReady', (client) => {
    const session = sessions.get(client);
    if (!session) return;
    const count = (online.get(session.id) ?? 0) + 1;
    online.set(session.id, count);
    if (count === 1) void markOnline(session.device, true);
    if (!client.clean) greet(session);
  });
  broker.on('subscribe', (subscriptions, client) => {
    const session = sessions.get(client);
    const push = session && subscriptions.find((s) => session.dialect.isPushTopic(session.key, s.topic));
    if (session && push) greet(session, push.topic);
  });
  broker.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    if (!session) return;
    sessions.delete(client);
    const left = (online.get(session.id) ?? 1) - 1;
    if (left > 0) online.set(session.id, left);
    else {
      online.delete(session.id);
      void markOnline(session.device, false);
    }
  });
  const publish = (topic: string, payload: string | Buffer) =>
    new Promise<void>((resolve, reject) => {
      const packet: PublishPacket = {
        cmd: 'publish',
        topic,
        payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
        qos: 1,
        retain: false,
        dup: false,
      };
      broker.publish(packet, (error) => (error ? reject(error) : resolve()));
    });
  for (const dialect of dialects) {
    dialect.attach({ publish, isOnline: (key) => online.has(`${dialect.name} ${key}`) });
  }
  pushes.start();
  const detach = async () => {
    await pushes.stop();
    for (const dialect of dialects) dialect.attach(undefined);
  };

  const maxPacketBytes = options.maxPacketBytes ?? 64 * 1024;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  // The connect deadline runs from the first moment of the connection, through the version probe
  // (which waits for a whole CONNECT) to aedes accepting it; a connection that sends nothing or
  // half a CONNECT is closed then (issue 12).
  const connecting = new WeakMap<object, NodeJS.Timeout>();
  broker.on('client', (client) => {
    const conn = (client as unknown as { conn?: object }).conn;
    if (conn) clearTimeout(connecting.get(conn));
  });
  // MQTT 3.1 and 3.1.1 devices get the socket itself (a connection costs no stream of ours).
  const handle = (socket: Socket) => {
    const deadline = setTimeout(() => socket.destroy(), connectTimeoutMs);
    deadline.unref();
    socket.once('close', () => clearTimeout(deadline));
    probeMqttVersion(socket, (version) => {
      const conn = version === 5 ? bridgeMqtt5(socket) : socket;
      connecting.set(conn, deadline);
      broker.handle(conn);
      watchPacketSize(socket, maxPacketBytes, log);
    });
  };
  let server: Server;
  try {
    server = options.tls
      ? createTlsServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }, handle)
      : createNetServer(handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // A broker that cannot listen must not stay behind (its timers would keep the process up).
    await detach();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;

  return {
    kind: 'embedded' as const,
    port,
    url: `${options.tls ? 'mqtts' : 'mqtt'}://${host}:${port}`,
    connectedDevices: () => online.size,
    uplinksHandled: () => handled,
    /** Accepting device connections (GET /readyz). */
    connected: () => server.listening,
    /** Publishes as the platform (QoS 1), past every ACL. */
    publish,
    async close(): Promise<void> {
      await detach();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
