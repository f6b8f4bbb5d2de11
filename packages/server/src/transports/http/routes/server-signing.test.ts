// The server-held signing key (docs/signing.md): UPDRAFT_SIGNING_KEY_FILE, registered per product;
// the server then signs that product's unsigned uploads and its online deltas, until the key is
// retired or revoked there. Without the setting the server holds no key and says so.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  keyIdOf,
  type Manifest,
  parseManifest,
  publicKeyOf,
  rawPublicKey,
  signManifest,
  verifyManifestSignature,
} from '@updraft/protocol';
import { firmwareForm } from '../../../test-support/device-fleet.ts';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Deterministic bytes, so that the delta between two versions is worth storing. */
function image(seed: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  let a = seed >>> 0;
  for (let i = 0; i < size; i++) {
    a = (Math.imul(a, 1_103_515_245) + 12_345) >>> 0;
    out[i] = a >>> 24;
  }
  return out;
}

describe('the server-held signing key (UPDRAFT_SIGNING_KEY_FILE)', { skip }, () => {
  let t: TestApp;
  let dir: string;
  let productId: number;
  let productKey: string;
  const server = generateKeyPairSync('ed25519');
  const serverKeyId = keyIdOf(server.publicKey);
  const offline = generateKeyPairSync('ed25519');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'updraft-signing-key-'));
    const file = join(dir, 'server-signing.pem');
    writeFileSync(file, server.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    t = await createTestApp({ signingKeyFile: file });
    ({ id: productId, productKey } = (
      await t.admin.post('/api/v1/products', { name: 'Server signed' })
    ).json());
    await t.admin.request({
      method: 'PUT',
      url: `/api/v1/products/${productId}/signing`,
      payload: { requireSignature: true },
    });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const upload = (version: string, content: Buffer, fields: Record<string, string> = {}) =>
    t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${productId}/firmware`,
      ...firmwareForm(version, [{ name: 'app.bin', content }], fields),
    });
  const signatureOf = async (packageId: number) =>
    (await t.admin.get(`/api/v1/firmware/${packageId}/signature`)).json();
  /** The stored manifest, checked against the server's public key and parsed. */
  function serverSigned(signature: { manifest: string; signature: string }): Manifest {
    const bytes = Buffer.from(signature.manifest, 'utf8');
    assert.ok(
      verifyManifestSignature(bytes, signature.signature, server.publicKey),
      'signed by the server key',
    );
    return parseManifest(bytes);
  }

  it('names its public key; signs nothing for a product that has not registered it', async () => {
    const key = (await t.admin.get('/api/v1/signing/server-key')).json();
    assert.deepEqual(key, { keyId: serverKeyId, publicKey: rawPublicKey(server.publicKey) });
    assert.equal(keyIdOf(publicKeyOf(key.publicKey)), serverKeyId);
    const refused = await upload('1.0.0', image(1, 4096));
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().code, 'SIGNATURE_REQUIRED');
    const extra = await upload('1.0.0', image(1, 4096), { securityVersion: '3' });
    assert.equal(extra.json().code, 'VALIDATION_FAILED');
    assert.equal(extra.json().details.field, 'securityVersion');
  });

  it('once registered, signs an unsigned upload: every file, the module, version 0 by default', async () => {
    const viewer = await t.as('viewer');
    assert.equal((await viewer.post(`/api/v1/products/${productId}/signing-keys/server`)).statusCode, 403);
    const res = await t.admin.post(`/api/v1/products/${productId}/signing-keys/server`);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().keyId, serverKeyId);
    assert.equal(res.json().name, 'server key');
    assert.equal(res.json().status, 'active');
    const again = await t.admin.post(`/api/v1/products/${productId}/signing-keys/server`);
    assert.equal(again.json().code, 'SIGNING_KEY_EXISTS');

    const content = image(1, 4096);
    const pkg = await upload('1.0.0', content);
    assert.equal(pkg.statusCode, 201, pkg.body);
    const signature = await signatureOf(pkg.json().id);
    assert.equal(signature.state, 'valid');
    assert.equal(signature.keyId, serverKeyId);
    const manifest = serverSigned(signature);
    assert.equal(manifest.product, productKey);
    assert.equal(manifest.module, 'default');
    assert.equal(manifest.version, '1.0.0');
    assert.equal(manifest.type, 'full');
    assert.equal(manifest.securityVersion, 0);
    assert.equal(manifest.targetSha256, sha256(content));
    assert.deepEqual(manifest.files, [{ index: 1, name: 'app.bin', size: 4096, sha256: sha256(content) }]);
  });

  it('keeps the module at its highest security version unless the upload names one', async () => {
    await t.admin.post(`/api/v1/products/${productId}/signing-keys`, {
      name: 'release',
      publicKey: rawPublicKey(createPublicKey(offline.privateKey)),
    });
    const content = image(2, 4096);
    const signed = signManifest(
      {
        product: productKey,
        module: 'default',
        version: '1.1.0',
        type: 'full',
        sourceVersion: null,
        sourceSha256: null,
        targetSha256: sha256(content),
        securityVersion: 7,
        allowDowngrade: false,
        signedAt: 1_796_280_000,
        keyId: keyIdOf(offline.publicKey),
        files: [{ index: 1, name: 'app.bin', size: content.length, sha256: sha256(content) }],
      },
      offline.privateKey,
    );
    const offlineUpload = await upload('1.1.0', content, {
      manifest: signed.bytes.toString('utf8'),
      signature: signed.signature,
    });
    assert.equal(offlineUpload.statusCode, 201, offlineUpload.body);
    const both = await upload('1.1.1', content, {
      manifest: signed.bytes.toString('utf8'),
      signature: signed.signature,
      securityVersion: '9',
    });
    assert.equal(both.json().code, 'VALIDATION_FAILED');

    const next = await upload('1.2.0', image(3, 4096));
    assert.equal(serverSigned(await signatureOf(next.json().id)).securityVersion, 7);
    const named = await upload('1.3.0', image(4, 4096), { securityVersion: '9' });
    assert.equal(named.statusCode, 201, named.body);
    assert.equal(serverSigned(await signatureOf(named.json().id)).securityVersion, 9);
  });

  it('signs the deltas it generates: source and target images, the target security version', async () => {
    const v1 = image(5, 64 * 1024);
    const v2 = Buffer.concat([v1.subarray(0, 30_000), Buffer.from('new table'), v1.subarray(30_000)]);
    const source = (await upload('2.0.0', v1)).json();
    const target = (await upload('2.1.0', v2, { securityVersion: '11' })).json();
    const queued = await t.admin.post(`/api/v1/firmware/${target.id}/deltas`, {
      fromPackageId: source.id,
      profile: 'mcu',
    });
    assert.equal(queued.statusCode, 202, queued.body);
    let job = queued.json();
    for (let i = 0; i < 3000 && ['queued', 'running'].includes(job.status); i++) {
      await sleep(20);
      job = (await t.admin.get(`/api/v1/delta-jobs/${job.id}`)).json();
    }
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    const delta = (await t.admin.get(`/api/v1/firmware/${job.resultPackageId}`)).json();
    const signature = await signatureOf(delta.id);
    assert.equal(signature.state, 'valid');
    const manifest = serverSigned(signature);
    assert.equal(manifest.type, 'delta');
    assert.equal(manifest.sourceVersion, '2.0.0');
    assert.equal(manifest.sourceSha256, sha256(v1));
    assert.equal(manifest.targetSha256, sha256(v2));
    assert.equal(manifest.securityVersion, 11);
    assert.equal(manifest.files[0]!.sha256, delta.files[0].sha256);
    // A product that requires signatures may plan it.
    const plan = await t.admin.post('/api/v1/plans', {
      name: 'delta, server signed',
      productId,
      firmwarePackageId: delta.id,
      target: { kind: 'all' },
    });
    assert.equal(plan.statusCode, 201, plan.body);
  });

  it('stops signing for the product once its key is retired there', async () => {
    const retired = await t.admin.post(`/api/v1/products/${productId}/signing-keys/${serverKeyId}/retire`, {
      validUntil: null,
    });
    assert.equal(retired.statusCode, 200, retired.body);
    const refused = await upload('3.0.0', image(6, 4096));
    assert.equal(refused.json().code, 'SIGNATURE_REQUIRED');
  });
});

describe('without UPDRAFT_SIGNING_KEY_FILE', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('holds no key: reading or registering it is refused with SIGNING_KEY_NOT_CONFIGURED', async () => {
    const product = (await t.admin.post('/api/v1/products', { name: 'No server key' })).json();
    for (const res of [
      await t.admin.get('/api/v1/signing/server-key'),
      await t.admin.post(`/api/v1/products/${product.id}/signing-keys/server`),
    ]) {
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().code, 'SIGNING_KEY_NOT_CONFIGURED');
    }
  });

  it('refuses to start on a file that is not an Ed25519 private key, naming the setting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-signing-key-'));
    try {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const file = join(dir, 'rsa.pem');
      writeFileSync(file, rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }));
      for (const path of [file, join(dir, 'missing.pem')]) {
        await assert.rejects(createTestApp({ signingKeyFile: path }), (error: Error) => {
          assert.match(error.message, /UPDRAFT_SIGNING_KEY_FILE/);
          return true;
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
