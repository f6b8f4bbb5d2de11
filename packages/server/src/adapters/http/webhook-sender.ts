// Webhook deliveries over node:http(s). The connection's own DNS lookup checks every address a
// name resolves to before connecting (webhook-target.ts), so a name that changes its answer
// between the check and the connection (DNS rebinding) still cannot reach a private address.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { SendWebhook } from '../../modules/webhooks/webhook-service.ts';
import {
  addressRange,
  checkWebhookTarget,
  privateTargetError,
} from '../../modules/webhooks/webhook-target.ts';

/** dns.lookup with `all: true` (tests give a resolver that answers what they need). */
export type Resolve = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

function guardedLookup(allowPrivate: boolean, resolve: Resolve): LookupFunction {
  return ((hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error);
      if (!allowPrivate) {
        for (const { address } of addresses) {
          const range = addressRange(address);
          if (range !== 'public') return callback(privateTargetError(hostname, address, range));
        }
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}

export function createWebhookSender({
  allowPrivate,
  resolve = dnsLookup as Resolve,
}: {
  allowPrivate: boolean;
  resolve?: Resolve;
}): SendWebhook {
  const lookup = guardedLookup(allowPrivate, resolve);
  return (url, { headers, body, timeoutMs }) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      // An address written in the URL is not looked up: it is checked here instead.
      checkWebhookTarget(target, allowPrivate);
      const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          lookup,
          timeout: timeoutMs,
        },
        (response) => {
          // Redirects are not followed: a 3xx is an answer like any other.
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
}
