// The Quectel dialect's MQTT topics (protocols.md §3.2, docs/quectel.md) and who may use which.
// The session key is the client id `qd{ProductKey}{DeviceKey}`.
//
//   device -> platform  q/2/d/{clientId}/ota        0x0114, 0x0115 (and 0x0112): handled
//   device -> platform  q/2/d/{clientId}/bus|sys    allowed, read by nobody (TSL, status: not OTA)
//   platform -> device  q/1/d/{clientId}/ota        plans, firmware information, error answers
//   device subscribes   q/1/d/{clientId}/+          (or a single q/1/d/{clientId}/{type})
import { quectelTopics } from '@updraft/protocol';
import type { Uplink } from '../../transports/mqtt/mqtt-dialect.ts';
import { isQuectelClientId } from './client-id.ts';

const uplinkPattern = /^q\/2\/d\/([^/+#]+)\/(ota|bus|sys)$/;

/** The OTA uplink topic and the client id it names; null for any other topic. */
export function parseUplink(topic: string): Uplink | null {
  const match = uplinkPattern.exec(topic);
  if (match?.[2] !== 'ota' || !isQuectelClientId(match[1]!)) return null;
  return { message: 'ota', key: match[1]! };
}

/** A device publishes on its own `q/2/d/{clientId}/{ota|bus|sys}` only. */
export function mayPublish(clientId: string, topic: string): boolean {
  const match = uplinkPattern.exec(topic);
  return match !== null && match[1] === clientId;
}

/** A device subscribes to its own downlinks: `q/1/d/{clientId}/+` or one type of them. */
export function maySubscribe(clientId: string, topic: string): boolean {
  const prefix = `q/1/d/${clientId}/`;
  if (!topic.startsWith(prefix)) return false;
  const rest = topic.slice(prefix.length);
  return rest === '+' || /^[A-Za-z0-9_-]{1,32}$/.test(rest);
}

/** Subscribing to these makes the device reachable: the wildcard, or the `ota` type itself. */
export function isPushTopic(clientId: string, topic: string): boolean {
  return topic === quectelTopics.subscription(clientId) || topic === quectelTopics.downlink(clientId);
}

export function sharedUplinks(group: string): string[] {
  return [`$share/${group}/q/2/d/+/ota`];
}
