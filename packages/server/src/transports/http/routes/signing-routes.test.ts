// Signed firmware through the management API (docs/signing.md): keys registered, retired and
// revoked; signed uploads checked against their files; products that require signatures; which
// packages a plan may use; a stored package signed afterwards; the signature in the device's offer.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { keyIdOf, type Manifest, rawPublicKey, signManifest } from '@updraft/protocol';
import { firmwareForm } from '../../../test-support/device-fleet.ts';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function sign(
  privateKey: KeyObject,
  m: Partial<Manifest> & Pick<Manifest, 'product' | 'version'>,
  files: Buffer[],
) {
  const listed = files.map((content, i) => ({
    index: i + 1,
    name: `app.bin_${i + 1}`,
    size: content.length,
    sha256: sha256(content),
  }));
  return signManifest(
    {
      module: 'default',
      type: 'full',
      sourceVersion: null,
      sourceSha256: null,
      targetSha256: listed[0]!.sha256,
      securityVersion: 1,
      allowDowngrade: false,
      signedAt: 1_796_280_000,
      keyId: keyIdOf(createPublicKey(privateKey)),
      files: listed,
      ...m,
    },
    privateKey,
  );
}

describe('signed firmware (management API)', { skip }, () => {
  let t: TestApp;
  let product: { id: number; productKey: string };
  let other: { id: number; productKey: string };
  const key = generateKeyPairSync('ed25519');
  const second = generateKeyPairSync('ed25519');
  before(async () => {
    t = await createTestApp();
    product = (await t.admin.post('/api/v1/products', { name: 'Signed' })).json();
    other = (await t.admin.post('/api/v1/products', { name: 'Other' })).json();
  });
  after(() => t.close());

  const image = (v: string) => [Buffer.from(`image ${v} `.repeat(50)), Buffer.from(`resources ${v}`)];
  function upload(productId: number, version: string, files: Buffer[], fields: Record<string, string> = {}) {
    return t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${productId}/firmware`,
      ...firmwareForm(
        version,
        files.map((content, i) => ({ name: `app.bin_${i + 1}`, content })),
        fields,
      ),
    });
  }
  const signedFields = (s: { bytes: Buffer; signature: string }) => ({
    manifest: s.bytes.toString('utf8'),
    signature: s.signature,
  });
  const planWith = (packageId: number, name: string) =>
    t.admin.post('/api/v1/plans', {
      name,
      productId: product.id,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
    });

  it('registers public keys (raw or PEM) with their key id; admins only; a key twice is refused', async () => {
    const added = await t.admin.post(`/api/v1/products/${product.id}/signing-keys`, {
      name: 'release 2026',
      publicKey: rawPublicKey(key.publicKey),
    });
    assert.equal(added.statusCode, 201, added.body);
    assert.equal(added.json().keyId, keyIdOf(key.publicKey));
    assert.equal(added.json().status, 'active');
    const pem = second.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    assert.equal(
      (await t.admin.post(`/api/v1/products/${product.id}/signing-keys`, { name: 'next', publicKey: pem }))
        .statusCode,
      201,
    );
    const again = await t.admin.post(`/api/v1/products/${product.id}/signing-keys`, {
      name: 'x',
      publicKey: pem,
    });
    assert.equal(again.json().code, 'SIGNING_KEY_EXISTS');
    const bad = await t.admin.post(`/api/v1/products/${product.id}/signing-keys`, {
      name: 'x',
      publicKey: 'AAAA',
    });
    assert.equal(bad.json().code, 'VALIDATION_FAILED');
    const operator = await t.as('operator');
    assert.equal(
      (await operator.post(`/api/v1/products/${product.id}/signing-keys`, { name: 'y', publicKey: pem }))
        .statusCode,
      403,
    );
    const list = (await t.admin.get(`/api/v1/products/${product.id}/signing-keys`)).json();
    assert.deepEqual(list.map((k: { name: string }) => k.name).sort(), ['next', 'release 2026']);
  });

  it('takes a signed upload, shows its signature valid, and a plan may use it', async () => {
    const files = image('2.0');
    const res = await upload(
      product.id,
      '2.0',
      files,
      signedFields(sign(key.privateKey, { product: product.productKey, version: '2.0' }, files)),
    );
    assert.equal(res.statusCode, 201, res.body);
    const state = (await t.admin.get(`/api/v1/firmware/${res.json().id}/signature`)).json();
    assert.equal(state.state, 'valid');
    assert.equal(state.keyId, keyIdOf(key.publicKey));
    assert.equal(state.securityVersion, 1);
    assert.match(state.manifest, /^updraft-manifest 1\nproduct /);
    assert.equal((await planWith(res.json().id, 'signed plan')).statusCode, 201);
  });

  it('takes the manifest and signature as a browser or curl sends them: CRLF text fields, or file parts', async () => {
    // What fetch and browsers put on the wire for a FormData: text fields with CRLF line ends.
    async function viaFormData(version: string, asFiles: boolean) {
      const files = image(version);
      const signed = sign(key.privateKey, { product: product.productKey, version }, files);
      const form = new FormData();
      form.set('version', version);
      if (asFiles) {
        // `curl -F manifest=@app.bin_1.manifest -F signature=@app.bin_1.manifest.sig`
        form.set('manifest', new Blob([signed.bytes]), 'app.bin_1.manifest');
        form.set('signature', new Blob([`${signed.signature}\n`]), 'app.bin_1.manifest.sig');
      } else {
        form.set('manifest', signed.bytes.toString('utf8'));
        form.set('signature', signed.signature);
      }
      files.forEach((content, i) => {
        form.append('file', new Blob([content]), `app.bin_${i + 1}`);
      });
      const encoded = new Request('http://updraft.test/', { method: 'POST', body: form });
      const payload = Buffer.from(await encoded.arrayBuffer());
      if (!asFiles) assert.ok(payload.includes('\r\nproduct '), 'the text field went with CRLF line ends');
      return t.admin.request({
        method: 'POST',
        url: `/api/v1/products/${product.id}/firmware`,
        headers: { 'content-type': encoded.headers.get('content-type')! },
        payload,
      });
    }
    for (const [version, asFiles] of [
      ['2.7', false],
      ['2.8', true],
    ] as const) {
      const res = await viaFormData(version, asFiles);
      assert.equal(res.statusCode, 201, res.body);
      const state = (await t.admin.get(`/api/v1/firmware/${res.json().id}/signature`)).json();
      assert.equal(state.state, 'valid', version);
      assert.doesNotMatch(state.manifest, /\r/);
    }
  });

  it("refuses a flipped byte in a file, the manifest or the signature, and another product's manifest", async () => {
    const files = image('2.1');
    const good = sign(key.privateKey, { product: product.productKey, version: '2.1' }, files);
    const flippedFile = [Buffer.from(files[0]!), files[1]!];
    flippedFile[0]![7]! ^= 1;
    const cases: [Buffer[], Record<string, string>, string][] = [
      [flippedFile, signedFields(good), 'MANIFEST_MISMATCH'],
      [
        files,
        {
          ...signedFields(good),
          manifest: good.bytes.toString('utf8').replace('version 2.1', 'version 2.2'),
        },
        'SIGNATURE_INVALID',
      ],
      [
        files,
        {
          ...signedFields(good),
          signature: Buffer.from(
            Buffer.from(good.signature, 'base64').map((b, i) => (i === 5 ? b ^ 1 : b)),
          ).toString('base64'),
        },
        'SIGNATURE_INVALID',
      ],
      [
        files,
        { ...signedFields(good), manifest: good.bytes.toString('utf8').replace('type full', 'type ful') },
        'SIGNATURE_INVALID',
      ],
      [files, { manifest: good.bytes.toString('utf8') }, 'VALIDATION_FAILED'],
    ];
    for (const [content, fields, code] of cases) {
      const res = await upload(product.id, '2.1', content, fields);
      assert.equal(res.json().code, code, res.body);
    }
    // Product A's manifest on product B: B has no such key; with the key registered, the product differs.
    const onOther = await upload(other.id, '2.1', files, signedFields(good));
    assert.equal(onOther.json().code, 'SIGNING_KEY_UNKNOWN');
    await t.admin.post(`/api/v1/products/${other.id}/signing-keys`, {
      name: 'shared',
      publicKey: rawPublicKey(key.publicKey),
    });
    const mismatch = await upload(other.id, '2.1', files, signedFields(good));
    assert.equal(mismatch.json().code, 'MANIFEST_MISMATCH');
    assert.equal(mismatch.json().details.field, 'product');
    assert.equal(
      (await t.admin.get(`/api/v1/firmware?productId=${product.id}&version=2.1`)).json().items.length,
      0,
      'nothing stored',
    );
  });

  it('requires signatures where the product says so: uploads and plans; a stored package can be signed afterwards', async () => {
    const files = image('3.0');
    const unsigned = await upload(product.id, '3.0', files);
    assert.equal(unsigned.statusCode, 201);
    assert.deepEqual(
      (
        await t.admin.request({
          method: 'PUT',
          url: `/api/v1/products/${product.id}/signing`,
          payload: { requireSignature: true },
        })
      ).json(),
      { requireSignature: true },
    );
    assert.equal((await upload(product.id, '3.1', image('3.1'))).json().code, 'SIGNATURE_REQUIRED');
    assert.equal((await planWith(unsigned.json().id, 'unsigned plan')).json().code, 'SIGNATURE_REQUIRED');
    const signed = sign(second.privateKey, { product: product.productKey, version: '3.0' }, files);
    const attach = await t.admin.request({
      method: 'PUT',
      url: `/api/v1/firmware/${unsigned.json().id}/signature`,
      payload: signedFields(signed),
    });
    assert.equal(attach.statusCode, 200, attach.body);
    assert.equal(attach.json().state, 'valid');
    assert.equal((await planWith(unsigned.json().id, 'signed afterwards')).statusCode, 201);
    const fixed = await t.admin.request({
      method: 'PUT',
      url: `/api/v1/firmware/${unsigned.json().id}/signature`,
      payload: signedFields(signed),
    });
    assert.equal(fixed.json().code, 'FIRMWARE_IN_USE', 'a planned package keeps its signature');
    await t.admin.request({
      method: 'PUT',
      url: `/api/v1/products/${product.id}/signing`,
      payload: { requireSignature: false },
    });
  });

  it('retires a key (nothing new signed; plannable until the cut-off) and revokes one (not plannable)', async () => {
    const files = image('4.0');
    const pkg = (
      await upload(
        product.id,
        '4.0',
        files,
        signedFields(sign(key.privateKey, { product: product.productKey, version: '4.0' }, files)),
      )
    ).json();
    const keyId = keyIdOf(key.publicKey);
    const until = new Date(t.clock.now() + 3600_000).toISOString();
    const retired = await t.admin.post(`/api/v1/products/${product.id}/signing-keys/${keyId}/retire`, {
      validUntil: until,
    });
    assert.equal(retired.json().status, 'retired');
    const files2 = image('4.1');
    const late = await upload(
      product.id,
      '4.1',
      files2,
      signedFields(sign(key.privateKey, { product: product.productKey, version: '4.1' }, files2)),
    );
    assert.equal(late.json().code, 'SIGNING_KEY_RETIRED');
    assert.equal((await t.admin.get(`/api/v1/firmware/${pkg.id}/signature`)).json().state, 'retired');
    assert.equal((await planWith(pkg.id, 'before the cut-off')).statusCode, 201);
    t.clock.advance(3600_001);
    assert.equal((await t.admin.get(`/api/v1/firmware/${pkg.id}/signature`)).json().state, 'expired');
    assert.equal((await planWith(pkg.id, 'after the cut-off')).json().code, 'SIGNING_KEY_RETIRED');

    const files3 = image('5.0');
    const byNext = (
      await upload(
        product.id,
        '5.0',
        files3,
        signedFields(sign(second.privateKey, { product: product.productKey, version: '5.0' }, files3)),
      )
    ).json();
    const revoked = await t.admin.post(
      `/api/v1/products/${product.id}/signing-keys/${keyIdOf(second.publicKey)}/revoke`,
    );
    assert.equal(revoked.json().status, 'revoked');
    assert.equal((await planWith(byNext.id, 'revoked')).json().code, 'SIGNING_KEY_REVOKED');
    assert.equal((await t.admin.get(`/api/v1/firmware/${byNext.id}/signature`)).json().state, 'revoked');
  });
});
