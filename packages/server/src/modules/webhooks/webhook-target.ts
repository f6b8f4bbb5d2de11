// Where a webhook may point (issue 12): not at this machine, its network or a cloud's metadata
// service, unless UPDRAFT_WEBHOOK_ALLOW_PRIVATE=true. Otherwise the delivery log answers which
// internal ports are open, and a webhook reaches services that trust their network.
import { UpdraftError } from '@updraft/core';
import ipaddr from 'ipaddr.js';

/** 'public' for an address on the internet, else its range (loopback, private, linkLocal, …). */
export function addressRange(address: string): string {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'invalid';
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  // Every special range (6to4, Teredo and NAT64 can carry a private IPv4 address) is refused.
  return range === 'unicast' ? 'public' : range;
}

/** A refusal that says what the address is and how to allow it. */
export function privateTargetError(host: string, address: string, range: string): UpdraftError {
  return new UpdraftError(
    'WEBHOOK_URL_PRIVATE',
    `${host} is ${address === host ? '' : `${address}, `}a ${range} address; webhooks go to public addresses unless UPDRAFT_WEBHOOK_ALLOW_PRIVATE=true`,
    { field: 'url', host, address, range },
  );
}

/**
 * Checks what a URL shows by itself: an IP address (the URL parser already turned `0x7f000001`
 * into 127.0.0.1) or a localhost name. Names are checked again on every address they resolve
 * to when a delivery connects (webhook-sender.ts), which also defeats DNS rebinding.
 */
export function checkWebhookTarget(url: URL, allowPrivate: boolean): void {
  if (allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) {
    const range = addressRange(host);
    if (range !== 'public') throw privateTargetError(host, host, range);
    return;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) throw privateTargetError(host, host, 'loopback');
}
