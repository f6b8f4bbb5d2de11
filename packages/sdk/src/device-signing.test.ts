// Signed firmware end to end (docs/signing.md), over HTTP (OneNET) and MQTT (ThingsPanel) against
// a real server: a signed package installs and raises the module's security version; a package
// signed by a key the device does not trust, an unsigned one, a lower security version and a
// delta that restores to another image than the signed one are refused before the install,
// failing with signature_invalid; a lower security version that the manifest allows installs; a
// package the server signed with its own key (UPDRAFT_SIGNING_KEY_FILE) installs on a device that
// trusts that key. Tampering behind the server's back (its database and firmware store written by
// an attacker: an image swapped with its hashes, a manifest or signature changed, another
// product's manifest) is refused by the device before the install.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { diff } from '@updraft/delta';
import { keyIdOf, type Manifest, parseManifest, rawPublicKey, signManifest } from '@updraft/protocol';
import {
  createDeviceFleet,
  type DeviceFleet,
  firmwareForm,
  type TestDevice,
} from '../../server/src/test-support/device-fleet.ts';
import { eventually } from '../../server/src/test-support/mqtt-device.ts';
import { skipReason } from '../../server/src/test-support/test-database.ts';
import { createDevice, type Device, type DeviceOptions } from './index.ts';

const skip = (await skipReason()) ?? false;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

for (const transport of ['http', 'mqtt'] as const) {
  describe(`signed firmware through the SDK over ${transport}`, { skip }, () => {
    let f: DeviceFleet;
    let mqttUrl: string | undefined;
    let dir: string;
    const open: Device[] = [];
    const trusted = generateKeyPairSync('ed25519');
    const stranger = generateKeyPairSync('ed25519');
    const server = generateKeyPairSync('ed25519');
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), `updraft-sdk-signing-${transport}-`));
      const signingKeyFile = join(dir, 'server-signing.pem');
      await writeFile(signingKeyFile, server.privateKey.export({ format: 'pem', type: 'pkcs8' }));
      f = await createDeviceFleet({
        count: 9,
        settings: {
          signingKeyFile,
          ...(transport === 'mqtt' && { mqttPort: 0, mqttHost: '127.0.0.1' }),
        },
      });
      if (transport === 'mqtt') mqttUrl = (await f.t.app.startMqtt()).url;
      // The fleet's own plan steps aside: each test runs a plan of its own.
      await f.t.app.services.plans.runAction(f.planId, 'cancel', 'test');
      for (const key of [trusted, stranger]) {
        const res = await f.t.admin.post(`/api/v1/products/${f.productId}/signing-keys`, {
          name: keyIdOf(key.publicKey),
          publicKey: rawPublicKey(key.publicKey),
        });
        assert.equal(res.statusCode, 201, res.body);
      }
    });
    after(async () => {
      for (const device of open) await device.stop().catch(() => {});
      await f?.close();
      await rm(dir, { recursive: true, force: true });
    });

    /** Uploads `content` as `version` (signed by `key` with the manifest's fields), plans it for `d`. */
    async function planFor(
      d: TestDevice,
      version: string,
      content: Buffer,
      key: KeyObject | null,
      m: Partial<Manifest> = {},
      fields: Record<string, string> = {},
      tamper?: (packageId: number) => Promise<void>,
    ) {
      const file = { index: 1, name: 'app.bin', size: content.length, sha256: sha256(content) };
      const signed =
        key &&
        signManifest(
          {
            product: f.productKey,
            module: 'default',
            version,
            type: 'full',
            sourceVersion: null,
            sourceSha256: null,
            targetSha256: file.sha256,
            securityVersion: 1,
            allowDowngrade: false,
            signedAt: 1_796_280_000,
            keyId: keyIdOf(createPublicKey(key)),
            files: [file],
            ...m,
          },
          key,
        );
      const upload = await f.t.admin.request({
        method: 'POST',
        url: `/api/v1/products/${f.productId}/firmware`,
        ...firmwareForm(version, [{ name: 'app.bin', content }], {
          ...fields,
          ...(signed && { manifest: signed.bytes.toString('utf8'), signature: signed.signature }),
        }),
      });
      assert.equal(upload.statusCode, 201, upload.body);
      await tamper?.(upload.json().id);
      const plans = f.t.app.services.plans;
      const plan = await plans.createPlan(
        {
          name: `${d.name} ${version}`,
          productId: f.productId,
          firmwarePackageId: upload.json().id,
          target: { kind: 'devices', deviceIds: [d.id] },
        },
        'test',
      );
      await plans.publish(plan.id, 'test');
      await plans.tickPlan(plan.id, 'test', 60_000);
      return plan.id;
    }

    async function run(d: TestDevice, planId: number, version: string, extra: Partial<DeviceOptions> = {}) {
      const installed: Buffer[] = [];
      const device = createDevice({
        server: f.base,
        transport,
        ...(mqttUrl && { mqttUrl }),
        credentials: { productKey: f.productKey, name: d.name, secret: d.secret },
        stateDir: join(dir, d.name),
        trustedKeys: [rawPublicKey(trusted.publicKey)],
        modules: {
          default: {
            version,
            async install({ path }) {
              installed.push(await readFile(path));
            },
            readCurrent: (offset, length) => f.firmware.subarray(offset, offset + length),
          },
        },
        ...extra,
      });
      open.push(device);
      await device.start();
      const state = await eventually(async () => {
        const s = (await f.t.app.services.plans.listUpgrades(planId, { deviceId: d.id }, { limit: 1 }))
          .items[0]?.state;
        return s && (s.status === 'success' || s.status === 'failure') ? s : undefined;
      });
      await device.idle();
      await device.stop();
      return { state, installed, result: device.results().at(-1) };
    }

    const reasonOf = (s: { status: string; failureReason?: unknown; lastFailureReason?: unknown }) =>
      s.status === 'failure' ? s.failureReason : s.lastFailureReason;
    // OneNET carries no text: its verification failure (205) is check_failed on the server.
    const refusedReason = transport === 'mqtt' ? 'signature_invalid' : 'check_failed';

    it('installs a signed package, then refuses a lower security version unless the manifest allows it', async () => {
      const d = f.devices[0]!;
      const v3 = Buffer.from('image 3 '.repeat(4000));
      const ok = await run(d, await planFor(d, '3.0', v3, trusted.privateKey, { securityVersion: 5 }), '1.0');
      assert.equal(ok.state.status, 'success');
      assert.deepEqual(ok.installed, [v3]);

      const older = Buffer.from('image 3.1 '.repeat(3000));
      const down = await run(
        d,
        await planFor(d, '3.1', older, trusted.privateKey, { securityVersion: 4 }),
        '3.0',
      );
      assert.equal(down.result?.error?.code, 'DOWNGRADE_REFUSED');
      assert.equal(down.installed.length, 0);
      assert.equal(reasonOf(down.state), refusedReason);

      const allowed = await run(
        d,
        await planFor(d, '3.2', older, trusted.privateKey, { securityVersion: 4, allowDowngrade: true }),
        '3.0',
      );
      assert.equal(allowed.state.status, 'success', JSON.stringify(allowed.result));
    });

    it('refuses a package signed by a key it does not trust, and an unsigned one', async () => {
      const d = f.devices[1]!;
      const img = Buffer.from('foreign '.repeat(3000));
      const foreign = await run(d, await planFor(d, '4.0', img, stranger.privateKey), '1.0');
      assert.equal(foreign.result?.error?.code, 'SIGNATURE_INVALID');
      assert.match(String(foreign.result?.error?.message), /not one this device trusts/);
      assert.equal(foreign.installed.length, 0);
      assert.equal(reasonOf(foreign.state), refusedReason);

      const d2 = f.devices[2]!;
      const unsigned = await run(d2, await planFor(d2, '4.1', img, null), '1.0');
      assert.equal(unsigned.result?.error?.code, 'SIGNATURE_INVALID');
      assert.match(String(unsigned.result?.error?.message), /not signed/);
      assert.equal(unsigned.installed.length, 0);
    });

    it('refuses a delta whose restored image is not the signed target', async () => {
      const d = f.devices[3]!;
      const target = Buffer.from(f.firmware);
      for (let i = 0; i < target.length; i += 1000) target[i] = target[i]! ^ 0x33;
      const patch = Buffer.from(diff(f.firmware, target).patch);
      const planId = await planFor(
        d,
        '5.0',
        patch,
        trusted.privateKey,
        {
          type: 'delta',
          sourceVersion: '1.0',
          sourceSha256: sha256(f.firmware),
          targetSha256: sha256(Buffer.from('another image')),
        },
        { type: 'delta', sourceVersion: '1.0' },
      );
      const res = await run(d, planId, '1.0');
      assert.equal(res.result?.error?.code, 'SIGNATURE_INVALID');
      assert.match(String(res.result?.error?.message), /restored image/);
      assert.equal(res.installed.length, 0);
    });

    // Last: once the product registers the server's key, its unsigned uploads are signed.
    it('installs a package the server signed with its own key, on a device that trusts that key', async () => {
      const res = await f.t.admin.post(`/api/v1/products/${f.productId}/signing-keys/server`);
      assert.equal(res.statusCode, 201, res.body);
      const d = f.devices[4]!;
      const img = Buffer.from('server signed '.repeat(3000));
      const untrusting = await run(d, await planFor(d, '6.0', img, null), '1.0');
      assert.equal(untrusting.result?.error?.code, 'SIGNATURE_INVALID');
      assert.equal(untrusting.installed.length, 0);
      const ok = await run(d, await planFor(d, '6.1', img, null), '1.0', {
        trustedKeys: [rawPublicKey(trusted.publicKey), rawPublicKey(server.publicKey)],
      });
      assert.equal(ok.state.status, 'success', JSON.stringify(ok.result));
      assert.deepEqual(ok.installed, [img]);
    });

    describe('tampering behind the server (its database and firmware store written by an attacker)', () => {
      const db = () => f.t.app.database.db;
      const signatureRow = (packageId: number) =>
        db()
          .selectFrom('package_signatures')
          .selectAll()
          .where('package_id', '=', packageId)
          .executeTakeFirstOrThrow();
      const setSignature = (packageId: number, patch: { manifest?: string; signature?: string }) =>
        db().updateTable('package_signatures').set(patch).where('package_id', '=', packageId).execute();
      async function refused(index: number, version: string, tamper: (packageId: number) => Promise<void>) {
        const d = f.devices[index]!;
        const img = Buffer.from(`genuine ${version} `.repeat(2000));
        const res = await run(d, await planFor(d, version, img, trusted.privateKey, {}, {}, tamper), '1.0');
        assert.equal(res.installed.length, 0, 'nothing installed');
        assert.equal(res.state.status, 'failure');
        return res.result?.error;
      }

      it('an image swapped in the store with its hashes in the database: the signed sha256 differs', async () => {
        const error = await refused(5, '7.0', async (packageId) => {
          // The attacker's image, stored as a package of its own (unsigned: the product allows it).
          const evil = Buffer.from('attacker image '.repeat(2000));
          const other = await f.t.admin.request({
            method: 'POST',
            url: `/api/v1/products/${f.productId}/firmware`,
            ...firmwareForm('7.0-evil', [{ name: 'app.bin', content: evil }]),
          });
          assert.equal(other.statusCode, 201, other.body);
          const file = other.json().files[0];
          await db()
            .updateTable('firmware_files')
            .set({ sha256: file.sha256, md5: file.md5, size: file.size })
            .where('package_id', '=', packageId)
            .execute();
        });
        assert.equal(error?.code, 'SIGNATURE_INVALID');
        assert.match(String(error?.message), /file 1 (size|sha256)/);
      });

      it('a manifest line changed (a higher security version): the signature no longer verifies', async () => {
        const error = await refused(6, '7.1', async (packageId) => {
          const row = await signatureRow(packageId);
          await setSignature(packageId, {
            manifest: row.manifest.replace('security-version 1\n', 'security-version 9\n'),
          });
        });
        assert.equal(error?.code, 'SIGNATURE_INVALID');
        assert.match(String(error?.message), /does not verify/);
      });

      it('a byte of the signature flipped', async () => {
        const error = await refused(7, '7.2', async (packageId) => {
          const sig = Buffer.from((await signatureRow(packageId)).signature, 'base64');
          sig[10] = sig[10]! ^ 0x01;
          await setSignature(packageId, { signature: sig.toString('base64') });
        });
        assert.equal(error?.code, 'SIGNATURE_INVALID');
        assert.match(String(error?.message), /does not verify/);
      });

      it("another product's genuine manifest and signature on this package", async () => {
        const error = await refused(8, '7.3', async (packageId) => {
          const row = await signatureRow(packageId);
          const manifest = parseManifest(Buffer.from(row.manifest, 'utf8'));
          const foreign = signManifest({ ...manifest, product: 'pk_another_product' }, trusted.privateKey);
          await setSignature(packageId, {
            manifest: foreign.bytes.toString('utf8'),
            signature: foreign.signature,
          });
        });
        assert.equal(error?.code, 'SIGNATURE_INVALID');
        assert.match(String(error?.message), /names product "pk_another_product"/);
      });
    });
  });
}
