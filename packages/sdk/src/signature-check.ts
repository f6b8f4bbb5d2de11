// The package's signature, checked on the device before anything is installed (docs/signing.md):
// the manifest verifies with one of the keys the device was provisioned with, names this
// product, module, version and kind, lists the downloaded files by size and sha256 (computed here,
// not taken from the offer), and does not lower the module's security version unless it says so.
import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  keyIdOf,
  type Manifest,
  parseManifest,
  publicKeyOf,
  verifyManifestSignature,
} from '@updraft/protocol';
import { SdkError } from './errors.ts';
import type { Offer } from './offer.ts';
import type { PackageFile } from './package-files.ts';

export interface TrustPolicy {
  keys: KeyObject[];
  /** Refuse unsigned offers (default once keys are given). */
  required: boolean;
}

/** The policy of `trustedKeys` (raw base64 or PEM Ed25519 public keys). */
export function trustPolicyOf(trustedKeys: readonly string[] | undefined, required?: boolean): TrustPolicy {
  const keys = (trustedKeys ?? []).map((text, i) => {
    try {
      return publicKeyOf(text);
    } catch (error) {
      throw new SdkError('INVALID_ARGUMENT', `trustedKeys[${i}]: ${(error as Error).message}`);
    }
  });
  return { keys, required: required ?? keys.length > 0 };
}

const invalid = (why: string) =>
  new SdkError('SIGNATURE_INVALID', `the package's signature is not valid: ${why}`);

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The offer's verified manifest, or undefined for an unsigned offer the policy allows. Throws
 * SIGNATURE_INVALID or DOWNGRADE_REFUSED (with the security versions).
 */
export async function checkSignature(
  offer: Offer,
  files: readonly PackageFile[],
  expect: { productKey: string; securityVersion: number | undefined },
  policy: TrustPolicy,
): Promise<Manifest | undefined> {
  const signed = offer.signature;
  if (!signed) {
    if (policy.required) throw invalid('the package is not signed');
    return undefined;
  }
  const bytes = Buffer.from(signed.manifest, 'utf8');
  let manifest: Manifest;
  try {
    manifest = parseManifest(bytes);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  const key = policy.keys.find((k) => keyIdOf(k) === manifest.keyId);
  if (!key) {
    if (!policy.required && policy.keys.length === 0) return undefined;
    throw invalid(`key ${manifest.keyId} is not one this device trusts`);
  }
  if (!verifyManifestSignature(bytes, signed.value, key)) throw invalid('the signature does not verify');
  const same = (what: string, signedValue: unknown, actual: unknown) => {
    if (signedValue !== actual)
      throw invalid(
        `the manifest names ${what} ${JSON.stringify(signedValue)}, not ${JSON.stringify(actual)}`,
      );
  };
  same('product', manifest.product, expect.productKey);
  same('module', manifest.module, offer.module);
  same('version', manifest.version, offer.targetVersion);
  same('type', manifest.type, offer.kind);
  same('file count', manifest.files.length, files.length);
  for (const [i, file] of files.entries()) {
    const listed = manifest.files[i]!;
    same(`file ${i + 1} size`, listed.size, file.size);
    same(`file ${i + 1} sha256`, listed.sha256, await sha256OfFile(file.path));
  }
  const installed = expect.securityVersion;
  if (installed !== undefined && manifest.securityVersion < installed && !manifest.allowDowngrade) {
    throw new SdkError(
      'DOWNGRADE_REFUSED',
      `security version ${manifest.securityVersion} is below the installed ${installed} and the manifest does not allow a downgrade`,
      { securityVersion: manifest.securityVersion, installed },
    );
  }
  return manifest;
}

/** A delta's restored image must be the one the manifest signed. */
export async function checkRestoredImage(manifest: Manifest | undefined, imagePath: string): Promise<void> {
  if (!manifest) return;
  const actual = await sha256OfFile(imagePath);
  if (actual !== manifest.targetSha256) {
    throw invalid(`the restored image's sha256 ${actual} is not the signed target ${manifest.targetSha256}`);
  }
}
