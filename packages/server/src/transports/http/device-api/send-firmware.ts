// Serves a firmware file to a device: whole or one byte range (RFC 7233, or OneNET's rules),
// with ETag/If-Range, an optional CRC-16 of the returned bytes (protocols.md §1.9) and, behind
// nginx, X-Accel-Redirect so the proxy moves the bytes. Never the whole file in memory per request:
// cached files are sliced, others streamed from the blob store.
import { Readable } from 'node:stream';
import {
  contentRange,
  crc16MethodFromHeader,
  createCrc16,
  decideRange,
  type RangeDialect,
} from '@updraft/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {
  DeviceAccessService,
  FirmwareHandle,
} from '../../../modules/device-access/device-access-service.ts';

export interface DownloadOptions {
  accel: 'off' | 'nginx';
  accelPrefix: string;
}

/** Chunks up to this size get an X-CRC16 header when the device asks (Crc16-Method). */
const crcMaxBytes = 4 * 1024 * 1024;

export async function sendFirmware(
  request: FastifyRequest,
  reply: FastifyReply,
  access: DeviceAccessService,
  file: FirmwareHandle,
  dialect: RangeDialect,
  options: DownloadOptions,
): Promise<FastifyReply> {
  const etag = `"${file.sha256}"`;
  const rangeHeader = request.headers.range;
  const ifRange = request.headers['if-range'];
  // RFC 7233 §3.2: a Range with a stale If-Range validator gets the whole file.
  const useRange = ifRange === undefined || ifRange === etag;
  const decision = useRange ? decideRange(rangeHeader, file.size, dialect) : ({ kind: 'full' } as const);
  const wantsCrc = request.headers['crc16-method'] !== undefined;
  reply
    .header('accept-ranges', 'bytes')
    .header('etag', etag)
    .header('content-type', 'application/octet-stream')
    .header('content-disposition', `attachment; filename="${file.name.replace(/["\\\r\n]/g, '_')}"`)
    .header('x-content-sha256', file.sha256);

  if (options.accel === 'nginx' && !wantsCrc && nginxAnswersAlike(rangeHeader, file.size, dialect)) {
    // nginx answers Range and If-Range itself from the internal location (docs/nginx.md).
    const path = `${options.accelPrefix.replace(/\/?$/, '/')}${file.key.slice(0, 2)}/${file.key}`;
    return reply.header('x-accel-redirect', path).send('');
  }

  if (decision.kind === 'unsatisfiable') {
    return reply.status(416).header('content-range', contentRange(null, file.size)).send('');
  }
  const range = decision.kind === 'partial' ? { start: decision.start, end: decision.end } : null;
  const start = range?.start ?? 0;
  const end = range?.end ?? file.size - 1;
  const length = file.size === 0 ? 0 : end - start + 1;
  if (range) reply.status(206).header('content-range', contentRange(range, file.size));
  reply.header('content-length', length);

  let body: Buffer | Readable | undefined = file.bytes?.subarray(start, end + 1);
  if (wantsCrc && length <= crcMaxBytes) {
    if (!body) {
      const chunks: Buffer[] = [];
      if (length > 0)
        for await (const chunk of await access.openBlob(file.key, { start, end }))
          chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks);
    }
    const crc = createCrc16(crc16MethodFromHeader(request.headers['crc16-method'] as string));
    crc.update(body);
    reply.header('x-crc16', crc.digest());
  }
  if (request.method === 'HEAD') return reply.send();
  if (!body) body = length === 0 ? Buffer.alloc(0) : await access.openBlob(file.key, { start, end });
  return reply.send(body);
}

/**
 * Whether nginx, which applies RFC 7233 itself after X-Accel-Redirect, sends what the dialect
 * would: one plain `bytes=` range, and on OneNET paths only a range both rule sets read alike.
 * nginx answers 416 to `bytes=5-2` (RFC 7233 §2.1 says ignore it) and to a start past the end
 * (OneNET: from 0), and 206 to a suffix longer than the file (OneNET: the whole file, 200).
 */
export function nginxAnswersAlike(header: string | undefined, size: number, dialect: RangeDialect): boolean {
  if (header === undefined) return true;
  const plain = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!plain || (plain[1] === '' && plain[2] === '')) return false;
  const [, first = '', last = ''] = plain;
  if (first !== '' && last !== '' && Number(last) < Number(first)) return false;
  if (dialect === 'rfc7233') return true;
  const nginx = decideRange(header, size, 'rfc7233');
  const onenet = decideRange(header, size, 'onenet');
  return (
    nginx.kind === 'partial' &&
    onenet.kind === 'partial' &&
    nginx.start === onenet.start &&
    nginx.end === onenet.end
  );
}

/** OneNET signals download errors with a 200 and a one-digit body without Content-Length. */
export function sendOneNetDownloadError(reply: FastifyReply, digit: 1 | 2 | 3 | 4 | 5): FastifyReply {
  return reply
    .status(200)
    .header('content-type', 'text/plain')
    .header('ota-errno', String(digit))
    .send(Readable.from([Buffer.from(String(digit))]));
}
