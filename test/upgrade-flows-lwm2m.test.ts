// The upgrade flows end to end over LwM2M, beside test/upgrade-flows.test.ts and on its support:
// a real `updraft serve` (CoAP on a port of its own), the management API over HTTP, and SDK
// devices speaking LwM2M (`transport: 'lwm2m'`) over UDP: pushed at the plan's start, offered at
// a later Register, manual confirm and reject, a delta package, an operator's retry after a
// write failure, the battery and signal thresholds, and one plan over MQTT and LwM2M devices.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { diff } from '@updraft/delta';
import type { DeviceEvent } from '@updraft/sdk';
import { skipReason } from '../packages/server/src/test-support/test-database.ts';
import { image, startUpgradeFlows, type UpgradeFlows, waitFor } from './support/upgrade-flows.ts';

const skip = (await skipReason()) ?? false;

describe('upgrade flows end to end over LwM2M (updraft serve, CoAP)', { skip }, () => {
  let u: UpgradeFlows;
  before(async () => {
    u = await startUpgradeFlows();
  });
  after(async () => {
    await u?.close();
  });

  /** A product speaking `protocols` with devices on 1.0 and package 2.0. */
  async function setup(name: string, count: number, protocols: string[] = ['lwm2m']) {
    const product = await u.product(name);
    await u.api('PATCH', `/products/${product.id}`, { protocols });
    const firmware = image(48 * 1024, name.length);
    const pkg = await u.upload(product.id, '2.0', firmware);
    const devices = [];
    for (let i = 0; i < count; i++) devices.push(await u.register(product, `${name}-${i}`));
    return { product, firmware, pkg, devices };
  }
  const until = (planId: number, deviceId: number, test: (upgrade: Record<string, unknown>) => boolean) =>
    waitFor(`upgrade of device ${deviceId} in plan ${planId}`, async () => {
      const upgrade = await u.upgradeOf(planId, deviceId);
      return upgrade && test(upgrade) ? upgrade : undefined;
    });
  const reported = async (deviceId: number) =>
    (await u.api('GET', `/devices/${deviceId}`)).versions.find(
      (v: { module: string }) => v.module === 'default',
    )?.version;

  it('silent, pushed at the start: registered clients get the Package URI, Update, then Success', async () => {
    const { product, pkg, devices, firmware } = await setup('lw-push', 2);
    const sessions = devices.map((d) => u.device(d, 'lwm2m', { telemetry: () => ({ battery: 77 }) }));
    for (const s of sessions) await s.device.start();
    // The server is done with each Register (its reads reached the check, which stores the battery).
    for (const d of devices) {
      await waitFor('the Register read', async () =>
        (await u.api('GET', `/devices/${d.id}`)).battery === 77 ? true : undefined,
      );
    }
    const plan = await u.plan({ name: 'lw-push', productId: product.id, firmwarePackageId: pkg.id });
    for (const d of devices) {
      const upgrade = await until(plan.id, d.id, (x) => x['status'] === 'success');
      assert.ok((upgrade['pushCount'] as number) >= 1, 'it was pushed at the start');
      assert.equal(await reported(d.id), '2.0');
    }
    for (const s of sessions) assert.deepEqual(s.installed[0], firmware);
  });

  it('silent, a client that registers after the start is offered the upgrade at its Register', async () => {
    const { product, pkg, devices, firmware } = await setup('lw-late', 1);
    const plan = await u.plan({ name: 'lw-late', productId: product.id, firmwarePackageId: pkg.id });
    await until(plan.id, devices[0]!.id, () => true);
    const s = u.device(devices[0]!, 'lwm2m');
    await s.device.start();
    await until(plan.id, devices[0]!.id, (x) => x['status'] === 'success');
    assert.deepEqual(s.installed[0], firmware);
    assert.deepEqual(s.device.versions(), { default: '2.0' });
  });

  it('manual: the confirmed upgrade is written to its client, the rejected one never', async () => {
    const { product, pkg, devices } = await setup('lw-manual', 2);
    const [yes, no] = devices.map((d) => u.device(d, 'lwm2m'));
    await yes!.device.start();
    await no!.device.start();
    const plan = await u.plan({
      name: 'lw-manual',
      productId: product.id,
      firmwarePackageId: pkg.id,
      mode: 'manual',
      texts: { zh: '修复', en: 'Fixes' },
    });
    const a = await until(plan.id, devices[0]!.id, (x) => x['confirmation'] === 'awaiting');
    const b = await until(plan.id, devices[1]!.id, (x) => x['confirmation'] === 'awaiting');
    assert.equal(yes!.installed.length, 0, 'nothing is written before the decision');
    await u.api('POST', `/plans/${plan.id}/upgrades/confirm`, { upgradeIds: [a.id] });
    await u.api('POST', `/plans/${plan.id}/upgrades/reject`, { upgradeIds: [b.id] });
    await until(plan.id, devices[0]!.id, (x) => x['status'] === 'success');
    const rejected = await u.upgradeOf(plan.id, devices[1]!.id);
    assert.equal(rejected.failureReason, 'rejected');
    assert.equal(no!.installed.length, 0);
  });

  it('delta: a client on the source version is given the delta (delta=1 in the URI) and restores it', async () => {
    const product = await u.product('lw-delta');
    await u.api('PATCH', `/products/${product.id}`, { protocols: ['lwm2m'] });
    const old = image(64 * 1024, 5);
    const firmware = Buffer.from(old);
    for (let i = 0; i < firmware.length; i += 3000) firmware[i] = firmware[i]! ^ 0x33;
    const full = await u.upload(product.id, '2.0', firmware);
    await u.upload(product.id, '2.0', diff(old, firmware).patch, { type: 'delta', sourceVersion: '1.0' });
    const d = await u.register(product, 'lw-delta-src');
    const plan = await u.plan({ name: 'lw-delta', productId: product.id, firmwarePackageId: full.id });
    const kinds: string[] = [];
    const s = u.device(d, 'lwm2m', {
      onEvent: (event: DeviceEvent) => {
        if (event.type === 'offer') kinds.push(event.offer.kind);
      },
    });
    s.options.modules['default']!.readCurrent = (offset, length) => old.subarray(offset, offset + length);
    await s.device.start();
    await until(plan.id, d.id, (x) => x['status'] === 'success');
    assert.deepEqual(kinds, ['delta']);
    assert.deepEqual(s.installed[0], firmware, 'the delta restores the full image');
  });

  it('retry: a write failure (Update Result 8) is retried by the operator and then succeeds', async () => {
    const { product, pkg, devices } = await setup('lw-retry', 1);
    let writes = 0;
    const { device } = u.device(devices[0]!, 'lwm2m', {
      modules: {
        default: {
          version: '1.0',
          async install() {
            if (++writes === 1) throw new Error('flash busy');
          },
        },
      },
    });
    await device.start();
    const plan = await u.plan({ name: 'lw-retry', productId: product.id, firmwarePackageId: pkg.id });
    const failed = await until(plan.id, devices[0]!.id, (x) => x['status'] === 'failure');
    assert.equal(failed['failureReason'], 'write_failed');
    await u.api('POST', `/plans/${plan.id}/upgrades/retry`, { upgradeIds: [failed['id']] });
    const done = await until(plan.id, devices[0]!.id, (x) => x['status'] === 'success');
    assert.equal(done['attempts'], 2);
    assert.equal(writes, 2);
  });

  it('thresholds: a battery below the minimum (/3/0/9) keeps the offer back; a Register above it upgrades', async () => {
    const { product, pkg, devices } = await setup('lw-battery', 1);
    const now = { battery: 12, signal: -60 };
    const s = u.device(devices[0]!, 'lwm2m', { telemetry: () => now });
    const plan = await u.plan({
      name: 'lw-battery',
      productId: product.id,
      firmwarePackageId: pkg.id,
      minBattery: 30,
    });
    await until(plan.id, devices[0]!.id, () => true);
    await s.device.start();
    // The server read /3/0/9 at the Register and kept the offer back: the device stays on 1.0.
    const held = await until(plan.id, devices[0]!.id, (x) => x['waitingReason'] === 'battery_low');
    assert.ok(['pending', 'pushed'].includes(held['status'] as string), 'not started');
    assert.equal((await u.api('GET', `/devices/${devices[0]!.id}`)).battery, 12);
    assert.equal(s.installed.length, 0);
    now.battery = 30;
    await s.device.checkNow();
    await until(plan.id, devices[0]!.id, (x) => x['status'] === 'success');
    assert.equal(s.installed.length, 1);
  });

  it('thresholds: a signal below the minimum (/4/0/2) keeps the offer back; a Register above it upgrades', async () => {
    const { product, pkg, devices } = await setup('lw-signal', 1);
    const now = { battery: 90, signal: -110 };
    const s = u.device(devices[0]!, 'lwm2m', { telemetry: () => now });
    const plan = await u.plan({
      name: 'lw-signal',
      productId: product.id,
      firmwarePackageId: pkg.id,
      minSignal: -90,
    });
    await until(plan.id, devices[0]!.id, () => true);
    await s.device.start();
    const held = await until(plan.id, devices[0]!.id, (x) => x['waitingReason'] === 'signal_low');
    assert.ok(['pending', 'pushed'].includes(held['status'] as string), 'not started');
    assert.equal((await u.api('GET', `/devices/${devices[0]!.id}`)).signal, -110);
    assert.equal(s.installed.length, 0);
    now.signal = -90;
    await s.device.checkNow();
    await until(plan.id, devices[0]!.id, (x) => x['status'] === 'success');
    assert.equal(s.installed.length, 1);
  });

  it('one plan over two transports: MQTT devices and LwM2M devices each get it their way', async () => {
    const { product, pkg, devices, firmware } = await setup('lw-mixed', 2, ['mqtt', 'lwm2m']);
    const mqtt = u.device(devices[0]!, 'mqtt');
    const lwm2m = u.device(devices[1]!, 'lwm2m');
    await mqtt.device.start();
    await lwm2m.device.start();
    const plan = await u.plan({ name: 'lw-mixed', productId: product.id, firmwarePackageId: pkg.id });
    for (const d of devices) await until(plan.id, d.id, (x) => x['status'] === 'success');
    assert.deepEqual(mqtt.installed[0], firmware);
    assert.deepEqual(lwm2m.installed[0], firmware);
    const plainPlan = await u.api('GET', `/plans/${plan.id}`);
    assert.equal(plainPlan.counts['success'], 2);
  });
});
