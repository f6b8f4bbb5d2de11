// What a device gives createDevice and what it hears back: options, events and results. A leaf
// file (types only) that device.ts and upgrade-run.ts share.
import type { SdkError } from './errors.ts';
import type { Credentials, ModuleCodes, Telemetry } from './link.ts';
import type { Offer } from './offer.ts';
import type { PackageFile } from './package-files.ts';
import type { RetrySettings } from './retry.ts';

export type { PackageFile } from './package-files.ts';

/** The upgrade a module's install, health check, commit or rollback is called for. */
export interface UpdateInfo {
  module: string;
  /** The version being installed. */
  version: string;
  /** The version the module ran before. */
  previousVersion: string;
  offer: Offer;
}

export interface InstallUpdate extends UpdateInfo {
  /** The verified image of the package's first file (a delta package already restored). */
  path: string;
  /**
   * Every file of the package, verified, in package order (a `.bin_1`/`.bin_2` package has
   * two); the first one's `path` is `path` above.
   */
  files: PackageFile[];
}

/**
 * What an install or a rollback asks for: nothing (it is active now), or `'restart'`: it becomes
 * active once the device restarts (an A/B slot switch). The SDK saves where it is first, calls
 * `restart` of the device's options, and goes on after the restart from the state folder.
 */
export type InstallOutcome = undefined | 'restart';

/** What `accept` answers: take the offer, refuse it (`false`, `'refuse'`), or defer it quietly. */
export type Consent = boolean | 'refuse' | 'later';

/** One updatable part of the device. */
export interface ModuleOptions {
  /** The version the device ships with; the state folder remembers later ones. */
  version: string;
  /**
   * Installs the verified image at `path` (write to flash, swap a file, exec). Throwing reports a
   * failure: an `SdkError` says which (CHECK_FAILED: the installer refused the image; LOW_BATTERY;
   * otherwise WRITE_FAILED). Returning means the device now runs `version`, or will after a
   * restart (`'restart'`). It may be called again for the same upgrade when the device lost power
   * while it ran, so it must be safe to repeat.
   */
  install(update: InstallUpdate): Promise<InstallOutcome | undefined> | Promise<void>;
  /**
   * OneNET's manufacturer and model codes of this module (protocols.md §2.7, e.g. `101` and
   * `10101` for an ESP32), sent with HTTP checks. When the server's module has codes, a check
   * with others fails the upgrade (errno 8). Default: OneNET's "other" codes, `000`/`00001`.
   */
  codes?: ModuleCodes;
  /** Reads the running image, for delta packages (random offsets, as from flash). */
  readCurrent?(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
  /**
   * The version the module runs, read from the system (a file, a command). When given it wins over
   * the state folder: at start, and after an install to see that the new version runs (after an
   * A/B restart the bootloader may have fallen back).
   */
  currentVersion?(): string | Promise<string>;
  /** Checks that the new version works, after the install (and its restart); throwing rolls back. */
  healthCheck?(update: UpdateInfo): Promise<void>;
  /** Makes a healthy new version permanent (RAUC: mark the slot good); throwing rolls back. */
  commit?(update: UpdateInfo): Promise<void>;
  /**
   * Returns to the previous version after a failed health check or commit (`'restart'` when that
   * takes a restart). Without it a failed health check is reported and the new version stays.
   */
  rollback?(update: UpdateInfo): Promise<InstallOutcome | undefined> | Promise<void>;
}

export interface SubDeviceOptions {
  /** `{productKey}.{deviceName}` of the sub-device. */
  username: string;
  /** Its numeric id (the HTTP transport names sub-devices by id). */
  deviceId?: number;
  stateDir: string;
  modules: Record<string, ModuleOptions>;
}

export type DeviceEvent =
  | { type: 'offer'; subject: string; offer: Offer }
  /**
   * New download links (tokens) for the upgrade in progress: a push again, or links asked for
   * after a link stopped working. The download's next attempt uses them.
   */
  | { type: 'links'; subject: string; offer: Offer }
  /** A version report that brought nothing, with the server's reason (HTTP). */
  | { type: 'no-offer'; subject: string; module: string; reason: string }
  | { type: 'deferred'; subject: string; offer: Offer; reason: string }
  | { type: 'progress'; subject: string; offer: Offer; received: number; total: number }
  /** An upgrade the state folder held from an earlier session goes on at `phase`. */
  | { type: 'resumed'; subject: string; offer: Offer; phase: PendingPhase }
  /** An install or rollback waits for the device to restart. */
  | { type: 'restarting'; subject: string; offer: Offer; after: 'install' | 'rollback' }
  | { type: 'installed'; subject: string; offer: Offer }
  | { type: 'failed'; subject: string; offer: Offer; error: SdkError }
  /** The server took the upgrade back before it was installed (LwM2M Cancel). */
  | { type: 'cancelled'; subject: string; offer: Offer }
  /** Stating where the device is after the link came back failed; the next reconnect tries again. */
  | { type: 'reconnect-failed'; error: Error };

/**
 * Where an upgrade stands in the state folder, so that the next session goes on from there:
 * `downloading` (resumes the download), `installing` (the install was cut short: it runs again),
 * `activating` (installed, restarted if it asked to: version check, health check, commit),
 * `confirming` (a plan's health window: the health check runs again until the window ends),
 * `rolling-back` (the rollback was cut short: it runs again), `rolled-back` (report the failure).
 */
export type PendingPhase =
  | 'downloading'
  | 'installing'
  | 'activating'
  /** A plan's health window: the server heard the new version runs and waits for its health. */
  | 'confirming'
  | 'rolling-back'
  | 'rolled-back';

export interface DeviceOptions {
  /** Base URL of the Updraft server (HTTP API and downloads). */
  server: string;
  /**
   * The device API: `http` OneNET's legacy OTA API, `onenet-studio` OneNET Studio's fuse-ota API
   * (docs/device-http.md), `mqtt` ThingsPanel v0.5's topics, `thingspanel-v1` ThingsPanel v1's
   * (docs/mqtt.md), `quectel` QuecThing's binary OTA protocol over MQTT (docs/quectel.md),
   * `lwm2m` an LwM2M client of Object 5 over CoAP (docs/lwm2m.md; module `default` only).
   */
  transport: 'http' | 'mqtt' | 'onenet-studio' | 'thingspanel-v1' | 'quectel' | 'lwm2m';
  /** mqtt://host:port, for the MQTT transports. */
  mqttUrl?: string;
  /** coap://host:port of the server's CoAP port (UPDRAFT_COAP_PORT), for `lwm2m`. */
  coapUrl?: string;
  /** LwM2M registration lifetime in seconds (300); the device sends an Update at half of it. */
  lwm2mLifetime?: number;
  /**
   * LwM2M delivery (/5/0/9): `pull` (default: the server writes a Package URI, the device
   * downloads it) or `push` (the server writes the package to /5/0/0 block-wise).
   */
  lwm2mDelivery?: 'pull' | 'push';
  /** OneNET Studio: the API's path prefix on the server (`/fuse-ota`, or the older `/ota`). */
  studioPrefix?: string;
  credentials: Credentials;
  /** Where versions, partial downloads and upgrades under way survive restarts. */
  stateDir: string;
  modules: Record<string, ModuleOptions>;
  /**
   * Signal (dBm), battery (%) and free space (bytes) now of the device or the named sub-device
   * (`subject`); reported (OneNET and Studio checks), and compared with the plan's minimums.
   */
  telemetry?(subject: string): Telemetry | Promise<Telemetry>;
  /**
   * The device's consent to an offer. `false` (or `'refuse'`) refuses it (busy, the owner said
   * no; Quectel's status 3): the server is told where the transport has a refusal message (OneNET
   * `…/download/{token}/refuse`, ThingsPanel `"refused": true`, Quectel status 3, LwM2M Update
   * Result 11; OneNET Studio has none) and offers a silent plan's upgrade again only after the plan's rejection period; a
   * manual plan's ends as rejected. `'later'` defers it quietly: the server is not told, and the
   * offer comes again at the next push or check. Either way the result is `deferred`.
   */
  accept?(offer: Offer, subject: string): Consent | Promise<Consent>;
  /**
   * Restarts the device when an install or rollback asks for it (`'restart'`); the state is saved
   * before. Without it the SDK waits for the device to restart on its own.
   */
  restart?(): Promise<void>;
  /**
   * The application's word that the new version works, after the install and its restart (and
   * after the module's `healthCheck`): false or throwing is unhealthy. With a plan's health
   * window the SDK reports it to the server; unhealthy, or no answer before the window ends, or a
   * server that already failed the upgrade (`not_confirmed`) rolls the module back (its
   * `rollback`) and reports the version it is back on (docs/sdk.md, "Health after the install").
   */
  confirmHealth?(update: UpdateInfo, subject: string): boolean | Promise<boolean>;
  /** Gateway mode: sub-devices this session upgrades, each with its own modules. */
  subDevices?: SubDeviceOptions[];
  onEvent?(event: DeviceEvent): void;
  /** MQTT: keep the session across reconnects. */
  persistentSession?: boolean;
  mqttClientId?: string;
  /** A fetch to download with (a slow or failing link in the simulator). */
  fetch?: typeof fetch;
  /**
   * Wraps the transport's download (LwM2M: CoAP block-wise, as a fetch of coap:// URLs; others:
   * `fetch`) in a fetch of one's own: the simulator's link faults over any transport.
   */
  wrapDownload?(download: typeof fetch): typeof fetch;
  /** Largest working memory a delta patch may ask for (bytes). */
  deltaMemoryLimit?: number;
  /**
   * How downloads and reports are tried again when the server or the link is away: tries in all
   * (8), the first wait (500 ms) doubling up to a limit (30 s), each with jitter. About 90 s in
   * all by default, longer than a server restart.
   */
  retry?: Partial<RetrySettings>;
  /**
   * Ed25519 public keys (raw 32 bytes base64, or PEM) whose signatures the device accepts
   * (docs/signing.md). With keys, unsigned packages are refused unless `requireSignature` is false;
   * a package whose manifest does not verify, does not name what was downloaded, or lowers the
   * module's security version without allowing it fails with `signature_invalid`.
   */
  trustedKeys?: string[];
  requireSignature?: boolean;
}

export interface UpgradeResult {
  subject: string;
  module: string;
  targetVersion: string;
  /**
   * `restarting`: installed (or rolled back), active after the device restarts; `cancelled`: the
   * server took it back before the install (LwM2M).
   */
  outcome: 'success' | 'deferred' | 'failed' | 'restarting' | 'cancelled';
  error?: SdkError;
}
