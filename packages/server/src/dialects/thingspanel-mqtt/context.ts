// What the ThingsPanel handlers share, whichever generation (a leaf: it imports no handler).
import type {
  AccessDevice,
  CanonicalEvent,
  DeviceAccess,
  Offer,
} from '../../modules/device-access/device-access.ts';
import type { MqttLog } from '../../transports/mqtt/mqtt-dialect.ts';
import type { Dropped } from './replies.ts';

/** Where a device's pushes go: a username (its own, or its gateway's) and its push topics. */
export interface Recipient {
  username: string;
  topics: readonly string[];
}

export interface ThingsPanelContext {
  access: DeviceAccess;
  log: MqttLog;
  /** The generation's step table (a progress step as a canonical event). */
  eventOf(step: string | number, desc?: string): CanonicalEvent | null;
  /** Where a device's pushes go: its own push topics, or its gateway's (docs/mqtt.md, gateways). */
  recipientOf(device: AccessDevice): Promise<Recipient | undefined>;
  /** Publishes the offer for `device` on the recipient's push topics. */
  deliver(device: AccessDevice, recipient: Recipient, module: string, offer: Offer): Promise<void>;
  /** Logs why a message from `username` was dropped and tells it on its reply topic. */
  drop(
    kind: 'inform' | 'progress',
    username: string,
    id: string,
    named: unknown,
    d: Dropped,
  ): Promise<Dropped>;
}
