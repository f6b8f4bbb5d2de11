// The device HTTP API's refusals over a real socket, one fleet per plan setup: each errno of
// protocols.md §2.4 that Updraft answers (docs/device-http.md), the D1 download and the D2
// two-call report, replayed Authorization headers, gateways, streamed downloads and the token TTL.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { crc16, createOneNetToken } from '@updraft/protocol';
import { sql } from 'kysely';
import { buildApp } from '../../app.ts';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../../test-support/device-fleet.ts';
import { skipReason } from '../../test-support/test-database.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const skip = (await skipReason()) ?? false;

type Envelope = { errno: number; error: string; data?: Record<string, unknown> };

/** OneNET calls of one fleet: every answer is HTTP 200 with an envelope. */
function client(f: DeviceFleet) {
  async function call(
    method: string,
    path: string,
    device: TestDevice | null,
    body?: unknown,
    authorization?: string,
  ): Promise<Envelope> {
    const auth = authorization ?? (device ? f.auth(device) : undefined);
    const res = await fetch(`${f.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth && { authorization: auth }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as Envelope;
  }
  const checkPath = (d: TestDevice, prefix = '/ota/south', extra = '') =>
    `${prefix}/check?dev_id=${d.id}&manuf=100&model=10001&type=1&version=1.0&cdn=true${extra}`;
  return {
    call,
    checkPath,
    async offer(d: TestDevice, prefix = '/ota/south', by: TestDevice = d) {
      const answer = await call('GET', checkPath(d, prefix), by);
      assert.equal(answer.errno, 0, answer.error);
      return answer.data as { token: string; size: number; expires: number };
    },
    tokenCheck: (d: TestDevice, token: string, prefix = '/ota/south', by: TestDevice = d) =>
      call('GET', `${prefix}/download/${token}/check?dev_id=${d.id}`, by),
    progress: (d: TestDevice, token: string, step: number, by: TestDevice = d) =>
      call('POST', `/ota/south/device/download/${token}/progress?dev_id=${d.id}`, by, { step }),
    report: (d: TestDevice, token: string, result: number, prefix = '/ota/south', by: TestDevice = d) =>
      call('POST', `${prefix}/report?dev_id=${d.id}&token=${token}`, by, { result }),
    async upgradeOf(d: TestDevice, planId = f.planId) {
      const page = await f.t.app.services.plans.listUpgrades(planId, { deviceId: d.id }, { limit: 10 });
      return page.items[0]!;
    },
  };
}

describe('device HTTP API refusals and paths (silent plan)', { skip }, () => {
  let f: DeviceFleet;
  let c: ReturnType<typeof client>;
  before(async () => {
    f = await createDeviceFleet({ count: 6 });
    c = client(f);
  });
  after(() => f.close());

  it('answers errno 22 to every call on a cancelled upgrade, and its download is refused', async () => {
    const d = f.devices[0]!;
    const { token } = await c.offer(d);
    const upgrade = await c.upgradeOf(d);
    await f.t.app.services.plans.actOnUpgrade(upgrade.id, 'operator_cancel', 'test');
    assert.equal((await c.tokenCheck(d, token)).errno, 22);
    assert.equal((await c.tokenCheck(d, token, '/ota')).errno, 22);
    assert.equal((await c.progress(d, token, 10)).errno, 22);
    assert.equal((await c.report(d, token, 101)).errno, 22);
    assert.equal((await c.report(d, token, 201, '/ota')).errno, 22);
    const download = await fetch(`${f.base}/ota/south/download/${token}`);
    assert.equal(await download.text(), '3');
    assert.equal((await c.upgradeOf(d)).state.status, 'cancelled', 'nothing changed');
  });

  it('answers errno 1 to a status report (5) with an unknown token, on both dialects', async () => {
    const d = f.devices[1]!;
    assert.equal((await c.report(d, 'ota_unknownunknownunknown', 101)).errno, 1);
    assert.equal((await c.report(d, 'ota_unknownunknownunknown', 101, '/ota')).errno, 1);
    assert.equal((await c.report(d, '', 101)).errno, 1);
    assert.equal((await c.upgradeOf(d)).state.status, 'pushed', 'nothing changed');
  });

  it('serves the D1 download with OneNET range rules and takes the D2 two-call report', async () => {
    const d = f.devices[1]!;
    const { token } = await c.offer(d, '/ota');
    assert.equal((await c.tokenCheck(d, token, '/ota')).errno, 0);
    const whole = await fetch(`${f.base}/ota/download/${token}`);
    assert.equal(whole.status, 200);
    assert.equal(sha256(Buffer.from(await whole.arrayBuffer())), sha256(f.firmware));
    const part = await fetch(`${f.base}/ota/download/${token}`, { headers: { range: '100-199' } });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), f.firmware.subarray(100, 200));
    // protocols.md §2.4 (3) rule 1: a start past the end starts at 0.
    const past = await fetch(`${f.base}/ota/download/${token}`, {
      headers: { range: `${f.firmware.length + 5}-` },
    });
    assert.equal(past.status, 206);
    assert.equal(past.headers.get('content-range'), `bytes 0-${f.firmware.length - 1}/${f.firmware.length}`);
    await past.arrayBuffer();

    assert.equal((await c.report(d, token, 101)).errno, 0);
    assert.equal((await c.upgradeOf(d)).state.stage, 'downloaded');
    assert.equal((await c.report(d, token, 201)).errno, 0);
    assert.equal((await c.upgradeOf(d)).state.status, 'success');
  });

  it('refuses a replayed Authorization header once its et has passed, though it was accepted before', async () => {
    const d = f.devices[2]!;
    const et = Math.floor(f.t.clock.now() / 1000) + 10;
    const header = createOneNetToken(d.secret, d.res, et, 'sha1');
    const first = await c.call('GET', c.checkPath(d), null, undefined, header);
    assert.equal(first.errno, 0, first.error);
    const { token } = first.data as { token: string };
    // Well inside the 30 s the verified header is remembered, but past its et.
    f.t.clock.advance(11_000);
    const replayed = await c.call('GET', c.checkPath(d), null, undefined, header);
    assert.equal(replayed.errno, 1);
    assert.match(replayed.error, /expired/);
    const accept = await c.call(
      'GET',
      `/ota/south/download/${token}/check?dev_id=${d.id}`,
      null,
      undefined,
      header,
    );
    assert.equal(accept.errno, 1);
    assert.equal((await c.upgradeOf(d)).state.status, 'pushed', 'nothing changed');
  });

  it("refuses a gateway acting for another gateway's sub-device, on every call", async () => {
    const register = async (productId: number, body: Record<string, unknown>): Promise<TestDevice> => {
      const res = await f.t.admin.post(`/api/v1/products/${productId}/devices`, body);
      assert.equal(res.statusCode, 201, res.body);
      const { device, secret } = res.json();
      const key = (productId === f.subProductId ? f.sub : f.gateway).res.split('/')[1];
      return { id: device.id, name: device.name, secret, res: `products/${key}/devices/${device.name}` };
    };
    const other = await register(f.gatewayProductId, { name: 'gw-2' });
    const foreign = await register(f.subProductId, {
      name: 's-2',
      gatewayId: other.id,
      versions: { default: '1.0' },
    });
    const { gateway } = f;
    const token = 'ota_notatokennotatokennot';
    assert.equal((await c.call('GET', c.checkPath(foreign), gateway)).errno, 1);
    assert.equal((await c.call('GET', c.checkPath(foreign, '/ota'), gateway)).errno, 1);
    assert.equal(
      (await c.call('POST', `/ota/device/version?dev_id=${foreign.id}`, gateway, { f_version: '2.0' })).errno,
      1,
    );
    assert.equal((await c.tokenCheck(foreign, token, '/ota/south', gateway)).errno, 4);
    assert.equal((await c.tokenCheck(foreign, token, '/ota', gateway)).errno, 23);
    assert.equal((await c.progress(foreign, token, 10, gateway)).errno, 4);
    assert.equal((await c.report(foreign, token, 101, '/ota/south', gateway)).errno, 4);
    assert.equal((await c.report(foreign, token, 101, '/ota', gateway)).errno, 23);
    // Its own gateway may.
    assert.equal((await c.call('GET', c.checkPath(foreign), other)).errno, 11, 'no plan has it yet');
  });

  it('lets a gateway download, report progress and results for its own sub-device', async () => {
    const { gateway, sub } = f;
    const { token, size } = await c.offer(sub, '/ota/south', gateway);
    assert.equal((await c.tokenCheck(sub, token, '/ota/south', gateway)).errno, 0);
    const body = Buffer.from(await (await fetch(`${f.base}/ota/south/download/${token}`)).arrayBuffer());
    assert.equal(body.length, size);
    assert.deepEqual(body, f.firmware.subarray(0, 1000));
    assert.equal((await c.progress(sub, token, 50, gateway)).errno, 0);
    assert.equal((await c.progress(sub, token, 100, gateway)).errno, 0);
    assert.equal((await c.report(sub, token, 201, '/ota/south', gateway)).errno, 0);
    assert.equal((await c.upgradeOf(sub, f.subPlanId)).state.status, 'success');
    // The sub-device's own credential may not act for its gateway's token either way round.
    assert.equal((await c.progress(gateway, token, 50, sub)).errno, 4);
  });

  it('answers a check with the current token, unless another instance has issued a newer one', async () => {
    const d = f.devices[3]!;
    const first = await c.offer(d);
    assert.equal((await c.offer(d)).token, first.token);
    // A second instance on the same database (several servers behind a load balancer).
    const other = await buildApp(f.t.app.config, {
      clock: f.t.clock,
      database: f.t.testDatabase.database,
      scheduler: false,
    });
    try {
      const res = await other.http.inject({
        method: 'GET',
        url: c.checkPath(d),
        headers: { authorization: f.auth(d) },
      });
      const elsewhere = res.json().data.token as string;
      assert.notEqual(elsewhere, first.token);
      const again = await c.offer(d);
      assert.notEqual(again.token, first.token, 'the superseded token is not answered again');
      assert.equal((await c.tokenCheck(d, first.token, '/ota')).errno, 15);
      assert.equal((await c.tokenCheck(d, again.token)).errno, 0);
    } finally {
      await other.close();
    }
  });

  it('answers errno 7 when the database fails, never a 500', async () => {
    const d = f.devices[5]!;
    const db = f.t.testDatabase.database.db;
    await sql`alter table download_tokens rename to download_tokens_away`.execute(db);
    try {
      const answer = await c.call('GET', c.checkPath(d), d);
      assert.equal(answer.errno, 7);
      assert.equal(answer.error, 'internal error');
    } finally {
      await sql`alter table download_tokens_away rename to download_tokens`.execute(db);
    }
    assert.equal((await c.call('GET', c.checkPath(d), d)).errno, 0);
  });
});

describe('device HTTP API with a manual plan', { skip }, () => {
  let f: DeviceFleet;
  let c: ReturnType<typeof client>;
  before(async () => {
    f = await createDeviceFleet({ count: 2, plan: { mode: 'manual' } });
    c = client(f);
  });
  after(() => f.close());

  it('answers errno 11 while awaiting confirmation and offers once confirmed', async () => {
    const d = f.devices[0]!;
    for (const prefix of ['/ota/south', '/ota']) {
      const answer = await c.call('GET', c.checkPath(d, prefix), d);
      assert.equal(answer.errno, 11);
      assert.match(answer.error, /confirmation/);
      assert.equal(answer.data, undefined);
    }
    await f.t.app.services.plans.actOnUpgrade((await c.upgradeOf(d)).id, 'confirmed', 'test');
    await c.offer(d);
  });

  it('answers a token issued before a rejection and retry with 17 (calls) and 21 (report)', async () => {
    const d = f.devices[1]!;
    const plans = f.t.app.services.plans;
    const id = (await c.upgradeOf(d)).id;
    await plans.actOnUpgrade(id, 'confirmed', 'test');
    const { token } = await c.offer(d);
    await plans.actOnUpgrade(id, 'rejected', 'test');
    await plans.actOnUpgrade(id, 'operator_retry', 'test');
    const before = await c.upgradeOf(d);
    assert.equal(before.state.confirmation, 'awaiting');
    assert.equal((await c.tokenCheck(d, token)).errno, 17);
    assert.equal((await c.progress(d, token, 10)).errno, 17);
    assert.equal((await c.report(d, token, 101)).errno, 21);
    assert.equal((await c.report(d, token, 101, '/ota')).errno, 21);
    assert.deepEqual((await c.upgradeOf(d)).state, before.state, 'nothing changed');
  });
});

describe('device HTTP API with thresholds and a concurrency cap', { skip }, () => {
  let f: DeviceFleet;
  let c: ReturnType<typeof client>;
  before(async () => {
    f = await createDeviceFleet({ count: 3, plan: { minSignal: -90, minBattery: 20, concurrency: 1 } });
    c = client(f);
  });
  after(() => f.close());

  it('answers errno 10 (D1) and 11 (D2) below the signal or battery threshold', async () => {
    const pushed = [];
    for (const d of f.devices) if ((await c.upgradeOf(d)).state.status === 'pushed') pushed.push(d);
    assert.equal(pushed.length, 1, 'the cap lets one device in');
    const d = pushed[0]!;
    for (const extra of ['&signals=-100&powers=50', '&signals=-50&powers=10']) {
      assert.equal((await c.call('GET', c.checkPath(d, '/ota', extra), d)).errno, 10, extra);
      const d2 = await c.call('GET', c.checkPath(d, '/ota/south', extra), d);
      assert.equal(d2.errno, 11, extra);
      assert.match(d2.error, /threshold/);
    }
    assert.equal((await c.call('GET', c.checkPath(d, '/ota', '&signals=-50&powers=50'), d)).errno, 0);
  });

  it('answers errno 11 at the concurrency cap and while the plan is paused', async () => {
    const waiting = [];
    for (const d of f.devices) if ((await c.upgradeOf(d)).state.status === 'pending') waiting.push(d);
    const d = waiting[0]!;
    const full = await c.call('GET', c.checkPath(d, '/ota/south', '&signals=-50&powers=50'), d);
    assert.equal(full.errno, 11);
    assert.match(full.error, /not dispatching/);
    await f.t.app.services.plans.runAction(f.planId, 'pause', 'test');
    const paused = await c.call('GET', c.checkPath(d, '/ota/south', '&signals=-50&powers=50'), d);
    assert.equal(paused.errno, 11);
    assert.equal((await c.upgradeOf(d)).state.status, 'pending', 'nothing changed');
  });
});

describe('device HTTP API with a delta plan', { skip }, () => {
  let f: DeviceFleet;
  let c: ReturnType<typeof client>;
  before(async () => {
    f = await createDeviceFleet({ count: 2, firmwareFields: { type: 'delta', sourceVersion: '1.0' } });
    c = client(f);
  });
  after(() => f.close());

  it('answers errno 9 to a device on another version than the delta source, and fails the attempt', async () => {
    const d = f.devices[0]!;
    const answer = await c.call('GET', c.checkPath(d).replace('version=1.0', 'version=1.5'), d);
    assert.equal(answer.errno, 9);
    assert.equal(answer.data, undefined);
    const { state } = await c.upgradeOf(d);
    assert.equal(state.status, 'failure');
    assert.equal(state.failureReason, 'version_mismatch');
    // On the source version the delta is offered.
    const other = await c.offer(f.devices[1]!);
    assert.equal((other as unknown as { type: number }).type, 2);
  });
});

describe('device HTTP API without the firmware cache, with a 3-hour token TTL', { skip }, () => {
  let f: DeviceFleet;
  let c: ReturnType<typeof client>;
  before(async () => {
    f = await createDeviceFleet({
      count: 1,
      // Larger than one 1 MiB read, so whole files and ranges cross read boundaries.
      firmwareBytes: 2_500_000,
      settings: { firmwareCacheBytes: 0, downloadTokenTtlHours: 3 },
    });
    c = client(f);
  });
  after(() => f.close());

  it('streams whole files and ranges from the blob store, with a CRC-16 over a streamed range', async () => {
    const d = f.devices[0]!;
    const { token } = await c.offer(d);
    const whole = await fetch(`${f.base}/device/v1/download/${token}`);
    assert.equal(Number(whole.headers.get('content-length')), f.firmware.length);
    assert.equal(sha256(Buffer.from(await whole.arrayBuffer())), sha256(f.firmware));
    const range = await fetch(`${f.base}/ota/south/download/${token}`, {
      headers: { range: '1000-70999', 'crc16-method': 'MODBUS' },
    });
    assert.equal(range.status, 206);
    const body = Buffer.from(await range.arrayBuffer());
    assert.deepEqual(body, f.firmware.subarray(1000, 71000));
    assert.equal(range.headers.get('x-crc16'), crc16('mbus', body));
    const across = await fetch(`${f.base}/device/v1/download/${token}`, {
      headers: { range: 'bytes=1048000-2097999' },
    });
    assert.deepEqual(Buffer.from(await across.arrayBuffer()), f.firmware.subarray(1_048_000, 2_098_000));
    const tail = await fetch(`${f.base}/device/v1/download/${token}`, { headers: { range: 'bytes=-7' } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), f.firmware.subarray(-7));
  });

  it('issues tokens for the configured time and refuses them after it', async () => {
    const d = f.devices[0]!;
    const { token, expires } = await c.offer(d);
    assert.equal(expires, Math.floor((f.t.clock.now() + 3 * 3600_000) / 1000));
    f.t.clock.advance(3 * 3600_000 - 1000);
    assert.equal((await c.tokenCheck(d, token)).errno, 0);
    f.t.clock.advance(1001);
    assert.equal((await c.tokenCheck(d, token)).errno, 12);
    assert.equal(await (await fetch(`${f.base}/ota/south/download/${token}`)).text(), '3');
  });
});
