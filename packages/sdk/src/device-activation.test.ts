// Activation against a real Updraft server on a loopback socket (HTTP): an install that asks for a
// restart and is confirmed by the next session, a health check that fails and rolls back (at once
// and across a restart), a bootloader that fell back, and an install cut short by a crash that
// the next session runs again. Each session on the same state folder stands for the device after
// a restart or power cut.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createDeviceFleet,
  type DeviceFleet,
  type TestDevice,
} from '../../server/src/test-support/device-fleet.ts';
import { skipReason } from '../../server/src/test-support/test-database.ts';
import { createDevice, type DeviceEvent, type ModuleOptions, SdkError } from './index.ts';

const skip = (await skipReason()) ?? false;

describe('device SDK: activation, health check and rollback', { skip }, () => {
  let f: DeviceFleet;
  let dir: string;
  before(async () => {
    f = await createDeviceFleet({ count: 6 });
    dir = await mkdtemp(join(tmpdir(), 'updraft-sdk-activation-'));
  });
  after(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A session of device `d` with module `default` (installs record themselves in `calls`). */
  function session(d: TestDevice, module: Partial<ModuleOptions>, restarts: string[] = []) {
    const calls: string[] = [];
    const events: DeviceEvent[] = [];
    const device = createDevice({
      server: f.base,
      transport: 'http',
      credentials: { productKey: f.productKey, name: d.name, secret: d.secret },
      stateDir: join(dir, d.name),
      modules: {
        default: {
          version: '1.0',
          async install({ version, previousVersion }) {
            calls.push(`install ${previousVersion}->${version}`);
          },
          ...module,
        },
      },
      onEvent: (event) => events.push(event),
      async restart() {
        restarts.push('restart');
      },
    });
    return { device, calls, events };
  }
  async function upgradeOf(d: TestDevice) {
    return (await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 })).items[0]!
      .state;
  }
  const reasonOf = (state: Awaited<ReturnType<typeof upgradeOf>>) =>
    state.status === 'failure' ? state.failureReason : state.lastFailureReason;
  async function reportedVersion(d: TestDevice) {
    const detail = await f.t.app.services.devices.getDeviceDetail(d.id);
    return detail.versions.find((v) => v.module === 'default')?.version;
  }
  const pendingOf = async (d: TestDevice) =>
    JSON.parse(await readFile(join(dir, d.name, 'state.json'), 'utf8')).pending;

  it('an install that asks for a restart is confirmed by the next session: version, health, commit, Success', async () => {
    const d = f.devices[0]!;
    const restarts: string[] = [];
    const first = session(d, { install: async () => 'restart' }, restarts);
    const [result] = await first.device.start();
    assert.equal(result?.outcome, 'restarting');
    assert.deepEqual(restarts, ['restart']);
    assert.equal((await pendingOf(d)).default.phase, 'activating');
    assert.notEqual((await upgradeOf(d)).status, 'success', 'not before the new version runs');

    const second = session(d, {
      currentVersion: () => '2.0',
      async healthCheck() {
        second.calls.push('health');
      },
      async commit({ version }) {
        second.calls.push(`commit ${version}`);
      },
    });
    const [resumed] = await second.device.start();
    assert.equal(resumed?.outcome, 'success');
    assert.deepEqual(second.calls, ['health', 'commit 2.0']);
    assert.ok(second.events.some((e) => e.type === 'resumed' && e.phase === 'activating'));
    assert.equal((await upgradeOf(d)).status, 'success');
    assert.deepEqual(second.device.versions(), { default: '2.0' });
    assert.deepEqual(await pendingOf(d), {});
  });

  it('a failing health check rolls back at once and reports the failure and the version it is back on', async () => {
    const d = f.devices[1]!;
    let running = '1.0';
    const s = session(d, {
      async install() {
        running = '2.0';
        s.calls.push('install');
      },
      currentVersion: () => running,
      async healthCheck() {
        throw new Error('app.service is not active');
      },
      async commit() {
        s.calls.push('commit');
      },
      async rollback({ previousVersion }) {
        running = previousVersion;
        s.calls.push(`rollback to ${previousVersion}`);
      },
    });
    const [result] = await s.device.start();
    assert.equal(result?.outcome, 'failed');
    assert.equal(result?.error?.code, 'HEALTH_CHECK_FAILED');
    assert.match(String(result?.error?.message), /app\.service is not active; rolled back to 1\.0/);
    assert.deepEqual(s.calls, ['install', 'rollback to 1.0'], 'no commit');
    assert.deepEqual(s.device.versions(), { default: '1.0' });
    assert.equal(reasonOf(await upgradeOf(d)), 'failed');
    assert.equal(await reportedVersion(d), '1.0');
  });

  it('a rollback that needs a restart is reported by the next session', async () => {
    const d = f.devices[2]!;
    let running = '1.0';
    const restarts: string[] = [];
    const first = session(
      d,
      {
        install: async () => 'restart',
        currentVersion: () => running,
        async healthCheck() {
          throw new Error('no network after boot');
        },
        rollback: async () => 'restart',
      },
      restarts,
    );
    assert.equal((await first.device.start())[0]?.outcome, 'restarting');
    running = '2.0'; // booted the new slot
    const second = session(
      d,
      {
        currentVersion: () => running,
        async healthCheck() {
          throw new Error('no network after boot');
        },
        rollback: async () => 'restart',
      },
      restarts,
    );
    assert.equal((await second.device.start())[0]?.outcome, 'restarting');
    assert.equal((await pendingOf(d)).default.phase, 'rolled-back');
    assert.deepEqual(restarts, ['restart', 'restart']);
    running = '1.0'; // booted the old slot again
    const third = session(d, { currentVersion: () => running });
    const [result] = await third.device.start();
    assert.equal(result?.error?.code, 'HEALTH_CHECK_FAILED');
    assert.match(String(result?.error?.message), /no network after boot; rolled back to 1\.0/);
    assert.equal(reasonOf(await upgradeOf(d)), 'failed');
    assert.equal(await reportedVersion(d), '1.0');
    assert.deepEqual(await pendingOf(d), {});
  });

  it('a bootloader that fell back to the old slot is a write failure on the version it runs', async () => {
    const d = f.devices[3]!;
    const first = session(d, { install: async () => 'restart', currentVersion: () => '1.0' });
    assert.equal((await first.device.start())[0]?.outcome, 'restarting');
    const second = session(d, { currentVersion: () => '1.0' });
    const [result] = await second.device.start();
    assert.equal(result?.error?.code, 'WRITE_FAILED');
    assert.match(String(result?.error?.message), /runs 1\.0, not 2\.0/);
    assert.notEqual((await upgradeOf(d)).status, 'success');
    assert.deepEqual(second.device.versions(), { default: '1.0' });
  });

  it('an install cut short by a crash runs again in the next session, on the verified image', async () => {
    const d = f.devices[4]!;
    let crashed!: () => void;
    const installing = new Promise<void>((resolve) => {
      crashed = resolve;
    });
    // The first session's install never returns: the process "dies" while it runs.
    const first = session(d, {
      install: () => {
        crashed();
        return new Promise<undefined>(() => {});
      },
    });
    void first.device.start();
    await installing;
    assert.equal((await pendingOf(d)).default.phase, 'installing');
    const second = session(d, {});
    const [result] = await second.device.start();
    assert.equal(result?.outcome, 'success');
    assert.deepEqual(second.calls, ['install 1.0->2.0']);
    assert.ok(second.events.some((e) => e.type === 'resumed' && e.phase === 'installing'));
    assert.equal((await upgradeOf(d)).status, 'success');
  });

  it('an installer that refuses the image reports a check failure', async () => {
    const d = f.devices[5]!;
    const s = session(d, {
      async install() {
        throw new SdkError('CHECK_FAILED', 'bundle signature does not verify');
      },
    });
    const [result] = await s.device.start();
    assert.equal(result?.error?.code, 'CHECK_FAILED');
    assert.equal(reasonOf(await upgradeOf(d)), 'check_failed');
    assert.deepEqual(await pendingOf(d), {});
  });
});
