// Signed firmware (docs/signing.md): a product's Ed25519 public keys, the check of a package's
// signed manifest against its files, and whether a package may be planned. The private keys
// never reach the server: `updraft sign` signs offline, uploads carry the detached signature.
import { UpdraftError } from '@updraft/core';
import {
  keyIdOf,
  type Manifest,
  ManifestError,
  parseManifest,
  publicKeyOf,
  rawPublicKey,
  verifyManifestSignature,
} from '@updraft/protocol';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { FirmwareFile } from '../firmware/firmware-store.ts';
import type { PackageSignature, SigningKey, SigningStore } from './signing-store.ts';

/** What a manifest is checked against: the package as uploaded. */
export interface SignedPackage {
  productId: number;
  module: string;
  version: string;
  type: 'full' | 'delta';
  sourceVersion: string | null;
  files: readonly FirmwareFile[];
}

export type SignatureState = 'unsigned' | 'valid' | 'retired' | 'expired' | 'revoked' | 'unknown_key';

export interface SigningDeps {
  store: SigningStore;
  products: { getProduct(id: number): Promise<{ id: number; productKey: string }> };
  clock: Clock;
}

const keyNotFound = (productId: number, keyId: string) =>
  new UpdraftError('NOT_FOUND', `product ${productId} has no signing key ${keyId}`, {
    resource: 'signing key',
    keyId,
  });

export function createSigningService({ store, products, clock }: SigningDeps) {
  async function requireKey(productId: number, keyId: string): Promise<SigningKey> {
    const key = await store.getKey(productId, keyId);
    if (!key) throw keyNotFound(productId, keyId);
    return key;
  }

  function stateOfKey(key: SigningKey | undefined): SignatureState {
    if (!key) return 'unknown_key';
    if (key.status === 'revoked') return 'revoked';
    if (key.status === 'retired') {
      return key.validUntil !== null && clock.now() < key.validUntil ? 'retired' : 'expired';
    }
    return 'valid';
  }

  /**
   * Checks a signed manifest against a package (before it is stored, or to sign one afterwards):
   * a canonical manifest, signed by an active key of the product, naming this product, module,
   * version, type and every file by name, size and sha256.
   */
  async function verify(
    pkg: SignedPackage,
    manifestText: string,
    signature: string,
  ): Promise<PackageSignature> {
    let manifest: Manifest;
    const bytes = Buffer.from(manifestText, 'utf8');
    try {
      manifest = parseManifest(bytes);
    } catch (error) {
      if (error instanceof ManifestError) {
        throw new UpdraftError('SIGNATURE_INVALID', `the manifest is not valid: ${error.message}`, {
          problem: error.problem,
        });
      }
      throw error;
    }
    const key = await store.getKey(pkg.productId, manifest.keyId);
    if (!key) {
      throw new UpdraftError(
        'SIGNING_KEY_UNKNOWN',
        `product ${pkg.productId} has no signing key ${manifest.keyId}`,
        {
          keyId: manifest.keyId,
        },
      );
    }
    if (key.status !== 'active') {
      throw new UpdraftError(
        key.status === 'revoked' ? 'SIGNING_KEY_REVOKED' : 'SIGNING_KEY_RETIRED',
        `signing key ${key.keyId} is ${key.status}: it signs nothing new`,
        { keyId: key.keyId },
      );
    }
    if (!verifyManifestSignature(bytes, signature, publicKeyOf(key.publicKey))) {
      throw new UpdraftError('SIGNATURE_INVALID', `the signature does not verify with key ${key.keyId}`, {
        problem: 'signature',
      });
    }
    const product = await products.getProduct(pkg.productId);
    const mismatch = (field: string, signed: unknown, actual: unknown) =>
      new UpdraftError(
        'MANIFEST_MISMATCH',
        `the manifest's ${field} is ${JSON.stringify(signed)}, the package's ${JSON.stringify(actual)}`,
        {
          field,
        },
      );
    const expect = (field: string, signed: unknown, actual: unknown) => {
      if (signed !== actual) throw mismatch(field, signed, actual);
    };
    expect('product', manifest.product, product.productKey);
    expect('module', manifest.module, pkg.module);
    expect('version', manifest.version, pkg.version);
    expect('type', manifest.type, pkg.type);
    expect('source-version', manifest.sourceVersion, pkg.sourceVersion);
    expect('files', manifest.files.length, pkg.files.length);
    for (const [i, file] of pkg.files.entries()) {
      const signed = manifest.files[i]!;
      expect(`file ${i + 1} name`, signed.name, file.name);
      expect(`file ${i + 1} size`, signed.size, file.size);
      expect(`file ${i + 1} sha256`, signed.sha256, file.sha256);
    }
    // A full package's image is its first file; a delta's target is what the device restores.
    if (pkg.type === 'full') expect('target-sha256', manifest.targetSha256, pkg.files[0]!.sha256);
    return {
      manifest: manifestText,
      signature,
      keyId: manifest.keyId,
      securityVersion: manifest.securityVersion,
      signedAt: manifest.signedAt * 1000,
    };
  }

  return {
    verify,

    async listKeys(productId: number): Promise<SigningKey[]> {
      await products.getProduct(productId);
      return store.listKeys(productId);
    },

    /** Registers a public key (raw base64 or PEM); its id comes from the key. */
    async addKey(productId: number, input: { name: string; publicKey: string }, createdBy: string) {
      await products.getProduct(productId);
      let raw: string;
      let keyId: string;
      try {
        const key = publicKeyOf(input.publicKey);
        raw = rawPublicKey(key);
        keyId = keyIdOf(key);
      } catch (error) {
        throw new UpdraftError('VALIDATION_FAILED', `publicKey: ${(error as Error).message}`, {
          field: 'publicKey',
        });
      }
      const now = clock.now();
      const key: SigningKey = {
        productId,
        keyId,
        name: input.name,
        publicKey: raw,
        status: 'active',
        validUntil: null,
        createdBy,
        createdAt: now,
        changedAt: now,
      };
      if (!(await store.insertKey(key))) {
        throw new UpdraftError(
          'SIGNING_KEY_EXISTS',
          `product ${productId} has signing key ${keyId} already`,
          {
            keyId,
          },
        );
      }
      return key;
    },

    /** A retired key signs nothing new; its packages may be planned until `validUntil`. */
    async retireKey(productId: number, keyId: string, validUntil: number | null) {
      const key = await requireKey(productId, keyId);
      if (key.status === 'revoked') {
        throw new UpdraftError('CONFLICT', `signing key ${keyId} is revoked`, { keyId });
      }
      return (await store.updateKey(productId, keyId, {
        status: 'retired',
        validUntil,
        changedAt: clock.now(),
      }))!;
    },

    /** A revoked key's packages can no longer be planned; for good. */
    async revokeKey(productId: number, keyId: string) {
      await requireKey(productId, keyId);
      return (await store.updateKey(productId, keyId, {
        status: 'revoked',
        validUntil: null,
        changedAt: clock.now(),
      }))!;
    },

    async policy(productId: number) {
      await products.getProduct(productId);
      return { requireSignature: await store.requiresSignature(productId) };
    },

    async setPolicy(productId: number, requireSignature: boolean) {
      await products.getProduct(productId);
      await store.setRequiresSignature(productId, requireSignature);
      return { requireSignature };
    },

    requiresSignature: (productId: number) => store.requiresSignature(productId),

    /** Signs a stored package after the fact (an online delta, a package uploaded unsigned). */
    async attach(pkg: SignedPackage & { id: number }, manifest: string, signature: string) {
      const signed = await verify(pkg, manifest, signature);
      await store.putSignature(pkg.id, signed);
      return signed;
    },

    store: (packageId: number, signature: PackageSignature) => store.putSignature(packageId, signature),
    signatureOf: (packageId: number) => store.getSignature(packageId),

    /** The state of a package's signature now. */
    async stateOf(
      productId: number,
      packageId: number,
    ): Promise<{ state: SignatureState; signature: PackageSignature | null }> {
      const signature = (await store.getSignature(packageId)) ?? null;
      if (!signature) return { state: 'unsigned', signature };
      return { state: stateOfKey(await store.getKey(productId, signature.keyId)), signature };
    },

    /** Refuses a package that a plan may not use: unsigned where required, or its key unusable. */
    async checkPlannable(pkg: { id: number; productId: number }) {
      const signature = await store.getSignature(pkg.id);
      if (!signature) {
        if (await store.requiresSignature(pkg.productId)) {
          throw new UpdraftError(
            'SIGNATURE_REQUIRED',
            `product ${pkg.productId} requires signed firmware; package ${pkg.id} is not signed`,
            {
              firmwarePackageId: pkg.id,
            },
          );
        }
        return;
      }
      const state = stateOfKey(await store.getKey(pkg.productId, signature.keyId));
      const code =
        state === 'revoked'
          ? 'SIGNING_KEY_REVOKED'
          : state === 'expired'
            ? 'SIGNING_KEY_RETIRED'
            : state === 'unknown_key'
              ? 'SIGNING_KEY_UNKNOWN'
              : undefined;
      if (code) {
        throw new UpdraftError(
          code,
          `package ${pkg.id} is signed by key ${signature.keyId}, which is ${state}`,
          {
            firmwarePackageId: pkg.id,
            keyId: signature.keyId,
          },
        );
      }
    },
  };
}

export type SigningService = ReturnType<typeof createSigningService>;
