// node-coap's Server with the refusals RFC 7252 and RFC 7959 ask for where the library answers
// otherwise (the fuzz suite's findings, test/fuzz/coap-packets.ts). The library answers every
// error of its own with a non-confirmable 5.00 carrying the error's text, sent to the client's
// port on this host (the address left out), and leaves an empty ACK to follow a second later:
// for a datagram that does not parse, a Block1 option that is none or a sequence it cannot put
// together. It serves messages with an option cut short or a payload marker and no payload, and
// answers an Observe request 2.05 whatever the dialect answered. Here:
// - a datagram that is no well-formed CoAP message is reset if confirmable, else dropped
//   (coap-format.ts);
// - an error of the library about a request is 4.00 Bad Request, on the ACK of a confirmable
//   request (§5.2.1), to the client's address and port;
// - a Block1 option that is none is 4.00; a Block1 body past `maxRequestBytes` 4.13 Request
//   Entity Too Large with Size1 (RFC 7959 §2.9.3), before the library allocates for it; a last
//   block whose earlier blocks did not all come 4.08 Request Entity Incomplete (§2.9.2);
// - the Observe option is ignored: nothing here is observable (RFC 7641 §4.1);
// - FETCH without a Content-Format the library can name is 4.15, on the ACK too.
// A retransmitted request goes to the library first, which answers it from its cache (§4.5).
import { Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { type CoapPacket, IncomingMessage, Server } from 'coap';
import { generate } from 'coap-packet';
import { checkFormat, resetOf } from './coap-format.ts';

/** The largest request body put together from Block1 blocks: registrations are a few hundred bytes. */
export const maxRequestBytes = 64 * 1024;

/**
 * Critical options (odd numbers, RFC 7252 §5.4.1) the server does not act on: a request with one
 * is 4.02 Bad Option, and with a proxy option 5.05 Proxying Not Supported (§5.10.2). The library
 * names the options it knows and gives the others as their number.
 */
const actedOn = new Set(['Uri-Host', 'Uri-Port', 'Uri-Path', 'Uri-Query', 'Accept', 'Block1', 'Block2']);
const critical: Readonly<Record<string, number>> = {
  'If-Match': 1,
  'If-None-Match': 5,
  OSCORE: 9,
  'Q-Block1': 19,
  'Q-Block2': 31,
  'Proxy-Uri': 35,
  'Proxy-Scheme': 39,
  'OCF-Accept-Content-Format-Version': 2049,
  'OCF-Content-Format-Version': 2053,
};

/** The refusal of a request for its options: 4.02 or 5.05, or undefined when it can be served. */
export function refusalOfOptions(names: readonly string[]): string | undefined {
  let refusal: string | undefined;
  for (const name of names) {
    if (actedOn.has(name)) continue;
    const number = /^\d+$/.test(name) ? Number(name) : critical[name];
    if (number === undefined || number % 2 === 0) continue;
    if (name === 'Proxy-Uri' || name === 'Proxy-Scheme') return '5.05';
    refusal = '4.02';
  }
  return refusal;
}

/** The most of a diagnostic payload an error answer carries. */
const maxDiagnosticBytes = 128;

/** A Block1 option (RFC 7959 §2.2): block number, more flag, size; null when it is none. */
function parseBlock(value: unknown): { num: number; more: boolean; size: number } | null {
  if (!Buffer.isBuffer(value) || value.length === 0 || value.length > 3) return null;
  const n = value.readUIntBE(0, value.length);
  // SZX 7 is reserved (§2.2).
  if ((n & 0x07) === 7) return null;
  return { num: Math.floor(n / 16), more: (n & 0x08) !== 0, size: 2 ** ((n & 0x07) + 4) };
}

function uint(value: unknown): number {
  return Buffer.isBuffer(value) && value.length > 0 && value.length <= 4
    ? value.readUIntBE(0, value.length)
    : 0;
}

/**
 * node-coap keeps every answer it sent for the exchange lifetime (247 s, up to 32 MiB of
 * datagrams) to answer a retransmitted request again (RFC 7252 §4.5). What it keeps is the sent
 * Buffer with its RetrySend attached, whose error listener holds the answer, the request and
 * their streams: about 7 KB per 1 KiB block, 230 MB of the server's heap in the lwm2m bench at
 * 1,000 devices. An answer no one retransmits (piggy-backed on the ACK, or non-confirmable) is
 * kept as a copy of its bytes alone (in a buffer of its own size: the cache counts the size of
 * the memory under it), and its sender's timers, which would hold it for MAX_RTT (202 s), are
 * cleared once it is sent. A confirmable answer keeps its sender, which an ACK or Reset stops
 * through the cache, and one with an observation keeps it.
 */
type Sent = Buffer & { response?: unknown; sender?: { reset(): void } };

function slimAnswer(datagram: Sent): Buffer {
  const type = ((datagram[0] ?? 0) >> 4) & 0x03;
  if (type === 0 || datagram.response !== undefined) return datagram;
  const copy = Buffer.allocUnsafeSlow(datagram.length);
  datagram.copy(copy);
  // The library attaches the sender and sends right after caching: then its timers go.
  queueMicrotask(() => datagram.sender?.reset());
  return copy;
}

export class CarrierServer extends Server {
  constructor(options: ConstructorParameters<typeof Server>[0]) {
    super(options);
    const lru = this._lru;
    const set = lru.set.bind(lru);
    lru.set = (key: string, value: Sent, ...rest: unknown[]) => set(key, slimAnswer(value), ...(rest as []));
  }

  override _sendError(payload: Buffer, rsinfo: AddressInfo, packet?: CoapPacket, code = '5.00'): void {
    if (packet) this.answer(packet, rsinfo, code === '5.00' ? '4.00' : code, payload);
  }

  override handleRequest(): (msg: Buffer, rsinfo: AddressInfo) => void {
    const handle = super.handleRequest();
    return (msg, rsinfo) => {
      const verdict = checkFormat(msg);
      if (verdict === 'ok') handle(msg, rsinfo);
      else if (verdict === 'reset' && this._sock instanceof Socket)
        this._sock.send(resetOf(msg), rsinfo.port, rsinfo.address);
    };
  }

  override _handle(packet: CoapPacket, rsinfo: AddressInfo): void {
    const code = String(packet.code ?? '');
    const isRequest = code.startsWith('0.') && code !== '0.00' && !packet.ack && !packet.reset;
    // The library's keys take the client from a message's rsinfo only. (An IncomingMessage is not
    // built here: building one converts the packet's option values in place.)
    const client = { rsinfo } as IncomingMessage;
    if (!isRequest || this._lru.peek(this._toKey(client, packet, true)) != null) {
      super._handle(packet, rsinfo);
      return;
    }
    const refusal = this.refusalOfBody(packet, rsinfo);
    if (refusal) {
      this.answer(packet, rsinfo, refusal.code, undefined, refusal.options);
      return;
    }
    // No resource of Updraft's is observable (devices do not observe their server): the request
    // is served as if it had no Observe option (RFC 7641 §4.1).
    packet.options = (packet.options ?? []).filter((o) => o.name !== 'Observe');
    // The library refuses a FETCH whose Content-Format it cannot name, without an ACK: 4.15 here.
    const copy = { ...packet, options: (packet.options ?? []).map((o) => ({ ...o })) };
    if (code === '0.05' && new IncomingMessage(copy, rsinfo).headers['Content-Format'] == null) {
      this.answer(packet, rsinfo, '4.15');
      return;
    }
    super._handle(packet, rsinfo);
  }

  /** A request body (Block1, Size1) refused before the library puts it together. */
  private refusalOfBody(
    packet: CoapPacket,
    rsinfo: AddressInfo,
  ): { code: string; options?: CoapPacket['options'] } | undefined {
    const options = packet.options ?? [];
    const size1 = options.find((o) => o.name === 'Size1');
    const tooLarge = {
      code: '4.13',
      options: [{ name: 'Size1', value: Buffer.from(maxRequestBytes.toString(16).padStart(6, '0'), 'hex') }],
    };
    if (uint(size1?.value) > maxRequestBytes) return tooLarge;
    const option = options.find((o) => o.name === 'Block1');
    if (!option) return undefined;
    const block = parseBlock(option.value);
    if (!block) return { code: '4.00' };
    if ((block.num + 1) * block.size > maxRequestBytes) return tooLarge;
    if (block.more || block.num === 0) return undefined;
    // The last block: the library puts the body together from what it holds, and throws when a
    // block before is missing or of another size.
    const key = this._toCacheKey({ rsinfo } as IncomingMessage, packet) as string;
    const held = (this._block1Cache.get(key) ?? {}) as Record<string, Buffer>;
    const parts = new Map<number, number>(Object.entries(held).map(([at, b]) => [Number(at), b.length]));
    parts.set(block.num * block.size, packet.payload?.length ?? 0);
    let next = 0;
    for (const at of [...parts.keys()].sort((x, y) => x - y)) {
      if (at !== next) break;
      next += parts.get(at)!;
    }
    if (next === block.num * block.size + (packet.payload?.length ?? 0)) return undefined;
    this._block1Cache.remove(key);
    return { code: '4.08' };
  }

  /** A response to `packet`: on the ACK of a confirmable request, else non-confirmable. */
  private answer(
    packet: CoapPacket,
    rsinfo: AddressInfo,
    code: string,
    payload?: Buffer,
    options: CoapPacket['options'] = [],
  ): void {
    const build = (body: Buffer | undefined) =>
      generate({
        code,
        token: packet.token ?? Buffer.alloc(0),
        options,
        ...(body && { payload: body }),
        ...(packet.confirmable ? { ack: true, messageId: packet.messageId } : { confirmable: false }),
      });
    let message: Buffer;
    try {
      // A diagnostic payload (RFC 7252 §5.5.2) is short: the library's error text may hold the
      // whole request, past the 1280 bytes a datagram may have.
      message = build(
        payload && payload.length > maxDiagnosticBytes ? payload.subarray(0, maxDiagnosticBytes) : payload,
      );
    } catch {
      try {
        message = build(undefined);
      } catch {
        return; // Nothing that can be answered (a token or options the packet cannot hold).
      }
    }
    if (this._sock instanceof Socket) this._sock.send(message, rsinfo.port, rsinfo.address);
  }
}
