// The device HTTP API over a real socket: OneNET's check, token check, download and reports in
// both path dialects (protocols.md §2), breakpoint resume and the refusals with their errno.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { crc16, createOneNetToken } from '@updraft/protocol';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

const skip = (await skipReason()) ?? false;

describe('device HTTP API (OneNET southbound)', { skip }, () => {
  let f: DeviceFleet;
  before(async () => {
    f = await createDeviceFleet({ count: 10 });
  });
  after(() => f.close());

  async function call(
    method: string,
    path: string,
    device: TestDevice | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(`${f.base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(device && { authorization: f.auth(device) }),
        ...headers,
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { errno: number; error: string; data?: Record<string, unknown> };
  }
  const checkPath = (d: TestDevice, prefix = '/ota/south', extra = '') =>
    `${prefix}/check?dev_id=${d.id}&manuf=100&model=10001&type=1&version=1.0&cdn=false${extra}`;
  async function offer(d: TestDevice, prefix = '/ota/south') {
    const answer = await call('GET', checkPath(d, prefix), d);
    assert.equal(answer.errno, 0, answer.error);
    return answer.data as { token: string; size: number; md5: string; sha256: string; target: string };
  }
  async function statusOf(d: TestDevice) {
    const page = await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 10 });
    return page.items[0]!.state;
  }

  it('answers a check with the target, size, md5, sha256, token, thresholds and retry policy', async () => {
    const d = f.devices[0]!;
    const answer = await call('GET', checkPath(d), d);
    assert.equal(answer.errno, 0, answer.error);
    assert.equal(answer.error, 'succ');
    const data = answer.data!;
    assert.equal(data['target'], '2.0');
    assert.equal(data['size'], f.firmware.length);
    assert.equal(data['md5'], md5(f.firmware));
    assert.equal(data['sha256'], sha256(f.firmware));
    assert.match(String(data['token']), /^ota_[A-Za-z0-9_-]+$/);
    assert.equal(data['type'], 1);
    assert.equal(typeof data['signal'], 'number');
    assert.equal(typeof data['power'], 'number');
    assert.equal(data['retry'], 0);
    assert.equal(typeof data['interval'], 'number');
    assert.match(String(data['ipPort']), /^127\.0\.0\.1:\d+$/);
    // D1 path answers the same way.
    const d1 = await call('GET', checkPath(d, '/ota'), d);
    assert.equal(d1.errno, 0);
  });

  it('accepts md5, sha1 and sha256 signatures', async () => {
    const d = f.devices[0]!;
    for (const method of ['md5', 'sha1', 'sha256'] as const) {
      const res = await fetch(`${f.base}${checkPath(d)}`, { headers: { authorization: f.auth(d, method) } });
      assert.equal(((await res.json()) as { errno: number }).errno, 0, method);
    }
  });

  it('runs a whole upgrade: token check, ranged download, progress, 101 and 201 (D2)', async () => {
    const d = f.devices[1]!;
    const { token } = await offer(d);
    assert.equal((await call('GET', `/ota/south/download/${token}/check?dev_id=${d.id}`, d)).errno, 0);
    assert.equal((await statusOf(d)).status, 'upgrading');
    assert.equal((await statusOf(d)).stage, 'downloading');
    const chunks: Buffer[] = [];
    for (let start = 0; start < f.firmware.length; start += 65536) {
      const end = Math.min(f.firmware.length, start + 65536) - 1;
      const res = await fetch(`${f.base}/ota/south/download/${token}`, {
        headers: { range: `${start}-${end}` },
      });
      assert.equal(res.status, 206);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${f.firmware.length}`);
      chunks.push(Buffer.from(await res.arrayBuffer()));
      const step = Math.floor(((end + 1) * 100) / f.firmware.length);
      const p = await call('POST', `/ota/south/device/download/${token}/progress?dev_id=${d.id}`, d, {
        step,
      });
      assert.equal(p.errno, 0, p.error);
    }
    assert.equal(sha256(Buffer.concat(chunks)), sha256(f.firmware));
    const path = `/ota/south/device/download/${token}/progress?dev_id=${d.id}`;
    assert.equal((await call('POST', path, d, { step: 101 })).errno, 0);
    assert.equal((await call('POST', path, d, { step: 201 })).errno, 0);
    assert.equal((await statusOf(d)).status, 'success');
    // Repeated reports are idempotent; a different result after the end is refused.
    assert.equal((await call('POST', path, d, { step: 201 })).errno, 0);
    assert.equal((await call('POST', path, d, { step: 205 })).errno, 20);
    // The device now has the target: nothing more to offer.
    const again = await call(
      'GET',
      `/ota/south/check?dev_id=${d.id}&manuf=100&model=10001&type=1&version=2.0&cdn=true`,
      d,
    );
    assert.equal(again.errno, 11);
  });

  it('takes the two-call status report on the D1 paths and maps failure codes', async () => {
    const d = f.devices[2]!;
    const { token } = await offer(d, '/ota');
    assert.equal((await call('GET', `/ota/download/${token}/check?dev_id=${d.id}`, d)).errno, 0);
    const report = `/ota/report?dev_id=${d.id}&token=${token}`;
    assert.equal((await call('POST', report, d, { result: 5 })).errno, 24);
    assert.equal((await call('POST', report, d, { result: 999 })).errno, 24);
    assert.equal((await call('POST', report, d, { result: 101 })).errno, 0);
    assert.equal((await call('POST', report, d, { result: 205 })).errno, 0);
    const state = await statusOf(d);
    assert.equal(state.status, 'failure');
    assert.equal(state.lastFailureReason, 'check_failed');
    assert.equal((await call('POST', report, d, { result: 205 })).errno, 0, 'idempotent');
    assert.equal((await call('POST', report, d, { result: 201 })).errno, 20);
  });

  it('serves RFC 7233 ranges with ETag, If-Range, 416 and an optional CRC-16', async () => {
    const d = f.devices[3]!;
    const { token } = await offer(d);
    const url = `${f.base}/device/v1/download/${token}`;
    const whole = await fetch(url);
    assert.equal(whole.status, 200);
    const etag = whole.headers.get('etag')!;
    assert.equal(etag, `"${sha256(f.firmware)}"`);
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(sha256(Buffer.from(await whole.arrayBuffer())), sha256(f.firmware));

    const part = await fetch(url, { headers: { range: 'bytes=100-199', 'crc16-method': 'CCITT' } });
    assert.equal(part.status, 206);
    const body = Buffer.from(await part.arrayBuffer());
    assert.deepEqual(body, f.firmware.subarray(100, 200));
    assert.equal(part.headers.get('x-crc16'), crc16('ccitt', body));
    const ibm = await fetch(url, { headers: { range: 'bytes=-10', 'crc16-method': 'other' } });
    assert.equal(ibm.headers.get('x-crc16'), crc16('ibm', f.firmware.subarray(-10)));

    const stale = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"old"' } });
    assert.equal(stale.status, 200);
    assert.equal(Number(stale.headers.get('content-length')), f.firmware.length);
    await stale.arrayBuffer();
    const fresh = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': etag } });
    assert.equal(fresh.status, 206);
    await fresh.arrayBuffer();

    const beyond = await fetch(url, { headers: { range: `bytes=${f.firmware.length}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${f.firmware.length}`);
    await beyond.arrayBuffer();

    // OneNET's rules on /ota/…: no unit, out-of-range starts fall back to 0, ends are clamped.
    const onenet = await fetch(`${f.base}/ota/south/download/${token}`, {
      headers: { range: `50-${f.firmware.length + 100}` },
    });
    assert.equal(onenet.status, 206);
    assert.equal(
      onenet.headers.get('content-range'),
      `bytes 50-${f.firmware.length - 1}/${f.firmware.length}`,
    );
    await onenet.arrayBuffer();
  });

  it('resumes a download cut at random points until the sha256 matches', async () => {
    const d = f.devices[3]!;
    const { token } = await offer(d);
    const received: Buffer[] = [];
    let have = 0;
    let cuts = 0;
    while (have < f.firmware.length) {
      const cutAfter = 1 + Math.floor(Math.random() * 80_000);
      const got = await new Promise<Buffer>((resolve, reject) => {
        const req = httpRequest(`${f.base}/ota/south/download/${token}`, {
          headers: have > 0 ? { range: `bytes=${have}-` } : {},
        });
        req.on('response', (res) => {
          assert.equal(res.statusCode, have > 0 ? 206 : 200);
          const parts: Buffer[] = [];
          let n = 0;
          res.on('data', (chunk: Buffer) => {
            const room = cutAfter - n;
            parts.push(chunk.subarray(0, Math.max(0, room)));
            n += chunk.length;
            if (n >= cutAfter) {
              cuts++;
              req.destroy();
              resolve(Buffer.concat(parts));
            }
          });
          res.on('end', () => resolve(Buffer.concat(parts)));
          res.on('error', () => resolve(Buffer.concat(parts)));
        });
        req.on('error', (error) => (n0(error) ? resolve(Buffer.alloc(0)) : reject(error)));
        req.end();
      });
      received.push(got);
      have += got.length;
    }
    assert.ok(cuts >= 1);
    assert.equal(sha256(Buffer.concat(received)), sha256(f.firmware));
  });

  it('lets curl -C - finish a partial file', async () => {
    const d = f.devices[3]!;
    const { token } = await offer(d);
    const file = join(f.t.dataDir, 'partial.bin');
    writeFileSync(file, f.firmware.subarray(0, 123_457));
    await promisify(execFile)('curl', [
      '-sS',
      '-f',
      '-C',
      '-',
      '-o',
      file,
      `${f.base}/ota/south/download/${token}`,
    ]);
    assert.equal(sha256(readFileSync(file)), sha256(f.firmware));
  });

  it('refuses bad, expired, forged and foreign credentials with errno 1 and changes nothing', async () => {
    const d = f.devices[4]!;
    const path = checkPath(d);
    const now = Math.floor(f.t.clock.now() / 1000);
    const cases: Record<string, string | undefined> = {
      missing: undefined,
      malformed: 'not a token',
      expired: createOneNetToken(d.secret, d.res, now - 1),
      forged: createOneNetToken(f.devices[0]!.secret, d.res, now + 60),
      'unknown device': createOneNetToken(d.secret, `products/${f.productKey}/devices/nobody`, now + 60),
      'product resource': createOneNetToken(d.secret, `products/${f.productKey}`, now + 60),
    };
    const texts: Record<string, string> = {};
    for (const [name, authorization] of Object.entries(cases)) {
      const res = await fetch(`${f.base}${path}`, { headers: authorization ? { authorization } : {} });
      const body = (await res.json()) as { errno: number; error: string };
      assert.equal(body.errno, 1, name);
      texts[name] = body.error;
    }
    // The answer does not tell an unknown device from a wrong signature (no listing of names).
    assert.equal(texts['unknown device'], texts['forged']);
    assert.equal((await statusOf(d)).status, 'pushed', 'nothing changed');
    // A device asking for another device (not its sub-device).
    assert.equal((await call('GET', checkPath(f.devices[5]!), d)).errno, 1);
  });

  it('binds tokens to one device: mismatch is errno 4 (D2) or 23 (D1), unknown 12 or 18, stale 15', async () => {
    const d = f.devices[4]!;
    const other = f.devices[5]!;
    const first = await offer(d, '/ota');
    assert.equal((await offer(d, '/ota')).token, first.token, 'a check answers the current token again');
    const otherToken = (await offer(other)).token;
    assert.equal((await call('GET', `/ota/south/download/${otherToken}/check?dev_id=${d.id}`, d)).errno, 4);
    assert.equal((await call('GET', `/ota/download/${otherToken}/check?dev_id=${d.id}`, d)).errno, 23);
    assert.equal((await call('GET', `/ota/south/download/ota_unknownunknownunknown/check`, d)).errno, 12);
    assert.equal((await call('GET', `/ota/download/ota_unknownunknownunknown/check`, d)).errno, 18);
    // With less than half its lifetime left a check issues a new token, and the old one is stale.
    f.t.clock.advance(25 * 3600_000);
    const second = await offer(d, '/ota');
    assert.notEqual(second.token, first.token);
    assert.equal((await call('GET', `/ota/download/${first.token}/check`, d)).errno, 15);
    assert.equal((await call('GET', `/ota/south/download/${first.token}/check`, d)).errno, 12);
    assert.equal((await statusOf(d)).status, 'pushed', 'nothing changed');
    const stale = await fetch(`${f.base}/ota/south/download/${first.token}`);
    assert.equal(stale.headers.get('content-length'), null);
    assert.equal(await stale.text(), '3');
    const neutral = await fetch(`${f.base}/device/v1/download/${first.token}`);
    assert.equal(neutral.status, 410);
    await neutral.arrayBuffer();
    assert.equal((await call('GET', `/ota/download/${second.token}/check`, d)).errno, 0);
  });

  it('lets a gateway act for its own sub-devices only', async () => {
    const { gateway, sub } = f;
    const answer = await call('GET', checkPath(sub), gateway);
    assert.equal(answer.errno, 0, answer.error);
    const token = String(answer.data!['token']);
    assert.equal(
      (await call('GET', `/ota/south/download/${token}/check?dev_id=${sub.id}`, gateway)).errno,
      0,
    );
    // Not the gateway's: a device of another product, and the gateway's sub-device asking for the gateway.
    assert.equal((await call('GET', checkPath(f.devices[0]!), gateway)).errno, 1);
    assert.equal(
      (await call('GET', `/ota/south/download/${token}/check?dev_id=${f.devices[0]!.id}`, gateway)).errno,
      4,
    );
    assert.equal((await call('GET', checkPath(gateway), sub)).errno, 1);
  });

  it("takes the product-level key once the product turns it on, for that product's devices only", async () => {
    const d = f.devices[6]!;
    const { productId } = f;
    const byKey = `products/${f.productKey}`;
    const et = Math.floor(f.t.clock.now() / 1000) + 3600;
    const check = async (authorization: string, path = checkPath(d)) => {
      const res = await fetch(`${f.base}${path}`, {
        headers: { 'content-type': 'application/json', authorization },
      });
      return ((await res.json()) as { errno: number }).errno;
    };
    // Off by default: a product-signed header is refused whatever key it was signed with.
    assert.equal(await check(createOneNetToken(d.secret, byKey, et, 'sha1')), 1);

    const on = await f.t.admin.post(`/api/v1/products/${productId}/access-key`, {});
    assert.equal(on.statusCode, 201, on.body);
    const { accessKey, product } = on.json() as { accessKey: string; product: { productKeyAuth: boolean } };
    assert.equal(product.productKeyAuth, true);
    assert.equal((await f.t.admin.get(`/api/v1/products/${productId}`)).json().accessKey, undefined);
    assert.equal(await check(createOneNetToken(accessKey, byKey, et, 'sha1')), 0);
    assert.equal(await check(createOneNetToken(accessKey, `products/${productId}`, et, 'md5')), 0);
    // The device must be named, belong to the product, and the signature must be the key's.
    const productAuth = createOneNetToken(accessKey, byKey, et + 1, 'sha256');
    assert.equal(
      await check(productAuth, '/ota/south/check?manuf=100&model=10001&type=1&version=1.0&cdn=false'),
      2,
    );
    assert.equal(await check(productAuth, checkPath(f.sub)), 1);
    assert.equal(await check(createOneNetToken(d.secret, byKey, et + 2, 'sha256')), 1);
    // A viewer cannot read or turn it on.
    assert.equal(
      (await (await f.t.as('viewer')).post(`/api/v1/products/${productId}/access-key`, {})).statusCode,
      403,
    );

    // Replaced: the old key stops working; removed: product signatures are refused again.
    const rotated = (await f.t.admin.post(`/api/v1/products/${productId}/access-key`, {})).json().accessKey;
    assert.notEqual(rotated, accessKey);
    assert.equal(await check(createOneNetToken(accessKey, byKey, et + 3, 'sha1')), 1);
    assert.equal(await check(createOneNetToken(rotated, byKey, et + 3, 'sha1')), 0);
    const off = await f.t.admin.delete(`/api/v1/products/${productId}/access-key`);
    assert.equal(off.json().productKeyAuth, false);
    assert.equal(await check(createOneNetToken(rotated, byKey, et + 4, 'sha1')), 1);
  });

  it('offers the stored delta to devices on its source version and the full package to the others', async () => {
    const [onSource, elsewhere] = [f.devices[7]!, f.devices[8]!];
    const { productId } = f;
    const patch = Buffer.from('a delta from 1.0 to 2.0, in whatever format the device decodes');
    const boundary = 'delta-offer';
    const field = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const upload = await f.t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${productId}/firmware`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat([
        Buffer.from(field('version', '2.0') + field('type', 'delta') + field('sourceVersion', '1.0')),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="1.0-2.0.bin"\r\n\r\n`,
        ),
        patch,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
    assert.equal(upload.statusCode, 201, upload.body);
    // Earlier checks on 1.0 found no delta; that answer is remembered for 30 s.
    f.t.clock.advance(31_000);

    const delta = await offer(onSource);
    assert.equal((delta as unknown as { type: number }).type, 2);
    assert.equal(delta.size, patch.length);
    assert.equal(delta.md5, md5(patch));
    const body = Buffer.from(
      await (await fetch(`${f.base}/ota/south/download/${delta.token}`)).arrayBuffer(),
    );
    assert.deepEqual(body, patch);

    const answer = await call('GET', checkPath(elsewhere).replace('version=1.0', 'version=1.5'), elsewhere);
    assert.equal(answer.errno, 0, answer.error);
    assert.equal(answer.data!['type'], 1);
    assert.equal(answer.data!['size'], f.firmware.length);
    assert.equal(answer.data!['sha256'], sha256(f.firmware));
  });

  it('answers tasking with a fresh token while downloading, and devInfo with the dev_id', async () => {
    const d = f.devices[9]!;
    const tasking = `/ota/south/tasking?dev_id=${d.id}&type=1&cdn=true`;
    // A check marks the device seen with the signal and battery it sent; odd values are left out.
    assert.equal((await f.t.admin.get(`/api/v1/devices/${d.id}`)).json().lastSeenAt, null);
    assert.equal((await call('GET', checkPath(d, '/ota/south', '&signals=-70&powers=80'), d)).errno, 0);
    const seen = (await f.t.admin.get(`/api/v1/devices/${d.id}`)).json();
    assert.equal(seen.lastSeenAt, new Date(f.t.clock.now()).toISOString());
    assert.equal(seen.signal, -70);
    assert.equal(seen.battery, 80);
    assert.equal((await call('GET', checkPath(d, '/ota/south', '&signals=20&powers=79'), d)).errno, 0);
    const again = (await f.t.admin.get(`/api/v1/devices/${d.id}`)).json();
    assert.deepEqual([again.signal, again.battery], [-70, 79]);
    // Nothing is downloading yet: errno 4.
    assert.equal((await call('GET', tasking, d)).errno, 4);
    const first = await offer(d);
    assert.equal((await call('GET', `/ota/south/download/${first.token}/check?dev_id=${d.id}`, d)).errno, 0);
    const resumed = await call('GET', tasking, d);
    assert.equal(resumed.errno, 0, resumed.error);
    assert.equal(resumed.data!['target'], '2.0');
    assert.equal(resumed.data!['size'], first.size);
    assert.equal(resumed.data!['md5'], first.md5);
    const token = String(resumed.data!['token']);
    assert.notEqual(token, first.token);
    assert.equal((await statusOf(d)).stage, 'downloading');
    const res = await fetch(`${f.base}/ota/south/download/${token}`, { headers: { range: '0-9' } });
    assert.equal(res.status, 206);
    assert.equal(Buffer.from(await res.arrayBuffer()).length, 10);
    // The first token is superseded by the new one.
    assert.equal((await call('GET', `/ota/south/download/${first.token}/check?dev_id=${d.id}`, d)).errno, 12);
    assert.equal((await call('GET', `${tasking.replace('type=1', 'type=3')}`, d)).errno, 2);

    const { productId } = f;
    const info = await call('POST', '/ota/devInfo', d, { pid: productId, authInfo: d.name });
    assert.equal(info.errno, 0, info.error);
    assert.deepEqual(info.data, { dev_id: String(d.id) });
    const byQuery = await call('GET', `/ota/devInfo?pid=${productId}&authInfo=${d.name}`, d);
    assert.deepEqual(byQuery.data, { dev_id: String(d.id) });
    // Another device of the product is not the caller's to look up; bad parameters are errno 2.
    assert.equal((await call('POST', '/ota/devInfo', d, { pid: productId, authInfo: 'm-0' })).errno, 1);
    assert.equal((await call('POST', '/ota/devInfo', d, { pid: 'x', authInfo: d.name })).errno, 2);
    assert.equal((await call('POST', '/ota/devInfo', null, { pid: productId, authInfo: d.name })).errno, 1);
  });

  it('answers malformed, huge and out-of-range input with an errno, never a 500', async () => {
    const d = f.devices[5]!;
    assert.equal(
      (
        await call(
          'GET',
          `/ota/south/check?dev_id=${d.id}&manuf=100&model=10001&type=3&version=1.0&cdn=true`,
          d,
        )
      ).errno,
      2,
    );
    assert.equal(
      (
        await call(
          'GET',
          `/ota/south/check?dev_id=${d.id}&manuf=100&model=10001&type=1&version=bad%20version&cdn=true`,
          d,
        )
      ).errno,
      27,
    );
    assert.equal(
      (
        await call(
          'GET',
          `/ota/south/check?dev_id=${d.id}&manuf=100&model=10001&type=1&version=1.0&cdn=true&signals=x`,
          d,
        )
      ).errno,
      2,
    );
    assert.equal(
      (await call('GET', `/ota/south/check?dev_id=abc&manuf=100&model=10001&type=1&version=1.0&cdn=true`, d))
        .errno,
      2,
    );
    const { token } = await offer(d);
    const progress = `/ota/south/device/download/${token}/progress?dev_id=${d.id}`;
    assert.equal((await call('POST', progress, d, '{"step": ')).errno, 2);
    assert.equal((await call('POST', progress, d, { step: 'ten' })).errno, 24);
    assert.equal((await call('POST', progress, d, { step: 150 })).errno, 24);
    assert.equal((await call('POST', progress, d, { step: -1 })).errno, 24);
    assert.equal((await call('POST', progress, d, { step: 2.5 })).errno, 24);
    const huge = await fetch(`${f.base}${progress}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: f.auth(d) },
      body: JSON.stringify({ step: 1, pad: 'x'.repeat(100_000) }),
    });
    assert.equal(huge.status, 200);
    assert.equal(((await huge.json()) as { errno: number }).errno, 2);
    assert.equal((await statusOf(d)).status, 'pushed', 'nothing changed');
  });

  it('reports versions: the target version completes the upgrade (/ota/device/version)', async () => {
    const d = f.devices[5]!;
    const answer = await call('POST', `/ota/device/version?dev_id=${d.id}`, d, { f_version: '2.0' });
    assert.equal(answer.errno, 0, answer.error);
    assert.equal((await statusOf(d)).status, 'success');
    assert.equal(
      (await call('POST', `/ota/device/version?dev_id=${d.id}`, d, { f_version: 'a b' })).errno,
      27,
    );
    const read = await call('GET', `/ota/device/version?dev_id=${d.id}`, d);
    assert.deepEqual(read, { errno: 0, error: 'succ', data: { f_version: '2.0' } });
  });

  it('expires tokens after the configured time (fake clock): errno 12, download refused', async () => {
    const d = f.devices[0]!;
    const { token } = await offer(d);
    f.t.clock.advance(47 * 3600_000);
    assert.equal((await call('GET', `/ota/south/download/${token}/check?dev_id=${d.id}`, d)).errno, 0);
    f.t.clock.advance(1 * 3600_000 + 1);
    const progress = `/ota/south/device/download/${token}/progress?dev_id=${d.id}`;
    assert.equal((await call('POST', progress, d, { step: 10 })).errno, 12);
    assert.equal((await call('GET', `/ota/south/download/${token}/check?dev_id=${d.id}`, d)).errno, 12);
    assert.equal(await (await fetch(`${f.base}/ota/south/download/${token}`)).text(), '3');
    // A week after expiry the scheduler sweeps it: D1 then says "wrong token" (18), not "expired".
    assert.equal((await call('GET', `/ota/download/${token}/check?dev_id=${d.id}`, d)).errno, 12);
    f.t.clock.advance(7 * 24 * 3600_000);
    await f.t.app.scheduler.tick();
    assert.equal((await call('GET', `/ota/download/${token}/check?dev_id=${d.id}`, d)).errno, 18);
  });
});

/** A socket we destroyed ourselves reports ECONNRESET or an abort: the cut, not a failure. */
function n0(error: Error & { code?: string }): boolean {
  return (
    error.code === 'ECONNRESET' ||
    error.message.includes('aborted') ||
    error.message.includes('socket hang up')
  );
}
