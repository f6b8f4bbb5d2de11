// Persistence of signing keys, packages' signatures and products' signature policy (owned by the
// signing module; docs/signing.md).

export const keyStatuses = ['active', 'retired', 'revoked'] as const;
export type KeyStatus = (typeof keyStatuses)[number];

export interface SigningKey {
  productId: number;
  /** The first 8 bytes of the sha256 of the raw public key, hex. */
  keyId: string;
  name: string;
  /** The raw 32 bytes, base64. */
  publicKey: string;
  status: KeyStatus;
  /** A retired key: its packages may be planned until then (null: no longer). */
  validUntil: number | null;
  createdBy: string;
  createdAt: number;
  changedAt: number;
}

/** A package's signed manifest (its canonical text) and the detached signature (base64). */
export interface PackageSignature {
  manifest: string;
  signature: string;
  keyId: string;
  securityVersion: number;
  /** Unix milliseconds. */
  signedAt: number;
}

export interface SigningStore {
  listKeys(productId: number): Promise<SigningKey[]>;
  getKey(productId: number, keyId: string): Promise<SigningKey | undefined>;
  /** False when the product has the key already. */
  insertKey(key: SigningKey): Promise<boolean>;
  updateKey(
    productId: number,
    keyId: string,
    patch: Pick<SigningKey, 'status' | 'validUntil' | 'changedAt'>,
  ): Promise<SigningKey | undefined>;
  getSignature(packageId: number): Promise<PackageSignature | undefined>;
  /** The highest security version among the product's signed packages of a module, or null. */
  maxSecurityVersion(productId: number, module: string): Promise<number | null>;
  /** Sets (or replaces) a package's signature. */
  putSignature(packageId: number, signature: PackageSignature): Promise<void>;
  requiresSignature(productId: number): Promise<boolean>;
  setRequiresSignature(productId: number, required: boolean): Promise<void>;
}
