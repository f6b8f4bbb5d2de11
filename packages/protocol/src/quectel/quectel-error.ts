// One catalogue of the Quectel codec's error codes (docs/errors.md, "Quectel codec codes"). A
// frame, TTLV payload or OTA message that does not follow protocols.md §3.2 is refused with one
// of these and nothing else: decoders never throw another error on any input (the property
// tests mutate valid input to hold them to it). Callers branch on `code`, never on messages.

export const quectelErrorCodes = {
  /** Fewer bytes than a frame's fixed 9, or a TTLV node cut short. */
  QUECTEL_TRUNCATED: 'the input ends before the frame or TTLV node it starts',
  /** The frame does not start with the header `AA AA`. */
  QUECTEL_FRAME_HEADER: 'the frame does not start with AA AA',
  /** The length field does not count the bytes from offset 4 to the end. */
  QUECTEL_FRAME_LENGTH: 'the length field does not match the frame',
  /** The additive checksum of packet id, command and payload does not match. */
  QUECTEL_FRAME_CHECKSUM: 'the checksum does not match',
  /** An 0xAA inside the frame is followed by 0xAA, or ends it, without the stuffed 0x55. */
  QUECTEL_FRAME_STUFFING: 'an 0xAA is not stuffed',
  /** Packet id 0 or 0xFFFF. */
  QUECTEL_FRAME_PACKET_ID: 'the packet id is 0 or 0xFFFF',
  /** A TTLV node of type 5, 6 or 7. */
  QUECTEL_TTLV_TYPE: 'a TTLV node has an unknown type',
  /** Structs nested deeper than the codec's limit (the C library's too). */
  QUECTEL_TTLV_DEPTH: 'TTLV structs are nested too deep',
  /** Well-formed TTLV that is not the OTA message its command says: a field missing, of another type or out of range. */
  QUECTEL_MESSAGE_INVALID: 'the payload is not a valid message of its command',
  /** Encoding: an id, number, length or packet id out of range. */
  QUECTEL_INVALID_ARGUMENT: 'a value cannot be encoded',
} as const;

export type QuectelErrorCode = keyof typeof quectelErrorCodes;

export class QuectelError extends Error {
  readonly code: QuectelErrorCode;

  constructor(code: QuectelErrorCode, message: string = quectelErrorCodes[code]) {
    super(message);
    this.name = 'QuectelError';
    this.code = code;
  }
}

export function isQuectelError(value: unknown): value is QuectelError {
  return value instanceof QuectelError;
}
