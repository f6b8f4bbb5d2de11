// What an external broker asks Updraft about its clients (docs/mqtt.md, "External broker"):
// whether a client's credentials sign in, whether the client is Updraft itself (superuser), and
// whether a client may publish or subscribe a topic. The dialects in the list answer for their
// devices (mqtt-dialect.ts); the HTTP shapes that carry these questions (EMQX,
// mosquitto-go-auth) are in transports/http/broker-api.
import { timingSafeEqual } from 'node:crypto';
import {
  clientIdBelongs,
  dialectOf,
  type MqttCredentials,
  type MqttDialect,
  type MqttSession,
} from './mqtt-dialect.ts';

export type SignIn = 'device' | 'service' | 'refused' | 'not_mine';
export type Access = 'publish' | 'subscribe';

/** A client as the broker names it; the client id matters to dialects that sign in with it. */
export type BrokerClient = Pick<MqttCredentials, 'username'> & { clientId?: string | undefined };

export interface BrokerAuthOptions {
  dialects: readonly MqttDialect[];
  /** Updraft's own account on the broker (the credentials in UPDRAFT_MQTT_URL), if any. */
  service: { username: string; password: string } | null;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createBrokerAuth({ dialects, service }: BrokerAuthOptions) {
  let onSignedIn: ((dialect: MqttDialect, session: MqttSession) => void) | undefined;
  const isService = (username: string | undefined) => service !== null && username === service.username;
  const credentialsOf = (client: BrokerClient, password?: string): MqttCredentials => ({
    clientId: client.clientId ?? '',
    username: client.username,
    password,
  });

  return {
    /** The external-broker client listens here: a signed-in device is about to subscribe. */
    listen(listener: ((dialect: MqttDialect, session: MqttSession) => void) | undefined) {
      onSignedIn = listener;
    },

    /**
     * `device`: a device's credentials; `service`: Updraft's own account; `refused`: a device's
     * name with a wrong password; `not_mine`: a client no dialect of Updraft's manages.
     */
    async signIn(client: BrokerClient, password: string): Promise<SignIn> {
      if (isService(client.username)) return sameText(password, service!.password) ? 'service' : 'refused';
      const credentials = credentialsOf(client, password);
      const claimed = dialectOf(dialects, credentials);
      if (!claimed) return 'not_mine';
      const session = await claimed.dialect.signIn(credentials);
      if (!session) return 'refused';
      // A broker that names the client id: it must be one of this identity's (mqtt-dialect.ts).
      if (client.clientId && !clientIdBelongs(client.clientId, session.key)) return 'refused';
      onSignedIn?.(claimed.dialect, session);
      return 'device';
    },

    isSuperuser: (username: string) => isService(username),

    /**
     * Whether the client may use `topic`: the dialect whose client it is says (ThingsPanel: its
     * push topic, and its uplinks, its own `ota/up/{username}/…` and the shared topics, which a
     * broker that rewrites them, EMQX, turns into the former). Null: no client of Updraft's.
     */
    authorize(client: BrokerClient, topic: string, access: Access): boolean | null {
      if (isService(client.username)) return true;
      const claimed = dialectOf(dialects, credentialsOf(client));
      if (!claimed) return null;
      const { dialect, key } = claimed;
      return access === 'publish' ? dialect.mayPublish(key, topic, true) : dialect.maySubscribe(key, topic);
    },
  };
}

export type BrokerAuth = ReturnType<typeof createBrokerAuth>;
