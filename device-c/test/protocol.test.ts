// The C protocol helpers against the TypeScript ones: OneNET tokens, HMACs and digests against
// packages/protocol and node:crypto, ThingsPanel pushes built by buildUpgradePush and progress and
// inform messages read back by parseProgressReport and parseVersionInform, CRC-16 against the
// X-CRC16 code, the Quectel frame and TTLV against protocols.md's vector and a reference encoder,
// and the Ed25519 hook with OpenSSL behind it on RFC 8032's vectors and node:crypto signatures.

import assert from 'node:assert/strict';
import { createHash, createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import {
  buildUpgradePush,
  crc16,
  createOneNetToken,
  parseProgressReport,
  parseVersionInform,
} from '../../packages/protocol/src/index.ts';
import { pushMessageOf } from '../../packages/server/src/dialects/thingspanel-mqtt/push-message.ts';
import { createRandom } from './support/images.ts';
import { hex, runLines, variants } from './support/run.ts';
import { dumpTtlv, encodeFrame, encodeTtlv, randomTree, specTtlv } from './support/ttlv-reference.ts';

const random = createRandom(22);
const bytes = (n: number): Buffer => Buffer.from(new Uint8Array(n).map(() => random() & 0xff));
const fromHex = (text: string): string => Buffer.from(text, 'hex').toString('utf8');
/** What the C tool prints for a push without Updraft's additions: full, no sha256, nothing set, unsigned. */
const NO_ADDITIONS = [
  'full',
  '-',
  '-2147483648',
  '-2147483648',
  '-2147483648',
  '-2147483648',
  '-1',
  '-',
  '-',
  '-',
];
/** A signed package's `signature` (docs/signing.md), as the server keeps it. */
const signedPackage = {
  manifest: 'updraft-manifest 1\nproduct pk_meter\n"quoted" \\ and \u00e9\n',
  signature: `${'A'.repeat(86)}==`,
  keyId: '3a1f0c9d2b7e4411',
};

for (const variant of variants) {
  const label = variant || 'gcc -O2';

  test(`${label}: OneNET tokens equal createOneNetToken for every method, key and resource`, () => {
    const cases = Array.from({ length: 60 }, (_, i) => ({
      res: i % 2 ? `products/${100000 + i}` : `products/p${i}/devices/dev-${i} ü+&=`,
      et: 1_700_000_000 + i * 7777,
      method: (['md5', 'sha1', 'sha256'] as const)[i % 3]!,
      key: bytes([32, 64, 1, 100][i % 4]!).toString('base64'),
    }));
    const out = runLines(
      cases.map((c) => ['token', c.res, String(c.et), c.method, c.key]),
      variant,
    );
    assert.deepEqual(
      out,
      cases.map((c) => createOneNetToken(c.key, c.res, c.et, c.method)),
    );
    assert.deepEqual(runLines([['token', 'products/1', '1', 'md5', 'not base64!']], variant), ['MALFORMED']);
  });

  test(`${label}: HMACs and digests equal node:crypto on lengths around the block size`, () => {
    const lines: string[][] = [];
    const expected: string[] = [];
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 4097]) {
      const data = bytes(n);
      for (const alg of ['md5', 'sha1', 'sha256']) {
        lines.push(['digest', alg, hex(data)]);
        expected.push(createHash(alg).update(data).digest('hex'));
        const key = bytes(n % 130);
        lines.push(['hmac', alg, hex(key), hex(data)]);
        expected.push(createHmac(alg, key).update(data).digest('hex'));
      }
    }
    assert.deepEqual(runLines(lines, variant), expected);
  });

  test(`${label}: the three CRC-16 variants equal the X-CRC16 code and protocols.md's check values`, () => {
    const check = hex('123456789');
    assert.deepEqual(
      runLines(
        [
          ['crc16', 'ccitt', check],
          ['crc16', 'mbus', check],
          ['crc16', 'ibm', check],
        ],
        variant,
      ),
      ['906e', '3d48', 'b4c8'],
    );
    const data = [0, 1, 2, 100, 1025].map((n) => bytes(n));
    const methods = [
      ['ccitt', 'ccitt'],
      ['mbus', 'mbus'],
      ['ibm', 'ibm'],
    ] as const;
    const out = runLines(
      data.flatMap((d) => methods.map(([c]) => ['crc16', c, hex(d)])),
      variant,
    );
    assert.deepEqual(
      out,
      data.flatMap((d) => methods.map(([, ts]) => crc16(ts, d))),
    );
  });

  test(`${label}: pushes built by buildUpgradePush are read field by field`, () => {
    const pushes = Array.from({ length: 40 }, (_, i) =>
      buildUpgradePush({
        id: String(100000000 + i * 12345),
        version: `1.${i}.0-rc.${i}`,
        size: i * 99991,
        url: `https://ota.example/d/${i}?token=a%2Fb&x="${i}"\\/${'é'.repeat(i % 3)}`,
        signMethod: i % 2 ? 'md5' : 'sha256',
        sign: createHash(i % 2 ? 'md5' : 'sha256')
          .update(String(i))
          .digest('hex'),
        module: i % 4 ? `mcu-${i}` : 'default',
        extData: i % 3 ? { key: `v${i}`, nested: '{"a":[1,2]}' } : {},
      }),
    );
    const out = runLines(
      pushes.map((p) => ['push', hex(JSON.stringify(p))]),
      variant,
    );
    pushes.forEach((p, i) => {
      const f = out[i]!.split('\t');
      assert.deepEqual(f.slice(0, 10), [
        'OK',
        p.id,
        '200',
        p.params.version,
        String(p.params.size),
        p.params.url,
        p.params.signMethod.toLowerCase(),
        p.params.sign,
        p.params.module ?? 'default',
        '-',
      ]);
      assert.deepEqual(JSON.parse(fromHex(f[10]!)), p.params.extData);
      assert.deepEqual(f.slice(11), NO_ADDITIONS);
    });
  });

  test(`${label}: Updraft's own pushes (the MQTT dialect's pushMessageOf) give type, sha256, thresholds and signature`, () => {
    type Offer = Parameters<typeof pushMessageOf>[0];
    const offers = [
      { type: 'delta', minSignal: -95, minBattery: 20, attempts: 3, interval: 600, module: 'MCU' },
      { type: 'full', minSignal: null, minBattery: null, attempts: 0, interval: 0, module: 'default' },
    ].map((o, i) => ({
      upgradeId: i + 1,
      token: `tok-${i}`,
      expiresAt: 1_796_280_000_000 + i * 1000,
      pkg: { type: o.type, extData: { deltaProfile: 'mcu' }, signature: i ? signedPackage : null },
      files: Array.from({ length: i + 1 }, (_, k) => ({
        index: k + 1,
        name: `part-${k}.bin`,
        size: 71068 + k,
        md5: String(k).repeat(32),
        sha256: String(k).repeat(64),
        token: `tok-${i}-${k}`,
      })),
      component: {
        index: 0,
        module: o.module,
        targetVersion: `2.${i}`,
        kind: o.type,
        sourceVersion: null,
        specifiedVersions: [],
      },
      componentCount: 1,
      spec: {
        firmware: { targetVersion: `2.${i}` },
        minSignal: o.minSignal,
        minBattery: o.minBattery,
        retry: { attempts: o.attempts, intervalSeconds: o.interval },
      },
      module: o.module,
    }));
    const pushes = offers.map((o, i) =>
      pushMessageOf(o as unknown as Offer, o.module, i ? 'sha256' : 'md5', 'http://127.0.0.1:8080'),
    );
    const out = runLines(
      pushes.map((p) => ['push', hex(JSON.stringify(p))]),
      variant,
    );
    pushes.forEach((p, i) => {
      const f = out[i]!.split('\t');
      const unset = (v: number | null): string => String(v ?? -2147483648);
      assert.deepEqual(f.slice(0, 9), [
        'OK',
        p.id,
        '200',
        p.params.version,
        String(p.params.size),
        p.params.url,
        i ? 'sha256' : 'md5',
        p.params.sign,
        offers[i]!.module,
      ]);
      assert.deepEqual(f.slice(11), [
        p.params.type,
        p.params.sha256,
        unset(p.params.minSignal),
        unset(p.params.minBattery),
        String(p.params.retry),
        String(p.params.interval),
        String(p.params.expires),
        hex(JSON.stringify(p.params.files)),
        ...(i ? [hex(signedPackage.manifest), signedPackage.signature] : ['-', '-']),
      ]);
    });
  });

  test(`${label}: pushes as ThingsPanel's Go servers send them, and malformed ones`, () => {
    const go =
      '{"id":"123","code":"200","params":{"version":"1.1","size":"0","url":"http://h/a?b=1\\u0026c=\\u003c2\\u003e","signMethod":"Md5","sign":"","module":null,"extData":null}}';
    const numeric =
      '{"id":987,"code":200,"device":"gw.sub-1","params":{"version":"2","size":12.0,"url":"u","signMethod":"SHA256","sign":"ab","module":"MCU","signature":null}}';
    const bad = [
      '',
      '[]',
      '{"id":"1"}',
      '{"params":{"version":"1","size":1,"url":"u","signMethod":"crc","sign":""}}',
      '{"params":{"version":1,"size":1,"url":"u","signMethod":"md5","sign":""}}',
      '{"params":{"version":"1","size":-1,"url":"u","signMethod":"md5","sign":""}}',
      '{"params":{"version":"1","size":1,"url":"u\\x","signMethod":"md5","sign":""}}',
      '{"params":{"version":"1","size":1,"url":"u","signMethod":"md5","sign":""}} trailing',
      '{"params":{"version":"1","size":1,"url":"u","signMethod":"md5","sign":"","minBattery":"20"}}',
      '{"params":{"version":"1","size":1,"url":"u","signMethod":"md5","sign":"","type":1}}',
      '{"params":{"version":"1","size":1,"url":"u","signMethod":"md5","sign":"","signature":"m"}}',
      '{"params":{"version":"1","size":1,"url":"u","signMethod":"md5","sign":"","signature":{"value":"s"}}}',
      '{"params":{"version":"1","size":1,"url":"u","signMethod":"md5","sign":"","signature":{"manifest":"m"}}}',
      '{"params":{"version":"1","size":1,"url":"u","signMethod":"md5","sign":"","signature":{"manifest":1,"value":"s"}}}',
    ];
    const out = runLines(
      [go, numeric, ...bad].map((j) => ['push', hex(j)]),
      variant,
    );
    assert.equal(
      out[0],
      [
        'OK',
        '123',
        '200',
        '1.1',
        '0',
        'http://h/a?b=1&c=<2>',
        'md5',
        '',
        'default',
        '-',
        '-',
        ...NO_ADDITIONS,
      ].join('\t'),
    );
    assert.equal(
      out[1],
      ['OK', '987', '200', '2', '12', 'u', 'sha256', 'ab', 'MCU', 'gw.sub-1', '-', ...NO_ADDITIONS].join(
        '\t',
      ),
    );
    assert.deepEqual(
      out.slice(2),
      bad.map(() => 'MALFORMED'),
    );
  });

  test(`${label}: progress and version messages read back through parseProgressReport and parseVersionInform`, () => {
    const descs = ['升级进度50%', 'quote " back \\ tab \t nl \n', 'x'.repeat(300), '中'.repeat(60), ''];
    const steps = [1, 50, 99, 100, -1, -2, -3, -4];
    const lines = steps.flatMap((step, i) => [
      ['progress', String(step), hex(descs[i % descs.length]!), i % 2 ? 'MCU' : '-', i % 3 ? '-' : 'gw.sub'],
    ]);
    const out = runLines(lines, variant);
    steps.forEach((step, i) => {
      const json = fromHex(out[i]!);
      const parsed = parseProgressReport(json);
      const desc = Buffer.from(descs[i % descs.length]!);
      let cut = Math.min(128, desc.length);
      while (cut < desc.length && (desc[cut]! & 0xc0) === 0x80) cut--;
      assert.deepEqual(parsed, {
        step,
        desc: desc.subarray(0, cut).toString().slice(0, 128),
        module: i % 2 ? 'MCU' : 'default',
      });
      assert.equal(JSON.parse(json).device, i % 3 ? undefined : 'gw.sub');
    });
    assert.deepEqual(
      runLines(
        [
          ['progress', '0', '', '-', '-'],
          ['progress', '101', '', '-', '-'],
        ],
        variant,
      ),
      ['DELTA_INVALID_ARGUMENT', 'DELTA_INVALID_ARGUMENT'],
    );
    const informs = runLines(
      [
        ['inform', '147258369', 'v1.0.1', 'MCU', '-'],
        ['inform', '1', '2.0', '-', 'gw.sub'],
      ],
      variant,
    );
    assert.deepEqual(parseVersionInform(fromHex(informs[0]!)), {
      id: '147258369',
      version: 'v1.0.1',
      module: 'MCU',
    });
    assert.deepEqual(parseVersionInform(fromHex(informs[1]!)), {
      id: '1',
      version: '2.0',
      module: 'default',
    });
  });

  test(`${label}: TTLV reads protocols.md's vector and matches the reference encoder both ways`, () => {
    assert.deepEqual(
      runLines(
        [
          ['ttlv-dump', '00420201e240'],
          ['ttlv-build', 'N:8:0:123456:0'],
        ],
        variant,
      ),
      ['0/8/2/123456/0;', '00420201e240'],
    );
    const trees = Array.from({ length: 200 }, () => randomTree(random));
    const lines = trees.flatMap((t) => [
      ['ttlv-dump', hex(encodeTtlv(t))],
      ['ttlv-build', specTtlv(t) || ''],
    ]);
    const out = runLines(lines, variant);
    trees.forEach((t, i) => {
      assert.equal(out[2 * i], dumpTtlv(t));
      assert.equal(out[2 * i + 1], hex(encodeTtlv(t)));
    });
    const broken = ['00', '0042', '004202', '0043', '0044000100', '00470000', '004300050102'];
    assert.deepEqual(
      runLines(
        broken.map((b) => ['ttlv-dump', b]),
        variant,
      ).map((o) => o.split(';').pop()),
      broken.map(() => 'MALFORMED'),
    );
  });

  test(`${label}: Quectel frames equal the reference encoder, decode back, and bad ones are refused`, () => {
    const cases = Array.from({ length: 150 }, (_, i) => {
      const payload = i % 5 === 0 ? new Uint8Array(i % 7).fill(0xaa) : encodeTtlv(randomTree(random));
      return { id: 1 + (random() % 0xfffe), cmd: [0x0111, 0x0113, 0x0114, 0x0115, 0xaaaa][i % 5]!, payload };
    });
    const encoded = runLines(
      cases.map((c) => ['frame-encode', String(c.id), String(c.cmd), hex(c.payload)]),
      variant,
    );
    assert.deepEqual(
      encoded,
      cases.map((c) => hex(encodeFrame(c.id, c.cmd, c.payload))),
    );
    const decoded = runLines(
      encoded.map((e) => ['frame-decode', e]),
      variant,
    );
    assert.deepEqual(
      decoded,
      cases.map((c) => ['OK', c.id, c.cmd, hex(c.payload)].join('\t')),
    );
    const good = encodeFrame(
      7,
      0x0114,
      encodeTtlv([{ id: 13, kind: 'number', negative: false, magnitude: 2n, exponent: 0 }]),
    );
    const badSum = Buffer.from(good);
    badSum[4] = badSum[4]! ^ 1;
    const badLen = Buffer.from(good);
    badLen[3] = badLen[3]! + 1;
    const bad = [
      badSum,
      badLen,
      good.subarray(0, 8),
      Buffer.from(encodeFrame(7, 1, new Uint8Array(0))).fill(0, 5, 7),
      Buffer.from('5555'),
    ];
    assert.deepEqual(
      runLines(
        bad.map((b) => ['frame-decode', hex(b)]),
        variant,
      ),
      bad.map(() => 'MALFORMED'),
    );
    assert.deepEqual(
      runLines(
        [
          ['frame-encode', '0', '1', ''],
          ['frame-encode', '65535', '1', ''],
        ],
        variant,
      ),
      ['DELTA_INVALID_ARGUMENT', 'DELTA_INVALID_ARGUMENT'],
    );
  });

  test(`${label}: the Ed25519 hook accepts RFC 8032's vectors and node:crypto signatures, and nothing else`, () => {
    // RFC 8032 §7.1, tests 1 and 2.
    const rfc = [
      [
        'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
        '',
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      ],
      [
        '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
        '72',
        '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
      ],
    ];
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const manifest = Buffer.from(JSON.stringify({ version: '1.2.0', sha256: 'ab'.repeat(32), size: 615388 }));
    const signature = sign(null, manifest, privateKey);
    const tampered = Buffer.from(manifest);
    tampered[5] = tampered[5]! ^ 1;
    const lines = [
      ...rfc.map(([k, m, s]) => ['ed25519', k!, m!, s!]),
      ['ed25519', hex(raw), hex(manifest), hex(signature)],
      ['ed25519', hex(raw), hex(tampered), hex(signature)],
      ['ed25519', rfc[0]![0]!, '00', rfc[0]![2]!],
      ['ed25519', '-', hex(manifest), hex(signature)],
    ];
    assert.deepEqual(runLines(lines, variant), [
      'OK',
      'OK',
      'OK',
      'BAD_SIGNATURE',
      'BAD_SIGNATURE',
      'NO_VERIFIER',
    ]);
  });

  test(`${label}: an image read back in pages is checked against its md5 or sha256`, () => {
    const image = bytes(1000);
    const md5 = createHash('md5').update(image).digest('hex');
    const sha = createHash('sha256').update(image).digest('hex');
    const out = runLines(
      [
        ['image', 'md5', md5, hex(image)],
        ['image', 'SHA256', sha.toUpperCase(), hex(image)],
        ['image', 'sha256', sha, hex(image.subarray(1))],
        ['image', 'md5', 'xyz', hex(image)],
      ],
      variant,
    );
    assert.deepEqual(out, ['OK', 'OK', 'BAD_SIGNATURE', 'MALFORMED']);
  });
}
