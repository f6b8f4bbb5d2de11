// The `data` of a check answer (protocols.md §2.4 (1)); tasking (6) answers the same. OneNET's
// fields describe one file (the package's first); Updraft adds `files`, every file of the
// package with its own token, and `texts` and `releaseNotes` (docs/device-http.md), which
// OneNET devices ignore.
import type { FastifyRequest } from 'fastify';
import type { Offer } from '../../modules/device-access/device-access.ts';
import type { Query } from './context.ts';
import type { PathStyle } from './errno.ts';

export function offerData(offer: Offer, request: FastifyRequest, paths: PathStyle) {
  const cdn = (request.query as Query)['cdn'];
  const host = request.headers.host;
  return {
    ...offerFields(offer),
    ...(cdn === 'false' && host && { ipPort: host, ...(paths === 'd1' && { ip: host }) }),
  };
}

/** The fields of an offer every OneNET generation answers (OneNET Studio adds its `tid` and `status`). */
export function offerFields(offer: Offer) {
  const file = offer.pkg.files[0];
  return {
    target: offer.component.targetVersion,
    token: offer.token,
    size: file?.size ?? 0,
    md5: file?.md5 ?? '',
    sha256: file?.sha256 ?? '',
    signal: offer.spec.minSignal ?? -150,
    power: offer.spec.minBattery ?? 0,
    // Updraft's addition: the bytes the device needs free (Quectel's USE_SPACE); 0 = none.
    space: offer.spec.minFreeSpace ?? 0,
    retry: offer.spec.retry.attempts,
    interval: offer.spec.retry.intervalSeconds,
    type: offer.pkg.type === 'delta' ? 2 : 1,
    expires: Math.floor(offer.expiresAt / 1000),
    files: offer.files.map((f) => ({
      index: f.index,
      name: f.name,
      size: f.size,
      md5: f.md5,
      sha256: f.sha256,
      token: f.token,
    })),
    // Updraft's additions for the device's owner (docs/device-http.md): the plan's upgrade texts
    // (zh, en; null when the plan has none) and the package's release notes.
    texts: offer.spec.texts ?? null,
    releaseNotes: offer.pkg.releaseNotes,
    // Updraft's: the plan's health window in seconds (docs/device-http.md, "Health after the
    // install"), null when the version alone is success.
    healthWindow: offer.spec.healthWindowSeconds ?? null,
    ...signatureField(offer),
  };
}

/**
 * Updraft's `signature` extension (docs/signing.md): the package's signed manifest (its text) and
 * the detached Ed25519 signature (base64), which devices check before installing; absent when
 * the package is unsigned.
 */
export function signatureField(offer: Offer) {
  const s = offer.pkg.signature;
  return s ? { signature: { manifest: s.manifest, value: s.signature, keyId: s.keyId } } : {};
}

/**
 * Updraft's `space` check parameter: the bytes the device has free for the upgrade. Undefined
 * when absent, null when it is not a whole number (errno 2).
 */
export function freeSpaceParam(query: Query): number | undefined | null {
  const value = query['space'];
  if (value === undefined || value === '') return undefined;
  return /^\d{1,15}$/.test(value) ? Number(value) : null;
}

/**
 * `?module=` when given, else OneNET's `type` picks it as the version report does: 2 (SOTA,
 * the MCU application) is the module `sota`, 1 (FOTA) or none the `default` module.
 */
export function moduleOf(query: Query, type?: string): string {
  if (query['module'] && /^[A-Za-z0-9_.-]{1,64}$/.test(query['module'])) return query['module'];
  return type === '2' ? 'sota' : 'default';
}
