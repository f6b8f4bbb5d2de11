// A plan of two components (the module firmware, then the MCU firmware; ADR 0013) on Quectel's
// wire, on the embedded broker and on this machine's Mosquitto: the plan goes out as TASK_INFO
// (28) with both components in the plan's order, the device (the tests' own client written from
// protocols.md, test-support/quectel-device.ts) confirms the first, downloads it and reports its
// success; the plan comes again with the MCU component under way, which the device confirms
// (COMPONENT_TYPE 1) and reports with MCU_VER; a confirm of a component not under way is answered
// 409 and changes nothing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { UpgradeState } from '@updraft/core';
import { quectelOtaStatus as status } from '@updraft/protocol';
import { firmwareForm } from '../../test-support/device-fleet.ts';
import { eventually } from '../../test-support/mqtt-device.ts';
import { connectQuectelDevice, type QuectelTestDevice } from '../../test-support/quectel-device.ts';
import { createTestApp, type TestApp } from '../../test-support/test-app.ts';
import { testBrokers } from '../../test-support/test-broker.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

const brokers = await testBrokers(skip);

for (const broker of brokers) {
  describe(`Quectel plans of several components on ${broker.name}`, { skip: broker.skip }, () => {
    let t: TestApp;
    let url: string;
    let device: QuectelTestDevice | undefined;
    before(async () => {
      t = await createTestApp(broker.settings());
      await t.app.scheduler.stop();
      await t.app.http.listen({ host: '127.0.0.1', port: 0 });
      const transport = await t.app.startMqtt();
      url = broker.brokerUrl ?? transport.url;
    });
    after(async () => {
      await device?.close().catch(() => {});
      await t?.close();
    });

    async function upload(productId: number, version: string, content: Buffer, module?: string) {
      const res = await t.admin.request({
        method: 'POST',
        url: `/api/v1/products/${productId}/firmware`,
        ...firmwareForm(version, [{ name: 'app.bin', content }], module ? { module } : {}),
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    }

    it('sends TASK_INFO in the plan order and takes each component in turn, the MCU last', async () => {
      const product = (
        await t.admin.post('/api/v1/products', { name: 'q-components', protocols: ['quectel'] })
      ).json();
      assert.equal(
        (await t.admin.post(`/api/v1/products/${product.id}/modules`, { name: 'mcu', kind: 'mcu' }))
          .statusCode,
        201,
      );
      const moduleImage = Buffer.alloc(9000, 5);
      const mcuImage = Buffer.alloc(5000, 6);
      const modulePkg = await upload(product.id, '2.0', moduleImage);
      const mcuPkg = await upload(product.id, '3.0', mcuImage, 'mcu');
      const created = await t.admin.post(`/api/v1/products/${product.id}/devices`, {
        name: 'q-c-0',
        versions: { default: '1.0', mcu: '2.5' },
      });
      assert.equal(created.statusCode, 201, created.body);
      const d = { id: created.json().device.id, secret: created.json().secret };
      const plans = t.app.services.plans;
      const plan = await plans.createPlan(
        {
          name: 'q-components',
          productId: product.id,
          components: [{ firmwarePackageId: modulePkg.id }, { firmwarePackageId: mcuPkg.id }],
          target: { kind: 'all' },
          start: { mode: 'manual' },
        },
        'test',
      );
      await plans.publish(plan.id, 'test');
      await plans.runAction(plan.id, 'start', 'test');
      await plans.tickPlan(plan.id, 'test', 60_000);
      const stateOf = async () =>
        (await plans.listUpgrades(plan.id, { deviceId: d.id }, { limit: 1 })).items[0]!.state;
      const until = (test: (s: UpgradeState) => boolean) =>
        eventually(async () => {
          const state = await stateOf();
          return test(state) ? state : undefined;
        });

      device = await connectQuectelDevice(url, {
        productKey: product.productKey,
        deviceKey: 'q-c-0',
        secret: d.secret,
      });
      await device.request({ moduleVersion: '1.0', mcuVersion: '2.5' });
      const first = (await device.next('plan')).plan;
      const common = { batteryLimit: 0, minSignal: -140, packageType: 'full' };
      assert.deepEqual(first.components, [
        { componentNo: 'default', componentType: 0, targetVersion: '2.0', useSpace: 9000, ...common },
        { componentNo: 'mcu', componentType: 1, targetVersion: '3.0', useSpace: 5000, ...common },
      ]);

      // The MCU is not under way yet: its confirm is answered 409, nothing changes.
      const early = await device.event({ status: status.confirmed, componentNo: 'mcu', componentType: 1 });
      assert.equal((await device.next('error', (m) => m.error.packetId === early)).error.code, 409);
      assert.equal((await stateOf()).status, 'pushed');

      await device.event({ status: status.confirmed, componentNo: 'default', componentType: 0 });
      const moduleInfo = (await device.next('firmware-info')).info;
      assert.deepEqual([moduleInfo.componentNo, moduleInfo.componentType], ['default', 0]);
      assert.equal(md5(Buffer.from(await (await fetch(moduleInfo.url)).arrayBuffer())), md5(moduleImage));
      await device.event({ status: status.downloaded, componentNo: 'default' });
      await device.event({ status: status.updateSuccess, componentNo: 'default', moduleVersion: '2.0' });
      await until((s) => s.component === 1);
      await plans.tickPlan(plan.id, 'test', 60_000);

      const second = (await device.next('plan')).plan;
      assert.deepEqual(
        second.components.map((c) => [c.componentNo, c.targetVersion]),
        [
          ['default', '2.0'],
          ['mcu', '3.0'],
        ],
        'the whole plan again, the device skips what it runs',
      );
      await device.event({ status: status.confirmed, componentNo: 'mcu', componentType: 1 });
      const mcuInfo = (await device.next('firmware-info')).info;
      assert.deepEqual([mcuInfo.componentNo, mcuInfo.componentType, mcuInfo.size], ['mcu', 1, 5000]);
      assert.equal(md5(Buffer.from(await (await fetch(mcuInfo.url)).arrayBuffer())), md5(mcuImage));
      await device.event({ status: status.updating, componentNo: 'mcu', componentType: 1 });
      await device.event({
        status: status.updateSuccess,
        componentNo: 'mcu',
        componentType: 1,
        moduleVersion: '2.0',
        mcuVersion: 'mcu:3.0',
      });
      const done = await until((s) => s.status === 'success');
      assert.equal(done.component, 1);
      const versions = (await t.app.services.devices.getDeviceDetail(d.id)).versions;
      assert.deepEqual(Object.fromEntries(versions.map((v) => [v.module, v.version])), {
        default: '2.0',
        mcu: '3.0',
      });
    });
  });
}
