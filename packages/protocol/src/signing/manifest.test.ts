// The signed manifest: canonical bytes that read back to the same manifest, Ed25519 signatures
// through node:crypto that fail on any flipped byte, and refusals of every other form.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  encodeManifest,
  keyIdOf,
  type Manifest,
  ManifestError,
  parseManifest,
  publicKeyOf,
  rawPublicKey,
  signManifest,
  verifyManifestSignature,
} from './manifest.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const base: Manifest = {
  product: 'pk_meter',
  module: 'default',
  version: '2.0.1',
  type: 'full',
  sourceVersion: null,
  sourceSha256: null,
  targetSha256: sha('image'),
  securityVersion: 7,
  allowDowngrade: false,
  signedAt: 1_796_280_000,
  keyId: keyIdOf(publicKey),
  files: [
    { index: 1, name: 'app.bin_1', size: 300_000, sha256: sha('image') },
    { index: 2, name: 'résumé data.bin', size: 12, sha256: sha('res') },
  ],
};

describe('signed manifest', () => {
  it('encodes the documented lines byte for byte and reads them back', () => {
    const bytes = encodeManifest(base);
    assert.equal(
      bytes.toString('utf8'),
      [
        'updraft-manifest 1',
        'product pk_meter',
        'module default',
        'version 2.0.1',
        'type full',
        'source-version -',
        'source-sha256 -',
        `target-sha256 ${sha('image')}`,
        'security-version 7',
        'allow-downgrade 0',
        'signed-at 1796280000',
        `key-id ${base.keyId}`,
        `file 1 300000 ${sha('image')} app.bin_1`,
        `file 2 12 ${sha('res')} r%C3%A9sum%C3%A9%20data.bin`,
        '',
      ].join('\n'),
    );
    assert.deepEqual(parseManifest(bytes), base);
  });

  it('round-trips generated manifests, and a signature verifies only with the right key and bytes', () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    fc.assert(
      fc.property(
        fc.record({
          version: fc.stringMatching(/^[A-Za-z0-9._-]{1,50}$/),
          securityVersion: fc.nat({ max: 0xffffffff }),
          allowDowngrade: fc.boolean(),
          delta: fc.boolean(),
          names: fc.array(fc.string({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 5 }),
          flip: fc.nat(),
        }),
        (g) => {
          const m: Manifest = {
            ...base,
            version: g.version,
            securityVersion: g.securityVersion,
            allowDowngrade: g.allowDowngrade,
            type: g.delta ? 'delta' : 'full',
            sourceVersion: g.delta ? '1.0' : null,
            sourceSha256: g.delta ? sha('old') : null,
            files: g.names.map((name, i) => ({ index: i + 1, name, size: i + 1, sha256: sha(name) })),
          };
          const { bytes, signature } = signManifest(m, privateKey);
          assert.deepEqual(parseManifest(bytes), m);
          assert.ok(verifyManifestSignature(bytes, signature, publicKey));
          assert.ok(!verifyManifestSignature(bytes, signature, other));
          const flipped = Buffer.from(bytes);
          flipped[g.flip % flipped.length]! ^= 1 << (g.flip % 8);
          assert.ok(!verifyManifestSignature(flipped, signature, publicKey));
          const sig = Buffer.from(signature, 'base64');
          sig[g.flip % 64]! ^= 0x80;
          assert.ok(!verifyManifestSignature(bytes, sig.toString('base64'), publicKey));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses every form but the canonical one, with its problem', () => {
    const good = encodeManifest(base).toString('utf8');
    const cases: [string, string][] = [
      ['', 'not_a_manifest'],
      [good.replace('updraft-manifest 1', 'updraft-manifest 2'), 'not_a_manifest'],
      [good.slice(0, -1), 'bad_line'],
      [good.replace('module default\n', ''), 'bad_line'],
      [good.replace('type full', 'type fulll'), 'bad_field'],
      [good.replace('security-version 7', 'security-version 07'), 'bad_field'],
      [good.replace('security-version 7', 'security-version 4294967296'), 'bad_field'],
      [good.replace('allow-downgrade 0', 'allow-downgrade 2'), 'bad_field'],
      [good.replace('source-version -', 'source-version 1.0'), 'bad_field'],
      [good.replace('app.bin_1', 'app%2Ebin_1'), 'bad_field'],
      [good.replace(/file 2 .*\n/, ''), ''],
      [`${good}file 9 1 ${sha('x')} x\n`, 'bad_field'],
      [good.replace(/file 1 .*\nfile 2 .*\n/, ''), 'no_files'],
      [good.replace('\n', '\r\n'), 'not_a_manifest'],
    ];
    for (const [text, problem] of cases) {
      if (problem === '') {
        assert.doesNotThrow(() => parseManifest(Buffer.from(text)), 'one file is fine');
        continue;
      }
      assert.throws(
        () => parseManifest(Buffer.from(text)),
        (e: unknown) => e instanceof ManifestError && e.problem === problem,
        JSON.stringify(text.slice(0, 60)),
      );
    }
  });

  it('reads public keys as raw base64 or PEM, with the same key id; refuses other keys', () => {
    const raw = rawPublicKey(publicKey);
    assert.equal(Buffer.from(raw, 'base64').length, 32);
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    assert.equal(keyIdOf(publicKeyOf(raw)), keyIdOf(publicKeyOf(pem)));
    assert.match(keyIdOf(publicKey), /^[0-9a-f]{16}$/);
    assert.throws(() => publicKeyOf('AAAA'), ManifestError);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    assert.throws(() => publicKeyOf(rsa.export({ format: 'pem', type: 'spki' }).toString()), ManifestError);
    assert.throws(() => signManifest({ ...base, keyId: '0123456789abcdef' }, privateKey), ManifestError);
  });
});
