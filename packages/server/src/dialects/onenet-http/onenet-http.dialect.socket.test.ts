// The OneNET HTTP dialect passes the device-dialect contract: a device that checks over HTTP
// (D2 paths), takes the token, reports steps and result codes, and downloads by its token.

import {
  type DeviceStep,
  type DialectDriver,
  describeDeviceDialect,
  type SeenOffer,
} from '../../test-support/contracts/device-dialect.contract.ts';
import { skipReason } from '../../test-support/test-database.ts';

interface Envelope {
  errno: number;
  error: string;
  data?: Record<string, unknown>;
}

const driver: DialectDriver = {
  name: 'onenet-http',
  settings: () => ({}),
  async start() {},
  async device(f, d) {
    let token = '';
    const call = async (method: string, path: string, body?: unknown): Promise<Envelope> => {
      const res = await fetch(`${f.base}${path}`, {
        method,
        headers: { authorization: f.auth(d), 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return (await res.json()) as Envelope;
    };
    const check = async (): Promise<SeenOffer> => {
      const answer = await call('GET', '/ota/south/check?manuf=100&model=10001&type=1&version=1.0&cdn=true');
      if (answer.errno !== 0) throw new Error(`check: errno ${answer.errno} ${answer.error}`);
      const data = answer.data!;
      token = String(data['token']);
      const url = (t: unknown) => `${f.base}/ota/south/download/${String(t)}`;
      return {
        version: String(data['target']),
        size: Number(data['size']),
        url: url(token),
        files: (data['files'] as Record<string, unknown>[]).map((file) => ({
          index: Number(file['index']),
          name: String(file['name']),
          size: Number(file['size']),
          url: url(file['token']),
        })),
      };
    };
    const step = (s: DeviceStep) => {
      if (s === 'accept') return call('GET', `/ota/south/download/${token}/check`);
      if (s === 'success') return call('POST', `/ota/south/report?token=${token}`, { result: 201 });
      if (s === 'download_failed') return call('POST', `/ota/south/report?token=${token}`, { result: 107 });
      return call('POST', `/ota/south/device/download/${token}/progress`, { step: s.progress });
    };
    return {
      offer: check,
      async send(s) {
        const answer = await step(s);
        if (answer.errno !== 0)
          throw new Error(`${JSON.stringify(s)}: errno ${answer.errno} ${answer.error}`);
      },
      async refused(s) {
        const answer = await step(s);
        if (answer.errno === 0) throw new Error(`${JSON.stringify(s)} was taken`);
        return `errno ${answer.errno}: ${answer.error}`;
      },
      async download(offer) {
        const res = await fetch(offer.url);
        const body = Buffer.from(await res.arrayBuffer());
        // OneNET says a download error with a 200 and a one-digit body (ota-errno).
        return res.headers.get('ota-errno') !== null ? 'refused' : body;
      },
      // Over HTTP a restart is a new check: the upgrade under way is answered again.
      reconnect: check,
      async close() {},
    };
  },
};

describeDeviceDialect(driver, (await skipReason()) ?? false);
