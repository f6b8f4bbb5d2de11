// The SDK as an LwM2M client (`transport: 'lwm2m'`, docs/lwm2m.md) against a real Updraft server
// over UDP: a signed Register, the Package URI pulled block-wise over CoAP, Update executed by
// the server, and the outcome as the server records it; an installer failure as its Update
// Result, the owner's refusal as Result 11 (counted, offered again after the rejection period),
// and a Cancel (/5/0/10) before the install.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { upgradeOf } from '../../server/src/test-support/contracts/device-dialect.contract.ts';
import type { TestDevice } from '../../server/src/test-support/device-fleet.ts';
import { eventually } from '../../server/src/test-support/mqtt-device.ts';
import { skipReason } from '../../server/src/test-support/test-database.ts';
import { type Device, type DeviceEvent, type DeviceOptions, type Offer, SdkError } from './index.ts';
import { useSdkFleet } from './test-support/sdk-fleet.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('device SDK over LwM2M', { skip: (await skipReason()) ?? false }, () => {
  const sdk = useSdkFleet({
    transport: 'lwm2m',
    fleet: {
      count: 7,
      firmwareBytes: 50_000,
      settings: { coapPort: 0, coapHost: '127.0.0.1' },
      plan: { retry: { attempts: 1, intervalSeconds: 3600 } },
    },
    dirPrefix: 'updraft-sdk-lwm2m-',
    prepare: async (f) => {
      const res = await f.t.admin.patch(`/api/v1/products/${f.productId}`, { protocols: ['lwm2m'] });
      assert.equal(res.statusCode, 200, res.body);
      return { coapUrl: (await f.t.app.startCoap()).url };
    },
  });

  function start(d: TestDevice, extra: Partial<DeviceOptions> = {}) {
    const events: DeviceEvent[] = [];
    const { opts, installed } = sdk.options(d, {}, { onEvent: (event) => events.push(event), ...extra });
    return { device: sdk.create(opts), events, installed };
  }
  const until = (d: TestDevice, test: (s: Awaited<ReturnType<typeof upgradeOf>>['state']) => boolean) =>
    eventually(async () => {
      const { state } = await upgradeOf(sdk.f, d);
      return test(state) ? state : undefined;
    });
  const resultOf = (device: Device) => eventually(async () => device.results()[0]);

  it('pulls the package over CoAP, installs on Update, and ends in success with the new version', async () => {
    const d = sdk.f.devices[0]!;
    const { device, installed, events } = start(d, { telemetry: () => ({ battery: 80, signal: -70 }) });
    await device.start();
    const state = await until(d, (s) => s.status === 'success');
    assert.equal(state.failureReason, null);
    assert.equal((await resultOf(device)).outcome, 'success');
    assert.equal(sha256(installed[0]!), sha256(sdk.f.firmware), 'the installer got the verified package');
    assert.deepEqual(device.versions(), { default: '2.0' });
    assert.equal((await upgradeOf(sdk.f, d)).device.version, '2.0', 'the server has the new version');

    assert.ok(events.some((e) => e.type === 'progress' && e.received === sdk.f.firmware.length));
  });

  it('reports an installer failure as Update Result 8 (write_failed)', async () => {
    const d = sdk.f.devices[1]!;
    const { device } = start(d, {
      modules: {
        default: {
          version: '1.0',
          async install() {
            throw new SdkError('WRITE_FAILED', 'flash write error');
          },
        },
      },
    });
    await device.start();
    // The plan tries again later (its automatic retry): the failure is the last one recorded.
    const state = await until(d, (s) => s.lastFailureReason === 'write_failed');
    assert.match(state.failureDetail ?? '', /^Update Result 8/);
    assert.equal((await resultOf(device)).outcome, 'failed');
    assert.deepEqual(device.versions(), { default: '1.0' });
  });

  it("refuses an offer the owner declines with Update Result 11: the server counts it and waits out the plan's rejection period", async () => {
    const d = sdk.f.devices[2]!;
    const seen: Offer[] = [];
    const { device } = start(d, {
      accept: (offer) => {
        seen.push(offer);
        return 'refuse';
      },
    });
    await device.start();
    assert.equal((await resultOf(device)).outcome, 'deferred');
    // The SDK's Object 5 is 1.1: the server wrote Severity and Maximum Defer Period with the offer.
    const plan = await sdk.f.t.app.services.plans.getPlan(sdk.f.planId);
    assert.equal(seen[0]?.severity, 'mandatory');
    assert.equal(seen[0]?.maxDeferSeconds, plan.spec.rejectionPeriodSeconds);
    const state = await until(d, (s) => s.refusals === 1);
    assert.equal(state.status, 'pending');
    assert.equal(state.nextAction, 'reoffer');
    const log = await sdk.f.t.app.services.plans.upgradeLog((await upgradeOf(sdk.f, d)).id);
    assert.ok(log.some((e) => e.event === 'refused' && /Update Result 11/.test(e.message)));
  });

  it('stops an upgrade the server cancels before the install (Cancel /5/0/10): nothing is installed', async () => {
    const d = sdk.f.devices[3]!;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked!: () => void;
    const offered = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const { device, installed, events } = start(d, {
      async accept() {
        asked();
        await released;
        return true;
      },
    });
    await device.start();
    await offered;
    await sdk.f.t.app.services.plans.actOnUpgrade((await upgradeOf(sdk.f, d)).id, 'operator_cancel', 'test');
    await until(d, (s) => s.status === 'cancelled');
    // The Cancel reaches the device before its owner agrees: the upgrade does not start.
    await eventually(async () => (events.some((e) => e.type === 'cancelled') ? true : undefined));
    release();
    const result = await resultOf(device);
    assert.equal(result.outcome, 'cancelled');
    assert.equal(installed.length, 0);
    assert.deepEqual(device.versions(), { default: '1.0' });
  });

  it('resumes a download from the bytes on disk: the first block asked is where they end', async () => {
    const d = sdk.f.devices[4]!;
    // A partial file of an earlier session (state.ts names it by the package's sha256), not
    // ending on a block boundary: 10,000 bytes = 9 blocks of 1,024 and 784 bytes of the tenth.
    await mkdir(join(sdk.dir, d.name), { recursive: true });
    await writeFile(
      join(sdk.dir, d.name, `partial-${sha256(sdk.f.firmware)}.bin`),
      sdk.f.firmware.subarray(0, 10_000),
    );
    const { device, installed, events } = start(d);
    await device.start();
    await until(d, (s) => s.status === 'success');
    const progress = events.filter((e) => e.type === 'progress');
    assert.ok(progress.length > 0);
    assert.ok(
      progress.every((e) => e.type === 'progress' && e.received > 10_000),
      'nothing before byte 10,000 again',
    );
    assert.equal(sha256(installed[0]!), sha256(sdk.f.firmware));
  });

  it('breaks off a download the server cancels midway: nothing installed, the partial file gone', async () => {
    const d = sdk.f.devices[5]!;
    let cancelled!: () => void;
    const cancelSeen = new Promise<void>((resolve) => {
      cancelled = resolve;
    });
    // The device reads the first bytes, then waits for the Cancel before it reads on.
    const holdAfterFirst =
      (download: typeof fetch): typeof fetch =>
      async (input, init) => {
        const response = await download(input, init);
        const reader = response.body!.getReader();
        let first = true;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (!first) await cancelSeen;
            first = false;
            try {
              const { done, value } = await reader.read();
              if (done) controller.close();
              else controller.enqueue(value);
            } catch (error) {
              controller.error(error);
            }
          },
        });
        return new Response(body, { status: response.status, headers: response.headers });
      };
    const { device, installed } = start(d, {
      wrapDownload: holdAfterFirst,
      onEvent: (event) => {
        if (event.type === 'cancelled') cancelled();
      },
    });
    await device.start();
    await until(d, (s) => s.status === 'upgrading');
    await sdk.f.t.app.services.plans.actOnUpgrade((await upgradeOf(sdk.f, d)).id, 'operator_cancel', 'test');
    const result = await resultOf(device);
    assert.equal(result.outcome, 'cancelled');
    assert.equal(result.error, undefined);
    assert.equal(installed.length, 0);
    assert.equal((await upgradeOf(sdk.f, d)).state.status, 'cancelled');
    const left = await readdir(join(sdk.dir, d.name));
    assert.deepEqual(
      left.filter((n) => n.startsWith('partial-')),
      [],
      'the partial file is removed',
    );
  });

  it('takes a pushed package (/5/0/0, Block1) with its facts, verifies it and installs it on Update', async () => {
    const d = sdk.f.devices[6]!;
    const { device, installed, events } = start(d, { lwm2mDelivery: 'push' });
    await device.start();
    await until(d, (s) => s.status === 'success');
    const offer = events.find((e) => e.type === 'offer');
    assert.match(
      offer?.type === 'offer' ? offer.offer.url : '',
      /^lwm2m-package:[0-9a-f]{64}$/,
      'pushed, not pulled',
    );
    assert.equal(sha256(installed[0]!), sha256(sdk.f.firmware));
    assert.deepEqual(device.versions(), { default: '2.0' });
  });
});
