// The SDK on the seed platforms' current generations against a real Updraft server on loopback
// sockets: OneNET Studio's fuse-ota API (`transport: 'onenet-studio'`) and ThingsPanel v1's topics
// on the embedded broker (`transport: 'thingspanel-v1'`). Each: a whole upgrade to Success, a
// failure with its reason, a download stopped midway and resumed with Range in the next session,
// a declined offer (refused on the wire where the dialect can say so), and a gateway upgrading
// its sub-device.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually } from '../../server/src/test-support/mqtt-device.ts';
import { skipReason } from '../../server/src/test-support/test-database.ts';
import { createDevice, type Device } from './index.ts';
import { ended, failureReason, stateOf, useSdkFleet } from './test-support/sdk-fleet.ts';

const skip = (await skipReason()) ?? false;

for (const transport of ['onenet-studio', 'thingspanel-v1'] as const) {
  describe(`device SDK over ${transport}`, { skip }, () => {
    const mqtt = transport === 'thingspanel-v1';
    const sdk = useSdkFleet({
      transport,
      fleet: { count: 4, ...(mqtt && { settings: { mqttPort: 0, mqttHost: '127.0.0.1' } }) },
      dirPrefix: `updraft-sdk-${transport}-`,
      prepare: async (f) => {
        if (!mqtt) return {};
        // v1 devices only: the plan's pushes go to v1's topics and nowhere else.
        for (const id of [f.productId, f.subProductId, f.gatewayProductId]) {
          const res = await f.t.admin.patch(`/api/v1/products/${id}`, { protocols: ['thingspanel-v1'] });
          assert.equal(res.statusCode, 200, res.body);
        }
        return { mqttUrl: (await f.t.app.startMqtt()).url };
      },
    });
    const { options, start } = sdk;

    it('takes the upgrade, installs it, reports Success, and the server records the target version', async () => {
      const d = sdk.f.devices[0]!;
      const { opts, installed } = options(d);
      const device = await start(opts);
      assert.equal((await ended(sdk.f, d)).status, 'success');
      await device.idle();
      assert.deepEqual(installed, [sdk.f.firmware]);
      assert.deepEqual(device.versions(), { default: '2.0' });
      await eventually(async () => {
        const detail = await sdk.f.t.app.services.devices.getDeviceDetail(d.id);
        return detail.versions.find((v) => v.module === 'default')?.version === '2.0' ? true : undefined;
      });
    });

    it('reports an installer failure with its reason and keeps the old version', async () => {
      const d = sdk.f.devices[1]!;
      const { opts } = options(d, {
        async install() {
          throw new Error('flash is write-protected');
        },
      });
      const device = await start(opts);
      const state = await ended(sdk.f, d);
      // OneNET's codes have no write failure of their own (206: failed); ThingsPanel's -4 is one.
      assert.equal(failureReason(state), transport === 'onenet-studio' ? 'failed' : 'write_failed');
      await device.idle();
      assert.equal(device.results()[0]?.error?.code, 'WRITE_FAILED');
      assert.deepEqual(device.versions(), { default: '1.0' });
    });

    it('resumes a download stopped midway from the bytes on disk, in the next session', async () => {
      const d = sdk.f.devices[2]!;
      const third = Math.floor(sdk.f.firmware.length / 3);
      let stopped: Promise<void> | undefined;
      const { opts } = options(d, {
        async install() {
          throw new Error('the first session must not install');
        },
      });
      const first: Device = createDevice({
        ...opts,
        onEvent(event) {
          if (event.type === 'progress' && event.received >= third && !stopped) stopped = first.stop();
        },
      });
      await first.start();
      await eventually(async () => (stopped ? true : undefined));
      await stopped;

      const ranges: number[] = [];
      const recording: typeof fetch = (input, init) => {
        const range = new Headers(init?.headers).get('range');
        if (range) ranges.push(Number(/^bytes=(\d+)-/.exec(range)?.[1]));
        return fetch(input, init);
      };
      const { opts: again, installed } = options(d, {}, { fetch: recording });
      const device = await start(again);
      assert.equal((await ended(sdk.f, d)).status, 'success');
      await device.idle();
      assert.ok(ranges[0]! >= third, `the first range starts at ${ranges[0]}, past the ${third} bytes kept`);
      assert.deepEqual(installed, [sdk.f.firmware]);
    });

    it(
      transport === 'thingspanel-v1'
        ? 'tells the server when accept declines (`"refused": true`): counted, offered again after the period'
        : 'declines without telling the server, which Studio has no message for',
      async () => {
        const d = sdk.f.devices[3]!;
        const { opts, installed } = options(d, {}, { accept: () => false });
        const device = await start(opts);
        if (transport === 'thingspanel-v1') {
          const state = await eventually(async () => {
            const s = await stateOf(sdk.f, d);
            return s.refusals > 0 ? s : undefined;
          });
          assert.equal(state.status, 'pending');
          assert.equal(state.nextAction, 'reoffer');
        } else {
          const state = await stateOf(sdk.f, d);
          assert.equal(state.refusals, 0);
          assert.equal(state.status, 'pushed');
        }
        await device.idle();
        assert.equal(device.results()[0]?.outcome, 'deferred');
        assert.deepEqual(installed, []);
      },
    );

    it("upgrades a gateway's sub-device through the gateway", async () => {
      const { opts, installed, subName } = sdk.gatewayOptions();
      const gateway = await start(opts);
      assert.equal((await ended(sdk.f, sdk.f.sub, sdk.f.subPlanId)).status, 'success');
      await gateway.idle();
      assert.deepEqual(installed, [sdk.f.firmware.subarray(0, 1000)]);
      assert.deepEqual(gateway.versions(subName), { default: '2.0' });
    });
  });
}
