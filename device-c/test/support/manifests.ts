// Signed manifests for the C tests and the fuzzer's seeds: made by the TypeScript signer
// (packages/protocol's encodeManifest and signManifest, as `updraft sign` uses them) with Ed25519
// keys from node:crypto, random but reproducible from a seed; and what parseManifest makes of any
// bytes, printed the way protocol-tool's manifest-parse prints the C parser's result.

import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import {
  keyIdOf,
  type Manifest,
  type ManifestFile,
  parseManifest,
  rawPublicKey,
} from '../../../packages/protocol/src/index.ts';
import { createRandom } from './images.ts';

/** The C library's UPDRAFT_MANIFEST_MAX_FILES. */
export const maxFiles = 5;

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The raw 32-byte public key, hex, as protocol-tool takes it. */
  rawHex: string;
  keyId: string;
}

/** An Ed25519 key from a 32-byte seed made of `seed` (RFC 8410 PKCS#8), the same on every run. */
export function signingKey(seed: number): SigningKey {
  const der = Buffer.concat([
    Buffer.from('302e020100300506032b657004220420', 'hex'),
    createHash('sha256').update(`updraft test key ${seed}`).digest(),
  ]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    rawHex: Buffer.from(rawPublicKey(publicKey), 'base64').toString('hex'),
    keyId: keyIdOf(publicKey),
  };
}

export const sha256 = (bytes: Uint8Array | string): string =>
  createHash('sha256').update(bytes).digest('hex');

const tokenChars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-';
/** Pieces of file names: what encodeURIComponent leaves, escapes, and turns into 2, 3 and 4 bytes. */
const namePieces = [
  'app',
  '.bin',
  '_2',
  '-',
  "!~*'()",
  ' ',
  '/',
  '%',
  '+',
  '&=?#',
  'é',
  '中文',
  '😀',
  '\u0000',
  '\u007f',
];

/** A random manifest (1 to `files` files, 5 by default) for `keyId`, valid for encodeManifest. */
export function randomManifest(
  random: () => number,
  keyId: string,
  files = 1 + (random() % maxFiles),
): Manifest {
  const pick = <T>(items: readonly T[]): T => items[random() % items.length]!;
  const token = (max: number): string => {
    const length = random() % 7 === 0 ? max : 1 + (random() % 12);
    return Array.from({ length }, () => pick([...tokenChars])).join('');
  };
  const hex = (): string => sha256(String(random()));
  const delta = random() % 2 === 0;
  let source = token(100);
  while (source === '-') source = token(100);
  const listed: ManifestFile[] = Array.from({ length: files }, (_, i) => ({
    index: i + 1,
    name:
      random() % 9 === 0
        ? 'n'.repeat(255)
        : Array.from({ length: 1 + (random() % 6) }, () => pick(namePieces)).join(''),
    size: pick([1, 300_000, 2 ** 53 - 1, 1 + (random() % 1_000_000), 4_294_967_295]),
    sha256: hex(),
  }));
  return {
    product: token(100),
    module: random() % 2 ? 'default' : token(100),
    version: token(100),
    type: delta ? 'delta' : 'full',
    sourceVersion: delta ? source : null,
    sourceSha256: random() % 2 ? hex() : null,
    targetSha256: hex(),
    securityVersion: pick([0, 1, 7, 4_294_967_295, random()]),
    allowDowngrade: random() % 2 === 0,
    signedAt: pick([0, 1_796_280_000, 999_999_999_999, random()]),
    keyId,
    files: listed,
  };
}

/** Reproducible randomness for a test. */
export const seeded = createRandom;

/** What parseManifest makes of the bytes, as protocol-tool's manifest-parse prints it. */
export function typescriptReading(bytes: Uint8Array): string {
  let m: Manifest;
  try {
    m = parseManifest(bytes);
  } catch {
    return 'MALFORMED';
  }
  if (m.files.length > maxFiles) return 'NO_SPACE';
  const files = m.files.map((f) => `${f.size}:${f.sha256}:${Buffer.from(f.name, 'utf8').toString('hex')}`);
  return [
    'OK',
    m.product,
    m.module,
    m.version,
    m.type,
    m.sourceVersion ?? '-',
    m.sourceSha256 ?? '-',
    m.targetSha256,
    m.securityVersion,
    m.allowDowngrade ? 1 : 0,
    m.signedAt,
    m.keyId,
    files.join(','),
  ].join('\t');
}

/** Damaged copies of a manifest: a byte replaced, dropped or added, lines swapped, dropped or doubled, cut short. */
export function mutations(bytes: Buffer, random: () => number, count: number): Buffer[] {
  const swaps = [...'0019-. \n\r%AFafgz~'].map((c) => c.charCodeAt(0)).concat([0x00, 0xc3, 0xff]);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const at = random() % bytes.length;
    const lines = bytes.toString('latin1').split('\n');
    const line = random() % (lines.length - 1);
    switch (random() % 6) {
      case 0: {
        const copy = Buffer.from(bytes);
        copy[at] = swaps[random() % swaps.length]!;
        out.push(copy);
        break;
      }
      case 1:
        out.push(Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]));
        break;
      case 2:
        out.push(
          Buffer.concat([
            bytes.subarray(0, at),
            Buffer.from([swaps[random() % swaps.length]!]),
            bytes.subarray(at),
          ]),
        );
        break;
      case 3:
        [lines[line], lines[line + 1]] = [lines[line + 1]!, lines[line]!];
        out.push(Buffer.from(lines.join('\n'), 'latin1'));
        break;
      case 4:
        lines.splice(line, 0, lines[line]!);
        if (random() % 2) lines.splice(line, 2);
        out.push(Buffer.from(lines.join('\n'), 'latin1'));
        break;
      default:
        out.push(bytes.subarray(0, at));
    }
  }
  return out;
}
