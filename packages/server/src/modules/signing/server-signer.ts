// The server-held signing key (docs/signing.md), for teams that accept one: with
// UPDRAFT_SIGNING_KEY_FILE set, the server signs the unsigned uploads and the online deltas of
// every product that registered the server's public key as one of its keys, while that key is
// active there. Retiring or revoking it on a product stops the server signing for that product.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UpdraftError } from '@updraft/core';
import { keyIdOf, type Manifest, privateKeyOf, rawPublicKey, signManifest } from '@updraft/protocol';
import type { Clock } from '../../adapters/clock/clock.ts';
import { ConfigError } from '../../config/config.ts';
import type { FirmwarePackage } from '../firmware/firmware-store.ts';
import type { SignedPackage, SigningService } from './signing-service.ts';
import type { PackageSignature, SigningKey, SigningStore } from './signing-store.ts';

/** The name the server's key gets on a product that registers it. */
export const serverKeyName = 'server key';

/** Reads the server's Ed25519 private key; a clear error naming the setting otherwise. */
export function loadServerSigningKey(file: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('UPDRAFT_SIGNING_KEY_FILE', `cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return privateKeyOf(pem);
  } catch (error) {
    throw new ConfigError(
      'UPDRAFT_SIGNING_KEY_FILE',
      `${file} is not an Ed25519 private key in PEM (updraft sign keygen writes one): ${(error as Error).message}`,
    );
  }
}

export interface ServerSignerDeps {
  /** The private key, or null: the server holds none. */
  privateKey: KeyObject | null;
  signing: Pick<SigningService, 'addKey'>;
  store: Pick<SigningStore, 'getKey' | 'getSignature' | 'maxSecurityVersion'>;
  products: { getProduct(id: number): Promise<{ id: number; productKey: string }> };
  clock: Clock;
}

export function createServerSigner({ privateKey, signing, store, products, clock }: ServerSignerDeps) {
  const publicKey = privateKey && createPublicKey(privateKey);
  const key = publicKey && { keyId: keyIdOf(publicKey), publicKey: rawPublicKey(publicKey) };

  const notConfigured = () =>
    new UpdraftError(
      'SIGNING_KEY_NOT_CONFIGURED',
      'the server holds no signing key: set UPDRAFT_SIGNING_KEY_FILE (docs/signing.md)',
    );

  /** Whether the server signs new packages of the product: its key registered there and active. */
  async function signsFor(productId: number): Promise<boolean> {
    if (!key) return false;
    return (await store.getKey(productId, key.keyId))?.status === 'active';
  }

  /** The security version a package gets when none is given: the module's highest so far. */
  async function defaultSecurityVersion(productId: number, module: string): Promise<number> {
    return (await store.maxSecurityVersion(productId, module)) ?? 0;
  }

  async function sign(
    pkg: SignedPackage,
    fields: Pick<Manifest, 'sourceSha256' | 'targetSha256' | 'securityVersion'>,
  ): Promise<PackageSignature> {
    if (!privateKey || !key) throw notConfigured();
    const product = await products.getProduct(pkg.productId);
    const signedAt = Math.floor(clock.now() / 1000);
    const { bytes, signature } = signManifest(
      {
        product: product.productKey,
        module: pkg.module,
        version: pkg.version,
        type: pkg.type,
        sourceVersion: pkg.sourceVersion,
        allowDowngrade: false,
        signedAt,
        keyId: key.keyId,
        files: pkg.files.map((f, i) => ({ index: i + 1, name: f.name, size: f.size, sha256: f.sha256 })),
        ...fields,
      },
      privateKey,
    );
    return {
      manifest: bytes.toString('utf8'),
      signature,
      keyId: key.keyId,
      securityVersion: fields.securityVersion,
      signedAt: signedAt * 1000,
    };
  }

  return {
    /** The server key's id and raw public key (base64), or null when none is configured. */
    key,
    signsFor,

    /** The server key, or SIGNING_KEY_NOT_CONFIGURED. */
    requireKey(): { keyId: string; publicKey: string } {
      if (!key) throw notConfigured();
      return key;
    },

    /** Registers the server's public key with a product: from then on the server signs for it. */
    async register(productId: number, createdBy: string): Promise<SigningKey> {
      if (!key) throw notConfigured();
      return signing.addKey(productId, { name: serverKeyName, publicKey: key.publicKey }, createdBy);
    },

    /**
     * The signature of an unsigned full upload about to be stored, where the server signs for its
     * product; undefined otherwise. A delta upload is signed by the operator (its target image is
     * not known here).
     */
    async signUpload(pkg: SignedPackage, securityVersion?: number): Promise<PackageSignature | undefined> {
      if (pkg.type !== 'full' || !(await signsFor(pkg.productId))) return undefined;
      return sign(pkg, {
        sourceSha256: null,
        targetSha256: pkg.files[0]!.sha256,
        securityVersion: securityVersion ?? (await defaultSecurityVersion(pkg.productId, pkg.module)),
      });
    },

    /**
     * The signature of a delta generated online from `source` to `target`, where the server signs
     * for the product; undefined otherwise. It keeps the target's security version.
     */
    async signDelta(
      delta: FirmwarePackage,
      source: FirmwarePackage,
      target: FirmwarePackage,
    ): Promise<PackageSignature | undefined> {
      if (!(await signsFor(delta.productId))) return undefined;
      const targetSignature = await store.getSignature(target.id);
      return sign(delta, {
        sourceSha256: source.files[0]!.sha256,
        targetSha256: target.files[0]!.sha256,
        securityVersion:
          targetSignature?.securityVersion ?? (await defaultSecurityVersion(delta.productId, delta.module)),
      });
    },
  };
}

export type ServerSigner = ReturnType<typeof createServerSigner>;
