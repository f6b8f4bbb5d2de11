// Updraft's Package URI (Object 5 resource 1, String 0..255; docs/lwm2m.md "The Package URI"):
// the download address followed by the package's facts in the query, `v` (the target version),
// `size`, `sha256` and `delta` for a delta package. A client written from the specification GETs
// the URI as it is and the server reads no query there; the SDK reads the facts, because LwM2M
// carries neither a version nor a hash of the package, and verifies what it downloaded against
// them. A URI past 255 characters with its facts is written without them.
export interface PackageFacts {
  /** Where the package downloads from (coap:// block-wise, or the HTTP device API). */
  url: string;
  version: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
  kind: 'full' | 'delta';
}

/** LwM2M 1.1 Object 5, resource 1: String 0..255. */
export const packageUriMaxLength = 255;

/** The Package URI for `facts`: with them when it fits in 255 characters, else the bare URL. */
export function formatPackageUri(facts: PackageFacts): string {
  const query = new URLSearchParams({
    v: facts.version,
    size: String(facts.size),
    sha256: facts.sha256,
  });
  if (facts.kind === 'delta') query.set('delta', '1');
  const full = `${facts.url}?${query}`;
  return full.length <= packageUriMaxLength ? full : facts.url;
}

/**
 * The facts as Uri-Query options (`key=value` each) of a Package write (/5/0/0, push), for a
 * client that registered with `pf`.
 */
export function formatPackageFacts(facts: Omit<PackageFacts, 'url'>): string[] {
  return [
    `v=${facts.version}`,
    `size=${facts.size}`,
    `sha256=${facts.sha256}`,
    ...(facts.kind === 'delta' ? ['delta=1'] : []),
  ];
}

/** The facts of a Package write's Uri-Query options; undefined when they are not all there. */
export function parsePackageFacts(parts: readonly string[]): Omit<PackageFacts, 'url'> | undefined {
  const facts = parsePackageUri(`coap://x/?${parts.join('&')}`);
  if (!facts) return undefined;
  const { url: _url, ...rest } = facts;
  return rest;
}

/** The facts of a Package URI Updraft wrote; undefined when the URI does not carry them all. */
export function parsePackageUri(uri: string): PackageFacts | undefined {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return undefined;
  }
  const version = parsed.searchParams.get('v');
  const size = Number(parsed.searchParams.get('size'));
  const sha256 = parsed.searchParams.get('sha256')?.toLowerCase();
  if (!version || !Number.isSafeInteger(size) || size < 0 || !sha256 || !/^[0-9a-f]{64}$/.test(sha256)) {
    return undefined;
  }
  const kind = parsed.searchParams.has('delta') ? 'delta' : 'full';
  parsed.search = '';
  return { url: parsed.toString(), version, size, sha256, kind };
}
