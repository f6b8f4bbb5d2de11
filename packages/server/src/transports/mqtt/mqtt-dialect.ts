// The seam for device dialects over MQTT (ADR 0010). A carrier (embedded-broker.ts, or
// external-client.ts with broker-auth.ts) knows no dialect: it asks each in its list how a
// client signs in, what it may publish and subscribe, which handler an uplink topic goes to,
// and keeps each device's uplinks in order (device-order.ts). Pushing goes through the shared
// push queue (transports/push-queue.ts), which a dialect joins as a PushingDialect.
import type { AccessDevice } from '../../modules/device-access/device-access.ts';

export interface MqttCredentials {
  clientId: string;
  username: string | undefined;
  password: string | undefined;
}

/** A signed-in device as a dialect knows it. */
export interface MqttSession {
  device: AccessDevice;
  /**
   * The device's name on the dialect's wire: the key of its topics and of its online flag
   * (ThingsPanel: the username `{productKey}.{deviceName}`).
   */
  key: string;
}

/** What an uplink topic is: the message (handler) and the key the topic names, if it names one. */
export interface Uplink {
  message: string;
  /** null: a shared topic, where only the session says who sent it. */
  key: string | null;
}

/** How a dialect publishes, given by the carrier that runs. */
export interface MqttBus {
  /** Publishes at QoS 1. */
  publish(topic: string, payload: string | Buffer): Promise<void>;
  /** Whether a session with this key is connected now; absent when the broker does not say (external). */
  isOnline?(key: string): boolean;
}

export interface MqttLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface MqttDialect {
  /** The dialect's folder name, e.g. `thingspanel-mqtt`. */
  readonly name: string;
  /**
   * The session key these credentials claim, or null when they are not this dialect's form.
   * Reads no database: the carrier picks the dialect with it, then calls signIn.
   */
  keyOf(credentials: MqttCredentials): string | null;
  /** The session, when the credentials prove the device (undefined: refused). */
  signIn(credentials: MqttCredentials): Promise<MqttSession | undefined>;
  /** The device a key names, for a broker that does not tell Updraft who sent a message. */
  deviceOfKey(key: string): Promise<AccessDevice | undefined>;
  /**
   * Whether the device may publish `topic`. `sharedTopics` is false where a message on a shared
   * topic cannot say who sent it (an external broker without a rewrite).
   */
  mayPublish(key: string, topic: string, sharedTopics: boolean): boolean;
  maySubscribe(key: string, topic: string): boolean;
  /** Subscribing this topic makes the device reachable: what waits for it is pushed then. */
  isPushTopic(key: string, topic: string): boolean;
  uplinkOf(topic: string): Uplink | null;
  /** The uplink subscriptions of an external broker's share group (MQTT 5 §4.8.2). */
  sharedUplinks(group: string): string[];
  /** One uplink of the session; the carrier calls these one at a time per device. */
  handle(session: MqttSession, uplink: Uplink, payload: Buffer): Promise<void>;
  /** Tells the device a publish was dropped, and why. */
  refuse(session: MqttSession, reason: string): Promise<void>;
  /**
   * A session came up and can receive: push what waits for the device and its sub-devices.
   * `pushTopic`: the push topic it just subscribed, when the carrier knows (the embedded broker);
   * absent after a persistent session came back or an external broker signed the device in.
   */
  connected(session: MqttSession, pushTopic?: string): Promise<void>;
  /** The carrier that runs hands its bus over (undefined once it stops). */
  attach(bus: MqttBus | undefined): void;
}

/**
 * A client id belongs to the identity that signed in (issue 12): it is the session key itself or
 * the key, `~` and anything after (`pk_x.meter-1~a1b2`). `~` is in no product key or device
 * name, so no identity's ids cover another's: a device cannot take over another's connection or
 * resume another's persistent session (MQTT keys sessions by client id).
 */
export function clientIdBelongs(clientId: string, key: string): boolean {
  return clientId === key || clientId.startsWith(`${key}~`);
}

/** The dialect whose form the credentials have, if any. */
export function dialectOf(
  dialects: readonly MqttDialect[],
  credentials: MqttCredentials,
): { dialect: MqttDialect; key: string } | undefined {
  for (const dialect of dialects) {
    const key = dialect.keyOf(credentials);
    if (key !== null) return { dialect, key };
  }
  return undefined;
}
