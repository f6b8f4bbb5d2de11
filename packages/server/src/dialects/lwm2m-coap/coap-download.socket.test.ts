// Updraft's CoAP firmware download fetched by libcoap's coap-client-notls (Debian's
// libcoap3-bin), a CoAP implementation that is not Updraft's library: RFC 7959 Block2 at the
// block size the client asks for, from the first block or from a later one, and the token checks.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const run = promisify(execFile);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const hasClient = await run('coap-client-notls', ['-h']).then(
  () => true,
  (error: NodeJS.ErrnoException & { stdout?: string }) => error.code !== 'ENOENT',
);

describe('the CoAP download with coap-client-notls', {
  skip: (await skipReason()) ?? (!hasClient && 'coap-client-notls is not installed (libcoap3-bin)'),
}, () => {
  let f: DeviceFleet;
  let base: string;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'updraft-coap-'));
  before(async () => {
    f = await createDeviceFleet({
      count: 1,
      firmwareBytes: 40_000,
      settings: { coapPort: 0, coapHost: '127.0.0.1' },
    });
    base = `coap://127.0.0.1:${(await f.t.app.startCoap()).port}`;
    const access = f.t.app.services.deviceAccess;
    const device = (await access.deviceById(f.devices[0]!.id))!;
    const checked = await access.check(device, { module: 'default', version: '1.0' });
    assert.equal(checked.kind, 'offer');
    token = checked.kind === 'offer' ? checked.offer.token : '';
  });
  after(async () => {
    await f?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const size of [256, 1024]) {
    it(`downloads the package block-wise in blocks of ${size} bytes`, async () => {
      const out = join(dir, `fw-${size}.bin`);
      await run('coap-client-notls', [
        '-m',
        'get',
        '-b',
        String(size),
        '-B',
        '60',
        '-o',
        out,
        `${base}/fw/${token}`,
      ]);
      assert.equal(sha256(readFileSync(out)), sha256(f.firmware));
    });
  }

  it('starts at a later block when asked (a client resuming)', async () => {
    const out = join(dir, 'fw-resumed.bin');
    // `-b 10,1024` asks for block 10 of 1024 bytes: the bytes from 10,240.
    await run('coap-client-notls', [
      '-m',
      'get',
      '-b',
      '10,1024',
      '-B',
      '60',
      '-o',
      out,
      `${base}/fw/${token}`,
    ]);
    assert.equal(sha256(readFileSync(out)), sha256(f.firmware.subarray(10 * 1024, 11 * 1024)));
  });

  it('answers 4.04 for a token never issued', async () => {
    const { stdout, stderr } = await run('coap-client-notls', [
      '-m',
      'get',
      '-B',
      '10',
      `${base}/fw/ota_nothing`,
    ]).catch((error: { stdout: string; stderr: string }) => error);
    assert.match(`${stdout}${stderr}`, /4\.04/);
  });
});
