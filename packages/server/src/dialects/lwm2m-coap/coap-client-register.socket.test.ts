// A signed Register from a CoAP implementation that is not Updraft's library: libcoap's
// coap-client-notls (Debian's libcoap3-bin) POSTs /rd with Updraft's `ts` and `sig` and the
// objects in link format (Content-Format 40), as an LwM2M client written from the specification
// does (docs/lwm2m.md, "Authentication"). A good signature puts the device online; a wrong one is
// 4.03 and leaves it offline.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { lwm2mRegistrationSignature } from '@updraft/protocol';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const run = promisify(execFile);
const hasClient = await run('coap-client-notls', ['-h']).then(
  () => true,
  (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
);

describe('a signed LwM2M Register from coap-client-notls', {
  skip: (await skipReason()) ?? (!hasClient && 'coap-client-notls is not installed (libcoap3-bin)'),
}, () => {
  let f: DeviceFleet;
  let base: string;
  before(async () => {
    f = await createDeviceFleet({ count: 2, settings: { coapPort: 0, coapHost: '127.0.0.1' } });
    base = `coap://127.0.0.1:${(await f.t.app.startCoap()).port}`;
  });
  after(async () => {
    await f?.close();
  });
  const online = async (d: TestDevice) =>
    (await f.t.admin.get(`/api/v1/devices/${d.id}`)).json().online as boolean;

  /** coap-client's POST /rd; its output (a 4.xx is printed, a 2.01 prints nothing). */
  async function register(d: TestDevice, sign: (endpoint: string, ts: number) => string) {
    const endpoint = `${f.productKey}.${d.name}`;
    const ts = Math.floor(f.t.clock.now() / 1000);
    // coap-client 4.3 splits a URI's query in a 100-byte buffer and silently drops what does not
    // fit (the signature did not): `ts` and `sig` go as Uri-Query options (15) of their own.
    const { stdout, stderr } = await run('coap-client-notls', [
      ...['-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>,</5/0>', '-B', '10'],
      ...['-O', `15,ts=${ts}`, '-O', `15,sig=${sign(endpoint, ts)}`],
      `${base}/rd?ep=${endpoint}&lt=60&lwm2m=1.1&b=U`,
    ]).catch((error: { stdout: string; stderr: string }) => error);
    return `${stdout}${stderr}`;
  }

  it('takes a Register signed with the device secret: the device is online', async () => {
    const d = f.devices[0]!;
    const output = await register(d, (endpoint, ts) => lwm2mRegistrationSignature(d.secret, endpoint, ts));
    assert.doesNotMatch(output, /4\.\d\d/);
    assert.equal(await online(d), true);
  });

  it('answers 4.03 to a Register signed with another secret, and the device stays offline', async () => {
    const d = f.devices[1]!;
    const output = await register(d, (endpoint, ts) =>
      lwm2mRegistrationSignature('not-the-secret', endpoint, ts),
    );
    assert.match(output, /4\.03/);
    assert.equal(await online(d), false);
  });
});
