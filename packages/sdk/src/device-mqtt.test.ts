// The SDK over MQTT against a real Updraft server and its embedded broker on loopback sockets:
// a whole upgrade to Success, a corrupted download refused before install, an installer that
// fails, a session stopped mid-download that the next one resumes with Range from the bytes on
// disk, a delta package restored against the running image, and a gateway upgrading its
// sub-device.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diff } from '@updraft/delta';
import { eventually } from '../../server/src/test-support/mqtt-device.ts';
import { skipReason } from '../../server/src/test-support/test-database.ts';
import { createDevice, type Device } from './index.ts';
import { ended, failureReason, useSdkFleet } from './test-support/sdk-fleet.ts';

const skip = (await skipReason()) ?? false;

function multipart(fields: Record<string, string>, content: Uint8Array) {
  const boundary = 'sdk-mqtt-test';
  const parts = Object.entries(fields).map(
    ([key, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`,
  );
  return {
    payload: Buffer.concat([
      Buffer.from(parts.join('')),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="app.bin"\r\n`),
      Buffer.from('Content-Type: application/octet-stream\r\n\r\n'),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('device SDK over MQTT (embedded broker)', { skip }, () => {
  const sdk = useSdkFleet({
    transport: 'mqtt',
    fleet: { count: 6, settings: { mqttPort: 0, mqttHost: '127.0.0.1' } },
    dirPrefix: 'updraft-sdk-mqtt-',
    prepare: async (f) => ({ mqttUrl: (await f.t.app.startMqtt()).url }),
  });
  const { options, start } = sdk;

  it('takes the pushed upgrade, installs it, reports Success and then its new version', async () => {
    const d = sdk.f.devices[0]!;
    const { opts, installed } = options(d);
    const device = await start(opts);
    const state = await ended(sdk.f, d);
    assert.equal(state.status, 'success');
    await device.idle();
    assert.equal(installed.length, 1);
    assert.deepEqual(installed[0], sdk.f.firmware);
    assert.deepEqual(device.versions(), { default: '2.0' });
    assert.deepEqual(
      device.results().map((r) => [r.outcome, r.targetVersion]),
      [['success', '2.0']],
    );
    await eventually(async () => {
      const detail = await sdk.f.t.app.services.devices.getDeviceDetail(d.id);
      return detail.versions.find((v) => v.module === 'default')?.version === '2.0' ? true : undefined;
    });
  });

  it('reports a corrupted download as a check failure (step -3) and never installs it', async () => {
    const d = sdk.f.devices[1]!;
    const corrupting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = Buffer.from(await response.arrayBuffer());
      body[body.length >> 1]! ^= 0xff;
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const { opts, installed } = options(d, {}, { fetch: corrupting });
    const device = await start(opts);
    const state = await ended(sdk.f, d);
    assert.equal(failureReason(state), 'check_failed');
    await device.idle();
    assert.equal(installed.length, 0);
    const [result] = device.results();
    assert.equal(result?.error?.code, 'CHECK_FAILED');
    assert.equal(result?.error?.retryable, false);
    assert.deepEqual(device.versions(), { default: '1.0' });
  });

  it('reports an installer failure as a write failure (step -4)', async () => {
    const d = sdk.f.devices[2]!;
    const { opts } = options(d, {
      async install() {
        throw new Error('flash is write-protected');
      },
    });
    const device = await start(opts);
    const state = await ended(sdk.f, d);
    assert.equal(failureReason(state), 'write_failed');
    await device.idle();
    assert.equal(device.results()[0]?.error?.code, 'WRITE_FAILED');
    assert.deepEqual(device.versions(), { default: '1.0' });
  });

  it('asks for a new link when its link answers 410, and goes on with it (issue 14)', async () => {
    const d = sdk.f.devices[5]!;
    // The first link the device was pushed stops downloading, as one superseded by a re-push
    // whose message a crash lost: without asking again the device would fail after its tries.
    let dead: string | undefined;
    const urls: string[] = [];
    const superseding: typeof fetch = (input, init) => {
      const url = String(input);
      urls.push(url);
      dead ??= url;
      return url === dead
        ? Promise.resolve(Response.json({ code: 'DOWNLOAD_TOKEN_INVALID' }, { status: 410 }))
        : fetch(input, init);
    };
    const links: string[] = [];
    const { opts, installed } = options(
      d,
      {},
      {
        fetch: superseding,
        retry: { attempts: 3, baseDelayMs: 50 },
        onEvent: (event) => {
          if (event.type === 'links') links.push(event.offer.url);
        },
      },
    );
    const device = await start(opts);
    const state = await ended(sdk.f, d);
    assert.equal(state.status, 'success', JSON.stringify(device.results()));
    await device.idle();
    assert.deepEqual(installed[0], sdk.f.firmware);
    // The new link was told as a `links` event (the simulator maps a device's faults by it), and
    // the download went on from it.
    assert.ok(
      urls.some((u) => u !== dead && links.includes(u)),
      'the device downloaded from a new link',
    );
  });

  it('resumes a download stopped midway from the bytes on disk, in the next session', async () => {
    const d = sdk.f.devices[3]!;
    const third = Math.floor(sdk.f.firmware.length / 3);
    let stopped: Promise<void> | undefined;
    let first: Device | undefined;
    const { opts } = options(d, {
      async install() {
        throw new Error('the first session must not install');
      },
    });
    first = createDevice({
      ...opts,
      onEvent(event) {
        // The process dies with a third of the image on disk.
        if (event.type === 'progress' && event.received >= third && !stopped) stopped = first!.stop();
      },
    });
    await first.start();
    await eventually(async () => (stopped ? true : undefined));
    await stopped;
    assert.equal(first.results()[0]?.outcome, 'deferred');

    const ranges: number[] = [];
    const recording: typeof fetch = (input, init) => {
      const range = new Headers(init?.headers).get('range');
      if (range) ranges.push(Number(/^bytes=(\d+)-/.exec(range)?.[1]));
      return fetch(input, init);
    };
    const { opts: again, installed } = options(d, {}, { fetch: recording });
    await start(again);
    assert.equal((await ended(sdk.f, d)).status, 'success');
    assert.ok(ranges[0]! >= third, `the first range starts at ${ranges[0]}, past the ${third} bytes kept`);
    assert.ok(ranges[0]! < sdk.f.firmware.length);
    assert.deepEqual(installed[0], sdk.f.firmware);
  });

  it('restores a delta package against the running image and installs the result', async () => {
    const d = sdk.f.devices[4]!;
    const old = Buffer.from(sdk.f.firmware);
    for (let i = 0; i < old.length; i += 4096) old[i] = old[i]! ^ 0x5a;
    const patch = diff(old, sdk.f.firmware).patch;
    const upload = await sdk.f.t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${sdk.f.productId}/firmware`,
      ...multipart({ version: '2.0', type: 'delta', sourceVersion: '1.0' }, patch),
    });
    assert.equal(upload.statusCode, 201, upload.body);
    // The server remembers for 30 s that no delta served this source version.
    sdk.f.t.clock.advance(31_000);
    const kinds: string[] = [];
    const { opts, installed } = options(
      d,
      { readCurrent: (offset, length) => old.subarray(offset, offset + length) },
      {
        onEvent(event) {
          if (event.type === 'offer') kinds.push(event.offer.kind);
        },
      },
    );
    const device = await start(opts);
    assert.equal((await ended(sdk.f, d)).status, 'success');
    await device.idle();
    assert.deepEqual(kinds, ['delta']);
    assert.deepEqual(installed[0], sdk.f.firmware);
  });

  it("upgrades a gateway's sub-device through the gateway's session", async () => {
    const { opts, installed, subName } = sdk.gatewayOptions();
    const gateway = await start(opts);
    assert.equal((await ended(sdk.f, sdk.f.sub, sdk.f.subPlanId)).status, 'success');
    await gateway.idle();
    assert.deepEqual(installed[0], sdk.f.firmware.subarray(0, 1000));
    assert.deepEqual(gateway.versions(subName), { default: '2.0' });
  });
});
