// The QuecThing frame (protocols.md §3.2, `Ql_iotDpFormat`), big-endian:
//
//   offset 0  2  header AA AA
//          2  2  len = bytes from offset 4 to the end (payload + 5)
//          4  1  sum = (packet id + cmd + payload bytes) mod 256
//          5  2  packet id, 1..0xFFFE
//          7  2  cmd
//          9  n  payload (TTLV)
//
// On the wire every 0xAA after the first byte that is followed by 0xAA or 0x55, or that ends the
// frame, gets a stuffed 0x55 after it; the receiver drops a 0x55 that directly follows an 0xAA.
// The C library (device-c/src/quectel-frame.c) encodes byte for byte the same. Its decoder is
// more lenient: it also takes an unstuffed AA AA inside a frame, which this one refuses
// (QUECTEL_FRAME_STUFFING), since only a header may look like that.
import { QuectelError } from './quectel-error.ts';

export interface QuectelFrame {
  /** 1..0xFFFE, incremented per message by the sender. */
  packetId: number;
  cmd: number;
  payload: Uint8Array;
}

const HEADER = 0xaa;
const STUFF = 0x55;
const OVERHEAD = 9;
/** The length field counts payload + 5 in 16 bits. */
export const maxFramePayload = 0xffff - 5;

function isPacketId(id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= 0xfffe;
}

/** The frame on the wire, stuffed. Throws QUECTEL_INVALID_ARGUMENT for a bad packet id, cmd or size. */
export function encodeFrame({ packetId, cmd, payload }: QuectelFrame): Buffer {
  if (!isPacketId(packetId)) throw new QuectelError('QUECTEL_INVALID_ARGUMENT', `packet id ${packetId}`);
  if (!Number.isInteger(cmd) || cmd < 0 || cmd > 0xffff)
    throw new QuectelError('QUECTEL_INVALID_ARGUMENT', `command ${cmd}`);
  if (payload.length > maxFramePayload)
    throw new QuectelError('QUECTEL_INVALID_ARGUMENT', `payload of ${payload.length} bytes`);
  const raw = Buffer.allocUnsafe(OVERHEAD + payload.length);
  raw[0] = HEADER;
  raw[1] = HEADER;
  raw.writeUInt16BE(payload.length + 5, 2);
  raw.writeUInt16BE(packetId, 5);
  raw.writeUInt16BE(cmd, 7);
  raw.set(payload, OVERHEAD);
  let sum = 0;
  for (let i = 5; i < raw.length; i++) sum += raw[i]!;
  raw[4] = sum & 0xff;
  // Stuffing: count first, so that a frame without 0xAA costs no second buffer.
  let stuffed = 0;
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] === HEADER && needsStuffing(raw, i)) stuffed++;
  }
  if (stuffed === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + stuffed);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    out[n++] = raw[i]!;
    if (i > 0 && raw[i] === HEADER && needsStuffing(raw, i)) out[n++] = STUFF;
  }
  return out;
}

function needsStuffing(raw: Uint8Array, i: number): boolean {
  const next = raw[i + 1];
  return next === undefined || next === HEADER || next === STUFF;
}

/**
 * The frame a received message holds: unstuffed and checked. Throws QuectelError
 * (QUECTEL_TRUNCATED, _FRAME_HEADER, _FRAME_STUFFING, _FRAME_LENGTH, _FRAME_CHECKSUM,
 * _FRAME_PACKET_ID) and nothing else, whatever the input.
 */
export function decodeFrame(wire: Uint8Array): QuectelFrame & { payload: Buffer } {
  if (wire.length < OVERHEAD) throw new QuectelError('QUECTEL_TRUNCATED');
  if (wire[0] !== HEADER || wire[1] !== HEADER) throw new QuectelError('QUECTEL_FRAME_HEADER');
  const raw = Buffer.allocUnsafe(wire.length);
  raw[0] = HEADER;
  let n = 1;
  for (let i = 1; i < wire.length; i++) {
    const b = wire[i]!;
    raw[n++] = b;
    if (b !== HEADER) continue;
    const next = wire[i + 1];
    if (next === STUFF) i++;
    else if (next === undefined || next === HEADER) throw new QuectelError('QUECTEL_FRAME_STUFFING');
  }
  if (n < OVERHEAD) throw new QuectelError('QUECTEL_TRUNCATED');
  const len = (raw[2]! << 8) | raw[3]!;
  if (len !== n - 4) throw new QuectelError(len > n - 4 ? 'QUECTEL_TRUNCATED' : 'QUECTEL_FRAME_LENGTH');
  let sum = 0;
  for (let i = 5; i < n; i++) sum += raw[i]!;
  if ((sum & 0xff) !== raw[4]) throw new QuectelError('QUECTEL_FRAME_CHECKSUM');
  const packetId = (raw[5]! << 8) | raw[6]!;
  if (!isPacketId(packetId)) throw new QuectelError('QUECTEL_FRAME_PACKET_ID');
  return { packetId, cmd: (raw[7]! << 8) | raw[8]!, payload: raw.subarray(OVERHEAD, n) };
}
