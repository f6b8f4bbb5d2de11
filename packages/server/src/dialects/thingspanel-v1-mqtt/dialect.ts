// The ThingsPanel v1 MQTT dialect (protocols.md §1.1–§1.6, §1.12: the documented v1 contract, not
// the community edition's defects; docs/mqtt.md, "ThingsPanel v1"): its generation given to the
// dialect builder every ThingsPanel generation shares (../thingspanel-mqtt). Sign-in, the
// progress message, replies, gateways and pushes are v0.5's; the topics, the step table and the
// products.protocols values are v1's. It shares v0.5's sign-in (app.ts makes them one family).

import { otaTopics } from '@updraft/protocol';
import type { MqttDialect } from '../../transports/mqtt/mqtt-dialect.ts';
import type { PushingDialect } from '../../transports/push-queue.ts';
import { buildThingsPanelDialect, type ThingsPanelOptions } from '../thingspanel-mqtt/dialect-builder.ts';
import type { ThingsPanelGeneration } from '../thingspanel-mqtt/generation.ts';
import { eventFromThingsPanelV1Step } from './step-codes.ts';
import {
  isPushTopic,
  mayPublish,
  parseUplink,
  pushTopics,
  sharedUplinks,
  v1Protocol,
  v1TypoProtocol,
} from './topics.ts';

export const thingsPanelV1: ThingsPanelGeneration = {
  name: 'thingspanel-v1-mqtt',
  protocol: v1Protocol,
  parseUplink,
  mayPublish,
  maySubscribe: isPushTopic,
  isPushTopic,
  sharedUplinks,
  pushTopics,
  replyTopic: otaTopics.pushV1,
  greets: ({ protocols }) => protocols.includes(v1Protocol) || protocols.includes(v1TypoProtocol),
  // No version inform in v1 (§1.1): a device back mid-upgrade is pushed its upgrade again.
  reoffersUnderWay: true,
  eventOf: eventFromThingsPanelV1Step,
};

export function createThingsPanelV1Mqtt(options: ThingsPanelOptions): MqttDialect & PushingDialect {
  return buildThingsPanelDialect(thingsPanelV1, options);
}
