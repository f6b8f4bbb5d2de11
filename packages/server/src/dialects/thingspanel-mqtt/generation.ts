// What tells ThingsPanel's generations apart (protocols.md §1.1), for the one dialect builder
// (dialect-builder.ts): v0.5 (topics.ts, this folder) and v1 (../thingspanel-v1-mqtt). Sign-in,
// messages, replies, gateways and pushing are the same; topics, the step table and where pushes
// go are each generation's. A leaf: it imports nothing of the dialect.
import type { CanonicalEvent, ProductProfile } from '../../modules/device-access/device-access.ts';

/** What an uplink topic carries: the message and the username it names (null: a shared topic). */
export type ThingsPanelUplink = { kind: 'inform' | 'progress'; username: string | null };

export interface ThingsPanelGeneration {
  /** The dialect's folder name. */
  readonly name: string;
  /** The products.protocols value whose devices it pushes to at plan start. */
  readonly protocol: string;
  parseUplink(topic: string): ThingsPanelUplink | null;
  /** `sharedTopics` is false where a message on a shared topic cannot say who sent it. */
  mayPublish(username: string, topic: string, sharedTopics: boolean): boolean;
  maySubscribe(username: string, topic: string): boolean;
  isPushTopic(username: string, topic: string): boolean;
  /** The uplink subscriptions of an external broker's share group. */
  sharedUplinks(group: string): string[];
  /** Where pushes for the recipient `username` (a device of `product`, or a gateway) go. */
  pushTopics(username: string, product: ProductProfile): string[];
  /** Where error replies to `username` go. */
  replyTopic(username: string): string;
  /**
   * Whether a device of `product` is pushed what waits for it when the carrier does not know
   * which push topic it listens on (a persistent session came back, an external broker signed
   * it in): the generations its product speaks.
   */
  greets(product: ProductProfile): boolean;
  /**
   * Whether a device that connects is pushed the upgrade it is downloading or installing again:
   * for a generation without a version inform, which brings it back otherwise (§1.7).
   */
  readonly reoffersUnderWay: boolean;
  /** The step table: a progress step (string or number) as a canonical event, or null. */
  eventOf(step: string | number, desc?: string): CanonicalEvent | null;
}
