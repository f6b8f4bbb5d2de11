// The `data` of a Studio check answer (protocols.md §2.10): Studio's fields `target`, `tid`,
// `size`, `md5`, `status`, `type` describe the package's first file; Updraft adds what the
// legacy check answers (docs/device-http.md): `sha256`, the thresholds and retry policy, the
// download `token` and its `expires`, and `files`, every file of the package with a token of its
// own. A Studio device downloads by tid (`…/{tid}/download`, `?file=n` for file n); the tokens
// also download at `/device/v1/download/{token}`.
import type { Offer } from '../../modules/device-access/device-access.ts';
import { offerFields } from '../onenet-http/offer-data.ts';
import type { StudioTaskStatus } from './task-rules.ts';

export function studioOfferData(offer: Offer, status: StudioTaskStatus) {
  // tid is the device upgrade's id: what the device names in its download, status and task calls.
  return { ...offerFields(offer), tid: offer.upgradeId, status };
}
