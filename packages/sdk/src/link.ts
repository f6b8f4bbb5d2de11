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

/** OneNET's manufacturer and model codes of a module (protocols.md §2.7). */
export interface ModuleCodes {
  manufacturer: string;
  model: string;
}

export interface Telemetry {
  signal?: number;
  battery?: number;
  /** Bytes free for an upgrade (compared with the plan's minimum; OneNET checks send it as `space`). */
  freeSpace?: number;
}

/**
 * Why an upgrade failed, as the device tells the server (the server's failure reasons that a
 * device can report; `failed` gives no reason, the detail says what happened).
 */
export type FailureReason =
  | 'download_failed'
  | 'check_failed'
  | 'write_failed'
  | 'low_battery'
  | 'failed'
  /** The package's signature did not verify, or its security version is too low (signing.md). */
  | 'signature_invalid';

/** Healthy or not after the install; `version` the one the device runs (after a rollback). */
export interface HealthReport {
  healthy: boolean;
  version?: string;
  detail?: string;
}

export interface Link {
  kind: 'http' | 'mqtt' | 'lwm2m';
  /** How the link's download URLs are fetched (LwM2M: coap:// block-wise), when not by fetch. */
  fetch?: typeof fetch;
  connect(): Promise<void>;
  /**
   * Reports a module's version; HTTP answers with an offer at once, MQTT pushes it (onOffer).
   * `upgrade` (MQTT) states where the device is with its current upgrade (its target and the
   * last step taken), or null for none, so that the server reconciles instead of counting a
   * version mismatch (docs/mqtt.md, "Reconciliation").
   */
  reportVersion(
    subject: Subject,
    module: string,
    version: string,
    telemetry: Telemetry,
    /** The module's codes, for dialects whose check carries them (OneNET `manuf`, `model`). */
    codes?: ModuleCodes,
    /** `relink`: the offer's links answer 410; the server offers it again with new ones. */
    upgrade?: { version: string; step: number; relink?: boolean } | null,
  ): Promise<Offer | null>;
  /** The link came back after it dropped (MQTT): the device states where it is again. */
  onReconnect(listener: () => void): void;
  /** Pushed offers (MQTT); `subject.username` names a sub-device. */
  onOffer(listener: (subject: Subject, offer: Offer) => void): void;
  /** The server took back the upgrade under way before its install (LwM2M Cancel). */
  onCancel?(listener: (subject: Subject, offer: Offer) => void): void;
  /** Why a version report brought no offer, when the server says (HTTP: the errno's text). */
  onNoOffer(listener: (subject: Subject, module: string, reason: string) => void): void;
  accepted(subject: Subject, offer: Offer): Promise<void>;
  progress(subject: Subject, offer: Offer, percent: number): Promise<void>;
  downloaded(subject: Subject, offer: Offer): Promise<void>;
  succeeded(subject: Subject, offer: Offer): Promise<void>;
  /**
   * The device's health after the install, for an offer with a health window: `'ended'` when the
   * server says the upgrade already ended (its window passed), so the device rolls back. Links
   * without it (Quectel) report no health; the server then decides at the window's end.
   */
  health?(subject: Subject, offer: Offer, report: HealthReport): Promise<'applied' | 'ended'>;
  /** `detail` is sent where the dialect carries text (MQTT `desc`). */
  failed(subject: Subject, offer: Offer, reason: FailureReason, detail: string): Promise<void>;
  /**
   * The device deferred the offer (its thresholds, `accept`): a dialect that can refuse says so
   * (Quectel 3). `byChoice`: the device's `accept` declined it (not a threshold); OneNET and
   * ThingsPanel links tell the server only then, which offers it again after the plan's
   * rejection period (docs/device-http.md, docs/mqtt.md).
   */
  declined?(subject: Subject, offer: Offer, reason: string, byChoice: boolean): Promise<void>;
  close(): Promise<void>;
}
