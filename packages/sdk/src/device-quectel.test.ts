// The SDK speaking Quectel's binary protocol (`transport: 'quectel'`, docs/quectel.md) against a
// real Updraft server, on the embedded broker and on this machine's Mosquitto: a whole upgrade to
// Success with the server recording the target, an installer failure with its Quectel status, and
// an offer the device declines refused on the wire (status 3), the plan's rejection period.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { TestDevice } from '../../server/src/test-support/device-fleet.ts';
import { eventually } from '../../server/src/test-support/mqtt-device.ts';
import { brokerSkipReason, testBrokerUrl } from '../../server/src/test-support/test-broker.ts';
import { skipReason } from '../../server/src/test-support/test-database.ts';
import { stateOf, useSdkFleet } from './test-support/sdk-fleet.ts';

const skip = (await skipReason()) ?? false;
const brokerSkip = skip || ((await brokerSkipReason()) ?? false);

const brokers = [
  { name: 'the embedded broker', settings: { mqttPort: 0, mqttHost: '127.0.0.1' }, skip },
  {
    name: 'Mosquitto',
    settings: {
      mqttUrl: testBrokerUrl,
      mqttAuthToken: 'broker-token',
      mqttShareGroup: `s${randomBytes(6).toString('hex')}`,
    },
    brokerUrl: testBrokerUrl,
    skip: brokerSkip,
  },
];

for (const broker of brokers) {
  describe(`device SDK over quectel on ${broker.name}`, { skip: broker.skip }, () => {
    const sdk = useSdkFleet({
      transport: 'quectel',
      fleet: { count: 3, settings: broker.settings, plan: { retry: { attempts: 1, intervalSeconds: 3600 } } },
      dirPrefix: 'updraft-sdk-quectel-',
      prepare: async (f) => {
        const res = await f.t.admin.patch(`/api/v1/products/${f.productId}`, { protocols: ['quectel'] });
        assert.equal(res.statusCode, 200, res.body);
        const transport = await f.t.app.startMqtt();
        return { mqttUrl: broker.brokerUrl ?? transport.url };
      },
    });
    const { options, start } = sdk;
    const until = (d: TestDevice, test: (s: Awaited<ReturnType<typeof stateOf>>) => boolean) =>
      eventually(async () => {
        const state = await stateOf(sdk.f, d);
        return test(state) ? state : undefined;
      });

    it('takes the plan, downloads, installs, reports success, and the server records the target', async () => {
      const d = sdk.f.devices[0]!;
      const { opts, installed } = options(d);
      const device = await start(opts);
      await until(d, (s) => s.status === 'success');
      await device.idle();
      assert.deepEqual(installed, [sdk.f.firmware]);
      assert.deepEqual(device.versions(), { default: '2.0' });
      const detail = await sdk.f.t.app.services.devices.getDeviceDetail(d.id);
      assert.equal(detail.versions.find((v) => v.module === 'default')?.version, '2.0');
    });

    it('reports an installer failure as 12 with its reason and keeps the old version', async () => {
      const d = sdk.f.devices[1]!;
      const { opts } = options(d, {
        async install() {
          throw new Error('flash is write-protected');
        },
      });
      const device = await start(opts);
      const state = await until(d, (s) => s.lastFailureReason !== null || s.status === 'failure');
      assert.match(String(state.failureDetail), /Quectel status 12 UPDATEERROR: write_failed/);
      await device.idle();
      assert.equal(device.results()[0]?.error?.code, 'WRITE_FAILED');
      assert.deepEqual(device.versions(), { default: '1.0' });
    });

    it('refuses (3) an offer the device declines: counted, offered again after the rejection period', async () => {
      const d = sdk.f.devices[2]!;
      const { opts, installed } = options(d, {}, { accept: () => false });
      const device = await start(opts);
      const state = await until(d, (s) => s.refusals > 0);
      assert.equal(state.status, 'pending');
      assert.equal(state.nextAction, 'reoffer');
      assert.equal(state.lastFailureReason, null);
      await device.idle();
      assert.deepEqual(installed, []);
      assert.deepEqual(device.versions(), { default: '1.0' });
    });
  });
}
