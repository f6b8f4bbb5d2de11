// The C library's signed-manifest check (device-c/include/updraft/manifest.h) on manifests and
// signatures made by the TypeScript signer with node:crypto keys, OpenSSL's Ed25519 behind the
// hook: a signed package verifies with its files; a flipped byte in the manifest, the signature or
// a file, another product, an untrusted key and a lower security version are refused, each with its
// own code; and the parser reads exactly what parseManifest reads, refusing everything it refuses.

import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { test } from 'node:test';
import { encodeManifest, type Manifest, signManifest } from '../../packages/protocol/src/index.ts';
import { pushMessageOf } from '../../packages/server/src/dialects/thingspanel-mqtt/push-message.ts';
import {
  maxFiles,
  mutations,
  randomManifest,
  seeded,
  sha256,
  signingKey,
  typescriptReading,
} from './support/manifests.ts';
import { hex, runLines, variants } from './support/run.ts';

const signer = signingKey(1);
const other = signingKey(2);
const appBin = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff));
const resBin = Buffer.from('resources: 81920 bytes in the real package\n');

const base: Manifest = {
  product: 'pk_meter',
  module: 'default',
  version: '2.0.1',
  type: 'full',
  sourceVersion: null,
  sourceSha256: null,
  targetSha256: sha256(appBin),
  securityVersion: 7,
  allowDowngrade: false,
  signedAt: 1_796_280_000,
  keyId: signer.keyId,
  files: [
    { index: 1, name: 'app.bin_1', size: appBin.length, sha256: sha256(appBin) },
    { index: 2, name: 'res data.bin_2', size: resBin.length, sha256: sha256(resBin) },
  ],
};
const signed = (m: Partial<Manifest> = {}) => signManifest({ ...base, ...m }, signer.privateKey);

interface Check {
  keys?: string[];
  manifest?: Buffer;
  signature?: string;
  product?: string;
  module?: string;
  version?: string;
  installed?: number;
  files?: Buffer[];
}

/** A manifest-check line: the package above, signed, checked by a device of pk_meter at security version 7. */
function check(c: Check = {}): string[] {
  const pkg = signed();
  return [
    'manifest-check',
    c.keys ? c.keys.join(',') || '-' : signer.rawHex,
    hex(c.manifest ?? pkg.bytes),
    c.signature ?? pkg.signature,
    c.product ?? 'pk_meter',
    c.module ?? 'default',
    c.version ?? '2.0.1',
    String(c.installed ?? 7),
    (c.files ?? [appBin, resBin]).map(hex).join(',') || '-',
  ];
}

const flip = (bytes: Buffer, at: number, bit = 1): Buffer => {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ bit;
  return copy;
};

for (const variant of variants) {
  const label = variant || 'gcc -O2';

  test(`${label}: a package the TypeScript signer signed verifies, with every file, under any trusted key`, () => {
    const pkg = signed();
    const out = runLines(
      [
        check(),
        check({ keys: [other.rawHex, signer.rawHex] }), // a rotation: both keys in the device's table
        check({ version: '-' }),
        check({ signature: `  ${pkg.signature} \r` }), // as a text field may bring it
        check({ installed: 0 }),
        ['manifest-target', hex(pkg.bytes), hex(appBin)],
        ['manifest-target', hex(pkg.bytes), hex(flip(appBin, 1500))],
      ],
      variant,
    );
    assert.deepEqual(out, [
      'OK\tOK,OK',
      'OK\tOK,OK',
      'OK\tOK,OK',
      'OK\tOK,OK',
      'OK\tOK,OK',
      'OK',
      'MANIFEST_FILE_MISMATCH',
    ]);
  });

  test(`${label}: the manifest and signature of a ThingsPanel push verify as the server sends them`, () => {
    const pkg = signed();
    const offer = {
      token: 'tok',
      expiresAt: 1_796_280_000_000,
      pkg: {
        type: 'full',
        extData: {},
        signature: { manifest: pkg.bytes.toString('utf8'), signature: pkg.signature, keyId: signer.keyId },
      },
      files: base.files.map((f) => ({ ...f, md5: '0'.repeat(32), token: `tok-${f.index}` })),
      component: { targetVersion: base.version },
      spec: { retry: { attempts: 0, intervalSeconds: 0 }, minSignal: null, minBattery: null },
    };
    const push = pushMessageOf(
      offer as unknown as Parameters<typeof pushMessageOf>[0],
      'default',
      'sha256',
      'http://127.0.0.1:8080',
    );
    const [parsed] = runLines([['push', hex(JSON.stringify(push))]], variant);
    const fields = parsed!.split('\t');
    assert.equal(fields[0], 'OK');
    const [manifestHex, signature] = fields.slice(-2);
    assert.equal(manifestHex, hex(pkg.bytes));
    assert.deepEqual(runLines([check({ manifest: Buffer.from(manifestHex!, 'hex'), signature })], variant), [
      'OK\tOK,OK',
    ]);
  });

  test(`${label}: a flipped byte in the manifest, the signature or a file is refused`, () => {
    const pkg = signed();
    const signature = Buffer.from(pkg.signature, 'base64');
    const version = pkg.bytes.indexOf('version 2.0.1') + 'version 2.0.'.length;
    const lines = [
      check({ manifest: flip(pkg.bytes, version, 3) }), // 2.0.2: well-formed, not what was signed
      ...Array.from({ length: 64 }, (_, i) => check({ signature: flip(signature, i).toString('base64') })),
      check({ files: [flip(appBin, 0), resBin] }),
      check({ files: [appBin, flip(resBin, resBin.length - 1, 0x80)] }),
      check({ files: [appBin.subarray(1), resBin] }),
      check({ files: [appBin, resBin, resBin] }), // more files than the manifest lists
    ];
    const out = runLines(lines, variant);
    assert.equal(out[0], 'BAD_SIGNATURE');
    assert.deepEqual(new Set(out.slice(1, 65)), new Set(['BAD_SIGNATURE']));
    assert.deepEqual(out.slice(65), [
      'OK\tMANIFEST_FILE_MISMATCH,OK',
      'OK\tOK,MANIFEST_FILE_MISMATCH',
      'OK\tMANIFEST_FILE_MISMATCH,OK',
      'OK\tOK,OK,DELTA_INVALID_ARGUMENT',
    ]);
    // Every single-bit flip anywhere in the manifest: refused, never taken.
    const flips = runLines(
      Array.from({ length: pkg.bytes.length * 2 }, (_, i) =>
        check({ manifest: flip(pkg.bytes, i >> 1, i & 1 ? 0x01 : 0x20) }),
      ),
      variant,
    );
    const codes = new Set(flips);
    assert.ok(!codes.has('OK\tOK,OK'));
    assert.deepEqual(
      [...codes].filter((c) => !['MALFORMED', 'BAD_SIGNATURE', 'SIGNING_KEY_UNKNOWN'].includes(c)),
      [],
    );
  });

  test(`${label}: another product, module or version, or an untrusted key, each has its code`, () => {
    const pkg = signed();
    const forged = encodeManifest({ ...base, securityVersion: 99 }); // names the trusted key, signed by another
    const out = runLines(
      [
        check({ product: 'pk_other' }),
        check({ product: 'pk_mete' }),
        check({ module: 'MCU' }),
        check({ version: '2.0.10' }),
        check({
          manifest: signed({ product: 'pk_other' }).bytes,
          signature: signed({ product: 'pk_other' }).signature,
        }),
        check({ keys: [other.rawHex] }),
        check({ keys: [] }),
        check({ manifest: forged, signature: sign(null, forged, other.privateKey).toString('base64') }),
        check({ signature: pkg.signature.slice(1) }),
        check({ signature: Buffer.alloc(63).toString('base64') }),
      ],
      variant,
    );
    assert.deepEqual(out, [
      'MANIFEST_WRONG_PRODUCT',
      'MANIFEST_WRONG_PRODUCT',
      'MANIFEST_WRONG_PRODUCT',
      'MANIFEST_WRONG_PRODUCT',
      'MANIFEST_WRONG_PRODUCT',
      'SIGNING_KEY_UNKNOWN',
      'NO_VERIFIER',
      'BAD_SIGNATURE',
      'MALFORMED',
      'MALFORMED',
    ]);
  });

  test(`${label}: a lower security version is refused unless the manifest allows a downgrade`, () => {
    const lower = signed({ securityVersion: 6 });
    const allowed = signed({ securityVersion: 6, allowDowngrade: true });
    const top = signed({ securityVersion: 4_294_967_295 });
    const out = runLines(
      [
        check({ manifest: lower.bytes, signature: lower.signature }),
        check({ manifest: lower.bytes, signature: lower.signature, installed: 6 }),
        check({ manifest: allowed.bytes, signature: allowed.signature }),
        check({ manifest: allowed.bytes, signature: allowed.signature, installed: 4_294_967_295 }),
        check({ installed: 8 }),
        check({ manifest: top.bytes, signature: top.signature, installed: 4_294_967_295 }),
      ],
      variant,
    );
    assert.deepEqual(out, [
      'DOWNGRADE_REFUSED',
      'OK\tOK,OK',
      'OK\tOK,OK',
      'OK\tOK,OK',
      'DOWNGRADE_REFUSED',
      'OK\tOK,OK',
    ]);
  });

  test(`${label}: random manifests read field by field as parseManifest reads them`, () => {
    const random = seeded(20);
    const manifests: Buffer[] = [];
    while (manifests.length < 300) {
      try {
        manifests.push(encodeManifest(randomManifest(random, signer.keyId)));
      } catch {
        // past 4096 bytes: the signer refuses it too
      }
    }
    const out = runLines(
      manifests.map((m) => ['manifest-parse', hex(m)]),
      variant,
    );
    out.forEach((line, i) => {
      assert.equal(line, typescriptReading(manifests[i]!), manifests[i]!.toString('utf8'));
      assert.match(line, /^OK\t/);
    });
  });

  test(`${label}: malformed manifests are refused as parseManifest refuses them, never taken, never a crash`, () => {
    const pkg = signed();
    const text = pkg.bytes.toString('utf8');
    const lines = text.split('\n');
    const swap = (a: number, b: number) => {
      const copy = [...lines];
      [copy[a], copy[b]] = [copy[b]!, copy[a]!];
      return Buffer.from(copy.join('\n'));
    };
    const replace = (from: string, to: string) => Buffer.from(text.replace(from, to));
    const six = encodeManifest({
      ...base,
      files: Array.from({ length: 6 }, (_, i) => ({ ...base.files[0]!, index: i + 1, name: `f${i}` })),
    });
    const named = (name: string) => Buffer.from(text.replace('app.bin_1', name));
    // Names of 765 characters and 255 units, the most a name may be: 5 of them pass 4096 bytes.
    const longNames = (n: number) =>
      Buffer.from(
        `${lines.slice(0, 12).join('\n')}\n` +
          Array.from({ length: n }, (_, i) => `file ${i + 1} 1 ${sha256('x')} ${'%20'.repeat(255)}\n`).join(
            '',
          ),
      );
    const cases: Array<[string, Buffer, string]> = [
      ['CRLF', Buffer.from(text.replaceAll('\n', '\r\n')), 'MALFORMED'],
      ['no final LF', pkg.bytes.subarray(0, -1), 'MALFORMED'],
      ['product and module swapped', swap(1, 2), 'MALFORMED'],
      ['file lines swapped', swap(12, 13), 'MALFORMED'],
      ['upper-case hex', replace(base.targetSha256, base.targetSha256.toUpperCase()), 'MALFORMED'],
      [
        'a non-hex digit',
        replace(`key-id ${signer.keyId}`, `key-id ${signer.keyId.slice(0, 15)}g`),
        'MALFORMED',
      ],
      ['a short key id', replace(`key-id ${signer.keyId}`, `key-id ${signer.keyId.slice(1)}`), 'MALFORMED'],
      ['a leading zero', replace('security-version 7', 'security-version 07'), 'MALFORMED'],
      [
        'security version past 32 bits',
        replace('security-version 7', 'security-version 4294967296'),
        'MALFORMED',
      ],
      ['allow-downgrade 2', replace('allow-downgrade 0', 'allow-downgrade 2'), 'MALFORMED'],
      [
        'a full package with a source version',
        replace('source-version -', 'source-version 1.0'),
        'MALFORMED',
      ],
      ['a delta without one', replace('type full', 'type delta'), 'MALFORMED'],
      ['two spaces', replace('product pk_meter', 'product  pk_meter'), 'MALFORMED'],
      ['file index 0', replace('file 1 ', 'file 0 '), 'MALFORMED'],
      ['file size 0', replace(`file 1 ${appBin.length} `, 'file 1 0 '), 'MALFORMED'],
      ['file size past 2^53', replace(`file 1 ${appBin.length} `, 'file 1 9007199254740992 '), 'MALFORMED'],
      ['a name with a raw space', named('app bin'), 'MALFORMED'],
      ['lower-case escapes', named('r%c3%a9s'), 'MALFORMED'],
      ['an escaped unreserved character', named('%41pp'), 'MALFORMED'],
      ['overlong UTF-8', named('%C0%AF'), 'MALFORMED'],
      ['a UTF-16 surrogate', named('%ED%A0%80'), 'MALFORMED'],
      ['past U+10FFFF', named('%F4%90%80%80'), 'MALFORMED'],
      ['a cut UTF-8 sequence', named('%E4%B8'), 'MALFORMED'],
      ['a name of 256 units', named('n'.repeat(256)), 'MALFORMED'],
      ['no file', Buffer.from(`${lines.slice(0, 12).join('\n')}\n`), 'MALFORMED'],
      ['over 4096 bytes', longNames(5), 'MALFORMED'],
      ['4 names of 765 characters', longNames(4), 'OK'],
      ['six files', six, 'NO_SPACE'],
      ['an emoji name', named('%F0%9F%98%80'), 'OK'],
      ['a NUL in a name', named('%00'), 'OK'],
    ];
    const out = runLines(
      cases.map(([, bytes]) => ['manifest-parse', hex(bytes)]),
      variant,
    );
    cases.forEach(([what, bytes, expected], i) => {
      assert.equal(out[i]!.split('\t')[0], expected, what);
      assert.equal(out[i], typescriptReading(bytes), what);
    });
    assert.equal(runLines([check({ manifest: six })], variant)[0], 'NO_SPACE');
    // Cut at every length, and random damage to random manifests: the same verdict as TypeScript.
    const random = seeded(21);
    const damaged = Array.from({ length: pkg.bytes.length }, (_, n) => pkg.bytes.subarray(0, n));
    for (let i = 0; i < 40; i++) {
      const files = 1 + (i % (maxFiles + 1));
      try {
        damaged.push(...mutations(encodeManifest(randomManifest(random, signer.keyId, files)), random, 50));
      } catch {
        // past 4096 bytes
      }
    }
    const verdicts = runLines(
      damaged.map((b) => ['manifest-parse', hex(b)]),
      variant,
    );
    for (const [i, bytes] of damaged.entries())
      assert.equal(verdicts[i], typescriptReading(bytes), bytes.toString('latin1'));
  });
}
