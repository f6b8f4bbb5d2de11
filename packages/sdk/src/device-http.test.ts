// The SDK over HTTP against a real Updraft server on a loopback socket: a whole upgrade, a
// corrupted download refused before install, an installer that fails, deferral by the device,
// a start the server refuses while the plan is paused, and a restart that reports the new version.
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
import { createDevice, type DeviceOptions, type ModuleOptions } from './index.ts';

const skip = (await skipReason()) ?? false;

describe('device SDK over HTTP', { skip }, () => {
  let f: DeviceFleet;
  let dir: string;
  before(async () => {
    f = await createDeviceFleet({ count: 6 });
    dir = await mkdtemp(join(tmpdir(), 'updraft-sdk-'));
  });
  after(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  const productKey = () => f.productKey;
  function options(d: TestDevice, module: Partial<ModuleOptions> = {}, extra: Partial<DeviceOptions> = {}) {
    const installed: string[] = [];
    const opts: DeviceOptions = {
      server: f.base,
      transport: 'http',
      credentials: { productKey: productKey(), name: d.name, secret: d.secret },
      stateDir: join(dir, d.name),
      modules: {
        default: {
          version: '1.0',
          async install({ path }) {
            installed.push((await readFile(path)).toString('base64'));
          },
          ...module,
        },
      },
      ...extra,
    };
    return { opts, installed };
  }
  async function stateOf(d: TestDevice) {
    return (await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 })).items[0]!
      .state;
  }

  it('checks, downloads, verifies, installs and reports Success; after a restart it reports the new version', async () => {
    const d = f.devices[0]!;
    const { opts, installed } = options(d);
    const device = createDevice(opts);
    const results = await device.start();
    assert.deepEqual(
      results.map((r) => [r.outcome, r.targetVersion]),
      [['success', '2.0']],
    );
    assert.equal(installed.length, 1);
    assert.deepEqual(Buffer.from(installed[0]!, 'base64'), f.firmware);
    assert.equal((await stateOf(d)).status, 'success');
    assert.deepEqual(device.versions(), { default: '2.0' });
    await device.stop();

    const restarted = createDevice(options(d).opts);
    assert.deepEqual(await restarted.start(), [], 'nothing more is offered');
    assert.deepEqual(restarted.versions(), { default: '2.0' });
    const versions = await f.t.app.services.devices.getDeviceDetail(d.id);
    assert.equal(versions.versions.find((v) => v.module === 'default')?.version, '2.0');
  });

  it('refuses a corrupted download as a check failure and never installs it', async () => {
    const d = f.devices[1]!;
    const corrupting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).includes('/device/v1/download/')) return response;
      const body = Buffer.from(await response.arrayBuffer());
      body[body.length >> 1]! ^= 0xff;
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const { opts, installed } = options(d, {}, { fetch: corrupting });
    const [result] = await createDevice(opts).start();
    assert.equal(result?.outcome, 'failed');
    assert.equal(result?.error?.code, 'CHECK_FAILED');
    assert.equal(result?.error?.retryable, false);
    assert.equal(installed.length, 0);
    const state = await stateOf(d);
    assert.equal(state.status === 'failure' ? state.failureReason : state.lastFailureReason, 'check_failed');
  });

  it('reports an installer failure (OneNET has no write-failure code: 206, reason failed)', async () => {
    const d = f.devices[2]!;
    const { opts } = options(d, {
      async install() {
        throw new Error('flash is write-protected');
      },
    });
    const [result] = await createDevice(opts).start();
    assert.equal(result?.error?.code, 'WRITE_FAILED');
    assert.match(String(result?.error?.message), /write-protected/);
    const state = await stateOf(d);
    assert.equal(state.status === 'failure' ? state.failureReason : state.lastFailureReason, 'failed');
  });

  it('lets the device defer an offer and take it on a later check', async () => {
    const d = f.devices[3]!;
    let busy = true;
    const { opts, installed } = options(d, {}, { accept: () => (busy ? 'later' : true) });
    const device = createDevice(opts);
    const [deferred] = await device.start();
    assert.equal(deferred?.outcome, 'deferred');
    assert.equal(installed.length, 0);
    busy = false;
    const [done] = await device.checkNow();
    assert.equal(done?.outcome, 'success');
  });

  it('goes on when the server is away as the download ends: the step report is tried again', async () => {
    const d = f.devices[5]!;
    let refused = 0;
    // The server restarts just as the download ends: its "downloaded" step fails twice.
    const restarting: typeof fetch = async (input, init) => {
      if (/\/progress\?/.test(String(input)) && String(init?.body).includes('101') && refused < 2) {
        refused++;
        throw new TypeError('fetch failed (the server is restarting)');
      }
      return fetch(input, init);
    };
    const retry = { attempts: 8, baseDelayMs: 5, maxDelayMs: 20 };
    const { opts, installed } = options(d, {}, { fetch: restarting, retry });
    const [result] = await createDevice(opts).start();
    assert.equal(refused, 2);
    assert.equal(result?.outcome, 'success', result?.error?.message);
    assert.equal(installed.length, 1);
    assert.equal((await stateOf(d)).status, 'success');
  });

  it('defers an offer whose start the server refuses because the plan was paused meanwhile', async () => {
    const d = f.devices[4]!;
    const plans = f.t.app.services.plans;
    // The plan pauses between the device's check and its token check.
    const pausing: typeof fetch = async (input, init) => {
      if (/\/download\/[^/]+\/check/.test(String(input))) await plans.runAction(f.planId, 'pause', 'test');
      return fetch(input, init);
    };
    const { opts, installed } = options(d, {}, { fetch: pausing });
    const device = createDevice(opts);
    try {
      const [held] = await device.start();
      assert.equal(held?.outcome, 'deferred');
      assert.equal(installed.length, 0);
      assert.equal((await stateOf(d)).status, 'pushed', 'nothing failed');
    } finally {
      await plans.runAction(f.planId, 'resume', 'test');
    }
    const again = createDevice(options(d).opts);
    const [done] = await again.start();
    assert.equal(done?.outcome, 'success');
  });
});
