// Device downloads from an S3 store (a local S3 server): the neutral download answers with a
// 302 to a short-lived presigned S3 URL that keeps Range intact; OneNET's download path, which
// devices use that cannot follow a redirect, and CRC-16 requests stream through Updraft, with a
// read-ahead cache so that small sequential ranges do not each cost an S3 request; with
// UPDRAFT_S3_DOWNLOADS=proxy nobody is sent to S3.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { crc16 } from '@updraft/protocol';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';
import { startTestS3Server, type TestS3Server } from '../../test-support/test-s3-server.ts';

const skip = (await skipReason()) ?? false;
const sha256Of = (f: DeviceFleet) => createHash('sha256').update(f.firmware).digest('hex');

describe('device downloads from an S3 store', { skip }, () => {
  let s3: TestS3Server;
  const fleets: DeviceFleet[] = [];

  before(async () => {
    s3 = await startTestS3Server();
    // The AWS chain reads these, as in production.
    process.env['AWS_ACCESS_KEY_ID'] = s3.credentials.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = s3.credentials.secretAccessKey;
  });
  after(async () => {
    for (const f of fleets) await f.close();
    await s3?.close();
  });

  async function fleetWith(settings: Record<string, unknown>): Promise<DeviceFleet> {
    const f = await createDeviceFleet({
      count: 2,
      firmwareBytes: 3 * 1024 * 1024 + 123,
      settings: {
        firmwareStore: 's3',
        s3Endpoint: s3.endpoint,
        s3Region: s3.region,
        s3Bucket: s3.bucket,
        s3PathStyle: true,
        s3Prefix: `fleet-${fleets.length}`,
        ...settings,
      },
    });
    fleets.push(f);
    return f;
  }

  async function tokenOf(f: DeviceFleet): Promise<string> {
    const d = f.devices[0]!;
    const res = await fetch(
      `${f.base}/ota/south/check?dev_id=${d.id}&manuf=100&model=10001&type=1&version=1.0&cdn=true`,
      {
        headers: { authorization: f.auth(d) },
      },
    );
    const body = (await res.json()) as { errno: number; data: { token: string } };
    assert.equal(body.errno, 0);
    return body.data.token;
  }

  it('redirects the neutral download to a presigned S3 URL, which keeps Range and expires', async () => {
    const f = await fleetWith({ s3Downloads: 'redirect', s3UrlTtlSeconds: 120 });
    const token = await tokenOf(f);
    const url = `${f.base}/device/v1/download/${token}`;
    const redirect = await fetch(url, { redirect: 'manual', headers: { range: 'bytes=100-199' } });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get('cache-control'), 'no-store');
    const location = new URL(redirect.headers.get('location')!);
    assert.equal(location.origin, s3.endpoint);
    assert.equal(location.searchParams.get('X-Amz-Expires'), '120');
    assert.ok(location.searchParams.get('X-Amz-Signature'));
    // Followed, as the SDK's fetch does: the Range reaches S3.
    const part = await fetch(url, { headers: { range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${f.firmware.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), f.firmware.subarray(100, 200));
    const whole = await fetch(url);
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), f.firmware);
    assert.match(whole.headers.get('content-disposition') ?? '', /app\.bin/);
    // The signature covers the URL: a tampered one is refused by S3.
    location.searchParams.set('X-Amz-Expires', '604800');
    assert.equal((await fetch(location)).status, 403);
  });

  it('serves CRC-16 requests, HEAD and ranges S3 would answer otherwise itself', async () => {
    const f = fleets[0]!;
    const token = await tokenOf(f);
    const url = `${f.base}/device/v1/download/${token}`;
    const crc = await fetch(url, {
      redirect: 'manual',
      headers: { range: 'bytes=0-1023', 'crc16-method': 'MODBUS' },
    });
    assert.equal(crc.status, 206);
    const bytes = Buffer.from(await crc.arrayBuffer());
    assert.deepEqual(bytes, f.firmware.subarray(0, 1024));
    assert.equal(crc.headers.get('x-crc16'), crc16('mbus', bytes));
    // A presigned URL is signed for GET only.
    const head = await fetch(url, { method: 'HEAD', redirect: 'manual' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('x-content-sha256'), sha256Of(f));
    // RFC 7233 §2.1: an invalid range is ignored (S3 would refuse it).
    const invalid = await fetch(url, { redirect: 'manual', headers: { range: 'bytes=500-20' } });
    assert.equal(invalid.status, 200);
    assert.equal(Buffer.from(await invalid.arrayBuffer()).length, f.firmware.length);
  });

  it('streams OneNET downloads from S3, OneNET ranges and CRC-16 included, through a read-ahead cache', async () => {
    const f = await fleetWith({ s3Downloads: 'redirect', firmwareCacheBytes: 0 });
    const token = await tokenOf(f);
    const url = `${f.base}/ota/south/download/${token}`;
    const gets = () => s3.requests.filter((r) => r === 'GET get-object').length;
    const before = gets();
    // A device that downloads 4 KiB at a time from the middle of the file.
    const start = 1024 * 1024 - 8192;
    for (let at = start; at < start + 64 * 1024; at += 4096) {
      const res = await fetch(url, { redirect: 'manual', headers: { range: `${at}-${at + 4095}` } });
      assert.equal(res.status, 206, 'OneNET paths never redirect');
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), f.firmware.subarray(at, at + 4096));
    }
    // 16 ranges across two 1 MiB blocks: two reads from S3.
    assert.equal(gets() - before, 2);
    const crc = await fetch(url, { headers: { range: 'bytes=0-511', 'crc16-method': 'CCITT' } });
    const bytes = Buffer.from(await crc.arrayBuffer());
    assert.deepEqual(bytes, f.firmware.subarray(0, 512));
    assert.equal(crc.headers.get('x-crc16'), crc16('ccitt', bytes));
    const tail = await fetch(url, { headers: { range: `bytes=${f.firmware.length - 10}-` } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), f.firmware.subarray(-10));
  });

  it('streams the neutral download with UPDRAFT_S3_DOWNLOADS=proxy', async () => {
    const proxied = await fleetWith({ s3Downloads: 'proxy' });
    const token = await tokenOf(proxied);
    const res = await fetch(`${proxied.base}/device/v1/download/${token}`, {
      redirect: 'manual',
      headers: { range: 'bytes=5-9' },
    });
    assert.equal(res.status, 206);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), proxied.firmware.subarray(5, 10));
  });
});
