// What an LwM2M server's Object 5 write means as the SDK's offer: a Package URI (pull) with
// Updraft's facts in its query, or a Package (push) with them as Uri-Query options
// (docs/lwm2m.md, "The Package URI"). A write the device cannot take is the Update Result it
// reports instead (protocols.md §4).
import { type PackageFacts, parsePackageFacts, parsePackageUri } from '@updraft/protocol';
import { fwResult } from './lwm2m-objects.ts';
import type { Offer } from './offer.ts';
import { pushedScheme } from './pushed-package.ts';

/** The module the client's one Object 5 instance upgrades (docs/lwm2m.md). */
export const lwm2mModule = 'default';

const offerOf = (facts: Omit<PackageFacts, 'url'>, url: string, token?: string): Offer => ({
  module: lwm2mModule,
  targetVersion: facts.version,
  url,
  size: facts.size,
  sha256: facts.sha256,
  md5: '',
  kind: facts.kind,
  minSignal: null,
  minBattery: null,
  ...(token !== undefined && { token }),
});

/** A Package URI write: the offer, or the Update Result for a URI without facts or scheme. */
export function offerOfUri(uri: string): Offer | { result: number } {
  const facts = parsePackageUri(uri);
  if (!facts || !['coap:', 'http:', 'https:'].includes(new URL(facts.url).protocol)) {
    return { result: /^(coap|https?):/.test(uri) ? fwResult.invalidUri : fwResult.unsupportedProtocol };
  }
  return offerOf(facts, facts.url, facts.url.slice(facts.url.lastIndexOf('/') + 1));
}

/**
 * A Package write: the offer (served from the link as `lwm2m-package:{sha256}`), or an integrity
 * failure when it came without its facts (a server that does not know `pf`) or not whole.
 */
export function offerOfPackage(payload: Buffer, query: string[]): Offer | { result: number } {
  const facts = parsePackageFacts(query);
  if (!facts || facts.size !== payload.length) return { result: fwResult.integrityFailure };
  return offerOf(facts, `${pushedScheme}${facts.sha256}`);
}
