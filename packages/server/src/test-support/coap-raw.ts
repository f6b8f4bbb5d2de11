// CoAP messages as bytes (RFC 7252 §3), for the fuzz suite and the LwM2M bench: an encoder that
// writes whatever it is given (any version, token length or option number, so that a test can
// build what a real stack refuses to), and a strict parser that says whether an answer is a
// well-formed CoAP message. Not a CoAP stack: no retransmission, no de-duplication.

export const coapTypes = { con: 0, non: 1, ack: 2, rst: 3 } as const;

/** Option numbers (RFC 7252 §12.2, RFC 7641, RFC 7959). */
export const coapOptions = {
  ifMatch: 1,
  observe: 6,
  uriPort: 7,
  locationPath: 8,
  uriPath: 11,
  contentFormat: 12,
  maxAge: 14,
  uriQuery: 15,
  accept: 17,
  block2: 23,
  block1: 27,
  size2: 28,
  size1: 60,
} as const;

export interface CoapOption {
  number: number;
  value: Buffer;
}

export interface CoapMessage {
  version: number;
  type: number;
  /** Class and detail, `0.01` (GET) … `2.05` … `5.00`; `0.00` is the empty message. */
  code: string;
  messageId: number;
  token: Buffer;
  options: CoapOption[];
  payload: Buffer;
}

export class CoapFormatError extends Error {}

const methods: Readonly<Record<string, string>> = { GET: '0.01', POST: '0.02', PUT: '0.03', DELETE: '0.04' };

function codeByte(code: string): number {
  const known = methods[code] ?? code;
  const [klass, detail] = known.split('.').map(Number);
  return ((klass! & 0x07) << 5) | (detail! & 0x1f);
}

/** An option delta or length as its 4-bit nibble and extended bytes (§3.1). */
function extended(n: number): { nibble: number; bytes: number[] } {
  if (n < 13) return { nibble: n, bytes: [] };
  if (n < 269) return { nibble: 13, bytes: [n - 13] };
  const v = n - 269;
  return { nibble: 14, bytes: [(v >> 8) & 0xff, v & 0xff] };
}

/** The bytes of `message`; options are sorted by number, as §3.1 requires. */
export function encodeCoap(message: Partial<CoapMessage> & { code: string }): Buffer {
  const token = message.token ?? Buffer.alloc(0);
  // Tokens of 0..8 bytes (RFC 7252); a longer one as RFC 8974 extends the length.
  const tkl = extended(token.length);
  const head = [
    ((message.version ?? 1) << 6) | ((message.type ?? coapTypes.con) << 4) | tkl.nibble,
    codeByte(message.code),
    ((message.messageId ?? 0) >> 8) & 0xff,
    (message.messageId ?? 0) & 0xff,
    ...tkl.bytes,
  ];
  const parts: Buffer[] = [Buffer.from(head), token];
  let previous = 0;
  for (const option of [...(message.options ?? [])].sort((a, b) => a.number - b.number)) {
    const delta = extended(option.number - previous);
    const length = extended(option.value.length);
    parts.push(
      Buffer.from([(delta.nibble << 4) | length.nibble, ...delta.bytes, ...length.bytes]),
      option.value,
    );
    previous = option.number;
  }
  if (message.payload && message.payload.length > 0) parts.push(Buffer.of(0xff), message.payload);
  return Buffer.concat(parts);
}

/** A CoAP message, or CoapFormatError for bytes that are none (§3, §4.2 "message format error"). */
export function parseCoap(bytes: Buffer): CoapMessage {
  if (bytes.length < 4) throw new CoapFormatError('shorter than the 4-byte header');
  const version = bytes[0]! >> 6;
  const type = (bytes[0]! >> 4) & 0x03;
  const code = `${bytes[1]! >> 5}.${String(bytes[1]! & 0x1f).padStart(2, '0')}`;
  const messageId = bytes.readUInt16BE(2);
  // RFC 8974 §2.1: TKL 13 and 14 announce a token of 13..268 and 269..65804 bytes; 15 is an error.
  let at = 4;
  let tokenLength = bytes[0]! & 0x0f;
  if (tokenLength === 15) throw new CoapFormatError('token length 15');
  if (tokenLength === 13) {
    if (bytes.length < 5) throw new CoapFormatError('token length cut short');
    tokenLength = bytes[at++]! + 13;
  } else if (tokenLength === 14) {
    if (bytes.length < 6) throw new CoapFormatError('token length cut short');
    tokenLength = bytes.readUInt16BE(at) + 269;
    at += 2;
  }
  if (at + tokenLength > bytes.length) throw new CoapFormatError('token cut short');
  const token = bytes.subarray(at, at + tokenLength);
  at += tokenLength;
  const options: CoapOption[] = [];
  let number = 0;
  const read = (nibble: number): number => {
    if (nibble < 13) return nibble;
    if (nibble === 13) {
      if (at + 1 > bytes.length) throw new CoapFormatError('option cut short');
      return bytes[at++]! + 13;
    }
    if (nibble === 14) {
      if (at + 2 > bytes.length) throw new CoapFormatError('option cut short');
      const v = bytes.readUInt16BE(at) + 269;
      at += 2;
      return v;
    }
    throw new CoapFormatError('reserved option nibble 15');
  };
  let payload: Buffer = Buffer.alloc(0);
  while (at < bytes.length) {
    const first = bytes[at++]!;
    if (first === 0xff) {
      if (at === bytes.length) throw new CoapFormatError('payload marker without a payload');
      payload = bytes.subarray(at);
      break;
    }
    number += read(first >> 4);
    const length = read(first & 0x0f);
    if (at + length > bytes.length) throw new CoapFormatError('option value cut short');
    options.push({ number, value: bytes.subarray(at, at + length) });
    at += length;
  }
  return { version, type, code, messageId, token, options, payload };
}

/** An unsigned option value (uint, §3.2): big-endian, without leading zero bytes. */
export function uintOption(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from(bytes);
}

export function readUint(value: Buffer): number {
  let n = 0;
  for (const byte of value) n = n * 256 + byte;
  return n;
}

/** A Block1/Block2 option value (RFC 7959 §2.2): block number, more flag, size exponent. */
export function blockOption(num: number, more: boolean, szx: number): Buffer {
  return uintOption(num * 16 + (more ? 8 : 0) + (szx & 0x07));
}

export function parseBlock(value: Buffer): { num: number; more: boolean; szx: number } {
  const n = readUint(value);
  return { num: Math.floor(n / 16), more: (n & 0x08) !== 0, szx: n & 0x07 };
}

/** The Uri-Path and Uri-Query options of `path` (`/rd`, `/fw/x`) and `query` (`key=value` each). */
export function uriOptions(path: string, query: readonly string[] = []): CoapOption[] {
  return [
    ...path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => ({ number: coapOptions.uriPath, value: Buffer.from(s) })),
    ...query.map((q) => ({ number: coapOptions.uriQuery, value: Buffer.from(q) })),
  ];
}

/** The values of option `number`, as text (Uri-Path, Location-Path, Uri-Query). */
export function optionTexts(message: CoapMessage, number: number): string[] {
  return message.options.filter((o) => o.number === number).map((o) => o.value.toString('utf8'));
}

/** The first value of option `number`, or undefined. */
export function optionValue(message: CoapMessage, number: number): Buffer | undefined {
  return message.options.find((o) => o.number === number)?.value;
}
