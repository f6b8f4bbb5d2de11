// Downloads over CoAP block-wise (RFC 7959 Block2) in the shape of fetch, so that the SDK's
// resumable download (download.ts) serves LwM2M Package URIs as it serves HTTP: a Range of
// `bytes=R-` starts at block R / 1024 (the server answers any block number first, docs/lwm2m.md
// "Downloads over CoAP") and skips what of that block is already on disk. node-coap asks for each
// next block itself but hands over the payload only once the last one arrived; to write blocks
// as they come (so that a lost link resumes from the last block on disk) this listens on the
// same socket for the answers that carry the request's token and streams their payloads in
// block order.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import type { Agent } from 'coap';
import type { ParsedPacket } from 'coap-packet';
import { SdkError } from './errors.ts';

/** Blocks of 2^(4+6) = 1024 bytes, the largest RFC 7959 has. */
const blockSzx = 6;
const blockSize = 1024;

/** A Block2 option value (RFC 7959 §2.2): NUM, M = 0 in a request, SZX. */
function block2Option(num: number): Buffer {
  const value = (num << 4) | blockSzx;
  if (num <= 0xf) return Buffer.of(value);
  if (num <= 0xfff) return Buffer.of(value >> 8, value & 0xff);
  return Buffer.of(value >> 16, (value >> 8) & 0xff, value & 0xff);
}

function parseBlock2(value: Buffer): { num: number; more: boolean; size: number } {
  let n = 0;
  for (const byte of value) n = n * 256 + byte;
  return { num: n >> 4, more: (n & 0x08) !== 0, size: 2 ** ((n & 0x07) + 4) };
}

const uintOf = (value: Buffer) => value.reduce((n, byte) => n * 256 + byte, 0);

/** CoAP response codes as the HTTP statuses download.ts acts on. */
function statusOf(code: string): number {
  if (code === '2.05') return 200;
  // 4.03: a token that no longer downloads (expired, upgrade ended): gone, as HTTP's 410.
  if (code === '4.03') return 410;
  if (code === '4.04') return 404;
  return code.startsWith('4.') ? 400 : 503;
}

const rangeStart = (headers: RequestInit['headers']) => {
  const range = new Headers(headers).get('range');
  const match = range ? /^bytes=(\d+)-$/.exec(range) : null;
  return match ? Number(match[1]) : 0;
};

/** A fetch's options, and a second signal that ends the download (the server's Cancel). */
export type CoapRequestInit = RequestInit & { cancel?: AbortSignal };

/**
 * `fallback` with both signals: each ends the download until its body is read (AbortSignal.any
 * is newer than Node 18), then the listeners go.
 */
async function fetchBoth(fallback: typeof fetch, input: string | URL | Request, init: CoapRequestInit) {
  const { cancel, signal, ...rest } = init;
  const both = new AbortController();
  const sources = [cancel, signal].filter((s): s is AbortSignal => s !== undefined && s !== null);
  const listeners = sources.map((source) => {
    const listener = () => both.abort(source.reason);
    source.addEventListener('abort', listener, { once: true });
    return () => source.removeEventListener('abort', listener);
  });
  const release = () => {
    for (const remove of listeners) remove();
  };
  try {
    const response = await fallback(input, { ...rest, signal: both.signal });
    if (!response.body) {
      release();
      return response;
    }
    const passing = new TransformStream<Uint8Array, Uint8Array>({ flush: release });
    void response.body.pipeTo(passing.writable).catch(release);
    return new Response(passing.readable, { status: response.status, headers: response.headers });
  } catch (error) {
    release();
    throw error;
  }
}

/** A fetch for coap:// URLs over the link's socket and agent; other URLs go to `fallback`. */
export function createCoapFetch(
  socket: Socket,
  agent: Agent,
  parse: (message: Buffer) => ParsedPacket,
  fallback: typeof fetch,
): typeof fetch {
  return (async (input: string | URL | Request, init?: CoapRequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.protocol !== 'coap:') return fetchBoth(fallback, input, init ?? {});
    const signals = [init?.signal, init?.cancel].filter(
      (s): s is AbortSignal => s !== undefined && s !== null,
    );
    const aborted = signals.find((s) => s.aborted);
    if (aborted) throw aborted.reason instanceof Error ? aborted.reason : new Error('aborted');
    const from = rangeStart(init?.headers);
    const first = Math.floor(from / blockSize);
    let skip = from - first * blockSize;
    const token = randomBytes(8);
    let expected = first;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let settled = false;
    let done = false;

    return new Promise<Response>((resolve, reject) => {
      let readerGone = false;
      const body = new ReadableStream<Uint8Array>({
        start: (c) => {
          controller = c;
        },
        // The reader stopped reading (a dropped link in the simulator): stop asking for blocks.
        cancel: () => {
          readerGone = true;
          agent.abort(req);
          finish();
        },
      });
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        socket.off('message', onMessage);
        for (const signal of signals) signal.removeEventListener('abort', onAbort);
        if (readerGone) return;
        if (!settled) {
          settled = true;
          reject(error ?? new SdkError('NETWORK', 'the CoAP download ended before an answer'));
        } else if (error) controller.error(error);
        else controller.close();
      };
      const answer = (status: number, size2?: number) => {
        if (settled) return;
        settled = true;
        const headers = size2 === undefined ? undefined : { 'content-length': String(size2 - from) };
        resolve(
          new Response(status === 200 ? body : null, {
            status: status === 200 && from > 0 ? 206 : status,
            ...(status === 200 && headers && { headers }),
          }),
        );
      };
      const push = (payload: Buffer) => {
        const part = skip > 0 ? payload.subarray(skip) : payload;
        skip = 0;
        if (part.length > 0) controller.enqueue(new Uint8Array(part));
      };
      function onMessage(message: Buffer) {
        let packet: ParsedPacket;
        try {
          packet = parse(message);
        } catch {
          return;
        }
        if (!packet.token.equals(token) || packet.code === '0.00') return;
        if (packet.code !== '2.05') {
          // Midway (the token ended, the server restarted): the download breaks, and is tried again.
          if (settled) return finish(new SdkError('NETWORK', `CoAP download: ${packet.code} midway`));
          answer(statusOf(packet.code));
          return finish();
        }
        const option = packet.options.find((o) => o.name === 'Block2');
        if (!option) {
          // The whole file in one answer.
          answer(200);
          push(packet.payload);
          return finish();
        }
        const block = parseBlock2(option.value);
        // A retransmitted answer, or one out of order: the agent asks again.
        if (block.num !== expected || block.size !== blockSize) return;
        // Size2 (RFC 7959 §4), asked for with Size2 0: the whole file's size.
        const size2 = packet.options.find((o) => o.name === 'Size2');
        answer(200, size2 ? uintOf(size2.value) : undefined);
        expected++;
        push(packet.payload);
        if (!block.more) finish();
      }
      function onAbort(this: AbortSignal) {
        agent.abort(req);
        finish(this.reason instanceof Error ? this.reason : new Error('aborted'));
      }
      socket.on('message', onMessage);
      for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true });
      const req = agent.request({
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(url.port || 5683),
        method: 'GET',
        pathname: decodeURIComponent(url.pathname),
        token,
      });
      req.setOption('Block2', block2Option(first));
      req.setOption('Size2', 0);
      req.on('error', (error: Error) => finish(new SdkError('NETWORK', `CoAP download: ${error.message}`)));
      req.on('timeout', () => finish(new SdkError('NETWORK', 'CoAP download: no answer')));
      req.end();
    });
  }) as typeof fetch;
}
