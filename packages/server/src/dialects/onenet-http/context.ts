// What every OneNET handler is given (a leaf: it imports no handler), the legacy API's and
// OneNET Studio's alike.
import type { Clock } from '../../adapters/clock/clock.ts';
import type { DeviceAccess } from '../../modules/device-access/device-access.ts';
import type { DownloadOptions } from '../../transports/http/send-firmware.ts';
import { createOneNetAuthenticator, type OneNetAuthenticator } from './authenticate.ts';

export interface OneNetContext {
  access: DeviceAccess;
  authenticate: OneNetAuthenticator;
  download: DownloadOptions;
}

export type Query = Record<string, string | undefined>;

export interface OneNetOptions {
  access: DeviceAccess;
  clock: Clock;
  download: DownloadOptions;
  /** How long a verified Authorization header is remembered (ms). */
  authCacheMs?: number;
}

export function createOneNetContext(options: OneNetOptions): OneNetContext {
  return {
    access: options.access,
    authenticate: createOneNetAuthenticator({
      access: options.access,
      clock: options.clock,
      ...(options.authCacheMs !== undefined && { cacheMs: options.authCacheMs }),
    }),
    download: options.download,
  };
}
