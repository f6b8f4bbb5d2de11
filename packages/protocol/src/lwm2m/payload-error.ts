// The LwM2M payload codec's one error (docs/errors.md, "LwM2M codec codes"): its decoders throw a
// Lwm2mPayloadError with one of these codes and nothing else on any input
// (content.properties.test.ts mutates valid payloads to hold them to it).

export const lwm2mPayloadErrorCodes = {
  /** A TLV entry's header or value runs past the payload. */
  LWM2M_TLV_TRUNCATED: 'a TLV entry runs past the payload',
  /** A TLV integer that is not 1, 2, 4 or 8 bytes (§C.1). */
  LWM2M_TLV_INTEGER: 'a TLV integer of a length other than 1, 2, 4 or 8 bytes',
  /** Plain text that is not an integer where one is read. */
  LWM2M_TEXT_INTEGER: 'plain text that is not an integer',
  /** SenML (JSON or CBOR) that does not parse, or is not an array of records. */
  LWM2M_SENML_INVALID: 'SenML that does not parse or holds no records',
  /** LwM2M JSON (11543) that does not parse, or has no array of entries (`e`). */
  LWM2M_JSON_INVALID: 'LwM2M JSON that does not parse or holds no entries',
  /** CBOR (SenML CBOR, LwM2M CBOR) that is not well-formed, or nests deeper than 16. */
  LWM2M_CBOR_INVALID: 'CBOR that is not well-formed or nests too deep',
  /** A well-formed payload without the resource read, or with a value of another type. */
  LWM2M_VALUE_MISSING: 'the payload holds no value of the resource read',
  /** A content format the codec does not read (opaque, link format, an unknown number). */
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
