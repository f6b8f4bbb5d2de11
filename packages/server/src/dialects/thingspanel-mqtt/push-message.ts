// The upgrade push (protocols.md §1.4) for an offer, with Updraft's additions (docs/mqtt.md):
// devices that do not know them ignore them. ThingsPanel's fields describe one file (the
// package's first); `files` lists every file of the package with its own download URL; `texts`
// and `releaseNotes` say what the upgrade brings.
import { randomInt } from 'node:crypto';
import { buildUpgradePush } from '@updraft/protocol';
import type { Offer } from '../../modules/device-access/device-access.ts';
import { signatureField } from '../onenet-http/offer-data.ts';
import { thingsPanelDownloadPath } from './download-route.ts';

export function pushMessageOf(
  offer: Offer,
  module: string,
  signMethod: 'md5' | 'sha256',
  /** The base URL devices download from (`…/device/v1/thingspanel/download/{token}`, download-route.ts). */
  baseUrl: string,
) {
  const file = offer.files[0];
  const urlOf = (token: string) => `${baseUrl}${thingsPanelDownloadPath}/${token}`;
  const push = buildUpgradePush({
    // ThingsPanel sends 9 random digits (protocols.md §1.4).
    id: String(randomInt(100_000_000, 1_000_000_000)),
    version: offer.component.targetVersion,
    size: file?.size ?? 0,
    url: urlOf(offer.token),
    signMethod,
    sign: (signMethod === 'md5' ? file?.md5 : file?.sha256) ?? '',
    module,
    extData: offer.pkg.extData,
  });
  return {
    ...push,
    params: {
      ...push.params,
      type: offer.pkg.type,
      sha256: file?.sha256 ?? '',
      minSignal: offer.spec.minSignal,
      minBattery: offer.spec.minBattery,
      minFreeSpace: offer.spec.minFreeSpace ?? null,
      retry: offer.spec.retry.attempts,
      interval: offer.spec.retry.intervalSeconds,
      expires: Math.floor(offer.expiresAt / 1000),
      files: offer.files.map((f) => ({
        index: f.index,
        name: f.name,
        size: f.size,
        url: urlOf(f.token),
        sign: signMethod === 'md5' ? f.md5 : f.sha256,
        md5: f.md5,
        sha256: f.sha256,
      })),
      // For the device's owner: the plan's upgrade texts (zh, en) and the package's release notes.
      texts: offer.spec.texts ?? null,
      releaseNotes: offer.pkg.releaseNotes,
      // The plan's health window in seconds, null without one (docs/mqtt.md, "Health after the
      // install"): the device reports its health on the progress topic within it.
      healthWindow: offer.spec.healthWindowSeconds ?? null,
      // The package's signed manifest and signature, when it is signed (docs/signing.md).
      ...signatureField(offer),
    },
  };
}
