// UPDRAFT_TRUST_PROXY: which peers' X-Forwarded-For names the client. Fastify's `trustProxy`
// does the reading (proxy-addr); this only checks the list at boot, so a typo stops the start
// instead of failing on the first request.
import { isIP } from 'node:net';

/** false: the socket's peer is the client; true: any peer's header is believed. */
export type TrustProxy = boolean | readonly string[];

// The names proxy-addr knows for the usual ranges.
const presets = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isRange(entry: string): boolean {
  if (presets.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** The setting's list as Fastify takes it; an error message for the first bad entry. */
export function parseTrustProxy(list: readonly string[] | null): TrustProxy | { error: string } {
  if (list === null) return false;
  const words = list.map((entry) => entry.toLowerCase());
  if (words.length === 1 && ['true', 'false'].includes(words[0]!)) return words[0] === 'true';
  const bad = words.find((entry) => !isRange(entry));
  if (bad !== undefined) {
    return {
      error: `"${bad}" is not an address, a CIDR range (10.0.0.0/8) or loopback, linklocal, uniquelocal; true alone trusts any peer`,
    };
  }
  return Object.freeze(words);
}
