// LwM2M content formats (OMA-TS-LightweightM2M-V1_1 §7.1, CoAP Content-Format registry) and the
// decoding of a single resource's value, as Updraft reads them: /3/0/3, /3/0/9, /4/0/2, /5/0/3,
// /5/0/5, /5/0/7, /5/0/8, /5/0/9. A client answers in the format it likes; Updraft asks for plain
// text and reads plain text, TLV and SenML JSON.

export const contentFormats = {
  text: 0,
  linkFormat: 40,
  opaque: 42,
  senmlJson: 110,
  senmlCbor: 112,
  tlv: 11542,
  lwm2mJson: 11543,
} as const;

export type ResourceValue = string | number | boolean | Buffer;

/**
 * The codec's refusals (docs/errors.md, "LwM2M codec codes"): its decoders throw a
 * Lwm2mPayloadError with one of these and nothing else on any input (content.properties.test.ts
 * mutates valid payloads to hold them to it).
 */
export const lwm2mPayloadErrorCodes = {
  /** A TLV entry's header or value runs past the payload. */
  LWM2M_TLV_TRUNCATED: 'a TLV entry runs past the payload',
  /** A TLV integer that is not 1, 2, 4 or 8 bytes (§C.1). */
  LWM2M_TLV_INTEGER: 'a TLV integer of a length other than 1, 2, 4 or 8 bytes',
  /** Plain text that is not an integer where one is read. */
  LWM2M_TEXT_INTEGER: 'plain text that is not an integer',
  /** SenML JSON that does not parse, or is not an array of records. */
  LWM2M_SENML_INVALID: 'SenML JSON that does not parse or holds no records',
  /** A well-formed payload without the resource read, or with a value of another type. */
  LWM2M_VALUE_MISSING: 'the payload holds no value of the resource read',
  /** A content format the codec does not read (SenML CBOR, LwM2M JSON…). */
  LWM2M_FORMAT_UNSUPPORTED: 'a content format the codec does not read',
} as const;

export type Lwm2mPayloadErrorCode = keyof typeof lwm2mPayloadErrorCodes;

export class Lwm2mPayloadError extends Error {
  readonly code: Lwm2mPayloadErrorCode;

  constructor(code: Lwm2mPayloadErrorCode, message: string = lwm2mPayloadErrorCodes[code]) {
    super(message);
    this.name = 'Lwm2mPayloadError';
    this.code = code;
  }
}

export function isLwm2mPayloadError(value: unknown): value is Lwm2mPayloadError {
  return value instanceof Lwm2mPayloadError;
}

/**
 * TLV (§7.4.3): a type byte (identifier kind in bits 7-6, 16-bit identifier in bit 5, length
 * type in bits 4-3, a 3-bit length in bits 2-0), the identifier, the length, the value.
 */
export interface TlvEntry {
  kind: 'object_instance' | 'resource_instance' | 'multiple_resource' | 'resource';
  id: number;
  value: Buffer;
}

const kinds = ['object_instance', 'resource_instance', 'multiple_resource', 'resource'] as const;

export function decodeTlv(data: Buffer): TlvEntry[] {
  const entries: TlvEntry[] = [];
  let at = 0;
  while (at < data.length) {
    const type = data[at]!;
    at += 1;
    const idBytes = type & 0x20 ? 2 : 1;
    const lengthType = (type >> 3) & 0x03;
    if (at + idBytes + lengthType > data.length)
      throw new Lwm2mPayloadError('LWM2M_TLV_TRUNCATED', 'TLV entry cut short');
    const id = idBytes === 2 ? data.readUInt16BE(at) : data[at]!;
    at += idBytes;
    let length = type & 0x07;
    if (lengthType > 0) {
      length = data.readUIntBE(at, lengthType);
      at += lengthType;
    }
    if (at + length > data.length)
      throw new Lwm2mPayloadError('LWM2M_TLV_TRUNCATED', 'TLV value longer than the payload');
    entries.push({ kind: kinds[type >> 6]!, id, value: data.subarray(at, at + length) });
    at += length;
  }
  return entries;
}

/** A single value as TLV (what a client sends when it answers a Read in TLV). */
export function encodeTlvResource(id: number, value: Buffer): Buffer {
  const idBytes = id > 0xff ? 2 : 1;
  const lengthType = value.length < 8 ? 0 : value.length <= 0xff ? 1 : value.length <= 0xffff ? 2 : 3;
  const head = Buffer.alloc(1 + idBytes + lengthType);
  head[0] = 0xc0 | (idBytes === 2 ? 0x20 : 0) | (lengthType << 3) | (lengthType === 0 ? value.length : 0);
  if (idBytes === 2) head.writeUInt16BE(id, 1);
  else head[1] = id;
  if (lengthType > 0) head.writeUIntBE(value.length, 1 + idBytes, lengthType);
  return Buffer.concat([head, value]);
}

/** A TLV integer: big-endian two's complement of 1, 2, 4 or 8 bytes (§C.1). */
function tlvInteger(value: Buffer): number {
  switch (value.length) {
    case 1:
      return value.readInt8(0);
    case 2:
      return value.readInt16BE(0);
    case 4:
      return value.readInt32BE(0);
    case 8:
      return Number(value.readBigInt64BE(0));
    default:
      throw new Lwm2mPayloadError('LWM2M_TLV_INTEGER', `a TLV integer of ${value.length} bytes`);
  }
}

/**
 * The value of resource `resourceId` in a Read answer of format `format`, as text (strings) or
 * number (integers) according to `type`. Throws Lwm2mPayloadError on a payload it cannot read.
 */
export function decodeResourceValue(
  payload: Buffer,
  format: number | undefined,
  resourceId: number,
  type: 'string' | 'integer',
): string | number {
  switch (format ?? contentFormats.text) {
    case contentFormats.text: {
      const text = payload.toString('utf8');
      if (type === 'string') return text;
      if (!/^-?\d{1,15}$/.test(text.trim()))
        throw new Lwm2mPayloadError('LWM2M_TEXT_INTEGER', `not an integer: ${text.slice(0, 40)}`);
      return Number(text.trim());
    }
    case contentFormats.tlv: {
      const entry = findTlvResource(decodeTlv(payload), resourceId);
      if (!entry)
        throw new Lwm2mPayloadError('LWM2M_VALUE_MISSING', `no resource ${resourceId} in the TLV answer`);
      return type === 'string' ? entry.value.toString('utf8') : tlvInteger(entry.value);
    }
    case contentFormats.senmlJson: {
      let records: unknown;
      try {
        records = JSON.parse(payload.toString('utf8'));
      } catch {
        throw new Lwm2mPayloadError('LWM2M_SENML_INVALID', 'SenML JSON that does not parse');
      }
      if (!Array.isArray(records) || records.length === 0)
        throw new Lwm2mPayloadError('LWM2M_SENML_INVALID', 'SenML JSON without records');
      // RFC 8428: the record whose resolved name ends with the resource id (one resource read).
      const record = (records as unknown[]).find((r): r is Record<string, unknown> => {
        if (r === null || typeof r !== 'object') return false;
        const { bn, n } = r as Record<string, unknown>;
        const name = `${typeof bn === 'string' ? bn : ''}${typeof n === 'string' ? n : ''}`;
        return name === '' || name.endsWith(`/${resourceId}`) || name === String(resourceId);
      });
      const value = record?.[type === 'string' ? 'vs' : 'v'];
      if (type === 'string' && typeof value === 'string') return value;
      if (type === 'integer' && typeof value === 'number' && Number.isInteger(value)) return value;
      throw new Lwm2mPayloadError(
        'LWM2M_VALUE_MISSING',
        `no ${type} value for resource ${resourceId} in the SenML answer`,
      );
    }
    default:
      throw new Lwm2mPayloadError('LWM2M_FORMAT_UNSUPPORTED', `content format ${format} is not read`);
  }
}

/**
 * The resource in a Read answer: at the top, or inside an object instance (§7.4.3: an object
 * instance holds resources; one inside another is not looked into, so nesting costs no stack).
 */
function findTlvResource(entries: TlvEntry[], resourceId: number): TlvEntry | undefined {
  for (const entry of entries) {
    if (entry.kind === 'resource' && entry.id === resourceId) return entry;
    if (entry.kind === 'object_instance') {
      const inner = decodeTlv(entry.value).find((e) => e.kind === 'resource' && e.id === resourceId);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The integers of a multiple resource (/5/0/8) in TLV: its resource instances. */
export function decodeTlvIntegers(payload: Buffer): number[] {
  const out: number[] = [];
  for (const entry of decodeTlv(payload)) {
    if (entry.kind === 'multiple_resource') {
      for (const inner of decodeTlv(entry.value)) out.push(tlvInteger(inner.value));
    } else if (entry.kind === 'resource_instance' || entry.kind === 'resource')
      out.push(tlvInteger(entry.value));
  }
  return out;
}
