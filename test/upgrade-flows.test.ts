// Every seed upgrade flow end to end: a real server from `updraft serve` (the embedded broker,
// ports 0; SQLite, or PostgreSQL in the PostgreSQL pass), the management API over HTTP, and SDK
// devices over HTTP and MQTT on real sockets. Each flow has a product of its own, so flows do
// not see each other's plans.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { diff } from '@updraft/delta';
import type { DeviceEvent } from '@updraft/sdk';
import { brokerSkipReason, testBrokerUrl } from '../packages/server/src/test-support/test-broker.ts';
import { skipReason } from '../packages/server/src/test-support/test-database.ts';
import {
  image,
  startUpgradeFlows,
  type UpgradeFlows,
  upgradeOnce,
  waitFor,
} from './support/upgrade-flows.ts';

const brokerUrl = testBrokerUrl;

const skip = (await skipReason()) ?? false;
describeFlows('embedded broker', {}, 'all', skip);
describeFlows(
  'Mosquitto',
  // Updraft joins the broker in a share group of its own, so no other test's instance takes its messages.
  {
    UPDRAFT_MQTT_URL: brokerUrl,
    UPDRAFT_MQTT_AUTH_TOKEN: 'e2e-broker-token',
    UPDRAFT_MQTT_SHARE_GROUP: `e2e${randomBytes(6).toString('hex')}`,
  },
  'mqtt',
  skip || ((await brokerSkipReason()) ?? false),
);

function describeFlows(
  broker: string,
  env: Record<string, string>,
  flows: 'all' | 'mqtt',
  skip: string | false,
) {
  describe(`upgrade flows end to end (updraft serve, ${broker})`, { skip }, () => {
    let u: UpgradeFlows;
    before(async () => {
      u = await startUpgradeFlows(env);
    });
    /** A flow over HTTP runs in the first pass only; MQTT flows run on every broker. */
    const flow = (transport: 'http' | 'mqtt', title: string, fn: () => Promise<void>) => {
      if (flows === 'all' || transport === 'mqtt') it(title, fn);
    };
    after(async () => {
      await u?.close();
    });

    /** A product with devices on 1.0 and package 2.0 of `size` bytes. */
    async function setup(name: string, count: number, size = 64 * 1024, nodeType?: 'subdevice') {
      const product = await u.product(name, nodeType);
      const firmware = image(size, name.length);
      const pkg = await u.upload(product.id, '2.0', firmware);
      const devices = [];
      for (let i = 0; i < count; i++) devices.push(await u.register(product, `${name}-${i}`));
      return { product, firmware, pkg, devices };
    }
    const statusOf = async (planId: number, deviceId: number) => (await u.upgradeOf(planId, deviceId)).status;
    const until = (planId: number, deviceId: number, test: (upgrade: Record<string, unknown>) => boolean) =>
      waitFor(`upgrade of device ${deviceId} in plan ${planId}`, async () => {
        const upgrade = await u.upgradeOf(planId, deviceId);
        return upgrade && test(upgrade) ? upgrade : undefined;
      });
    const planUntil = (planId: number, status: string) =>
      waitFor(`plan ${planId} ${status}`, async () => {
        const plan = await u.api('GET', `/plans/${planId}`);
        return plan.status === status ? plan : undefined;
      });

    flow(
      'http',
      'silent, requested by the device: an HTTP check is answered with the upgrade, then Success',
      async () => {
        const { product, pkg, devices, firmware } = await setup('ask', 1);
        const plan = await u.plan({ name: 'ask', productId: product.id, firmwarePackageId: pkg.id });
        const { device, installed } = u.device(devices[0]!, 'http');
        const results = await upgradeOnce(device);
        assert.deepEqual(
          results.map((r) => r.outcome),
          ['success'],
        );
        assert.deepEqual(installed[0], firmware);
        assert.equal(await statusOf(plan.id, devices[0]!.id), 'success');
        const detail = await u.api('GET', `/devices/${devices[0]!.id}`);
        assert.equal(detail.versions.find((v: { module: string }) => v.module === 'default')?.version, '2.0');
      },
    );

    flow(
      'mqtt',
      'silent, pushed by the platform: an MQTT device online at the start gets the push',
      async () => {
        const { product, pkg, devices, firmware } = await setup('push', 2);
        const sessions = devices.map((d) => u.device(d, 'mqtt'));
        for (const s of sessions) await s.device.start();
        const plan = await u.plan({ name: 'push', productId: product.id, firmwarePackageId: pkg.id });
        for (const d of devices) {
          const upgrade = await until(plan.id, d.id, (x) => x['status'] === 'success');
          assert.ok((upgrade['pushCount'] as number) >= 1, 'it was pushed, not asked');
        }
        for (const s of sessions) assert.deepEqual(s.installed[0], firmware);
        await planUntil(plan.id, 'completed');
      },
    );

    flow('mqtt', 'manual: an operator confirms one upgrade and rejects another through the API', async () => {
      const { product, pkg, devices } = await setup('manual', 2);
      const [yes, no] = devices.map((d) => u.device(d, 'mqtt'));
      await yes!.device.start();
      await no!.device.start();
      const plan = await u.plan({
        name: 'manual',
        productId: product.id,
        firmwarePackageId: pkg.id,
        mode: 'manual',
        texts: { zh: '修复', en: 'Fixes' },
      });
      const a = await until(plan.id, devices[0]!.id, (x) => x['confirmation'] === 'awaiting');
      const b = await until(plan.id, devices[1]!.id, (x) => x['confirmation'] === 'awaiting');
      assert.equal(yes!.installed.length, 0, 'nothing is pushed before the decision');
      const confirmed = await u.api('POST', `/plans/${plan.id}/upgrades/confirm`, { upgradeIds: [a.id] });
      assert.equal(confirmed.affected, 1);
      await u.api('POST', `/plans/${plan.id}/upgrades/reject`, { upgradeIds: [b.id] });
      await until(plan.id, devices[0]!.id, (x) => x['status'] === 'success');
      const rejected = await u.upgradeOf(plan.id, devices[1]!.id);
      assert.equal(rejected.status, 'failure');
      assert.equal(rejected.failureReason, 'rejected');
      assert.equal(no!.installed.length, 0);
    });

    flow(
      'mqtt',
      'components: the module firmware, then the MCU firmware; a failing MCU ends the upgrade naming it',
      async () => {
        const product = await u.product('components');
        await u.api('POST', `/products/${product.id}/modules`, { name: 'mcu', kind: 'mcu' });
        const modulePkg = await u.upload(product.id, '2.0', image(40_000, 11));
        const mcuPkg = await u.upload(product.id, '3.0', image(20_000, 12), { module: 'mcu' });
        const versions = { versions: { default: '1.0', mcu: '2.5' } };
        const good = await u.register(product, 'components-0', versions);
        const bad = await u.register(product, 'components-1', versions);
        const plan = await u.plan({
          name: 'components',
          productId: product.id,
          components: [{ firmwarePackageId: modulePkg.id }, { firmwarePackageId: mcuPkg.id }],
        });
        assert.deepEqual(
          plan.components.map((c: { module: string; targetVersion: string }) => [c.module, c.targetVersion]),
          [
            ['default', '2.0'],
            ['mcu', '3.0'],
          ],
        );
        const installed: string[] = [];
        for (const [d, mcuFails] of [
          [good, false],
          [bad, true],
        ] as const) {
          const { device } = u.device(d, 'mqtt', {
            modules: {
              default: {
                version: '1.0',
                async install() {
                  installed.push(`${d.name} default`);
                },
              },
              mcu: {
                version: '2.5',
                async install() {
                  installed.push(`${d.name} mcu`);
                  if (mcuFails) throw new Error('MCU flash refused');
                },
              },
            },
          });
          await device.start();
        }
        const done = await until(plan.id, good.id, (x) => x['status'] === 'success');
        assert.deepEqual(
          done.components.map((c: { status: string }) => c.status),
          ['success', 'success'],
        );
        const failed = await until(plan.id, bad.id, (x) => x['status'] === 'failure');
        assert.equal(failed.failureReason, 'write_failed');
        assert.match(failed.failureDetail, /^component 2 of 2 \(mcu\)/);
        assert.deepEqual(
          failed.components.map((c: { status: string }) => c.status),
          ['success', 'failure'],
        );
        for (const d of [good, bad]) {
          const mine = installed.filter((i) => i.startsWith(`${d.name} `));
          assert.deepEqual(mine, [`${d.name} default`, `${d.name} mcu`], 'the module first, then the MCU');
        }
        const report = await u.api('GET', `/plans/${plan.id}/report`);
        assert.deepEqual(
          report.components.map((c: { module: string; counts: Record<string, number> }) => [
            c.module,
            c.counts['success'],
            c.counts['failure'],
          ]),
          [
            ['default', 2, 0],
            ['mcu', 1, 1],
          ],
        );
      },
    );

    flow('mqtt', 'sub-devices: one gateway session upgrades each of its sub-devices', async () => {
      const gatewayProduct = await u.product('gw', 'gateway');
      const gateway = await u.register(gatewayProduct, 'gw-0', {});
      const sensors = await u.product('sensor', 'subdevice');
      const firmware = image(20_000, 3);
      const pkg = await u.upload(sensors.id, '2.0', firmware);
      const subs = [
        await u.register(sensors, 's-0', { gatewayId: gateway.id, versions: { default: '1.0' } }),
        await u.register(sensors, 's-1', { gatewayId: gateway.id, versions: { default: '1.0' } }),
      ];
      const plan = await u.plan({ name: 'sensors', productId: sensors.id, firmwarePackageId: pkg.id });
      const installed: string[] = [];
      const { device } = u.device(gateway, 'mqtt', {
        modules: {},
        subDevices: subs.map((s) => ({
          username: s.username,
          deviceId: s.id,
          stateDir: u.stateDir(s.username),
          modules: {
            default: {
              version: '1.0',
              async install() {
                installed.push(s.username);
              },
            },
          },
        })),
      });
      await device.start();
      for (const s of subs) await until(plan.id, s.id, (x) => x['status'] === 'success');
      assert.deepEqual(installed.sort(), subs.map((s) => s.username).sort());
      for (const s of subs) assert.deepEqual(device.versions(s.username), { default: '2.0' });
    });

    flow(
      'http',
      'delta: devices on the source version get the delta package, the others the full one',
      async () => {
        const product = await u.product('delta');
        const old = image(96 * 1024, 5);
        const firmware = Buffer.from(old);
        for (let i = 0; i < firmware.length; i += 3000) firmware[i] = firmware[i]! ^ 0x33;
        const full = await u.upload(product.id, '2.0', firmware);
        await u.upload(product.id, '2.0', diff(old, firmware).patch, { type: 'delta', sourceVersion: '1.0' });
        const onSource = await u.register(product, 'delta-src');
        const onOther = await u.register(product, 'delta-other', { versions: { default: '1.5' } });
        const plan = await u.plan({ name: 'delta', productId: product.id, firmwarePackageId: full.id });
        const kinds: Record<string, string> = {};
        const onEvent = (event: DeviceEvent) => {
          if (event.type === 'offer') kinds[event.subject] = event.offer.kind;
        };
        const a = u.device(onSource, 'http', { onEvent });
        a.options.modules['default']!.readCurrent = (offset, length) => old.subarray(offset, offset + length);
        const b = u.device(onOther, 'http', { version: '1.5', onEvent });
        for (const s of [a, b]) await upgradeOnce(s.device);
        assert.deepEqual(kinds, { [onSource.username]: 'delta', [onOther.username]: 'full' });
        assert.deepEqual(a.installed[0], firmware, 'the delta restores the full image');
        assert.deepEqual(b.installed[0], firmware);
        for (const d of [onSource, onOther]) assert.equal(await statusOf(plan.id, d.id), 'success');
      },
    );

    flow('http', 'scheduled start: nothing is offered before start.at, the upgrade after it', async () => {
      const { product, pkg, devices } = await setup('later', 1);
      const at = new Date(Date.now() + 1500);
      const plan = await u.plan({
        name: 'later',
        productId: product.id,
        firmwarePackageId: pkg.id,
        start: { mode: 'at', at: at.toISOString() },
      });
      assert.equal(plan.status, 'scheduled');
      const { device } = u.device(devices[0]!, 'http');
      assert.deepEqual(await device.start(), [], 'nothing before the start');
      const running = await planUntil(plan.id, 'running');
      assert.ok(Date.parse(running.startedAt) >= at.getTime(), 'started at its time, not before');
      await waitFor('the upgrade', async () => ((await device.checkNow()).length > 0 ? true : undefined));
      assert.equal(await statusOf(plan.id, devices[0]!.id), 'success');
    });

    flow(
      'http',
      'deadline: what has not finished by then fails with reason deadline and the plan expires',
      async () => {
        const { product, pkg, devices } = await setup('deadline', 1);
        const plan = await u.plan({
          name: 'deadline',
          productId: product.id,
          firmwarePackageId: pkg.id,
          deadline: new Date(Date.now() + 2000).toISOString(),
        });
        // The device is busy and defers every offer.
        const { device } = u.device(devices[0]!, 'http', { accept: () => 'later' });
        assert.equal((await upgradeOnce(device))[0]?.outcome, 'deferred');
        await planUntil(plan.id, 'expired');
        const upgrade = await u.upgradeOf(plan.id, devices[0]!.id);
        assert.equal(upgrade.status, 'failure');
        assert.equal(upgrade.failureReason, 'deadline');
        const retry = await u.api('POST', `/plans/${plan.id}/upgrades/retry`, {}, 409);
        assert.equal(retry.code, 'PLAN_INVALID_TRANSITION');
      },
    );

    flow(
      'mqtt',
      'retry: a device that failed to write is retried by the operator and then succeeds',
      async () => {
        const { product, pkg, devices } = await setup('retry', 1);
        const plan = await u.plan({ name: 'retry', productId: product.id, firmwarePackageId: pkg.id });
        let writes = 0;
        const { device } = u.device(devices[0]!, 'mqtt', {
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
        const failed = await until(plan.id, devices[0]!.id, (x) => x['status'] === 'failure');
        assert.equal(failed['failureReason'], 'write_failed');
        const retried = await u.api('POST', `/plans/${plan.id}/upgrades/retry`, {
          upgradeIds: [failed['id']],
        });
        assert.equal(retried.affected, 1);
        const done = await until(plan.id, devices[0]!.id, (x) => x['status'] === 'success');
        assert.equal(done['attempts'], 2);
        assert.equal(writes, 2);
      },
    );

    flow('http', 'cancel: a cancelled plan ends its device upgrades and offers nothing more', async () => {
      const { product, pkg, devices } = await setup('cancel', 2);
      const plan = await u.plan({ name: 'cancel', productId: product.id, firmwarePackageId: pkg.id });
      const { device } = u.device(devices[0]!, 'http', { accept: () => 'later' });
      await upgradeOnce(device);
      const cancelled = await u.api('POST', `/plans/${plan.id}/cancel`, {});
      assert.equal(cancelled.status, 'cancelled');
      for (const d of devices) assert.equal(await statusOf(plan.id, d.id), 'cancelled');
      const reasons: string[] = [];
      const { device: later } = u.device(devices[1]!, 'http', {
        onEvent: (e) => {
          if (e.type === 'no-offer') reasons.push(e.reason);
        },
      });
      assert.deepEqual(await later.start(), []);
      assert.equal(reasons.length, 1);
    });

    flow(
      'mqtt',
      're-push rule: three mismatching version reports are pushed again, the fourth fails',
      async () => {
        const { product, pkg, devices } = await setup('repush', 1);
        const plan = await u.plan({ name: 'repush', productId: product.id, firmwarePackageId: pkg.id });
        const offers: string[] = [];
        // The device stays on 1.0 (it defers) and informs its version again after each push.
        const { device } = u.device(devices[0]!, 'mqtt', {
          accept: () => 'later',
          onEvent: (e) => {
            if (e.type === 'offer') offers.push(e.offer.targetVersion);
          },
        });
        await device.start();
        // Whether the report at start counts depends on whether the push came first: count from here.
        // The SDK drops a push that arrives while it is still deciding on the previous one, so the
        // pushes are counted on the server; the device must have seen some.
        let upgrade = await until(plan.id, devices[0]!.id, (x) => x['status'] === 'pushed');
        const seen: [string, number][] = [];
        while (upgrade.status !== 'failure') {
          const before = upgrade.mismatchCount as number;
          assert.ok(before <= 3, `still pushed after ${before} mismatches`);
          await device.checkNow();
          upgrade = await until(
            plan.id,
            devices[0]!.id,
            (x) => x['status'] === 'failure' || (x['mismatchCount'] as number) > before,
          );
          seen.push([upgrade.status, upgrade.mismatchCount]);
        }
        assert.deepEqual(seen.at(-2), ['pushed', 3], 'the third mismatch is pushed again');
        assert.equal(upgrade.failureReason, 'version_mismatch');
        // Three re-pushes at least (the first offer may have answered the device's own report).
        assert.ok((upgrade.pushCount as number) >= 3, `three re-pushes: ${JSON.stringify(upgrade)}`);
        await waitFor('a push', async () => (offers.length >= 1 ? true : undefined));
      },
    );

    flow(
      'http',
      'thresholds: low battery or weak signal keeps the offer back; once above, the device upgrades',
      async () => {
        const { product, pkg, devices } = await setup('threshold', 2);
        const plan = await u.plan({
          name: 'threshold',
          productId: product.id,
          firmwarePackageId: pkg.id,
          minBattery: 30,
          minSignal: -90,
        });
        const now = { battery: 12, signal: -60 };
        const weak = { battery: 90, signal: -110 };
        const reasons: string[] = [];
        const low = u.device(devices[0]!, 'http', {
          telemetry: () => now,
          onEvent: (e) => {
            if (e.type === 'no-offer') reasons.push(e.reason);
          },
        });
        const far = u.device(devices[1]!, 'http', { telemetry: () => weak });
        await low.device.start();
        await far.device.start();
        // The plan enrols its devices as it starts: wait until a check gets a threshold answer.
        await waitFor('a threshold refusal', async () => {
          await low.device.checkNow();
          return reasons.some((r) => /below the threshold/.test(r)) ? true : undefined;
        });
        assert.deepEqual(await far.device.checkNow(), []);
        for (const d of devices)
          assert.notEqual(await statusOf(plan.id, d.id), 'failure', 'deferred, not failed');
        now.battery = 30;
        weak.signal = -90;
        assert.equal(
          (await low.device.checkNow())[0]?.outcome,
          'success',
          'a value equal to the minimum passes',
        );
        assert.equal((await far.device.checkNow())[0]?.outcome, 'success');
      },
    );

    flow(
      'http',
      'a download killed midway resumes after the device restarts, from the bytes it kept',
      async () => {
        const { product, pkg, devices, firmware } = await setup('resume', 1, 1024 * 1024);
        const plan = await u.plan({ name: 'resume', productId: product.id, firmwarePackageId: pkg.id });
        let stopped: Promise<void> | undefined;
        const first = u.device(devices[0]!, 'http', {
          onEvent(event) {
            if (event.type === 'progress' && event.received >= firmware.length / 3 && !stopped) {
              stopped = first.device.stop();
            }
          },
        });
        await first.device.start();
        await waitFor('the first download', async () => {
          if (!stopped) await first.device.checkNow();
          return stopped ? true : undefined;
        });
        await stopped;
        assert.equal(first.installed.length, 0);
        const ranges: number[] = [];
        const second = u.device(devices[0]!, 'http', {
          stateDir: first.options.stateDir,
          fetch: (input, init) => {
            const range = new Headers(init?.headers).get('range');
            if (range && String(input).includes('/download/')) ranges.push(Number(/\d+/.exec(range)![0]));
            return fetch(input, init);
          },
        });
        assert.equal((await second.device.start())[0]?.outcome, 'success');
        assert.ok(ranges[0]! >= firmware.length / 3, `resumed at ${ranges[0]}`);
        assert.deepEqual(second.installed[0], firmware);
        assert.equal(await statusOf(plan.id, devices[0]!.id), 'success');
      },
    );

    flow('mqtt', 'verification plan: success on its one test device marks the package verified', async () => {
      const { product, pkg, devices } = await setup('verify', 2);
      assert.equal((await u.api('GET', `/firmware/${pkg.id}`)).verified, false);
      const plan = await u.plan({
        name: 'verify',
        productId: product.id,
        firmwarePackageId: pkg.id,
        verification: true,
        target: { kind: 'devices', deviceIds: [devices[0]!.id] },
      });
      const { device } = u.device(devices[0]!, 'mqtt');
      await device.start();
      await until(plan.id, devices[0]!.id, (x) => x['status'] === 'success');
      await planUntil(plan.id, 'completed');
      const verified = await u.api('GET', `/firmware/${pkg.id}`);
      assert.deepEqual(
        [verified.verified, verified.verification],
        [true, { planId: plan.id, state: 'passed' }],
      );
      // Once verified packages are required, an unverified one is refused and this one is taken.
      await u.api('PUT', '/plan-settings', { requireVerifiedFirmware: true });
      try {
        const other = await u.upload(product.id, '3.0', image(1000, 9));
        const refused = await u.api(
          'POST',
          '/plans',
          { name: 'unverified', productId: product.id, firmwarePackageId: other.id, target: { kind: 'all' } },
          409,
        );
        assert.equal(refused.code, 'FIRMWARE_NOT_VERIFIED');
        await u.plan({ name: 'rollout', productId: product.id, firmwarePackageId: pkg.id });
      } finally {
        await u.api('PUT', '/plan-settings', { requireVerifiedFirmware: false });
      }
    });

    flow('http', 'failure threshold: the plan pauses once too many decided devices failed', async () => {
      const { product, pkg, devices } = await setup('threshold-pause', 4);
      const plan = await u.plan({
        name: 'pause',
        productId: product.id,
        firmwarePackageId: pkg.id,
        failureThreshold: { percent: 50, minFinished: 2 },
      });
      const failing = (i: number) =>
        u.device(devices[i]!, 'http', {
          modules: {
            default: {
              version: '1.0',
              async install() {
                throw new Error('bad flash');
              },
            },
          },
        }).device;
      for (const i of [0, 1]) await upgradeOnce(failing(i));
      const paused = await planUntil(plan.id, 'paused');
      assert.equal(paused.counts.failure, 2);
      const { device } = u.device(devices[2]!, 'http');
      assert.deepEqual(await device.start(), [], 'a paused plan offers nothing');
      await u.api('POST', `/plans/${plan.id}/resume`, {});
      await waitFor('the resumed plan', async () =>
        (await device.checkNow()).length > 0 ? true : undefined,
      );
      assert.equal(await statusOf(plan.id, devices[2]!.id), 'success');
    });

    for (const transport of ['http', 'mqtt'] as const) {
      flow(
        transport,
        `a three-file package: every file reaches an ${transport.toUpperCase()} device, verified, and its installer gets them all`,
        async () => {
          const product = await u.product(`files-${transport}`);
          const files = [
            { name: 'app.bin', content: image(40_000, 3) },
            { name: 'app.bin_1', content: image(70_001, 4) },
            { name: 'app.bin_2', content: image(1_234, 5) },
          ];
          const pkg = await u.upload(product.id, '2.0', files[0]!.content, {}, files.slice(1));
          assert.deepEqual(
            pkg.files.map((f: { name: string }) => f.name),
            files.map((f) => f.name),
          );
          const d = await u.register(product, `files-${transport}-0`);
          const installed: { name: string; index: number; content: Buffer }[][] = [];
          const { device } = u.device(d, transport, {
            modules: {
              default: {
                version: '1.0',
                async install({ files: got }) {
                  installed.push(
                    await Promise.all(
                      got.map(async (f) => ({
                        name: f.name,
                        index: f.index,
                        content: await readFile(f.path),
                      })),
                    ),
                  );
                },
              },
            },
          });
          if (transport === 'mqtt') await device.start();
          const plan = await u.plan({ name: 'files', productId: product.id, firmwarePackageId: pkg.id });
          if (transport === 'http') await upgradeOnce(device);
          await until(plan.id, d.id, (x) => x['status'] === 'success');
          await device.idle();
          assert.equal(installed.length, 1);
          assert.deepEqual(
            installed[0]!.map((f) => [f.index, f.name]),
            files.map((f, i) => [i + 1, f.name]),
          );
          for (const [i, f] of installed[0]!.entries()) assert.deepEqual(f.content, files[i]!.content);
        },
      );
    }
  });
}
