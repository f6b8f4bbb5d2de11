// The OneNET Studio HTTP dialect passes the device-dialect contract: a device that checks under
// /fuse-ota with a 2022-05-01 token, downloads by tid (with Ota-Errno), and reports steps and
// result codes on its task's status.
import { createOneNetToken, oneNetStudioTokenVersion } from '@updraft/protocol';
import {
  type DeviceStep,
  type DialectDriver,
  describeDeviceDialect,
  type SeenOffer,
} from '../../test-support/contracts/device-dialect.contract.ts';
import { skipReason } from '../../test-support/test-database.ts';

interface StudioAnswer {
  code: number;
  msg: string;
  data?: Record<string, unknown>;
  request_id: string;
}

const driver: DialectDriver = {
  name: 'onenet-studio-http',
  settings: () => ({}),
  async start() {},
  async device(f, d) {
    const path = `/fuse-ota/${d.res.split('/')[1]}/${d.name}`;
    const authorization = () =>
      createOneNetToken(
        d.secret,
        d.res,
        Math.floor(f.t.clock.now() / 1000) + 3600,
        'sha1',
        oneNetStudioTokenVersion,
      );
    let tid = 0;
    const call = async (method: string, to: string, body?: unknown): Promise<StudioAnswer> => {
      const res = await fetch(`${f.base}${path}${to}`, {
        method,
        headers: { authorization: authorization(), 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return (await res.json()) as StudioAnswer;
    };
    const check = async (): Promise<SeenOffer> => {
      const answer = await call('GET', '/check?type=1&version=1.0');
      if (answer.code !== 0) throw new Error(`check: code ${answer.code} ${answer.msg}`);
      const data = answer.data!;
      tid = Number(data['tid']);
      const url = `${f.base}${path}/${tid}/download`;
      return {
        version: String(data['target']),
        size: Number(data['size']),
        url,
        files: (data['files'] as Record<string, unknown>[]).map((file) => ({
          index: Number(file['index']),
          name: String(file['name']),
          size: Number(file['size']),
          url: `${url}?file=${Number(file['index'])}`,
        })),
        grant: String(data['token']),
      };
    };
    // Studio has no token check: the first step starts the task.
    const step = (s: DeviceStep) => {
      const code = s === 'accept' ? 0 : s === 'success' ? 201 : s === 'download_failed' ? 107 : s.progress;
      return call('POST', `/${tid}/status`, { step: code });
    };
    return {
      offer: check,
      async send(s) {
        const answer = await step(s);
        if (answer.code !== 0) throw new Error(`${JSON.stringify(s)}: code ${answer.code} ${answer.msg}`);
      },
      async refused(s) {
        const answer = await step(s);
        if (answer.code === 0) throw new Error(`${JSON.stringify(s)} was taken`);
        return `code ${answer.code}: ${answer.msg}`;
      },
      async download(offer) {
        const res = await fetch(offer.url, { headers: { authorization: authorization() } });
        const body = Buffer.from(await res.arrayBuffer());
        // Studio says a download error in Ota-Errno (0 with the bytes), whatever the HTTP status.
        return res.headers.get('ota-errno') === '0' ? body : 'refused';
      },
      // Over HTTP a restart is a new check: the task under way is answered again.
      reconnect: check,
      async close() {},
    };
  },
};

describeDeviceDialect(driver, (await skipReason()) ?? false);
