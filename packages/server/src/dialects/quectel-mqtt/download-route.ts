// Quectel's firmware download (protocols.md §3.2: an HTTP GET of DOWN_URL, in pieces with
// `Range`, 200 or 206 taken): `GET /device/v1/quectel/download/{token}`, the URL the firmware
// information (0x0113) carries. Like ThingsPanel's route and unlike the neutral one it never
// redirects (a module's HTTP client may not follow a 302 to object storage): it streams through
// the read-ahead cache, with `X-CRC16` (the CRC-16/USB of DOWN_CRC) over the returned bytes.
// Errors use the catalogue's body: 410 for a token that no longer downloads, 404 for one never issued.
import { createCrcTokenDownloads, type TokenDownloadDeps } from '../../transports/http/download-routes.ts';
import type { HttpDialect } from '../../transports/http/http-dialect.ts';
import { quectelDownloadPath } from './messages.ts';

export function createQuectelDownloads(deps: TokenDownloadDeps): HttpDialect {
  return createCrcTokenDownloads('quectel-mqtt', quectelDownloadPath, deps);
}
