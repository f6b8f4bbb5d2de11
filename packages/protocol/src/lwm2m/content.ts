// LwM2M content formats (OMA-TS-LightweightM2M-V1_1 §7.1, CoAP Content-Format registry) and the
// decoding of a single resource's value, as Updraft reads them: /3/0/3, /3/0/9, /4/0/2, /5/0/3,
// /5/0/5, /5/0/7, /5/0/8, /5/0/9. A client answers in the format it likes; Updraft asks for plain
// text and reads plain text, TLV, SenML JSON and CBOR, LwM2M JSON and LwM2M CBOR (1.2).
import { Lwm2mPayloadError } from './payload-error.ts';
import {
  lwm2mCborRecords,
  lwm2mJsonRecords,
  recordIntegers,
  recordValue,
  senmlCborRecords,
  senmlJsonRecords,
  type ValueRecord,
} from './records.ts';
import { decodeTlv, decodeTlvIntegers, findTlvResource, tlvInteger } from './tlv.ts';

export { CborMap, type CborValue, decodeCbor, encodeCbor } from './cbor.ts';
export {
  isLwm2mPayloadError,
  Lwm2mPayloadError,
  type Lwm2mPayloadErrorCode,
  lwm2mPayloadErrorCodes,
} from './payload-error.ts';
export { decodeTlv, decodeTlvIntegers, encodeTlvResource, type TlvEntry } from './tlv.ts';

export const contentFormats = {
  text: 0,
  linkFormat: 40,
  opaque: 42,
  senmlJson: 110,
  senmlCbor: 112,
  tlv: 11542,
  lwm2mJson: 11543,
  lwm2mCbor: 11544,
} as const;

export type ResourceValue = string | number | boolean | Buffer;

/** The records of a payload in one of the record formats; undefined for another format. */
function recordsOf(payload: Buffer, format: number): ValueRecord[] | undefined {
  switch (format) {
    case contentFormats.senmlJson:
      return senmlJsonRecords(payload);
    case contentFormats.senmlCbor:
      return senmlCborRecords(payload);
    case contentFormats.lwm2mJson:
      return lwm2mJsonRecords(payload);
    case contentFormats.lwm2mCbor:
      return lwm2mCborRecords(payload);
    default:
      return undefined;
  }
}

const unsupported = (format: number | undefined) =>
  new Lwm2mPayloadError('LWM2M_FORMAT_UNSUPPORTED', `content format ${format} is not read`);

/**
 * The value of resource `resourceId` in a Read answer (or notification) of format `format`, as
 * text (strings) or number (integers) according to `type`. Throws Lwm2mPayloadError on a payload
 * it cannot read.
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
    default: {
      const records = recordsOf(payload, format!);
      if (!records) throw unsupported(format);
      return recordValue(records, resourceId, type);
    }
  }
}

/**
 * The integers of multiple resource `resourceId` (/5/0/8) in a Read answer of format `format`:
 * TLV resource instances, or the records named `…/{id}/{instance}`.
 */
export function decodeResourceIntegers(
  payload: Buffer,
  format: number | undefined,
  resourceId: number,
): number[] {
  if (format === contentFormats.tlv) return decodeTlvIntegers(payload);
  if (format === undefined || format === contentFormats.text)
    return [decodeResourceValue(payload, format, resourceId, 'integer') as number];
  const records = recordsOf(payload, format);
  if (!records) throw unsupported(format);
  return recordIntegers(records, resourceId);
}
