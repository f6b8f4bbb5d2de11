// What a test LwM2M client (lwm2m-device.ts) is: its endpoint, secret, resources and behaviour.

export interface Lwm2mDeviceOptions {
  server: { address: string; port: number };
  endpoint: string;
  /** The device secret: Register is signed (docs/lwm2m.md) unless null. */
  secret: string | null;
  version: string;
  lifetime?: number;
  binding?: string;
  lwm2mVersion?: string;
  /** /5/0/9: 0 pull only, 1 push only, 2 both. */
  deliveryMethod?: number;
  /** /5/0/8: 0 CoAP, 2 HTTP… */
  protocols?: number[];
  battery?: number;
  signal?: number;
  /** Pull: download the Package URI as soon as it is written, going State 1 then 2. */
  autoDownload?: boolean;
  /** Execute /5/0/2: install (the package's version becomes /3/0/3), then register again. */
  installs?: string | null;
  /** Seconds since the epoch for the signature (the server's clock). */
  now?: () => number;
  /** A notification this says is lost never reaches the server (its retransmissions all lost too). */
  loses?: (path: string, value: number) => boolean;
  /** After an install, register again (the reboot); false: the registration before it stays. */
  registersAfterInstall?: boolean;
  /** Object 5's version in the object links (`</5>;ver=1.1`): 1.1 has /5/0/11 and /5/0/13. */
  object5Version?: '1.0' | '1.1';
  /** At Update (/5/0/2) the user defers: State stays 2 Downloaded, Update Result 11 (§E.6). */
  defers?: boolean;
  /** The format of its read answers and notifications: plain text (default) or SenML CBOR (112). */
  format?: 'text' | 'senml-cbor';
}
