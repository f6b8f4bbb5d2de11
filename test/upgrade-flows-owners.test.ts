// The device owner's flows end to end (docs/enduser-api.md), beside test/upgrade-flows.test.ts
// and on its support: a real `updraft serve`, the management API issuing an end-user token, the
// owner's app on /enduserapi/v1 over HTTP, SDK devices over MQTT and HTTP on real sockets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipReason } from '../packages/server/src/test-support/test-database.ts';
import { image, startUpgradeFlows, type UpgradeFlows, waitFor } from './support/upgrade-flows.ts';

const skip = (await skipReason()) ?? false;
const hour = 3_600_000;
type Json = Record<string, unknown>;
const texts = { zh: '修复蓝牙断连', en: 'Fixes Bluetooth drops' };

describe('owner flows end to end (updraft serve, end-user API)', { skip }, () => {
  let u: UpgradeFlows;
  before(async () => {
    u = await startUpgradeFlows();
  });
  after(async () => {
    await u?.close();
  });

  async function setup(name: string, count: number) {
    const product = await u.product(name);
    const firmware = image(32 * 1024, name.length);
    const pkg = await u.upload(product.id, '2.0', firmware, { releaseNotes: 'Bluetooth 5.3' });
    const devices = [];
    for (let i = 0; i < count; i++) devices.push(await u.register(product, `${name}-${i}`));
    return { product, firmware, pkg, devices };
  }
  /** The owner's app: calls /enduserapi/v1 with its end-user token. */
  function ownerApp(token: string) {
    return async (method: string, path: string, body?: unknown, expect = 200): Promise<Json> => {
      const response = await fetch(`${u.server.base}/enduserapi/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      assert.equal(response.status, expect, `${method} ${path}: ${text}`);
      return JSON.parse(text) as Json;
    };
  }
  const until = (planId: number, deviceId: number, test: (upgrade: Json) => boolean) =>
    waitFor(`upgrade of device ${deviceId} in plan ${planId}`, async () => {
      const upgrade = (await u.upgradeOf(planId, deviceId)) as Json | undefined;
      return upgrade && test(upgrade) ? upgrade : undefined;
    });

  it('an appointment: nothing before the window, the upgrade once it opens', async () => {
    const { product, pkg, devices, firmware } = await setup('appoint', 1);
    const d = devices[0]!;
    const session = u.device(d, 'mqtt');
    await session.device.start();
    const plan = await u.plan({
      name: 'night',
      productId: product.id,
      firmwarePackageId: pkg.id,
      mode: 'manual',
      texts,
    });
    const { token } = await u.api('POST', '/enduser-tokens', { deviceIds: [d.id], label: 'e2e owner' });
    const app = ownerApp(token as string);
    const waiting = await waitFor('the upgrade waiting for the owner', async () => {
      const { items } = (await app('GET', '/upgrades')) as { items: Json[] };
      return items.find((i) => i['waiting'] === true);
    });
    assert.deepEqual(waiting['texts'], texts);
    assert.equal(waiting['releaseNotes'], 'Bluetooth 5.3');
    const id = waiting['upgradeId'] as number;

    // A window tomorrow night: the device is not pushed and its own checks get nothing.
    const later = Date.now() + 24 * hour;
    const window = (from: number) => ({
      from: new Date(from).toISOString(),
      until: new Date(from + hour).toISOString(),
    });
    const appointed = await app('POST', `/upgrades/${id}/appoint`, window(later));
    assert.equal(appointed['confirmation'], 'confirmed');
    assert.equal(appointed['appointedFrom'], new Date(later).toISOString());
    const asker = u.device(d, 'http', { stateDir: u.stateDir('appoint-asker') });
    await asker.device.start();
    assert.deepEqual(await asker.device.checkNow(), [], 'a check before the window is offered nothing');
    await asker.device.stop();
    assert.equal(session.installed.length, 0);
    assert.equal((await u.upgradeOf(plan.id, d.id)).status, 'pending');

    // The owner moves it to a window that opens in a moment: the device is pushed and upgrades.
    await app('POST', `/upgrades/${id}/appoint`, window(Date.now() + 1000));
    const done = await until(plan.id, d.id, (x) => x['status'] === 'success');
    assert.ok((done['pushCount'] as number) >= 1, 'pushed when the window opened');
    assert.deepEqual(session.installed[0], firmware);
    const detail = await app('GET', `/upgrades/${id}`);
    assert.equal(detail['status'], 'success');
    const { log } = await u.api('GET', `/device-upgrades/${id}`);
    assert.equal((log as Json[]).filter((e) => e['event'] === 'appointed').length, 2);
  });

  it('the auto-upgrade switch: a manual plan reaches the device whose owner turned it on, only that one', async () => {
    const { product, pkg, devices, firmware } = await setup('auto', 2);
    const [on, off] = devices as [(typeof devices)[0], (typeof devices)[0]];
    const sessions = [u.device(on, 'mqtt'), u.device(off, 'mqtt')];
    for (const s of sessions) await s.device.start();
    const { token } = await u.api('POST', '/enduser-tokens', { deviceIds: [on.id] });
    const app = ownerApp(token as string);
    assert.deepEqual(await app('PUT', `/devices/${on.id}/auto-upgrade`, { enabled: true }), {
      enabled: true,
    });
    // Another owner's device is out of this token's reach.
    await app('PUT', `/devices/${off.id}/auto-upgrade`, { enabled: true }, 404);

    // The plan comes after the switch: its upgrade is confirmed by itself (a scheduler step).
    const plan = await u.plan({
      name: 'auto',
      productId: product.id,
      firmwarePackageId: pkg.id,
      mode: 'manual',
      texts,
    });
    const done = await until(plan.id, on.id, (x) => x['status'] === 'success');
    assert.equal(done['confirmation'], 'confirmed');
    assert.deepEqual(sessions[0]!.installed[0], firmware);
    const { log } = await u.api('GET', `/device-upgrades/${done['id']}`);
    assert.ok((log as Json[]).some((e) => e['event'] === 'confirmed' && e['actor'] === 'auto-upgrade'));
    const other = await u.upgradeOf(plan.id, off.id);
    assert.equal(other.confirmation, 'awaiting', 'the switch of one device confirms nothing of another');
    assert.equal(sessions[1]!.installed.length, 0);
  });
});
