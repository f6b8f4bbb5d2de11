// The LwM2M Client Registration interface's wire (OMA-TS-LightweightM2M-V1_1 §6.2.1, §5.3):
// Register is a CoAP POST to /rd with the parameters in Uri-Query options (ep, lt, lwm2m, b, sms,
// Queue-Mode in 1.0) and the client's objects as CoRE link format (RFC 6690) in the payload;
// Update is a POST to the returned location with the changed parameters; De-register a DELETE.
// Updraft adds two parameters of its own, `ts` and `sig` (docs/lwm2m.md, "Authentication").
import { createHmac } from 'node:crypto';

export interface RegistrationParams {
  /** Endpoint Client Name (`ep`): Updraft reads it as `{productKey}.{deviceName}`. */
  endpoint: string;
  /** Lifetime in seconds (`lt`; default 86400, §6.2.1). */
  lifetime: number;
  /** LwM2M version (`lwm2m`; 1.0 when absent). */
  version: string;
  /** Binding mode (`b`; default U): U, UQ (1.0 queue mode), or with Q given apart in 1.1. */
  binding: string;
  /** Queue mode: `b` holds Q (1.0) or the `Q` parameter is present (1.1). */
  queueMode: boolean;
  /** Updraft's authentication (docs/lwm2m.md): seconds since the epoch and the HMAC over it. */
  timestamp: number | undefined;
  signature: string | undefined;
  /**
   * Updraft's `pf` (package facts): the client reads the package's facts from Uri-Query options
   * of a Package write (docs/lwm2m.md, "The Package URI"); clients without it get none.
   */
  packageFacts: boolean;
}

export type RegistrationProblem = { problem: 'bad_request'; detail: string };

const defaultLifetime = 86_400;

/** Uri-Query options (`key=value` each) as a map; a repeated key keeps its first value. */
export function parseQueryOptions(parts: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    if (!out.has(key)) out.set(key, eq === -1 ? '' : part.slice(eq + 1));
  }
  return out;
}

/** The Register parameters; an absent `ep` or a non-numeric `lt` is a 4.00 Bad Request. */
export function parseRegistration(
  query: ReadonlyMap<string, string>,
): RegistrationParams | RegistrationProblem {
  const endpoint = query.get('ep');
  if (!endpoint) return { problem: 'bad_request', detail: 'the endpoint name (ep) is missing' };
  const lifetime = parseLifetime(query.get('lt'));
  if (lifetime === null)
    return { problem: 'bad_request', detail: 'the lifetime (lt) is not a positive integer' };
  const binding = query.get('b') || 'U';
  if (!/^[UQSTN]+$/.test(binding))
    return { problem: 'bad_request', detail: `binding ${binding} is not known` };
  const ts = query.get('ts');
  const timestamp = ts === undefined ? undefined : /^\d{1,12}$/.test(ts) ? Number(ts) : Number.NaN;
  if (Number.isNaN(timestamp)) return { problem: 'bad_request', detail: 'ts is not a number of seconds' };
  return {
    endpoint,
    lifetime: lifetime ?? defaultLifetime,
    version: query.get('lwm2m') || '1.0',
    binding,
    queueMode: binding.includes('Q') || query.has('Q'),
    timestamp,
    signature: query.get('sig'),
    packageFacts: query.has('pf'),
  };
}

/** `lt` of a Register or Update: undefined when absent, null when not a positive integer. */
export function parseLifetime(lt: string | undefined): number | undefined | null {
  if (lt === undefined) return undefined;
  if (!/^\d{1,10}$/.test(lt)) return null;
  const value = Number(lt);
  return value >= 1 ? value : null;
}

/** One link of the registration payload: `</5/0>`, `</3>;ver=1.1`, `</>;rt="oma.lwm2m"`. */
export interface ObjectLink {
  objectId: number;
  instanceId: number | undefined;
  /** The object's version (`ver`, §6.2.1: given only when it is not 1.0). */
  version?: string;
}

/**
 * The objects of a registration payload (RFC 6690 link format) with their `ver` attribute. The
 * root path link and other attributes are skipped; a link that is no object path is skipped
 * too (§6.2.1 allows an alternate root path, which Updraft does not use).
 */
export function parseObjectLinks(payload: string): ObjectLink[] {
  const links: ObjectLink[] = [];
  for (const match of payload.matchAll(/<([^>]*)>([^,<]*)/g)) {
    const parts = match[1]!.split('/').filter((s) => s !== '');
    if (parts.length === 0 || parts.length > 2 || !parts.every((p) => /^\d{1,5}$/.test(p))) continue;
    const version = /;ver="?(\d{1,3}\.\d{1,3})"?(?:;|$)/.exec(match[2]!)?.[1];
    links.push({
      objectId: Number(parts[0]),
      instanceId: parts[1] === undefined ? undefined : Number(parts[1]),
      ...(version !== undefined && { version }),
    });
  }
  return links;
}

/** The version a client gives object `objectId` (on its object link or an instance's); 1.0 by default. */
export function objectVersion(links: readonly ObjectLink[], objectId: number): string {
  return links.find((l) => l.objectId === objectId && l.version !== undefined)?.version ?? '1.0';
}

/** The objects a client lists, as link format (what the test client and the SDK send). */
export function formatObjectLinks(links: readonly ObjectLink[]): string {
  return links
    .map(
      ({ objectId, instanceId, version }) =>
        `</${objectId}${instanceId === undefined ? '' : `/${instanceId}`}>${version === undefined ? '' : `;ver=${version}`}`,
    )
    .join(',');
}

/**
 * Updraft's registration signature (docs/lwm2m.md): hex HMAC-SHA256, keyed with the device
 * secret, over `{ep}\n{ts}`.
 */
export function lwm2mRegistrationSignature(secret: string, endpoint: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${endpoint}\n${timestamp}`).digest('hex');
}
