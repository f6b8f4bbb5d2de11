// What the server offers a device, the same whichever transport brought it.

export interface Offer {
  /** The module (component) to upgrade; `default` is the whole firmware. */
  module: string;
  targetVersion: string;
  /** Where the package downloads from (a token URL, valid for a while). */
  url: string;
  size: number;
  /** Lower-case hex; empty when the server did not say. */
  sha256: string;
  md5: string;
  /** A delta package is restored against the current image before it is installed. */
  kind: 'full' | 'delta';
  /** The plan's minimums, if any: the SDK defers the upgrade below them. */
  minSignal: number | null;
  minBattery: number | null;
  /** The download token (HTTP transport), for the progress and result reports. */
  token?: string;
}
