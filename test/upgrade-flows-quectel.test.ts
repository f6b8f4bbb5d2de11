// Quectel devices' flows end to end (issue 16), beside test/upgrade-flows.test.ts and on its
// support: a real `updraft serve` (its embedded broker, then this machine's Mosquitto), the
// management API over HTTP, and SDK devices speaking QuecThing's binary protocol
// (`transport: 'quectel'`) on real sockets: a plan of two components (the module firmware, then
// the MCU firmware, announced together as TASK_INFO), a package of three files, a download cut
// halfway and resumed with Range, and sub-devices upgraded through their gateway's session.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { e2eBrokers, image, startUpgradeFlows, type UpgradeFlows, waitFor } from './support/upgrade-flows.ts';

type Json = Record<string, unknown>;

const brokers = await e2eBrokers('e2eq');

for (const broker of brokers) {
  describe(`Quectel flows end to end (updraft serve, ${broker.name})`, { skip: broker.skip }, () => {
    let u: UpgradeFlows;
    before(async () => {
      u = await startUpgradeFlows(broker.env);
    });
    after(async () => {
      await u?.close();
    });

    /** A product whose devices speak Quectel's protocol (plan pushes go out as 0x0111). */
    async function quectelProduct(name: string, nodeType?: 'gateway' | 'subdevice') {
      const product = await u.product(name, nodeType);
      await u.api('PATCH', `/products/${product.id}`, { protocols: ['quectel'] });
      return product;
    }
    const until = (planId: number, deviceId: number, test: (upgrade: Json) => boolean) =>
      waitFor(`upgrade of device ${deviceId} in plan ${planId}`, async () => {
        const upgrade = (await u.upgradeOf(planId, deviceId)) as Json | undefined;
        return upgrade && test(upgrade) ? upgrade : undefined;
      });

    it('two components: the module firmware, then the MCU firmware, each confirmed in turn', async () => {
      const product = await quectelProduct('q-components');
      await u.api('POST', `/products/${product.id}/modules`, { name: 'mcu', kind: 'mcu' });
      const moduleImage = image(40_000, 21);
      const mcuImage = image(20_000, 22);
      const modulePkg = await u.upload(product.id, '2.0', moduleImage);
      const mcuPkg = await u.upload(product.id, '3.0', mcuImage, { module: 'mcu' });
      const d = await u.register(product, 'q-components-0', { versions: { default: '1.0', mcu: '2.5' } });
      const plan = await u.plan({
        name: 'q-components',
        productId: product.id,
        components: [{ firmwarePackageId: modulePkg.id }, { firmwarePackageId: mcuPkg.id }],
      });
      const installed: [string, Buffer][] = [];
      const { device } = u.device(d, 'quectel', {
        modules: {
          default: {
            version: '1.0',
            async install({ path }) {
              installed.push(['default', await readFile(path)]);
            },
          },
          mcu: {
            version: '2.5',
            async install({ path }) {
              installed.push(['mcu', await readFile(path)]);
            },
          },
        },
      });
      await device.start();
      const done = await until(plan.id, d.id, (x) => x['status'] === 'success');
      assert.deepEqual(
        (done['components'] as { status: string }[]).map((c) => c.status),
        ['success', 'success'],
      );
      assert.deepEqual(
        installed.map(([module]) => module),
        ['default', 'mcu'],
        'the module first, then the MCU',
      );
      assert.deepEqual(installed[0]![1], moduleImage);
      assert.deepEqual(installed[1]![1], mcuImage);
      await device.idle();
      assert.deepEqual(device.versions(), { default: '2.0', mcu: '3.0' });
      const detail = await u.api('GET', `/devices/${d.id}`);
      assert.deepEqual(
        Object.fromEntries(
          (detail.versions as { module: string; version: string }[]).map((v) => [v.module, v.version]),
        ),
        { default: '2.0', mcu: '3.0' },
      );
    });

    it('a three-file package: DOWN_INFO (20) names every file, and the installer gets them all', async () => {
      const product = await quectelProduct('q-files');
      const files = [
        { name: 'app.bin', content: image(40_000, 25) },
        { name: 'app.bin_1', content: image(70_001, 26) },
        { name: 'app.bin_2', content: image(1_234, 27) },
      ];
      const pkg = await u.upload(product.id, '2.0', files[0]!.content, {}, files.slice(1));
      const d = await u.register(product, 'q-files-0');
      const installed: { index: number; name: string; content: Buffer }[][] = [];
      const { device } = u.device(d, 'quectel', {
        modules: {
          default: {
            version: '1.0',
            async install({ files: got }) {
              installed.push(
                await Promise.all(
                  got.map(async (f) => ({ index: f.index, name: f.name, content: await readFile(f.path) })),
                ),
              );
            },
          },
        },
      });
      await device.start();
      const plan = await u.plan({ name: 'q-files', productId: product.id, firmwarePackageId: pkg.id });
      await until(plan.id, d.id, (x) => x['status'] === 'success');
      await device.idle();
      assert.equal(installed.length, 1);
      assert.deepEqual(
        installed[0]!.map((f) => [f.index, f.name]),
        files.map((f, i) => [i + 1, f.name]),
      );
      for (const [i, f] of installed[0]!.entries()) assert.deepEqual(f.content, files[i]!.content);
    });

    it('a download cut halfway resumes with Range from the bytes it has', async () => {
      const product = await quectelProduct('q-resume');
      const firmware = image(96 * 1024, 23);
      const pkg = await u.upload(product.id, '2.0', firmware);
      const d = await u.register(product, 'q-resume-0');
      const ranges: (string | null)[] = [];
      let cut = false;
      // The first response stops after half the image, as a dropped connection does.
      const cutting: typeof fetch = async (input, init) => {
        ranges.push(new Headers(init?.headers).get('range'));
        const response = await fetch(input, init);
        if (cut || !response.body) return response;
        cut = true;
        const half = Math.floor(firmware.length / 2);
        const reader = response.body.getReader();
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            // Erroring drops what is still queued: the cut comes on the pull after the half.
            if (sent >= half) {
              await reader.cancel();
              return controller.error(new TypeError('terminated (the connection dropped)'));
            }
            const { done, value } = await reader.read();
            if (done) return controller.close();
            const piece = value.subarray(0, half - sent);
            sent += piece.length;
            controller.enqueue(piece);
          },
        });
        return new Response(body, { status: response.status, headers: response.headers });
      };
      const session = u.device(d, 'quectel', { fetch: cutting });
      const plan = await u.plan({ name: 'q-resume', productId: product.id, firmwarePackageId: pkg.id });
      await session.device.start();
      await until(plan.id, d.id, (x) => x['status'] === 'success');
      assert.ok(cut, 'the first download was cut');
      // The SDK asks from the bytes it has: none at first, then the half it kept.
      assert.deepEqual(ranges, ['bytes=0-', `bytes=${firmware.length / 2}-`]);
      assert.deepEqual(session.installed[0], firmware);
    });

    it("sub-devices: the gateway's session upgrades each sub-device (Updraft's 8001 and 8002)", async () => {
      const gateways = await quectelProduct('q-gw', 'gateway');
      const gateway = await u.register(gateways, 'q-gw-0', {});
      const sensors = await quectelProduct('q-sensor', 'subdevice');
      const firmware = image(20_000, 24);
      const pkg = await u.upload(sensors.id, '2.0', firmware);
      const subs = [
        await u.register(sensors, 'q-s-0', { gatewayId: gateway.id, versions: { default: '1.0' } }),
        await u.register(sensors, 'q-s-1', { gatewayId: gateway.id, versions: { default: '1.0' } }),
      ];
      const plan = await u.plan({ name: 'q-sensors', productId: sensors.id, firmwarePackageId: pkg.id });
      const installed: string[] = [];
      const { device } = u.device(gateway, 'quectel', {
        modules: {},
        subDevices: subs.map((s) => ({
          username: s.username,
          deviceId: s.id,
          stateDir: u.stateDir(s.username),
          modules: {
            default: {
              version: '1.0',
              async install({ path }) {
                assert.deepEqual(await readFile(path), firmware);
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
  });
}
