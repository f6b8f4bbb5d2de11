// Serves a firmware file to a device: whole or one byte range (RFC 7233, or OneNET's rules),
// with ETag/If-Range, a CRC-16 of the returned bytes when asked or by default (protocols.md §1.9) and, behind
// nginx, X-Accel-Redirect so the proxy moves the bytes. Never the whole file in memory per request:
// cached files are sliced, others streamed from the blob store.
import type { Readable } from 'node:stream';
import {
  type Crc16Method,
  contentRange,
  crc16MethodFromHeader,
  createCrc16,
  decideRange,
  type RangeDialect,
} from '@updraft/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DeviceAccess, FirmwareHandle } from '../../modules/device-access/device-access.ts';

export interface DownloadOptions {
  accel: 'off' | 'nginx';
  accelPrefix: string;
  /** Send GETs the store can answer alike to the file's presigned URL (S3), with a 302. */
  redirect?: boolean;
  /** CRC-16s already computed (one per server: the devices of a plan ask for the same bytes). */
  crcs?: CrcMemo;
}

/**
 * CRC-16s of byte ranges by file content (sha256), variant and range, at most `maxEntries`
 * (then forgotten all at once): every device of a campaign downloads the same file from 0, so
 * its X-CRC16 is computed once, not once per device (256 KiB of table lookups each).
 */
export interface CrcMemo {
  get(
    file: Pick<FirmwareHandle, 'sha256'>,
    method: Crc16Method,
    start: number,
    end: number,
  ): string | undefined;
  set(
    file: Pick<FirmwareHandle, 'sha256'>,
    method: Crc16Method,
    start: number,
    end: number,
    crc: string,
  ): void;
}

export function createCrcMemo(maxEntries = 4096): CrcMemo {
  const crcs = new Map<string, string>();
  const keyOf = (sha256: string, method: Crc16Method, start: number, end: number) =>
    `${sha256}:${method}:${start}:${end}`;
  return {
    get: (file, method, start, end) => crcs.get(keyOf(file.sha256, method, start, end)),
    set(file, method, start, end, crc) {
      if (crcs.size >= maxEntries) crcs.clear();
      crcs.set(keyOf(file.sha256, method, start, end), crc);
    },
  };
}

/**
 * Whether a request may go to the file's presigned URL: a GET (the URL is signed for GET), no
 * CRC-16 (Updraft computes it), and a Range S3 answers as RFC 7233 says, as nginx does.
 */
export function mayRedirect(request: FastifyRequest, options: DownloadOptions): boolean {
  return (
    options.redirect === true &&
    request.method === 'GET' &&
    request.headers['crc16-method'] === undefined &&
    nginxAnswersAlike(request.headers.range, 0, 'rfc7233')
  );
}

/** What a route adds to the dialect's range rules. */
export interface FirmwareAnswer {
  /**
   * The CRC-16 every answer carries in X-CRC16 when the request names none (ThingsPanel sends
   * IBM by default, protocols.md §1.9); without it only a `Crc16-Method` request gets one.
   */
  crc16Default?: Crc16Method;
}

/** Chunks up to this size are read into memory for their CRC-16; larger ones are read twice. */
const crcMaxBytes = 4 * 1024 * 1024;

/** The CRC-16 of bytes start..end of a file too large to hold: read once for it, then sent. */
export async function crcOfRange(
  access: Pick<DeviceAccess, 'openBlob'>,
  file: FirmwareHandle,
  method: Crc16Method,
  start: number,
  end: number,
): Promise<string> {
  const crc = createCrc16(method);
  if (file.bytes) crc.update(file.bytes.subarray(start, end + 1));
  else for await (const chunk of await access.openBlob(file.key, { start, end })) crc.update(chunk as Buffer);
  return crc.digest();
}

export async function sendFirmware(
  request: FastifyRequest,
  reply: FastifyReply,
  access: Pick<DeviceAccess, 'openBlob' | 'fileUrl'>,
  file: FirmwareHandle,
  dialect: RangeDialect,
  options: DownloadOptions,
  answer: FirmwareAnswer = {},
): Promise<FastifyReply> {
  const etag = `"${file.sha256}"`;
  const rangeHeader = request.headers.range;
  const ifRange = request.headers['if-range'];
  // RFC 7233 §3.2: a Range with a stale If-Range validator gets the whole file.
  const useRange = ifRange === undefined || ifRange === etag;
  const decision = useRange ? decideRange(rangeHeader, file.size, dialect) : ({ kind: 'full' } as const);
  const asked = request.headers['crc16-method'];
  const crcMethod =
    asked !== undefined ? crc16MethodFromHeader(String(asked)) : (answer.crc16Default ?? null);
  const wantsCrc = crcMethod !== null;
  reply
    .header('accept-ranges', 'bytes')
    .header('etag', etag)
    .header('content-type', 'application/octet-stream')
    .header('content-disposition', `attachment; filename="${file.name.replace(/["\\\r\n]/g, '_')}"`)
    .header('x-content-sha256', file.sha256);

  if (dialect === 'rfc7233' && mayRedirect(request, options)) {
    const url = await access.fileUrl(file);
    // Presigned URLs change on every request: nothing may cache the redirect.
    if (url) return reply.header('cache-control', 'no-store').redirect(url, 302);
  }

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
  const known = crcMethod === null ? undefined : options.crcs?.get(file, crcMethod, start, end);
  if (known !== undefined) {
    reply.header('x-crc16', known);
  } else if (crcMethod !== null && length <= crcMaxBytes) {
    if (!body) {
      const chunks: Buffer[] = [];
      if (length > 0)
        for await (const chunk of await access.openBlob(file.key, { start, end }))
          chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks);
    }
    const crc = createCrc16(crcMethod);
    crc.update(body);
    const digest = crc.digest();
    options.crcs?.set(file, crcMethod, start, end, digest);
    reply.header('x-crc16', digest);
  } else if (crcMethod !== null) {
    const digest = await crcOfRange(access, file, crcMethod, start, end);
    options.crcs?.set(file, crcMethod, start, end, digest);
    reply.header('x-crc16', digest);
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
