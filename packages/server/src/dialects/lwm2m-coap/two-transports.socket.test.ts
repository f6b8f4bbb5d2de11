// Two transports in one plan: a product whose devices speak ThingsPanel MQTT and LwM2M; one
// device upgrades over MQTT, another over LwM2M, under the same plan.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { otaTopics } from '@updraft/protocol';
import { type DialectDevice, upgradeOf } from '../../test-support/contracts/device-dialect.contract.ts';
import { lwm2mDriver } from '../../test-support/contracts/lwm2m-driver.ts';
import { thingsPanelDriver } from '../../test-support/contracts/thingspanel-driver.ts';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { eventually } from '../../test-support/mqtt-device.ts';
import { skipReason } from '../../test-support/test-database.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('one plan over MQTT and LwM2M', { skip: (await skipReason()) ?? false }, () => {
  let f: DeviceFleet;
  const open: DialectDevice[] = [];
  const mqtt = thingsPanelDriver({
    name: 'thingspanel-mqtt',
    pushTopic: otaTopics.pushV05,
    progressTopic: otaTopics.progress,
  });
  const lwm2m = lwm2mDriver();
  before(async () => {
    f = await createDeviceFleet({
      count: 2,
      firmwareBytes: 30_000,
      settings: { ...mqtt.settings(), ...lwm2m.settings() },
    });
    await lwm2m.start(f);
    await mqtt.start(f);
    const patched = await f.t.admin.patch(`/api/v1/products/${f.productId}`, {
      protocols: ['mqtt', 'lwm2m'],
    });
    assert.equal(patched.statusCode, 200, patched.body);
  });
  after(async () => {
    for (const device of open) await device.close().catch(() => {});
    await f?.close();
  });

  it('upgrades one device over MQTT and one over LwM2M; the plan counts both', async () => {
    const [overMqtt, overLwm2m] = f.devices as [(typeof f.devices)[0], (typeof f.devices)[0]];
    const a = await mqtt.device(f, overMqtt);
    const b = await lwm2m.device(f, overLwm2m);
    open.push(a, b);
    for (const device of [a, b]) {
      const offer = await device.offer();
      const file = await device.download(offer);
      assert.ok(Buffer.isBuffer(file));
      assert.equal(sha256(file), sha256(f.firmware));
      await device.send('accept');
      await device.send('success');
    }
    for (const d of [overMqtt, overLwm2m]) {
      await eventually(async () => ((await upgradeOf(f, d)).state.status === 'success' ? true : undefined));
    }
    const page = await f.t.app.services.plans.listUpgrades(f.planId, {}, { limit: 10 });
    assert.equal(page.items.filter((u) => u.state.status === 'success').length, 2);
  });
});
