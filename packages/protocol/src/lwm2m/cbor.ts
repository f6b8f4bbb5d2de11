// CBOR (RFC 8949) as far as SenML CBOR (RFC 8428 §6) and LwM2M CBOR (OMA-TS-LightweightM2M-V1_2
// §7.4.6) use it: integers, floats, text and byte strings, booleans, null, arrays and maps, in
// definite or indefinite length; a tag is read through (its content kept). Written here rather
// than taken from npm: the SDK that shares this package runs on Node 18 and installs nothing for
// it, and the decoder is small enough to hold to its limits: at most 16 levels of nesting, no
// count larger than the bytes left, one data item with nothing after it (§5.3 well-formedness).
// Any other input throws Lwm2mPayloadError LWM2M_CBOR_INVALID.
import { Lwm2mPayloadError } from './payload-error.ts';

/** A CBOR map: its entries in order (keys may be integers, strings or arrays: LwM2M CBOR paths). */
export class CborMap {
  readonly entries: [CborValue, CborValue][];

  constructor(entries: [CborValue, CborValue][]) {
    this.entries = entries;
  }
}

export type CborValue = number | string | boolean | null | undefined | Buffer | CborValue[] | CborMap;

const maxDepth = 16;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const breakCode = Symbol('break');

const invalid = (why: string) => new Lwm2mPayloadError('LWM2M_CBOR_INVALID', `CBOR: ${why}`);

/** The one data item of `data` (RFC 8949 §3). */
export function decodeCbor(data: Buffer): CborValue {
  let at = 0;

  function need(bytes: number) {
    if (at + bytes > data.length) throw invalid('cut short');
  }

  /** The argument of a head with additional information `info` (§3.1); null: indefinite. */
  function argument(info: number): number | null {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0) {
      if (info === 31) return null;
      throw invalid(`reserved additional information ${info}`);
    }
    need(size);
    const value = size === 8 ? Number(data.readBigUInt64BE(at)) : data.readUIntBE(at, size);
    at += size;
    return value;
  }

  function count(n: number, perItem: number): number {
    if (n * perItem > data.length - at) throw invalid(`${n} items in ${data.length - at} bytes`);
    return n;
  }

  function chunks(major: number): Buffer {
    const parts: Buffer[] = [];
    for (;;) {
      need(1);
      if (data[at] === 0xff) {
        at += 1;
        return Buffer.concat(parts);
      }
      const head = data[at]!;
      at += 1;
      // §3.2.3: the chunks of an indefinite string are definite strings of the same type.
      if (head >> 5 !== major) throw invalid('a chunk of another type in an indefinite string');
      const n = argument(head & 0x1f);
      if (n === null) throw invalid('an indefinite chunk');
      parts.push(bytes(n));
    }
  }

  function bytes(n: number): Buffer {
    need(n);
    const out = data.subarray(at, at + n);
    at += n;
    return out;
  }

  function text(raw: Buffer): string {
    try {
      return utf8.decode(raw);
    } catch {
      throw invalid('a text string that is not UTF-8');
    }
  }

  function item(depth: number): CborValue | typeof breakCode {
    if (depth > maxDepth) throw invalid(`nested deeper than ${maxDepth}`);
    need(1);
    const head = data[at]!;
    at += 1;
    const major = head >> 5;
    const info = head & 0x1f;
    if (major === 7) return simple(info);
    const n = argument(info);
    switch (major) {
      case 0:
        return n === null ? fail('an indefinite integer') : n;
      case 1:
        return n === null ? fail('an indefinite integer') : -1 - n;
      case 2:
        return n === null ? chunks(2) : Buffer.from(bytes(n));
      case 3:
        return text(n === null ? chunks(3) : bytes(n));
      case 4: {
        const out: CborValue[] = [];
        if (n === null) {
          for (let v = item(depth + 1); v !== breakCode; v = item(depth + 1)) out.push(v);
          return out;
        }
        for (let i = count(n, 1); i > 0; i--) out.push(defined(item(depth + 1)));
        return out;
      }
      case 5: {
        const out: [CborValue, CborValue][] = [];
        if (n === null) {
          for (let k = item(depth + 1); k !== breakCode; k = item(depth + 1))
            out.push([k, defined(item(depth + 1))]);
          return new CborMap(out);
        }
        for (let i = count(n, 2); i > 0; i--) out.push([defined(item(depth + 1)), defined(item(depth + 1))]);
        return new CborMap(out);
      }
      default:
        // 6: a tag; its content stands for it (SenML and LwM2M CBOR define none).
        if (n === null) return fail('an indefinite tag');
        return defined(item(depth + 1));
    }
  }

  function simple(info: number): CborValue | typeof breakCode {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25: {
        need(2);
        const v = halfFloat(data.readUInt16BE(at));
        at += 2;
        return v;
      }
      case 26: {
        need(4);
        const v = data.readFloatBE(at);
        at += 4;
        return v;
      }
      case 27: {
        need(8);
        const v = data.readDoubleBE(at);
        at += 8;
        return v;
      }
      case 31:
        return breakCode;
      default:
        if (info >= 28) throw invalid(`reserved additional information ${info}`);
        // Other simple values (0..19, or one byte after 24) mean nothing to SenML or LwM2M.
        if (info === 24) bytes(1);
        return undefined;
    }
  }

  function defined(value: CborValue | typeof breakCode): CborValue {
    if (value === breakCode) throw invalid('a break outside an indefinite item');
    return value;
  }

  function fail(why: string): never {
    throw invalid(why);
  }

  const value = defined(item(0));
  if (at !== data.length) throw invalid(`${data.length - at} bytes after the data item`);
  return value;
}

/** IEEE 754 half precision (§3.3, Appendix D). */
function halfFloat(half: number): number {
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (mantissa + 1024) * 2 ** (exponent - 25);
}

/**
 * CBOR of the values above, definite lengths, integers in their shortest head and other numbers
 * as doubles (what a client of the tests and the SDK sends; a Map or CborMap is a CBOR map).
 */
export function encodeCbor(value: unknown): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.of((major << 5) | n);
    if (n < 0x100) return Buffer.of((major << 5) | 24, n);
    if (n < 0x10000) return Buffer.of((major << 5) | 25, n >> 8, n & 0xff);
    if (n < 0x100000000) {
      const b = Buffer.alloc(5);
      b[0] = (major << 5) | 26;
      b.writeUInt32BE(n, 1);
      return b;
    }
    const b = Buffer.alloc(9);
    b[0] = (major << 5) | 27;
    b.writeBigUInt64BE(BigInt(n), 1);
    return b;
  };
  if (value === null) return Buffer.of(0xf6);
  if (value === undefined) return Buffer.of(0xf7);
  if (value === true) return Buffer.of(0xf5);
  if (value === false) return Buffer.of(0xf4);
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && !Object.is(value, -0))
      return value >= 0 ? head(0, value) : head(1, -1 - value);
    const b = Buffer.alloc(9);
    b[0] = 0xfb;
    b.writeDoubleBE(value, 1);
    return b;
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value);
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)]);
  const entries =
    value instanceof CborMap
      ? value.entries
      : value instanceof Map
        ? [...value.entries()]
        : Object.entries(value as object);
  return Buffer.concat([
    head(5, entries.length),
    ...entries.flatMap(([k, v]) => [encodeCbor(k), encodeCbor(v)]),
  ]);
}
