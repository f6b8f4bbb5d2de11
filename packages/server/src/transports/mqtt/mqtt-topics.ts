// The MQTT topics of Updraft's OTA service (docs/mqtt.md) and who may use which. A device's MQTT
// username is `{productKey}.{deviceName}`; its password is the device secret.
//
//   device -> platform  ota/device/inform, ota/device/progress        ThingsPanel v0.5 (§1.3, §1.5);
//                                                                      embedded broker only: the
//                                                                      session says who published
//   device -> platform  ota/up/{username}/inform, …/progress          both brokers: the topic says
//                                                                      who, the broker's ACL checks it
//   platform -> device  ota/device/inform/{username}                  pushes (§1.4), also for a
//                                                                      gateway's sub-devices

export const sharedInform = 'ota/device/inform';
export const sharedProgress = 'ota/device/progress';
export const sharedProgressV1 = 'ota/devices/progress';

export const pushTopic = (username: string) => `ota/device/inform/${username}`;
export const uplinkTopic = (username: string, kind: 'inform' | 'progress') => `ota/up/${username}/${kind}`;

/** A valid MQTT username: `{productKey}.{deviceName}`, no wildcard or level separator. */
export function isDeviceUsername(username: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}\.[^/+#\s]{1,128}$/.test(username);
}

export type Uplink = { kind: 'inform' | 'progress'; username: string | null };

/** What an uplink topic is: a shared topic (username from the session) or a per-device one. */
export function parseUplink(topic: string): Uplink | null {
  if (topic === sharedInform) return { kind: 'inform', username: null };
  if (topic === sharedProgress || topic === sharedProgressV1) return { kind: 'progress', username: null };
  const match = /^ota\/up\/([^/]+)\/(inform|progress)$/.exec(topic);
  if (!match || !isDeviceUsername(match[1]!)) return null;
  return { kind: match[2] as 'inform' | 'progress', username: match[1]! };
}

/** A device may publish the shared OTA topics and its own uplink topics. */
export function mayPublish(username: string, topic: string): boolean {
  const uplink = parseUplink(topic);
  return uplink !== null && (uplink.username === null || uplink.username === username);
}

/** A device may subscribe to its own push topic (v0.5), and the v1 spelling of it. */
export function maySubscribe(username: string, topic: string): boolean {
  return topic === pushTopic(username) || topic === `ota/devices/inform/${username}`;
}
