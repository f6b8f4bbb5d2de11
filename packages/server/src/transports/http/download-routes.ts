// Token downloads: GET {path}/{token}, RFC 7233 ranges followed strictly, the token checked on
// every call. The neutral download every dialect may hand out (MQTT pushes do) is
// /device/v1/download/{token}; ThingsPanel's and Quectel's have paths of their own and an X-CRC16
// on every answer, which keeps them from redirecting (a module's HTTP client may not follow a 302
// to object storage). Errors use the catalogue's body: 410 for a token that no longer downloads,
// 404 for one never issued.
import type { FastifyInstance } from 'fastify';
import type { DeviceAccess } from '../../modules/device-access/device-access.ts';
import type { HttpDialect } from './http-dialect.ts';
import { type DownloadOptions, type FirmwareAnswer, mayRedirect, sendFirmware } from './send-firmware.ts';

export interface TokenDownloadDeps {
  access: Pick<DeviceAccess, 'openDownload' | 'openBlob' | 'fileUrl'>;
  download: DownloadOptions;
}

/** Registers GET `{path}/:token`; `answer` adds a route's rules (ThingsPanel's CRC-16 default). */
export function registerTokenDownload(
  app: FastifyInstance,
  path: string,
  { access, download }: TokenDownloadDeps,
  answer: FirmwareAnswer = {},
): void {
  app.get(`${path}/:token`, async (request, reply) => {
    const { token } = request.params as { token: string };
    // A request S3 will answer needs no bytes here; an answer with a CRC-16 is never redirected.
    const redirected = answer.crc16Default === undefined && mayRedirect(request, download);
    const file = await access.openDownload(token, { load: !redirected, byDevice: true });
    if ('problem' in file) {
      const gone = file.problem !== 'token_unknown';
      return reply
        .status(gone ? 410 : 404)
        .send({ code: gone ? 'DOWNLOAD_TOKEN_INVALID' : 'NOT_FOUND', message: file.problem });
    }
    return sendFirmware(request, reply, access, file, 'rfc7233', download, answer);
  });
}

export async function registerDownloadRoutes(app: FastifyInstance, deps: TokenDownloadDeps): Promise<void> {
  registerTokenDownload(app, '/device/v1/download', deps);
}

/**
 * A dialect's own token download (ThingsPanel's, Quectel's): `X-CRC16` over the returned bytes,
 * the IBM CRC (CRC-16/USB) unless the request's `Crc16-Method` names another.
 */
export function createCrcTokenDownloads(name: string, path: string, deps: TokenDownloadDeps): HttpDialect {
  return {
    name,
    plugins: [async (app) => registerTokenDownload(app, path, deps, { crc16Default: 'ibm' })],
  };
}
