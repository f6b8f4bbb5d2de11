// The ThingsPanel v0.5 MQTT dialect (protocols.md §1, v0.5 with §0's corrections; docs/mqtt.md):
// its generation (topics.ts, the step table, pushes on `ota/device/inform/{username}`) given to
// the dialect builder that every ThingsPanel generation shares.
import type { MqttDialect } from '../../transports/mqtt/mqtt-dialect.ts';
import type { PushingDialect } from '../../transports/push-queue.ts';
import { buildThingsPanelDialect, type ThingsPanelOptions } from './dialect-builder.ts';
import type { ThingsPanelGeneration } from './generation.ts';
import { eventFromThingsPanelStep } from './step-codes.ts';
import { mayPublish, maySubscribe, parseUplink, pushTopic, sharedUplinks } from './topics.ts';

export type { ThingsPanelOptions } from './dialect-builder.ts';

export const thingsPanelV05: ThingsPanelGeneration = {
  name: 'thingspanel-mqtt',
  protocol: 'mqtt',
  parseUplink,
  mayPublish,
  maySubscribe,
  isPushTopic: (username, topic) => topic === pushTopic(username),
  sharedUplinks,
  pushTopics: (username) => [pushTopic(username)],
  replyTopic: pushTopic,
  // A product that lists v1 and not `mqtt` has v1 devices; one that lists neither keeps the
  // behaviour of before v1: its devices are v0.5 ones.
  greets: ({ protocols }) => protocols.includes('mqtt') || !protocols.includes('thingspanel-v1'),
  // A v0.5 device states its version when it connects (§1.3): the re-push rule brings back an
  // upgrade under way.
  reoffersUnderWay: false,
  eventOf: eventFromThingsPanelStep,
};

export function createThingsPanelMqtt(options: ThingsPanelOptions): MqttDialect & PushingDialect {
  return buildThingsPanelDialect(thingsPanelV05, options);
}
