// The offer in a OneNET check answer's `data` (docs/device-http.md, "Check answer"), which the
// legacy API and OneNET Studio's check share: the first file's `token`, `size` and hashes, the
// thresholds, and Updraft's `files` with a token per file. `downloadBase` + token downloads a file.
import { healthWindowOf, type Offer, type OfferFile, ownerTextsOf, signatureOf } from './offer.ts';

export function offerFromCheck(downloadBase: string, module: string, data: Record<string, unknown>): Offer {
  const urlOf = (token: string) => `${downloadBase}${token}`;
  const token = String(data['token']);
  const files: OfferFile[] | undefined = Array.isArray(data['files'])
    ? (data['files'] as Record<string, unknown>[]).map((f) => ({
        index: Number(f['index']),
        name: String(f['name'] ?? ''),
        url: urlOf(String(f['token'])),
        size: Number(f['size']),
        sha256: String(f['sha256'] ?? ''),
        md5: String(f['md5'] ?? ''),
      }))
    : undefined;
  return {
    module,
    targetVersion: String(data['target']),
    url: urlOf(token),
    size: Number(data['size']),
    sha256: String(data['sha256'] ?? ''),
    md5: String(data['md5'] ?? ''),
    ...(files && { files }),
    kind: data['type'] === 2 ? 'delta' : 'full',
    minSignal: Number(data['signal']) > -150 ? Number(data['signal']) : null,
    minBattery: Number(data['power']) > 0 ? Number(data['power']) : null,
    minFreeSpace: Number(data['space']) > 0 ? Number(data['space']) : null,
    token,
    ...ownerTextsOf(data),
    ...signatureOf(data),
    ...healthWindowOf(data),
  };
}
