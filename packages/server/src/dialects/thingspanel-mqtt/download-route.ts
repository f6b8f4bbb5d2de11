// ThingsPanel's firmware download (protocols.md §1.9), `GET /device/v1/thingspanel/download/{token}`:
// the URL a ThingsPanel push carries (push-message.ts). Devices take the URL from the push, so
// the path is Updraft's (ThingsPanel's own, `/api/ota/download/…`, would sit among the
// management routes).
// ThingsPanel answers every download with `X-CRC16` over the returned bytes, the IBM CRC
// (CRC-16/USB) unless the request's `Crc16-Method` names another; ranges follow RFC 7233 (an
// answer with a range is 206, as v0.5's). Errors use the catalogue's body, as the neutral
// download does: 410 for a token that no longer downloads, 404 for one never issued.
import { createCrcTokenDownloads, type TokenDownloadDeps } from '../../transports/http/download-routes.ts';
import type { HttpDialect } from '../../transports/http/http-dialect.ts';

export const thingsPanelDownloadPath = '/device/v1/thingspanel/download';

export function createThingsPanelDownloads(deps: TokenDownloadDeps): HttpDialect {
  return createCrcTokenDownloads('thingspanel-mqtt', thingsPanelDownloadPath, deps);
}
