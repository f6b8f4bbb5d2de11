// What an external broker asks Updraft about its clients (docs/mqtt.md, "External broker"):
// whether a username and password sign in, whether the client is Updraft itself (superuser),
// and whether a client may publish or subscribe a topic. The HTTP shapes that carry these
// questions (EMQX, mosquitto-go-auth) are in transports/http/broker-api.
import { timingSafeEqual } from 'node:crypto';
import type { AccessDevice, DeviceAccessService } from '../../modules/device-access/device-access-service.ts';
import { isDeviceUsername, mayPublish, maySubscribe } from './mqtt-topics.ts';

export type SignIn = 'device' | 'service' | 'refused' | 'not_mine';
export type Access = 'publish' | 'subscribe';

export interface BrokerAuthOptions {
  access: DeviceAccessService;
  /** Updraft's own account on the broker (the credentials in UPDRAFT_MQTT_URL), if any. */
  service: { username: string; password: string } | null;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createBrokerAuth({ access, service }: BrokerAuthOptions) {
  let onSignedIn: ((device: AccessDevice) => void) | undefined;
  const isService = (username: string) => service !== null && username === service.username;

  return {
    /** The external-broker client listens here: a signed-in device is about to subscribe. */
    listen(listener: ((device: AccessDevice) => void) | undefined) {
      onSignedIn = listener;
    },

    /**
     * `device`: a device's username and secret; `service`: Updraft's own account; `refused`: a
     * device's username with a wrong password; `not_mine`: a username Updraft does not manage.
     */
    async signIn(username: string, password: string): Promise<SignIn> {
      if (isService(username)) return sameText(password, service!.password) ? 'service' : 'refused';
      if (!isDeviceUsername(username)) return 'not_mine';
      const device = await access.authenticateSecret(username, password);
      if (!device) return 'refused';
      onSignedIn?.(device);
      return 'device';
    },

    isSuperuser: (username: string) => isService(username),

    /**
     * Whether `username` may use `topic`. A device may subscribe to (and receive on) its push
     * topic and publish its uplinks: its own `ota/up/{username}/…`, and the shared ThingsPanel
     * topics, which a broker that rewrites them (EMQX) turns into the former. Null: not a
     * username Updraft manages.
     */
    authorize(username: string, topic: string, access: Access): boolean | null {
      if (isService(username)) return true;
      if (!isDeviceUsername(username)) return null;
      return access === 'publish' ? mayPublish(username, topic, true) : maySubscribe(username, topic);
    },
  };
}

export type BrokerAuth = ReturnType<typeof createBrokerAuth>;
