// Block-wise answers (RFC 7959 Block2) served by the carrier instead of node-coap's OutMessage,
// which computes the ETag over the whole representation for every block it sends (a 256 KiB
// package: 128 Ki operations per 1 KiB block, most of the server's CPU in `npm run bench --
// lwm2m`). Here the ETag is computed once per representation (by identity: the firmware cache
// hands every device the same Buffer), and a transfer's later blocks (same client, same token,
// block number past 0) are served from the representation its first block got, as the library's
// own cache did, without asking the dialect again. Representations not asked for within a
// minute are forgotten.
import { createHash } from 'node:crypto';
import { type IncomingMessage, OutgoingMessage } from 'coap';

/** The largest block: 2^(4+6) bytes (SZX 6), the largest CoAP has below BERT. */
const maxSzx = 6;
const idleMs = 60_000;

interface Transfer {
  payload: Buffer;
  contentFormat: number | undefined;
  usedAt: number;
}

function optionValue(message: IncomingMessage, name: string): Buffer | undefined {
  const value = message._packet.options?.find((o) => o.name === name)?.value;
  return Buffer.isBuffer(value) ? value : undefined;
}

/** The Block2 option asked for: number and size exponent; null when it is no valid option (4.02). */
function askedBlock(message: IncomingMessage): { num: number; szx: number } | null | undefined {
  const value = optionValue(message, 'Block2');
  if (value === undefined) return undefined;
  if (value.length > 3) return null;
  const n = value.length === 0 ? 0 : value.readUIntBE(0, value.length);
  const szx = n & 0x07;
  // SZX 7 is reserved (RFC 7959 §2.2).
  if (szx === 7) return null;
  return { num: Math.floor(n / 16), szx: Math.min(szx, maxSzx) };
}

function blockValue(num: number, more: boolean, szx: number): Buffer {
  const n = num * 16 + (more ? 8 : 0) + szx;
  const bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
  const out = Buffer.alloc(bytes);
  out.writeUIntBE(n, 0, bytes);
  return out;
}

export function createBlock2Server() {
  const etags = new WeakMap<Buffer, Buffer>();
  const transfers = new Map<string, Transfer>();
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [key, transfer] of transfers) if (now - transfer.usedAt > idleMs) transfers.delete(key);
  }, idleMs);
  sweeper.unref();

  const keyOf = (message: IncomingMessage) =>
    `${message.rsinfo.address}:${message.rsinfo.port}/${message._packet.token?.toString('hex') ?? ''}`;

  function etagOf(payload: Buffer): Buffer {
    let etag = etags.get(payload);
    if (!etag) {
      etag = createHash('sha256').update(payload).digest().subarray(0, 8);
      etags.set(payload, etag);
    }
    return etag;
  }

  /** Sends one block of `payload` as the answer `res`; the request chose which. */
  function send(
    message: IncomingMessage,
    res: OutgoingMessage,
    payload: Buffer,
    contentFormat: number | undefined,
  ) {
    const asked = askedBlock(message);
    if (asked === null) {
      res.code = '4.02';
      return res.end();
    }
    const szx = asked?.szx ?? maxSzx;
    const size = 2 ** (szx + 4);
    const num = asked?.num ?? 0;
    const last = Math.max(0, Math.ceil(payload.length / size) - 1);
    if (num > last) {
      // A block past the representation's end (RFC 7959 §2.2: the request cannot be served).
      res.code = '4.02';
      return res.end();
    }
    if (contentFormat !== undefined) res.setOption('Content-Format', contentFormat);
    res.setOption('Block2', blockValue(num, num < last, szx));
    res.setOption('ETag', etagOf(payload));
    // Size2 asked for (RFC 7959 §4, with the value 0): the whole representation's size. The
    // parser may give the option as a number or as bytes, so its presence is what counts.
    if (message._packet.options?.some((o) => o.name === 'Size2')) res.setOption('Size2', payload.length);
    // The plain OutgoingMessage's end: node-coap's server answer would slice (and hash) again.
    OutgoingMessage.prototype.end.call(res, payload.subarray(num * size, (num + 1) * size));
  }

  return {
    /** Whether the answer needs blocks: a payload past one block, or a request asking for one. */
    needsBlocks(message: IncomingMessage, res: unknown, payload: Buffer | undefined): res is OutgoingMessage {
      // An observation's answer (ObserveWriteStream) keeps the library's way.
      if (!(res instanceof OutgoingMessage) || payload === undefined) return false;
      return payload.length > 2 ** (maxSzx + 4) || askedBlock(message) !== undefined;
    },
    /** Answers a later block of a transfer whose first block was served; false when there is none. */
    continueTransfer(message: IncomingMessage, res: unknown): boolean {
      if (!(res instanceof OutgoingMessage)) return false;
      const asked = askedBlock(message);
      if (!asked || asked.num === 0) return false;
      const transfer = transfers.get(keyOf(message));
      if (!transfer) return false;
      transfer.usedAt = Date.now();
      send(message, res, transfer.payload, transfer.contentFormat);
      return true;
    },
    /** Answers with a block of `payload`, and keeps it for the transfer's later blocks. */
    answer(
      message: IncomingMessage,
      res: OutgoingMessage,
      payload: Buffer,
      contentFormat: number | undefined,
    ) {
      transfers.set(keyOf(message), { payload, contentFormat, usedAt: Date.now() });
      send(message, res, payload, contentFormat);
    },
    close() {
      clearInterval(sweeper);
      transfers.clear();
    },
  };
}
