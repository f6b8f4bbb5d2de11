// Installs confirmed by health, end to end (issue 18, "Done when"): the SDK over HTTP against a
// real Updraft server whose plan has a health window. A device that confirms succeeds; a device
// that does not confirm in the window fails with not_confirmed and the SDK rolls back to the old
// image and reports it; one that says it is unhealthy fails with rolled_back; one that stopped
// while confirming learns of the failure in its next session. The server's clock is the test's.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createDeviceFleet,
  type DeviceFleet,
  type TestDevice,
} from '../../server/src/test-support/device-fleet.ts';
import { skipReason } from '../../server/src/test-support/test-database.ts';
import { createDevice, type UpdateInfo } from './index.ts';

const skip = (await skipReason()) ?? false;
const window = 600;

describe('device SDK: installs confirmed by health', { skip }, () => {
  let f: DeviceFleet;
  let dir: string;
  before(async () => {
    f = await createDeviceFleet({ count: 4, plan: { healthWindowSeconds: window } });
    dir = await mkdtemp(join(tmpdir(), 'updraft-sdk-health-'));
  });
  after(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * A session of device `d` whose image is a file: the install keeps the previous file and writes
   * the new one, the rollback puts the previous one back; `confirmHealth` is the test's.
   */
  async function session(d: TestDevice, confirmHealth: (update: UpdateInfo) => Promise<boolean>) {
    const image = join(dir, `${d.name}.img`);
    const previous = `${image}.previous`;
    // The device's first session ships 1.0; later sessions find the image where the last left it.
    await writeFile(image, '1.0', { flag: 'wx' }).catch(() => {});
    const device = createDevice({
      server: f.base,
      transport: 'http',
      credentials: { productKey: f.productKey, name: d.name, secret: d.secret },
      stateDir: join(dir, d.name),
      modules: {
        default: {
          version: '1.0',
          async install({ path }) {
            await writeFile(previous, await readFile(image));
            await writeFile(image, await readFile(path));
          },
          async rollback() {
            await writeFile(image, await readFile(previous));
          },
          currentVersion: async () => {
            const bytes = await readFile(image);
            return bytes.equals(f.firmware) ? '2.0' : bytes.toString();
          },
        },
      },
      confirmHealth,
    });
    return { device, image: () => readFile(image) };
  }
  async function upgradeOf(d: TestDevice) {
    return (await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 })).items[0]!
      .state;
  }
  async function serverVersionOf(d: TestDevice) {
    const detail = await f.t.app.services.devices.getDeviceDetail(d.id);
    return detail.versions.find((v) => v.module === 'default')?.version;
  }
  /** The scheduler's step after the health window of every waiting device has passed. */
  async function sweepAfterWindow() {
    f.t.clock.advance((window + 60) * 1000);
    await f.t.app.services.plans.tickPlan(f.planId, 'test', 60_000);
  }
  /** A health check the test answers: `called` resolves once the SDK asks. */
  function gate() {
    let answer!: (healthy: boolean) => void;
    let called!: () => void;
    const asked = new Promise<void>((resolve) => {
      called = resolve;
    });
    const verdict = new Promise<boolean>((resolve) => {
      answer = resolve;
    });
    return {
      asked,
      answer,
      check: () => {
        called();
        return verdict;
      },
    };
  }

  it('offers the health window, waits in confirming after the install and succeeds on a healthy report', async () => {
    const d = f.devices[0]!;
    const health = gate();
    const { device, image } = await session(d, health.check);
    const started = device.start();
    await health.asked;
    const waiting = await upgradeOf(d);
    assert.equal(waiting.status, 'upgrading');
    assert.equal(waiting.stage, 'confirming', 'the server heard the new version runs');
    health.answer(true);
    const results = await started;
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['success'],
    );
    assert.equal((await upgradeOf(d)).status, 'success');
    assert.deepEqual(device.versions(), { default: '2.0' });
    assert.deepEqual(await image(), f.firmware);
    await device.stop();
  });

  it('fails a device that does not confirm within the window with not_confirmed; the SDK rolls back to the old image', async () => {
    const d = f.devices[1]!;
    const health = gate();
    const { device, image } = await session(d, health.check);
    const started = device.start();
    await health.asked;
    await sweepAfterWindow();
    const failed = await upgradeOf(d);
    assert.equal(failed.status, 'failure');
    assert.equal(failed.failureReason, 'not_confirmed');
    // Too late: the server says the upgrade ended, and the device goes back.
    health.answer(true);
    const results = await started;
    assert.deepEqual(
      results.map((r) => [r.outcome, r.error?.code]),
      [['failed', 'HEALTH_CHECK_FAILED']],
    );
    assert.deepEqual(device.versions(), { default: '1.0' });
    assert.equal((await image()).toString(), '1.0', 'the previous image is back');
    assert.equal(await serverVersionOf(d), '1.0', 'the device reported the version it is back on');
    assert.equal((await upgradeOf(d)).failureReason, 'not_confirmed');
    await device.stop();
  });

  it('fails a device that reports itself unhealthy with rolled_back, back on the old image', async () => {
    const d = f.devices[2]!;
    const { device, image } = await session(d, async () => false);
    const results = await device.start();
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['failed'],
    );
    const failed = await upgradeOf(d);
    assert.equal(failed.failureReason, 'rolled_back');
    assert.match(failed.failureDetail ?? '', /back on 1\.0/);
    assert.deepEqual(device.versions(), { default: '1.0' });
    assert.equal((await image()).toString(), '1.0');
    await device.stop();
  });

  it('checks health again after a restart while confirming, and rolls back when the server failed it meanwhile', async () => {
    const d = f.devices[3]!;
    const health = gate();
    const first = await session(d, health.check);
    const started = first.device.start();
    await health.asked;
    // The device stops (a crash, a power cut) while it checks its health.
    await first.device.stop();
    assert.deepEqual(
      (await started).map((r) => r.outcome),
      ['deferred'],
    );
    await sweepAfterWindow();
    assert.equal((await upgradeOf(d)).failureReason, 'not_confirmed');
    const second = await session(d, async () => true);
    const results = await second.device.start();
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['failed'],
    );
    assert.deepEqual(second.device.versions(), { default: '1.0' });
    assert.equal((await second.image()).toString(), '1.0');
    await second.device.stop();
  });
});
