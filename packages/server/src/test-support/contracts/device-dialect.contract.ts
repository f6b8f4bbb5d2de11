// The device-dialect contract (ADR 0010): the canonical flows every dialect must carry, written
// once against a small driver that speaks the dialect's wire. A new dialect proves itself by
// giving a DialectDriver and calling describeDeviceDialect in its folder (see
// dialects/<name>/<name>.dialect.socket.test.ts). What is asserted is canonical: what the device is
// offered and can download, and the upgrade's state on the server; how each step looks on the
// wire is the driver's.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { UpgradeState } from '@updraft/core';
import { createDeviceFleet, type DeviceFleet, type TestDevice } from '../device-fleet.ts';
import { eventually } from '../mqtt-device.ts';

/** An offer as the device saw it. */
export interface SeenOffer {
  version: string;
  /** The first file's size and URL (what a one-file device of the dialect reads). */
  size: number;
  /** Where the device downloads it. */
  url: string;
  /** Every file of the package, as the dialect lists them. */
  files: { index: number; name: string; size: number; url: string }[];
  /**
   * What names the download grant when the URL does not (a dialect that downloads by task id,
   * OneNET Studio): its token. Absent: the URL carries the token.
   */
  grant?: string;
}

/** What a device reports, in canonical terms; the driver puts it on its wire. */
export type DeviceStep = 'accept' | { progress: number } | 'success' | 'download_failed';

export interface DialectDevice {
  /** Waits until the upgrade is offered: asks for it, or waits for the push, as the dialect does. */
  offer(): Promise<SeenOffer>;
  /** Reports a step the server must take (a dialect without such a message may do nothing). */
  send(step: DeviceStep): Promise<void>;
  /** Reports a step the server must refuse; resolves with the dialect's refusal, as text. */
  refused(step: DeviceStep): Promise<string>;
  /** The file an offer names, or 'refused' when the server will not serve it. */
  download(offer: SeenOffer): Promise<Buffer | 'refused'>;
  /** The device restarts (and reconnects, where it has a connection) mid-upgrade; resolves with the offer it gets again. */
  reconnect(): Promise<SeenOffer>;
  close(): Promise<void>;
}

export interface DialectDriver {
  /** The dialect's folder name. */
  name: string;
  /** App settings the dialect needs (an MQTT port…). */
  settings(): Record<string, unknown>;
  /** Starts what carries the dialect, once the fleet exists (the MQTT broker); nothing for HTTP. */
  start(f: DeviceFleet): Promise<void>;
  /** Device `d` of the fleet (module `default` on 1.0), speaking the dialect. */
  device(f: DeviceFleet, d: TestDevice): Promise<DialectDevice>;
  /** false: the wire has no progress percentage (LwM2M's State): progress steps are not awaited. */
  reportsProgress?: boolean;
  /** 'one': the wire carries one file per offer (LwM2M Object 5): the three-file flow is skipped. */
  files?: 'many' | 'one';
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export async function upgradeOf(f: DeviceFleet, d: TestDevice) {
  const page = await f.t.app.services.plans.listUpgrades(f.planId, { deviceId: d.id }, { limit: 10 });
  return page.items[0]!;
}

function until(f: DeviceFleet, d: TestDevice, test: (state: UpgradeState) => boolean) {
  return eventually(async () => {
    const { state } = await upgradeOf(f, d);
    return test(state) ? state : undefined;
  });
}

/** Files 2 and 3 of the three-file package (file 1 is the fleet's firmware, `app.bin`). */
function moreFiles(): { name: string; content: Buffer }[] {
  const make = (size: number, seed: number) => {
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7 + (i >> 5)) & 0xff;
    return out;
  };
  return [
    { name: 'app.bin_1', content: make(20_000, 1) },
    { name: 'app.bin_2', content: make(7_001, 2) },
  ];
}

export function describeDeviceDialect(driver: DialectDriver, skip: string | false): void {
  const oneFile = driver.files === 'one' && 'the dialect carries one file per offer';
  describe(`device dialect contract: ${driver.name}, a three-file package`, { skip: skip || oneFile }, () => {
    let f: DeviceFleet;
    const extra = moreFiles();
    let device: DialectDevice | undefined;
    before(async () => {
      f = await createDeviceFleet({
        count: 1,
        firmwareBytes: 50_000,
        settings: driver.settings(),
        moreFiles: extra,
      });
      await driver.start(f);
    });
    after(async () => {
      await device?.close().catch(() => {});
      await f?.close();
    });

    it('offers every file with its index, name, size and own download; the device succeeds', async () => {
      const d = f.devices[0]!;
      device = await driver.device(f, d);
      const offer = await device.offer();
      const expected = [{ name: 'app.bin', content: f.firmware }, ...extra];
      assert.deepEqual(
        offer.files.map(({ index, name, size }) => ({ index, name, size })),
        expected.map((e, i) => ({ index: i + 1, name: e.name, size: e.content.length })),
      );
      assert.equal(offer.size, f.firmware.length, 'the one-file fields describe the first file');
      assert.equal(new Set(offer.files.map((file) => file.url)).size, 3, 'a download of its own per file');
      for (const [i, file] of offer.files.entries()) {
        const bytes = await device.download({ ...offer, url: file.url });
        assert.ok(Buffer.isBuffer(bytes), `file ${file.index} downloads`);
        assert.equal(sha256(bytes), sha256(expected[i]!.content), `file ${file.index} is its bytes`);
      }
      await device.send('accept');
      await device.send({ progress: 50 });
      await device.send('success');
      await until(f, d, (s) => s.status === 'success');
    });
  });

  describe(`device dialect contract: ${driver.name}`, { skip }, () => {
    let f: DeviceFleet;
    const open: DialectDevice[] = [];
    before(async () => {
      f = await createDeviceFleet({ count: 5, firmwareBytes: 50_000, settings: driver.settings() });
      await driver.start(f);
    });
    after(async () => {
      for (const device of open) await device.close().catch(() => {});
      await f?.close();
    });
    async function deviceOf(index: number) {
      const device = await driver.device(f, f.devices[index]!);
      open.push(device);
      return device;
    }
    /** The device's progress is `percent`; without percentages on the wire, it is upgrading. */
    const progressed = (d: TestDevice, percent: number) =>
      driver.reportsProgress === false
        ? until(f, d, (s) => s.status === 'upgrading')
        : until(f, d, (s) => s.progress === percent);
    async function offered(device: DialectDevice) {
      const offer = await device.offer();
      assert.equal(offer.version, '2.0');
      assert.equal(offer.size, f.firmware.length);
      return offer;
    }

    it('offers the upgrade (asked or pushed); the device downloads it, accepts, progresses and succeeds', async () => {
      const d = f.devices[0]!;
      const device = await deviceOf(0);
      const offer = await offered(device);
      const file = await device.download(offer);
      assert.ok(Buffer.isBuffer(file), 'the offer downloads');
      assert.equal(sha256(file), sha256(f.firmware));
      await device.send('accept');
      await device.send({ progress: 30 });
      const upgrading = await progressed(d, 30);
      assert.equal(upgrading.status, 'upgrading');
      await device.send('success');
      const done = await until(f, d, (s) => s.status === 'success');
      assert.equal(done.failureReason, null);
    });

    it('ends in failure with the reason the device gives', async () => {
      const d = f.devices[1]!;
      const device = await deviceOf(1);
      await offered(device);
      await device.send('accept');
      await device.send('download_failed');
      const failed = await until(f, d, (s) => s.status === 'failure');
      assert.equal(failed.failureReason, 'download_failed');
    });

    it('refuses reports and downloads of an upgrade an operator cancelled', async () => {
      const d = f.devices[2]!;
      const device = await deviceOf(2);
      const offer = await offered(device);
      await device.send('accept');
      await device.send({ progress: 20 });
      await progressed(d, 20);
      await f.t.app.services.plans.actOnUpgrade((await upgradeOf(f, d)).id, 'operator_cancel', 'test');
      const refusal = await device.refused({ progress: 50 });
      assert.ok(refusal.length > 0);
      assert.equal(await device.download(offer), 'refused');
      const state = (await upgradeOf(f, d)).state;
      assert.equal(state.status, 'cancelled');
      if (driver.reportsProgress !== false)
        assert.equal(state.progress, 20, 'the refused report changed nothing');
    });

    it('offers the upgrade under way again after the device reconnects, and it completes', async () => {
      const d = f.devices[3]!;
      const device = await deviceOf(3);
      await offered(device);
      await device.send('accept');
      await device.send({ progress: 40 });
      await progressed(d, 40);
      const again = await device.reconnect();
      assert.equal(again.version, '2.0');
      const file = await device.download(again);
      assert.ok(Buffer.isBuffer(file));
      assert.equal(sha256(file), sha256(f.firmware));
      await device.send('success');
      await until(f, d, (s) => s.status === 'success');
    });

    // Last: it moves the fleet's clock past every token's lifetime.
    it('stops serving an expired download token; the device is offered a new one', async () => {
      const d = f.devices[4]!;
      const device = await deviceOf(4);
      const offer = await offered(device);
      f.t.clock.advance(f.t.app.config.downloadTokenTtlHours * 3600_000 + 1000);
      assert.equal(await device.download(offer), 'refused');
      const fresh = await device.reconnect();
      assert.notEqual(fresh.grant ?? fresh.url, offer.grant ?? offer.url, 'a new token');
      const file = await device.download(fresh);
      assert.ok(Buffer.isBuffer(file));
      assert.equal(sha256(file), sha256(f.firmware));
      assert.notEqual((await upgradeOf(f, d)).state.status, 'failure');
    });
  });
}
