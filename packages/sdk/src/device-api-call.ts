// One signed call to the device HTTP API (docs/device-http.md): the OneNET Authorization token
// made from the device secret, JSON in and the `{errno, error, data}` envelope out.
import { createOneNetToken } from '@updraft/protocol';
import { SdkError } from './errors.ts';
import type { Credentials, Subject } from './link.ts';

export interface Envelope {
  errno: number;
  error: string;
  data?: Record<string, unknown>;
}

export type DeviceApiCall = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<Envelope>;

export function createDeviceApiCall(
  base: string,
  credentials: Credentials,
  doFetch: typeof fetch = fetch,
): DeviceApiCall {
  const res = `products/${credentials.productKey}/devices/${credentials.name}`;
  const authorization = () =>
    createOneNetToken(credentials.secret, res, Math.floor(Date.now() / 1000) + 3600, 'sha256');
  return async (method, path, body) => {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: { authorization: authorization(), 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new SdkError(
        'NETWORK',
        `cannot reach ${base}: ${(error as Error).message}`,
        {},
        { cause: error },
      );
    }
    if (response.status >= 500) throw new SdkError('SERVER_ERROR', `${path} answered ${response.status}`);
    const envelope = (await response.json()) as Envelope;
    if (envelope.errno === 1) throw new SdkError('AUTH_FAILED', envelope.error, { errno: 1 });
    return envelope;
  };
}

/** `dev_id=…&` naming a sub-device, or nothing for the caller itself. */
export const devParam = (subject: Subject) =>
  subject.deviceId !== undefined ? `dev_id=${subject.deviceId}&` : '';
