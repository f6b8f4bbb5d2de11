// What the LwM2M dialect's handlers and its firmware session share.
import type { Clock } from '../../adapters/clock/clock.ts';
import type { DeviceAccess, Offer } from '../../modules/device-access/device-access.ts';
import type { CoapClient } from '../../transports/coap/coap-dialect.ts';
import type { MqttLog } from '../../transports/mqtt/mqtt-dialect.ts';
import type { Lwm2mAuth } from './identity.ts';
import type { Registration, Registry } from './registry.ts';

/** An upgrade the dialect has put on a device's Object 5 and follows until it ends. */
export interface UnderWay {
  upgradeId: number;
  module: string;
  target: string;
  token: string;
  delivery: 'pull' | 'push';
  /** /5/0/2 Update was executed: the outcome is the version the device reports next. */
  executed: boolean;
  /** The offer, to put on the wire again when the first write was lost. */
  offer: Offer;
  /** When the offer reached the device's Object 5 (epoch ms); undefined while held or unsent. */
  sentAt: number | undefined;
  /** Epoch ms of the last news of this upgrade: sent, a State or Result, or a check. */
  since: number;
  /** How often the offer went out again after a check found the client idle. */
  resent: number;
}

export interface Lwm2mContext {
  access: DeviceAccess;
  clock: Clock;
  log: MqttLog;
  auth: Lwm2mAuth;
  registry: Registry;
  underWay: Map<number, UnderWay>;
  /** Requests to devices; set once the carrier runs. */
  client(): CoapClient;
  /** coap://host:port of Updraft's block-wise download (`/fw/{token}`). */
  coapBase(): string;
  /** Base URL of the HTTP device API, for clients that pull over HTTP(S). */
  httpBase(): string;
  /** Runs `work` after the device's earlier work (one queue per device, in order). */
  serially(reg: Registration, work: () => Promise<void>): Promise<void>;
}

/** The module an LwM2M client's Object 5 instance 0 upgrades (docs/lwm2m.md). */
export const lwm2mModule = 'default';
