// What the server offers a device, the same whichever transport brought it.

/** One file of the offered package (a package has 1 to 5). */
export interface OfferFile {
  /** 1-based position of the file in its package. */
  index: number;
  /** The name it was uploaded with (`app.bin_1`). */
  name: string;
  /** Where it downloads from (a token URL of its own, valid for a while). */
  url: string;
  size: number;
  /** Lower-case hex; empty when the server did not say. */
  sha256: string;
  md5: string;
}

export interface Offer {
  /** The module (component) to upgrade; `default` is the whole firmware. */
  module: string;
  targetVersion: string;
  /** Where the package's first file downloads from (a token URL, valid for a while). */
  url: string;
  /** The first file's size and hashes (`files` has every file's). */
  size: number;
  /** Lower-case hex; empty when the server did not say. */
  sha256: string;
  md5: string;
  /**
   * Every file of the package, in package order; the SDK downloads, verifies and installs them
   * all. Absent from offers of servers (or state folders) that knew one file only: then the
   * fields above are the one file.
   */
  files?: OfferFile[];
  /** A delta package is restored against the current image before it is installed. */
  kind: 'full' | 'delta';
  /** The plan's minimums, if any: the SDK defers the upgrade below them. */
  minSignal: number | null;
  minBattery: number | null;
  /** The bytes the upgrade needs free (the plan's minimum; Quectel's USE_SPACE), if said. */
  minFreeSpace?: number | null;
  /** The download token (HTTP transport), for the progress and result reports. */
  token?: string;
  /** The plan's upgrade texts for the device's owner (zh, en), when the server sent them. */
  texts?: UpgradeTexts;
  /** The package's release notes, when the server sent them (may be empty). */
  releaseNotes?: string;
  /** The task the offer belongs to (OneNET Studio's `tid`), for its status reports. */
  task?: string;
  /** The package's signed manifest (text) and its Ed25519 signature (base64), when signed. */
  signature?: OfferSignature;
  /**
   * The plan's health window in seconds, when it has one: after the install the device reports
   * its health within it (`confirmHealth`), or the server fails the upgrade with `not_confirmed`.
   */
  healthWindowSeconds?: number;
  /**
   * LwM2M (Object 5 v1.1): how the server rates the upgrade (Severity /5/0/11) and how long the
   * device may put it off (Maximum Defer Period /5/0/13, 0 = not at all: the plan ends a refusal
   * as rejected), when the server wrote them with the offer. A refusal (`accept` answering
   * `'refuse'`) is the deferral, offered again after that period.
   */
  severity?: 'critical' | 'mandatory' | 'optional';
  maxDeferSeconds?: number;
}

/** The `healthWindow` extension field of a check answer or push (docs/device-http.md, docs/mqtt.md). */
export function healthWindowOf(fields: Record<string, unknown>): Pick<Offer, 'healthWindowSeconds'> {
  const seconds = fields['healthWindow'];
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0
    ? { healthWindowSeconds: seconds }
    : {};
}

export interface OfferSignature {
  manifest: string;
  value: string;
  keyId: string;
}

/** The `signature` extension field of a check answer or push (docs/signing.md). */
export function signatureOf(fields: Record<string, unknown>): Pick<Offer, 'signature'> {
  const s = fields['signature'] as Record<string, unknown> | null | undefined;
  if (!s || typeof s['manifest'] !== 'string' || typeof s['value'] !== 'string') return {};
  return { signature: { manifest: s['manifest'], value: s['value'], keyId: String(s['keyId'] ?? '') } };
}

/** What the device's owner reads about an upgrade, in Chinese and English. */
export interface UpgradeTexts {
  zh: string;
  en: string;
}

/** The `texts` and `releaseNotes` of an offer's wire fields (both optional; wrong types are dropped). */
export function ownerTextsOf(fields: Record<string, unknown>): Pick<Offer, 'texts' | 'releaseNotes'> {
  const texts = fields['texts'] as Record<string, unknown> | null | undefined;
  const notes = fields['releaseNotes'];
  return {
    ...(texts &&
      typeof texts['zh'] === 'string' &&
      typeof texts['en'] === 'string' && { texts: { zh: texts['zh'], en: texts['en'] } }),
    ...(typeof notes === 'string' && { releaseNotes: notes }),
  };
}

/**
 * The link to `file` in `newer`, an offer that came while `file`'s upgrade was downloading: the
 * same file (position and hashes) under a newer token, or undefined.
 */
export function newerLinkOf(file: OfferFile, newer: Offer | undefined): string | undefined {
  if (!newer) return undefined;
  const same = filesOf(newer).find(
    (f) => f.index === file.index && f.size === file.size && f.sha256 === file.sha256 && f.md5 === file.md5,
  );
  return same?.url;
}

/** The offer's files; an offer without a list is its one file. */
export function filesOf(offer: Offer): OfferFile[] {
  if (offer.files && offer.files.length > 0) return offer.files;
  return [{ index: 1, name: '', url: offer.url, size: offer.size, sha256: offer.sha256, md5: offer.md5 }];
}
