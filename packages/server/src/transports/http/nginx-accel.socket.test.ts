// UPDRAFT_DOWNLOAD_ACCEL=nginx behind Debian's nginx: Updraft checks the token and answers with
// X-Accel-Redirect; nginx sends the bytes (whole file and RFC ranges). OneNET's unit-less ranges,
// ranges nginx would read otherwise than the path's rules, and CRC-16 requests are still served
// by Updraft.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { nginxBinary, nginxConfig, type RunningNginx, startNginx } from '../../test-support/nginx-harness.ts';
import { skipReason } from '../../test-support/test-database.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const skip = (await skipReason()) ?? (existsSync(nginxBinary) ? false : 'skipped: no nginx');

describe('the nginx set-up of docs/nginx.md and of the test harness', () => {
  it('sends files with sendfile and keep-alive, tcp_nopush off (on holds every answer ~40 ms), and closes idle upstream connections before Updraft does', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../../../../docs/nginx.md'), 'utf8');
    const block = doc.slice(doc.indexOf('```nginx'), doc.indexOf('```', doc.indexOf('```nginx') + 3));
    const harness = nginxConfig(8080, '/tmp/nginx', { firmwareDir: '/var/lib/updraft/firmware' });
    for (const [name, config] of [
      ['docs/nginx.md', block],
      ['nginx-harness.ts', harness],
    ] as const) {
      for (const directive of [
        'sendfile on;',
        'tcp_nopush off;',
        'tcp_nodelay on;',
        'keepalive_requests 100000;',
      ]) {
        assert.ok(config.includes(directive), `${name} lacks ${directive}`);
      }
      assert.doesNotMatch(config, /tcp_nopush\s+on/, name);
      // Below Updraft's keep-alive timeout (10 s): nginx closes an idle upstream connection first.
      assert.match(
        config,
        /upstream updraft \{[^}]*keepalive_timeout 5s;/,
        `${name}: upstream keepalive_timeout`,
      );
    }
  });
});

describe('downloads through nginx with X-Accel-Redirect', { skip }, () => {
  let f: DeviceFleet;
  let nginx: RunningNginx;
  let token: string;
  before(async () => {
    f = await createDeviceFleet({ count: 1, settings: { downloadAccel: 'nginx' } });
    nginx = await startNginx({
      upstream: f.base.replace('http://', ''),
      firmwareDir: f.t.app.config.firmwareDir,
    });
    const d = f.devices[0]!;
    const res = await fetch(
      `${nginx.url}/ota/south/check?dev_id=${d.id}&manuf=100&model=10001&type=1&version=1.0&cdn=true`,
      {
        headers: { authorization: f.auth(d) },
      },
    );
    const body = (await res.json()) as { errno: number; data: { token: string } };
    assert.equal(body.errno, 0);
    token = body.data.token;
  });
  after(async () => {
    await nginx?.stop();
    await f?.close();
  });

  it('hands the file to nginx: Updraft answers with X-Accel-Redirect and no body', async () => {
    const direct = await fetch(`${f.base}/ota/south/download/${token}`);
    const key = sha256(f.firmware);
    assert.equal(direct.headers.get('x-accel-redirect'), `/_updraft_firmware/${key.slice(0, 2)}/${key}`);
    assert.equal((await direct.arrayBuffer()).byteLength, 0);
  });

  it('serves the whole file and RFC 7233 ranges through nginx', async () => {
    const whole = await fetch(`${nginx.url}/ota/south/download/${token}`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('x-accel-redirect'), null);
    assert.match(whole.headers.get('content-disposition') ?? '', /app\.bin/);
    assert.equal(sha256(Buffer.from(await whole.arrayBuffer())), sha256(f.firmware));
    const part = await fetch(`${nginx.url}/device/v1/download/${token}`, {
      headers: { range: 'bytes=1000-1999' },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${f.firmware.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), f.firmware.subarray(1000, 2000));
    const beyond = await fetch(`${nginx.url}/device/v1/download/${token}`, {
      headers: { range: `bytes=${f.firmware.length}-` },
    });
    assert.equal(beyond.status, 416);
    await beyond.arrayBuffer();
  });

  it('still serves OneNET ranges and CRC-16 requests itself, and refuses bad tokens', async () => {
    const onenet = await fetch(`${nginx.url}/ota/south/download/${token}`, { headers: { range: '10-19' } });
    assert.equal(onenet.status, 206);
    assert.deepEqual(Buffer.from(await onenet.arrayBuffer()), f.firmware.subarray(10, 20));
    const crc = await fetch(`${nginx.url}/ota/south/download/${token}`, {
      headers: { range: 'bytes=0-99', 'crc16-method': 'CCITT' },
    });
    assert.equal(crc.status, 206);
    assert.match(crc.headers.get('x-crc16') ?? '', /^[0-9a-f]{4}$/);
    await crc.arrayBuffer();
    const bad = await fetch(`${nginx.url}/ota/south/download/ota_notatokennotatokennot`);
    assert.equal(await bad.text(), '3');
    const internal = await fetch(
      `${nginx.url}/_updraft_firmware/${sha256(f.firmware).slice(0, 2)}/${sha256(f.firmware)}`,
    );
    assert.equal(internal.status, 404, 'the internal location is not reachable from outside');
    await internal.arrayBuffer();
  });

  it('keeps the sha256 as ETag and X-Content-Sha256 behind nginx, and If-Range with it', async () => {
    const key = sha256(f.firmware);
    const whole = await fetch(`${nginx.url}/device/v1/download/${token}`);
    assert.equal(whole.headers.get('x-content-sha256'), key);
    assert.equal(whole.headers.get('etag'), `"${key}"`);
    await whole.arrayBuffer();
    const fresh = await fetch(`${nginx.url}/device/v1/download/${token}`, {
      headers: { range: 'bytes=0-9', 'if-range': `"${key}"` },
    });
    assert.equal(fresh.status, 206);
    assert.deepEqual(Buffer.from(await fresh.arrayBuffer()), f.firmware.subarray(0, 10));
    const stale = await fetch(`${nginx.url}/device/v1/download/${token}`, {
      headers: { range: 'bytes=0-9', 'if-range': '"old"' },
    });
    assert.equal(stale.status, 200);
    assert.equal((await stale.arrayBuffer()).byteLength, f.firmware.length);
  });

  it('answers OneNET paths by OneNET rules behind nginx, and RFC 7233 paths by RFC 7233', async () => {
    const size = f.firmware.length;
    const get = async (path: string, range: string) => {
      const res = await fetch(`${nginx.url}${path}/${token}`, { headers: { range } });
      const body = Buffer.from(await res.arrayBuffer());
      return { status: res.status, range: res.headers.get('content-range'), body };
    };
    // protocols.md §2.4 (3): a start past the end starts at 0; start > end starts at 0.
    const past = await get('/ota/south/download', `bytes=${size + 10}-`);
    assert.deepEqual([past.status, past.range], [206, `bytes 0-${size - 1}/${size}`]);
    assert.equal(sha256(past.body), sha256(f.firmware));
    const backwards = await get('/ota/download', 'bytes=500-20');
    assert.deepEqual([backwards.status, backwards.range], [206, `bytes 0-20/${size}`]);
    assert.deepEqual(backwards.body, f.firmware.subarray(0, 21));
    // A suffix longer than the file is the whole file (200), as are bytes=-0 and several ranges.
    for (const range of [`bytes=-${size + 1}`, 'bytes=-0', 'bytes=0-1,5-6']) {
      const whole = await get('/ota/south/download', range);
      assert.equal(whole.status, 200, range);
      assert.equal(whole.body.length, size, range);
    }
    // Ranges both rule sets read alike still go to nginx; the others Updraft serves itself.
    const direct = await fetch(`${f.base}/ota/south/download/${token}`, {
      headers: { range: 'bytes=10-19' },
    });
    assert.ok(direct.headers.get('x-accel-redirect'));
    await direct.arrayBuffer();
    const past416 = await fetch(`${f.base}/ota/south/download/${token}`, {
      headers: { range: `bytes=${size}-` },
    });
    assert.equal(past416.headers.get('x-accel-redirect'), null);
    await past416.arrayBuffer();
    // RFC 7233 §2.1: an invalid range (last < first) is ignored, where nginx would answer 416.
    const invalid = await get('/device/v1/download', 'bytes=500-20');
    assert.equal(invalid.status, 200);
    assert.equal(invalid.body.length, size);
    const beyond = await get('/device/v1/download', `bytes=${size}-`);
    assert.equal(beyond.status, 416);
  });
});
