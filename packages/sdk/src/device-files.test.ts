// A package of three files (`app.bin`, `app.bin_1`, `app.bin_2`) through the SDK against a real
// Updraft server, over HTTP (OneNET check with its `files` extension) and over MQTT (the push's
// `files` array): every file is downloaded, verified and handed to the module's installer; a
// session stopped inside the second file resumes that file from its bytes on disk without
// fetching the first again; a corrupted third file fails the check and nothing is installed.
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
import { eventually } from '../../server/src/test-support/mqtt-device.ts';
import { skipReason } from '../../server/src/test-support/test-database.ts';
import { createDevice, type Device, type DeviceOptions, type PackageFile } from './index.ts';

const skip = (await skipReason()) ?? false;

function bytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 131 + seed * 17 + (i >> 7)) & 0xff;
  return out;
}

const moreFiles = [
  { name: 'app.bin_1', content: bytes(120_000, 1) },
  { name: 'app.bin_2', content: bytes(9_999, 2) },
];

for (const transport of ['http', 'mqtt'] as const) {
  describe(`device SDK, a three-file package (${transport})`, { skip }, () => {
    let f: DeviceFleet;
    let dir: string;
    let mqttUrl = '';
    const open: Device[] = [];
    const expected = () => [{ name: 'app.bin', content: f.firmware }, ...moreFiles];
    before(async () => {
      f = await createDeviceFleet({
        count: 3,
        firmwareBytes: 150_000,
        moreFiles,
        ...(transport === 'mqtt' && { settings: { mqttPort: 0, mqttHost: '127.0.0.1' } }),
      });
      if (transport === 'mqtt') mqttUrl = (await f.t.app.startMqtt()).url;
      dir = await mkdtemp(join(tmpdir(), `updraft-sdk-files-${transport}-`));
    });
    after(async () => {
      for (const device of open) await device.stop().catch(() => {});
      await f?.close();
      await rm(dir, { recursive: true, force: true });
    });

    function options(d: TestDevice, extra: Partial<DeviceOptions> = {}) {
      const installs: { path: string; files: (Omit<PackageFile, 'path'> & { content: Buffer })[] }[] = [];
      const opts: DeviceOptions = {
        server: f.base,
        transport,
        ...(transport === 'mqtt' && { mqttUrl }),
        credentials: { productKey: f.productKey, name: d.name, secret: d.secret },
        stateDir: join(dir, d.name),
        modules: {
          default: {
            version: '1.0',
            async install({ path, files }) {
              assert.equal(path, files[0]?.path, '`path` is the first file');
              installs.push({
                path,
                files: await Promise.all(
                  files.map(async ({ path: at, ...file }) => ({ ...file, content: await readFile(at) })),
                ),
              });
            },
          },
        },
        ...extra,
      };
      return { opts, installs };
    }
    async function stateOf(d: TestDevice) {
      return (await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 1 })).items[0]!
        .state;
    }
    const ended = (d: TestDevice) =>
      eventually(async () => {
        const state = await stateOf(d);
        return state.status === 'success' || state.status === 'failure' ? state : undefined;
      });
    async function run(opts: DeviceOptions) {
      const device = createDevice(opts);
      open.push(device);
      await device.start();
      return device;
    }

    it('downloads, verifies and installs every file; the installer gets them all in order', async () => {
      const d = f.devices[0]!;
      const { opts, installs } = options(d);
      const device = await run(opts);
      assert.equal((await ended(d)).status, 'success');
      await device.idle();
      assert.equal(installs.length, 1, 'one install for the whole package');
      const [install] = installs;
      assert.deepEqual(
        install!.files.map((file) => [file.index, file.name, file.size]),
        expected().map((e, i) => [i + 1, e.name, e.content.length]),
      );
      for (const [i, file] of install!.files.entries()) {
        assert.deepEqual(file.content, expected()[i]!.content, `file ${file.index} is its bytes`);
      }
      assert.deepEqual(device.versions(), { default: '2.0' });
    });

    it('resumes a session stopped inside the second file from its bytes on disk, without fetching the first again', async () => {
      const d = f.devices[1]!;
      const secondSize = moreFiles[0]!.content.length;
      const half = secondSize / 2;
      let stopped: Promise<void> | undefined;
      let first: Device | undefined;
      // The connection of the second file brings half of it, then nothing until the device stops.
      const cutting: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (response.headers.get('content-length') !== String(secondSize)) return response;
        const body = Buffer.from(await response.arrayBuffer());
        const signal = init?.signal;
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(body.subarray(0, half));
            signal?.addEventListener('abort', () => controller.error(signal.reason));
          },
        });
        return new Response(stream, { status: response.status, headers: response.headers });
      };
      const { opts } = options(d, { fetch: cutting });
      first = createDevice({
        ...opts,
        modules: {
          default: {
            version: '1.0',
            async install() {
              throw new Error('the first session must not install');
            },
          },
        },
        onEvent(event) {
          if (event.type === 'progress' && event.received >= f.firmware.length + half && !stopped)
            stopped = first!.stop();
        },
      });
      await first.start();
      await eventually(async () => (stopped ? true : undefined));
      await stopped;
      assert.equal(first.results()[0]?.outcome, 'deferred');

      const asked: { url: string; from: number }[] = [];
      const recording: typeof fetch = (input, init) => {
        const range = new Headers(init?.headers).get('range');
        if (String(input).includes('/download/') && !String(input).includes('/progress'))
          asked.push({ url: String(input), from: Number(/^bytes=(\d+)-/.exec(range ?? '')?.[1] ?? 0) });
        return fetch(input, init);
      };
      const { opts: again, installs } = options(d, { fetch: recording });
      const device = await run(again);
      assert.equal((await ended(d)).status, 'success');
      await device.idle();
      assert.equal(
        asked.length,
        2,
        `only the second and third files are asked for: ${JSON.stringify(asked)}`,
      );
      assert.equal(asked[0]!.from, half, 'file 2 resumes from the bytes on disk');
      assert.equal(asked[1]!.from, 0, 'file 3 starts from its beginning');
      for (const [i, file] of installs[0]!.files.entries()) {
        assert.deepEqual(file.content, expected()[i]!.content);
      }
    });

    it('fails a corrupted third file as a check failure naming it, and installs nothing', async () => {
      const d = f.devices[2]!;
      const third = moreFiles[1]!.content.length;
      const corrupting: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        const body = Buffer.from(await response.arrayBuffer());
        // Only the third file has this size.
        if (body.length === third) body[10]! ^= 0xff;
        return new Response(body, { status: response.status, headers: response.headers });
      };
      const { opts, installs } = options(d, { fetch: corrupting });
      const device = await run(opts);
      const state = await ended(d);
      assert.equal(
        state.status === 'failure' ? state.failureReason : state.lastFailureReason,
        'check_failed',
      );
      await device.idle();
      assert.equal(installs.length, 0);
      const error = device.results()[0]?.error;
      assert.equal(error?.code, 'CHECK_FAILED');
      assert.equal(error?.details['index'], 3);
      assert.equal(error?.details['name'], 'app.bin_2');
    });
  });
}
