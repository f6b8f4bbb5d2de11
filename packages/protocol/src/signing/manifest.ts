// The signed manifest of a firmware package (docs/signing.md): what a device checks before it
// installs anything. A manifest is UTF-8 text, one `key value` line each, LF-terminated, in this
// order and no other (a C device reads it line by line; the signature covers the exact bytes):
//
//   updraft-manifest 1
//   product <product key>
//   module <module>
//   version <version>
//   type full|delta
//   source-version <version>|-          a delta's source version
//   source-sha256 <hex>|-               a delta: sha256 of the image it applies to
//   target-sha256 <hex>                 sha256 of the image the device runs afterwards
//   security-version <0..4294967295>
//   allow-downgrade 0|1
//   signed-at <unix seconds>
//   key-id <16 hex>
//   file <index> <size> <sha256> <name, percent-encoded>     one line per file, index 1..n
//
// The signature is Ed25519 (RFC 8032) over those bytes, sent base64. The key id is the first 8
// bytes of the sha256 of the raw 32-byte public key, in hex.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

export interface ManifestFile {
  index: number;
  name: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  product: string;
  module: string;
  version: string;
  type: 'full' | 'delta';
  sourceVersion: string | null;
  sourceSha256: string | null;
  targetSha256: string;
  securityVersion: number;
  allowDowngrade: boolean;
  /** Unix seconds. */
  signedAt: number;
  keyId: string;
  files: ManifestFile[];
}

export type ManifestProblem = 'not_a_manifest' | 'bad_line' | 'bad_field' | 'no_files' | 'too_long';

export class ManifestError extends Error {
  readonly problem: ManifestProblem;
  constructor(problem: ManifestProblem, message: string) {
    super(message);
    this.name = 'ManifestError';
    this.problem = problem;
  }
}

/** Manifests are small: 12 lines and 5 files. */
export const maxManifestBytes = 4096;
const magic = 'updraft-manifest 1';
const hex64 = /^[0-9a-f]{64}$/;
const token = /^[A-Za-z0-9._~-]{1,100}$/;
const keyIdPattern = /^[0-9a-f]{16}$/;
const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

/** The manifest's canonical bytes; refuses fields that would not read back as they are. */
export function encodeManifest(m: Manifest): Buffer {
  check(token.test(m.product), 'product', m.product);
  check(token.test(m.module), 'module', m.module);
  check(token.test(m.version), 'version', m.version);
  check(m.type === 'full' || m.type === 'delta', 'type', m.type);
  check(
    m.type === 'delta' ? m.sourceVersion !== null && token.test(m.sourceVersion) : m.sourceVersion === null,
    'source-version',
    String(m.sourceVersion),
  );
  check(m.sourceSha256 === null || hex64.test(m.sourceSha256), 'source-sha256', String(m.sourceSha256));
  check(hex64.test(m.targetSha256), 'target-sha256', m.targetSha256);
  check(
    Number.isInteger(m.securityVersion) && m.securityVersion >= 0 && m.securityVersion <= 0xffffffff,
    'security-version',
    String(m.securityVersion),
  );
  check(Number.isInteger(m.signedAt) && m.signedAt >= 0, 'signed-at', String(m.signedAt));
  check(keyIdPattern.test(m.keyId), 'key-id', m.keyId);
  if (m.files.length === 0) throw new ManifestError('no_files', 'a manifest lists at least one file');
  const lines = [
    magic,
    `product ${m.product}`,
    `module ${m.module}`,
    `version ${m.version}`,
    `type ${m.type}`,
    `source-version ${m.sourceVersion ?? '-'}`,
    `source-sha256 ${m.sourceSha256 ?? '-'}`,
    `target-sha256 ${m.targetSha256}`,
    `security-version ${m.securityVersion}`,
    `allow-downgrade ${m.allowDowngrade ? 1 : 0}`,
    `signed-at ${m.signedAt}`,
    `key-id ${m.keyId}`,
    ...m.files.map((f, i) => {
      check(f.index === i + 1, 'file index', String(f.index));
      check(Number.isSafeInteger(f.size) && f.size > 0, 'file size', String(f.size));
      check(hex64.test(f.sha256), 'file sha256', f.sha256);
      check(f.name.length > 0 && f.name.length <= 255, 'file name', f.name);
      return `file ${f.index} ${f.size} ${f.sha256} ${encodeURIComponent(f.name)}`;
    }),
  ];
  const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  if (bytes.length > maxManifestBytes)
    throw new ManifestError('too_long', `a manifest is at most ${maxManifestBytes} bytes`);
  return bytes;
}

/** Reads manifest bytes; anything but the canonical form is refused. */
export function parseManifest(bytes: Uint8Array): Manifest {
  if (bytes.length > maxManifestBytes)
    throw new ManifestError('too_long', `a manifest is at most ${maxManifestBytes} bytes`);
  const text = Buffer.from(bytes).toString('utf8');
  if (!text.startsWith(`${magic}\n`))
    throw new ManifestError('not_a_manifest', `a manifest starts with "${magic}"`);
  if (!text.endsWith('\n')) throw new ManifestError('bad_line', 'the last line has no LF');
  const lines = text.slice(0, -1).split('\n').slice(1);
  const keys = [
    'product',
    'module',
    'version',
    'type',
    'source-version',
    'source-sha256',
    'target-sha256',
    'security-version',
    'allow-downgrade',
    'signed-at',
    'key-id',
  ];
  const values: string[] = [];
  for (const [i, key] of keys.entries()) {
    const line = lines[i];
    if (line === undefined || !line.startsWith(`${key} `)) {
      throw new ManifestError('bad_line', `line ${i + 2} must be "${key} …"`);
    }
    values.push(line.slice(key.length + 1));
  }
  const [
    product,
    module,
    version,
    type,
    sourceVersion,
    sourceSha256,
    targetSha256,
    security,
    downgrade,
    signedAt,
    keyId,
  ] = values as [string, string, string, string, string, string, string, string, string, string, string];
  const files = lines.slice(keys.length).map((line, i) => {
    const m = /^file (\d{1,2}) (\d{1,16}) ([0-9a-f]{64}) (\S{1,765})$/.exec(line);
    if (!m) throw new ManifestError('bad_line', `line ${keys.length + i + 2} is not a file line`);
    let name: string;
    try {
      name = decodeURIComponent(m[4]!);
    } catch {
      throw new ManifestError('bad_field', `file ${m[1]}: the name is not percent-encoded UTF-8`);
    }
    return { index: Number(m[1]), size: Number(m[2]), sha256: m[3]!, name };
  });
  const manifest: Manifest = {
    product,
    module,
    version,
    type: type as Manifest['type'],
    sourceVersion: sourceVersion === '-' ? null : sourceVersion,
    sourceSha256: sourceSha256 === '-' ? null : sourceSha256,
    targetSha256,
    securityVersion: /^\d{1,10}$/.test(security) ? Number(security) : -1,
    allowDowngrade: downgrade === '1',
    signedAt: /^\d{1,12}$/.test(signedAt) ? Number(signedAt) : -1,
    keyId,
    files,
  };
  check(downgrade === '0' || downgrade === '1', 'allow-downgrade', downgrade);
  // Whatever reads back must encode to the very same bytes: one form only.
  if (!encodeManifest(manifest).equals(Buffer.from(bytes))) {
    throw new ManifestError('bad_field', 'the manifest is not in its canonical form');
  }
  return manifest;
}

function check(ok: boolean, field: string, value: string): void {
  if (!ok) throw new ManifestError('bad_field', `bad ${field}: ${JSON.stringify(value).slice(0, 80)}`);
}

/** An Ed25519 public key from its raw 32 bytes (base64 or base64url) or a PEM SPKI. */
export function publicKeyOf(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const key = createPublicKey(trimmed);
    if (key.asymmetricKeyType !== 'ed25519')
      throw new ManifestError('bad_field', 'not an Ed25519 public key');
    return key;
  }
  const raw = Buffer.from(trimmed, 'base64');
  if (raw.length !== 32) throw new ManifestError('bad_field', 'an Ed25519 public key is 32 bytes (base64)');
  return createPublicKey({ key: Buffer.concat([spkiPrefix, raw]), format: 'der', type: 'spki' });
}

/** The raw 32 bytes of an Ed25519 public key, base64. */
export function rawPublicKey(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32)).toString('base64');
}

/** The key id of a public key: the first 8 bytes of the sha256 of its raw bytes, hex. */
export function keyIdOf(key: KeyObject): string {
  return createHash('sha256')
    .update(Buffer.from(rawPublicKey(key), 'base64'))
    .digest('hex')
    .slice(0, 16);
}

/** An Ed25519 private key from a PEM PKCS#8 file's text. */
export function privateKeyOf(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new ManifestError('bad_field', 'not an Ed25519 private key');
  return key;
}

/** Signs the manifest with the private key; its key id must be the key's. Base64 signature. */
export function signManifest(
  manifest: Manifest,
  privateKey: KeyObject,
): { bytes: Buffer; signature: string } {
  const keyId = keyIdOf(createPublicKey(privateKey));
  if (manifest.keyId !== keyId)
    throw new ManifestError('bad_field', `key-id ${manifest.keyId} is not the signing key's ${keyId}`);
  const bytes = encodeManifest(manifest);
  return { bytes, signature: sign(null, bytes, privateKey).toString('base64') };
}

/** Whether `signature` (base64) is the key's Ed25519 signature of the manifest bytes. */
export function verifyManifestSignature(bytes: Uint8Array, signature: string, publicKey: KeyObject): boolean {
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return false;
  return verify(null, bytes, publicKey, sig);
}
