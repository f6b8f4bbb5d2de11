// A transport between a device (or a gateway and its sub-devices) and the server.
import type { Offer } from './offer.ts';

export interface Credentials {
  productKey: string;
  /** The device name within its product. */
  name: string;
  /** The secret shown when the device was registered. */
  secret: string;
}

/** The device a message is about: the connected device itself, or one of its sub-devices. */
export interface Subject {
  /** `{productKey}.{deviceName}`; set for sub-devices (MQTT names them so). */
  username?: string;
  /** The numeric device id; the HTTP transport names sub-devices with it (`dev_id`). */
  deviceId?: number;
}

export interface Telemetry {
  signal?: number;
  battery?: number;
}

export type FailureStage = 'download' | 'check' | 'write';

export interface Link {
  kind: 'http' | 'mqtt';
  connect(): Promise<void>;
  /** Reports a module's version; HTTP answers with an offer at once, MQTT pushes it (onOffer). */
  reportVersion(
    subject: Subject,
    module: string,
    version: string,
    telemetry: Telemetry,
  ): Promise<Offer | null>;
  /** Pushed offers (MQTT); `subject.username` names a sub-device. */
  onOffer(listener: (subject: Subject, offer: Offer) => void): void;
  /** Why a version report brought no offer, when the server says (HTTP: the errno's text). */
  onNoOffer(listener: (subject: Subject, module: string, reason: string) => void): void;
  accepted(subject: Subject, offer: Offer): Promise<void>;
  progress(subject: Subject, offer: Offer, percent: number): Promise<void>;
  downloaded(subject: Subject, offer: Offer): Promise<void>;
  succeeded(subject: Subject, offer: Offer): Promise<void>;
  failed(subject: Subject, offer: Offer, stage: FailureStage): Promise<void>;
  close(): Promise<void>;
}
