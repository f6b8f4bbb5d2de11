// What the Quectel handlers share (a leaf: it imports no handler).
import type { OtaErrorAnswer, QuectelSubDevice } from '@updraft/protocol';
import type { AccessDevice, DeviceAccess, Offer } from '../../modules/device-access/device-access.ts';
import type { MqttLog } from '../../transports/mqtt/mqtt-dialect.ts';

/** Where a device's downlinks go: its own client id, or its gateway's with the sub-device named. */
export interface Recipient {
  clientId: string;
  subDevice?: QuectelSubDevice;
}

/** Why an uplink was dropped: logged, and answered on Updraft's error command (0x0F00). */
export interface Dropped {
  /** 400 a frame or message that does not parse, 403 not the sender's, 404 no such module, 409 no upgrade takes it now. */
  code: 400 | 403 | 404 | 409;
  reason: string;
}

export interface QuectelContext {
  access: DeviceAccess;
  log: MqttLog;
  baseUrl(): string;
  recipientOf(device: AccessDevice): Promise<Recipient | undefined>;
  /** Publishes the plan (0x0111) of the offer's component. */
  pushPlan(device: AccessDevice, recipient: Recipient, module: string, offer: Offer): Promise<void>;
  /** Publishes the firmware information (0x0113) after a confirm. */
  sendFirmwareInfo(
    device: AccessDevice,
    recipient: Recipient,
    offer: Offer,
    options: { sha256: boolean },
  ): Promise<void>;
  /** Logs a dropped uplink and answers it on the sender's downlink. */
  drop(clientId: string, d: Dropped, answer: Omit<OtaErrorAnswer, 'code' | 'message'>): Promise<Dropped>;
}
