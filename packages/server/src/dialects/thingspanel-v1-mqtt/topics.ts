// ThingsPanel v1's MQTT topics (protocols.md §1.1, §1.2, §1.4; docs/mqtt.md, "ThingsPanel v1").
// A v1 device is named by its `device_number`, which in Updraft is its MQTT username
// `{productKey}.{deviceName}` (one name per device across products, as a topic needs).
//
//   device -> platform  ota/devices/progress                 v1's progress (§1.5); the embedded
//                                                            broker knows the session's device
//   device -> platform  ota/devices/progress/{username}      the same payload on a topic that names
//                                                            its sender (any broker; Updraft's addition)
//   platform -> device  ota/devices/inform/{username}        pushes and error replies (§1.4)
//   platform -> device  ota/devices/infrom/{username}        pushes too, when the product lists
//                                                            `thingspanel-v1-infrom` (v1's typo topic)
import { otaTopics } from '@updraft/protocol';
import type { ProductProfile } from '../../modules/device-access/device-access.ts';
import type { ThingsPanelUplink } from '../thingspanel-mqtt/generation.ts';
import { isDeviceUsername } from '../thingspanel-mqtt/topics.ts';

/** The products.protocols values of v1: its devices, and the typo topic as well. */
export const v1Protocol = 'thingspanel-v1';
export const v1TypoProtocol = 'thingspanel-v1-infrom';

const perDevice = /^ota\/devices\/progress\/([^/]+)$/;

export function parseUplink(topic: string): ThingsPanelUplink | null {
  if (topic === otaTopics.progressV1) return { kind: 'progress', username: null };
  const match = perDevice.exec(topic);
  if (!match || !isDeviceUsername(match[1]!)) return null;
  return { kind: 'progress', username: match[1]! };
}

/** As v0.5's: a shared topic only where the broker says who published (the embedded one). */
export function mayPublish(username: string, topic: string, sharedTopics: boolean): boolean {
  const uplink = parseUplink(topic);
  if (uplink === null) return false;
  return uplink.username === null ? sharedTopics : uplink.username === username;
}

/** A device may subscribe to its own push topics, the documented one and the typo one. */
export function isPushTopic(username: string, topic: string): boolean {
  return topic === otaTopics.pushV1(username) || topic === otaTopics.pushV1Typo(username);
}

/** The documented topic, and the typo topic as well when the product asks for it. */
export function pushTopics(username: string, product: ProductProfile): string[] {
  const typo = product.protocols.includes(v1TypoProtocol);
  return [otaTopics.pushV1(username), ...(typo ? [otaTopics.pushV1Typo(username)] : [])];
}

export function sharedUplinks(group: string): string[] {
  return [`$share/${group}/ota/devices/progress/+`];
}
