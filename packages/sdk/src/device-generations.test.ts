// The SDK on the seed platforms' current generations against a real Updraft server on loopback
// sockets: OneNET Studio's fuse-ota API (`transport: 'onenet-studio'`) and ThingsPanel v1's topics
// on the embedded broker (`transport: 'thingspanel-v1'`). Each: a whole upgrade to Success, a
// failure with its reason, a download stopped midway and resumed with Range in the next session,
// a declined offer (refused on the wire where the dialect can say so), and a gateway upgrading
// its sub-device.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { UpgradeState } from '@updraft/core';
import {
  createDeviceFleet,
  type DeviceFleet,
  type TestDevice,
} from '../../server/src/test-support/device-fleet.ts';
import { eventually } from '../../server/src/test-support/mqtt-device.ts';
import { skipReason } from '../../server/src/test-support/test-database.ts';
import { createDevice, type Device, type DeviceOptions, type ModuleOptions } from './index.ts';

const skip = (await skipReason()) ?? false;

async function stateOf(f: DeviceFleet, d: TestDevice, planId = f.planId) {
  return (await f.t.app.services.plans.listUpgrades(planId, { deviceId: d.id }, { limit: 1 })).items[0]!
    .state;
}

function ended(f: DeviceFleet, d: TestDevice, planId = f.planId) {
  return eventually(async () => {
    const state = await stateOf(f, d, planId);
    return state.status === 'success' || state.status === 'failure' ? state : undefined;
  });
}

function failureReason(state: UpgradeState) {
  return state.status === 'failure' ? state.failureReason : state.lastFailureReason;
}

const usernameOf = (d: TestDevice) => d.res.replace(/^products\//, '').replace('/devices/', '.');

for (const transport of ['onenet-studio', 'thingspanel-v1'] as const) {
  describe(`device SDK over ${transport}`, { skip }, () => {
    let f: DeviceFleet;
    let mqttUrl: string | undefined;
    let dir: string;
    const open: Device[] = [];
    before(async () => {
      const mqtt = transport === 'thingspanel-v1';
      f = await createDeviceFleet({
        count: 4,
        ...(mqtt && { settings: { mqttPort: 0, mqttHost: '127.0.0.1' } }),
      });
      if (mqtt) {
        // v1 devices only: the plan's pushes go to v1's topics and nowhere else.
        for (const id of [f.productId, f.subProductId, f.gatewayProductId]) {
          const res = await f.t.admin.patch(`/api/v1/products/${id}`, { protocols: ['thingspanel-v1'] });
          assert.equal(res.statusCode, 200, res.body);
        }
        mqttUrl = (await f.t.app.startMqtt()).url;
      }
      dir = await mkdtemp(join(tmpdir(), `updraft-sdk-${transport}-`));
    });
    after(async () => {
      for (const device of open) await device.stop().catch(() => {});
      await f?.close();
      await rm(dir, { recursive: true, force: true });
    });

    function options(d: TestDevice, module: Partial<ModuleOptions> = {}, extra: Partial<DeviceOptions> = {}) {
      const installed: Buffer[] = [];
      const opts: DeviceOptions = {
        server: f.base,
        transport,
        ...(mqttUrl && { mqttUrl }),
        credentials: { productKey: f.productKey, name: d.name, secret: d.secret },
        stateDir: join(dir, d.name),
        modules: {
          default: {
            version: '1.0',
            async install({ path }) {
              installed.push(await readFile(path));
            },
            ...module,
          },
        },
        ...extra,
      };
      return { opts, installed };
    }
    async function start(opts: DeviceOptions) {
      const device = createDevice(opts);
      open.push(device);
      await device.start();
      return device;
    }

    it('takes the upgrade, installs it, reports Success, and the server records the target version', async () => {
      const d = f.devices[0]!;
      const { opts, installed } = options(d);
      const device = await start(opts);
      assert.equal((await ended(f, d)).status, 'success');
      await device.idle();
      assert.deepEqual(installed, [f.firmware]);
      assert.deepEqual(device.versions(), { default: '2.0' });
      await eventually(async () => {
        const detail = await f.t.app.services.devices.getDeviceDetail(d.id);
        return detail.versions.find((v) => v.module === 'default')?.version === '2.0' ? true : undefined;
      });
    });

    it('reports an installer failure with its reason and keeps the old version', async () => {
      const d = f.devices[1]!;
      const { opts } = options(d, {
        async install() {
          throw new Error('flash is write-protected');
        },
      });
      const device = await start(opts);
      const state = await ended(f, d);
      // OneNET's codes have no write failure of their own (206: failed); ThingsPanel's -4 is one.
      assert.equal(failureReason(state), transport === 'onenet-studio' ? 'failed' : 'write_failed');
      await device.idle();
      assert.equal(device.results()[0]?.error?.code, 'WRITE_FAILED');
      assert.deepEqual(device.versions(), { default: '1.0' });
    });

    it('resumes a download stopped midway from the bytes on disk, in the next session', async () => {
      const d = f.devices[2]!;
      const third = Math.floor(f.firmware.length / 3);
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
      assert.equal((await ended(f, d)).status, 'success');
      await device.idle();
      assert.ok(ranges[0]! >= third, `the first range starts at ${ranges[0]}, past the ${third} bytes kept`);
      assert.deepEqual(installed, [f.firmware]);
    });

    it(
      transport === 'thingspanel-v1'
        ? 'tells the server when accept declines (`"refused": true`): counted, offered again after the period'
        : 'declines without telling the server, which Studio has no message for',
      async () => {
        const d = f.devices[3]!;
        const { opts, installed } = options(d, {}, { accept: () => false });
        const device = await start(opts);
        if (transport === 'thingspanel-v1') {
          const state = await eventually(async () => {
            const s = await stateOf(f, d);
            return s.refusals > 0 ? s : undefined;
          });
          assert.equal(state.status, 'pending');
          assert.equal(state.nextAction, 'reoffer');
        } else {
          const state = await stateOf(f, d);
          assert.equal(state.refusals, 0);
          assert.equal(state.status, 'pushed');
        }
        await device.idle();
        assert.equal(device.results()[0]?.outcome, 'deferred');
        assert.deepEqual(installed, []);
      },
    );

    it("upgrades a gateway's sub-device through the gateway", async () => {
      const installed: Buffer[] = [];
      const subName = usernameOf(f.sub);
      const gateway = await start({
        server: f.base,
        transport,
        ...(mqttUrl && { mqttUrl }),
        credentials: {
          productKey: f.gateway.res.split('/')[1]!,
          name: f.gateway.name,
          secret: f.gateway.secret,
        },
        stateDir: join(dir, 'gw'),
        modules: {},
        subDevices: [
          {
            username: subName,
            stateDir: join(dir, 'gw-sub'),
            modules: {
              default: {
                version: '1.0',
                async install({ path }) {
                  installed.push(await readFile(path));
                },
              },
            },
          },
        ],
      });
      assert.equal((await ended(f, f.sub, f.subPlanId)).status, 'success');
      await gateway.idle();
      assert.deepEqual(installed, [f.firmware.subarray(0, 1000)]);
      assert.deepEqual(gateway.versions(subName), { default: '2.0' });
    });
  });
}
