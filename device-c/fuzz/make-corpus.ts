// Writes the seed corpus the fuzzers start from (kept in the repository; libFuzzer adds what it
// finds to a scratch folder in CI, `npm run fuzz:c -- --keep` merges it back here):
//   corpus/patch     an option byte + a patch of the 6,000-byte old image fuzz-patch.c uses
//   corpus/protocol  a selector byte + a frame, TTLV, push JSON, token text or signed manifest
// Run: node device-c/fuzz/make-corpus.ts

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diff } from '../../packages/delta/src/index.ts';
import {
  makeVersion1Images,
  version1Patches,
} from '../../packages/delta/src/test-support/version-1-patches.ts';
import { buildUpgradePush, encodeManifest } from '../../packages/protocol/src/index.ts';
import { createRandom, nextVersion, randomBytes } from '../test/support/images.ts';
import { randomManifest, sha256 } from '../test/support/manifests.ts';
import { encodeFrame, encodeTtlv, randomTree } from '../test/support/ttlv-reference.ts';

const here = dirname(fileURLToPath(import.meta.url));

function save(folder: string, selector: number, body: Uint8Array | string): void {
  const bytes = Buffer.concat([Buffer.from([selector]), Buffer.from(body)]);
  const dir = join(here, 'corpus', folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, createHash('sha1').update(bytes).digest('hex')), bytes);
}

const { old, fresh } = makeVersion1Images();
const patches = [
  ...Object.values(version1Patches).map((b) => new Uint8Array(Buffer.from(b, 'base64'))),
  diff(old, fresh, { profile: 'mcu' }).patch,
  diff(old, fresh, { profile: 'linux' }).patch,
  diff(old, nextVersion(old, 3, 40), { profile: 'mcu' }).patch,
  diff(old, randomBytes(9000, 4), { profile: 'mcu' }).patch,
  diff(old, new Uint8Array(0), { profile: 'mcu' }).patch,
];
for (const patch of patches)
  for (const flags of [0x00, 0x02, 0x07, 0x0b, 0x36, 0xf5]) save('patch', flags, patch);

const random = createRandom(5);
for (let i = 0; i < 12; i++) {
  const ttlv = encodeTtlv(randomTree(random));
  save('protocol', 0, encodeFrame(1 + i, 0x0111 + (i % 5), ttlv));
  save('protocol', 1, ttlv);
  save('protocol', 3, ttlv);
}
save('protocol', 1, Buffer.from('00420201e240', 'hex'));
for (let i = 0; i < 6; i++) {
  const push = buildUpgradePush({
    id: String(i),
    version: `1.${i}`,
    size: i * 1000,
    url: `http://h/f${i}.bin?t=${i}`,
    signMethod: i % 2 ? 'md5' : 'sha256',
    sign: 'ab'.repeat(16),
    module: i % 2 ? 'default' : 'MCU',
    extData: { k: `v${i}` },
  });
  save('protocol', 2, JSON.stringify(push));
}
save(
  'protocol',
  2,
  '{"id":"1","code":"200","params":{"version":"1","size":"0","url":"a\\u0026b","signMethod":"Md5","sign":"","module":null}}',
);
save('protocol', 4, 'products/123/devices/dev-1MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=');

// Manifests whose key id is the all-zero key's, the key fuzz-protocol.c's accept-any hook holds, so
// that mutations reach the product, module, downgrade and file checks.
const zeroKeyId = sha256(new Uint8Array(32)).slice(0, 16);
for (let i = 0; i < 8; i++) {
  const m = randomManifest(random, zeroKeyId, 1 + (i % 6));
  const mine = i % 2 === 0 ? { product: 'pk_meter', module: 'default' } : {};
  try {
    save('protocol', 5, encodeManifest({ ...m, ...mine }));
  } catch {
    // past 4096 bytes
  }
}
