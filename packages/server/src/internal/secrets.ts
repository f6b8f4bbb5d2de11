// Hashing of secrets. Passwords (low entropy) use scrypt; generated secrets (API keys, device
// secrets: 32 random bytes) use SHA-256, which is enough for high-entropy values and fast
// enough to import 100,000 devices at once (docs/adr/0003-credentials.md).
import { createHmac, hash, type KeyObject, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const scryptParams = { N: 16384, r: 8, p: 1, keylen: 64 };

function scryptAsync(
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number },
) {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, keylen, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keylen } = scryptParams;
  const key = await scryptAsync(password, salt, keylen, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** One-shot `hash` makes no Hash object: about 0.4 against 1–3 µs a call (an import hashes a secret per row). */
export function sha256Hex(value: string | Buffer): string {
  return hash('sha256', value, 'hex');
}

export function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * randomToken for many tokens in a row (an import's salts): each call cuts the next `bytes` from
 * one buffer of random bytes drawn for 1,024 tokens at a time (one randomBytes call costs ~6 us).
 */
export function createTokenSource(bytes: number): () => string {
  const size = bytes * 1024;
  let pool = Buffer.alloc(0);
  let offset = size;
  return () => {
    if (offset + bytes > pool.length) {
      pool = randomBytes(size);
      offset = 0;
    }
    offset += bytes;
    return pool.toString('base64url', offset - bytes, offset);
  };
}

/** A password that is easy to type and has ~95 bits of entropy. */
export function generatePassword(): string {
  return randomBytes(16).toString('base64url').replace(/[-_]/g, 'x');
}

/**
 * Device secrets are derived from the server secret and a per-device salt, so that HMAC-based
 * device protocols (OneNET tokens) can recompute them; only the salt and a hash are stored. Give
 * the server secret as a KeyObject where it is called per row: createHmac checks a Buffer key
 * each time (~60 us on Node 24, against ~9 us with a KeyObject).
 */
export function deriveDeviceSecret(serverSecret: Buffer | KeyObject, salt: string): string {
  return createHmac('sha256', serverSecret).update(`device-secret:${salt}`).digest('base64url');
}

/**
 * A product's access key (OneNET's product-level key, protocols.md §2.2), derived like device
 * secrets so that the database keeps only the salt and a hash. Standard base64, as OneNET's.
 */
export function deriveProductKey(serverSecret: Buffer, salt: string): string {
  return createHmac('sha256', serverSecret).update(`product-key:${salt}`).digest('base64');
}
