// The ThingsPanel dialect's MQTT topics (docs/mqtt.md) and who may use which. A device's MQTT
// username is `{productKey}.{deviceName}` (ThingsPanel's AccessToken); its password is the
// device secret.
//
//   device -> platform  ota/device/inform, ota/device/progress     ThingsPanel v0.5 (§1.3, §1.5); the
//                                                                   embedded broker knows the
//                                                                   session's device (v1's topics are
//                                                                   ../thingspanel-v1-mqtt's)
//   device -> platform  ota/up/{username}/inform|progress           any broker: the topic names the
//                                                                   sender and the ACL checks it
//   platform -> device  ota/device/inform/{username}                pushes and error replies (§1.4),
//                                                                   a gateway's sub-devices' too
import { otaTopics } from '@updraft/protocol';
import type { ThingsPanelUplink } from './generation.ts';

/** A valid MQTT username: `{productKey}.{deviceName}`, no wildcard or level separator. */
export function isDeviceUsername(username: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}\.[^/+#\s]{1,128}$/.test(username);
}

/** What an uplink topic is: a shared topic (username from the session) or a per-device one. */
export function parseUplink(topic: string): ThingsPanelUplink | null {
  if (topic === otaTopics.inform) return { kind: 'inform', username: null };
  if (topic === otaTopics.progress) return { kind: 'progress', username: null };
  const match = /^ota\/up\/([^/]+)\/(inform|progress)$/.exec(topic);
  if (!match || !isDeviceUsername(match[1]!)) return null;
  return { kind: match[2] as 'inform' | 'progress', username: match[1]! };
}

/**
 * Whether a device may publish `topic`. `sharedTopics` is false on an external broker: there a
 * message on a shared topic does not say who sent it, so devices use their own uplink topics.
 */
export function mayPublish(username: string, topic: string, sharedTopics: boolean): boolean {
  const uplink = parseUplink(topic);
  if (uplink === null) return false;
  return uplink.username === null ? sharedTopics : uplink.username === username;
}

/** A device may subscribe to its own push topic, nothing else. */
export function maySubscribe(username: string, topic: string): boolean {
  return topic === otaTopics.pushV05(username);
}

export const pushTopic = otaTopics.pushV05;

/** The uplink subscriptions of a share group on an external broker: the per-device topics. */
export function sharedUplinks(group: string): string[] {
  return [`$share/${group}/ota/up/+/inform`, `$share/${group}/ota/up/+/progress`];
}
