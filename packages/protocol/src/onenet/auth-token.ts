// OneNET's Authorization token (protocols.md §2.2):
//   version=2018-10-31&res=products%2F{pid}&et={unix}&method={md5|sha1|sha256}&sign={urlenc(base64)}
//   sign = base64(HMAC_<method>(key = base64decode(accessKey), et + "\n" + method + "\n" + res + "\n" + version))
// OneNET Studio (§2.10) signs the same way with version=2022-05-01; its device code in the wild
// sends either version to either API, so both are taken everywhere (the signature covers the
// version, so one cannot be turned into the other).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The legacy OTA API's version, and the default of createOneNetToken. */
export const oneNetTokenVersion = '2018-10-31';
/** OneNET Studio's (fuse-ota, protocols.md §2.10). */
export const oneNetStudioTokenVersion = '2022-05-01';
export const oneNetTokenVersions: readonly string[] = [oneNetTokenVersion, oneNetStudioTokenVersion];
export type OneNetSignMethod = 'md5' | 'sha1' | 'sha256';

export interface OneNetToken {
  version: string;
  res: string;
  et: number;
  method: OneNetSignMethod;
  sign: string;
}

export type TokenProblem =
  | 'malformed'
  | 'unsupported_version'
  | 'unsupported_method'
  | 'expired'
  | 'bad_signature';

export function parseOneNetToken(header: string): OneNetToken | { problem: TokenProblem } {
  const fields = new Map<string, string>();
  for (const part of header.trim().split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { problem: 'malformed' };
    try {
      fields.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      return { problem: 'malformed' };
    }
  }
  const version = fields.get('version');
  const res = fields.get('res');
  const et = fields.get('et');
  const method = fields.get('method');
  const sign = fields.get('sign');
  if (!version || !res || !et || !method || !sign || !/^\d{1,12}$/.test(et)) return { problem: 'malformed' };
  if (!oneNetTokenVersions.includes(version)) return { problem: 'unsupported_version' };
  if (method !== 'md5' && method !== 'sha1' && method !== 'sha256') return { problem: 'unsupported_method' };
  return { version, res, et: Number(et), method, sign };
}

function signature(accessKey: string, token: Omit<OneNetToken, 'sign'>): Buffer {
  const key = Buffer.from(accessKey, 'base64');
  return createHmac(token.method, key)
    .update(`${token.et}\n${token.method}\n${token.res}\n${token.version}`)
    .digest();
}

/** Builds a token as a device would (used by the SDK, tests and docs/examples). */
export function createOneNetToken(
  accessKey: string,
  res: string,
  et: number,
  method: OneNetSignMethod = 'sha256',
  version: string = oneNetTokenVersion,
): string {
  const sign = signature(accessKey, { version, res, et, method }).toString('base64');
  const enc = encodeURIComponent;
  return `version=${version}&res=${enc(res)}&et=${et}&method=${method}&sign=${enc(sign)}`;
}

/** Checks the signature with `accessKey` (base64) and that `et` has not passed (`nowSeconds`). */
export function verifyOneNetToken(
  token: OneNetToken,
  accessKey: string,
  nowSeconds: number,
): TokenProblem | null {
  if (token.et < nowSeconds) return 'expired';
  const expected = signature(accessKey, token);
  let given: Buffer;
  try {
    given = Buffer.from(token.sign, 'base64');
  } catch {
    return 'bad_signature';
  }
  return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'bad_signature';
}

/** `products/{pid}` or `products/{pid}/devices/{name}`. */
export function parseOneNetResource(res: string): { product: string; device?: string } | null {
  const match = /^products\/([^/]+)(?:\/devices\/([^/]+))?$/.exec(res);
  if (!match?.[1]) return null;
  return match[2] ? { product: match[1], device: match[2] } : { product: match[1] };
}
