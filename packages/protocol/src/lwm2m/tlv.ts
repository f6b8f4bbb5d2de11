// LwM2M TLV (11542, OMA-TS-LightweightM2M-V1_1 §7.4.3): a type byte (identifier kind in bits
// 7-6, 16-bit identifier in bit 5, length type in bits 4-3, a 3-bit length in bits 2-0), the
// identifier, the length, the value.
import { Lwm2mPayloadError } from './payload-error.ts';

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
export function tlvInteger(value: Buffer): number {
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
 * The resource in a Read answer: at the top, or inside an object instance (§7.4.3: an object
 * instance holds resources; one inside another is not looked into, so nesting costs no stack).
 */
export function findTlvResource(entries: TlvEntry[], resourceId: number): TlvEntry | undefined {
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
