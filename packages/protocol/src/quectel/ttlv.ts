// TTLV, the payload of a QuecThing frame (protocols.md §3.2, `ql_iotTtlv.c`). Each node starts
// with two bytes, `(id << 3) | type` (id 0..8191), then by type:
//
//   0 / 1  bool false / true    nothing
//   2      number               1 byte: bit 7 negative, bits 6..3 decimal exponent (value /= 10^exp),
//                               bits 2..0 length - 1; then `length` bytes of magnitude, big-endian
//   3      bytes or string      2-byte length, the bytes
//   4      struct or array      2-byte child count, the children (array elements have id 0)
//
// The C library (device-c/src/ttlv.c) reads and writes the same bytes and nests structs at most
// `maxTtlvDepth` deep, as this codec does.
import { QuectelError } from './quectel-error.ts';

export type TtlvNode =
  | { id: number; type: 'bool'; value: boolean }
  /** value = (negative ? -1 : 1) * magnitude / 10^exponent; magnitude < 2^64, exponent 0..15. */
  | { id: number; type: 'number'; negative: boolean; magnitude: bigint; exponent: number }
  | { id: number; type: 'bytes'; value: Uint8Array }
  | { id: number; type: 'struct'; children: TtlvNode[] };

/** Structs nest at most this deep: a struct with children may sit at depths 0 to 7. */
export const maxTtlvDepth = 8;

const TYPE = { false: 0, true: 1, number: 2, bytes: 3, struct: 4 } as const;
const MAX_MAGNITUDE = (1n << 64n) - 1n;

function invalid(message: string): QuectelError {
  return new QuectelError('QUECTEL_INVALID_ARGUMENT', message);
}

const maxSafeMagnitude = BigInt(Number.MAX_SAFE_INTEGER);

/** The magnitude's bytes, big-endian, at least one (numbers below 2^53 without BigInt arithmetic). */
function magnitudeBytes(magnitude: bigint): number[] {
  const bytes: number[] = [];
  if (magnitude <= maxSafeMagnitude) {
    let m = Number(magnitude);
    do {
      bytes.unshift(m % 256);
      m = Math.floor(m / 256);
    } while (m > 0);
    return bytes;
  }
  let m = magnitude;
  do {
    bytes.unshift(Number(m & 0xffn));
    m >>= 8n;
  } while (m > 0n);
  return bytes;
}

/**
 * The bytes of the nodes, in order. Throws QUECTEL_INVALID_ARGUMENT for a value out of range.
 * Every push of a plan goes through here: the nodes are checked and measured first, then written
 * into one buffer of their size.
 */
export function encodeTtlv(nodes: readonly TtlvNode[]): Buffer {
  // Pass 1: check each node (in the order they are written) and add up the size.
  const sizeOf = (node: TtlvNode, depth: number): number => {
    if (!Number.isInteger(node.id) || node.id < 0 || node.id > 0x1fff) throw invalid(`TTLV id ${node.id}`);
    switch (node.type) {
      case 'bool':
        return 2;
      case 'number': {
        const { magnitude, exponent } = node;
        if (magnitude < 0n || magnitude > MAX_MAGNITUDE) throw invalid(`TTLV magnitude ${magnitude}`);
        if (!Number.isInteger(exponent) || exponent < 0 || exponent > 15)
          throw invalid(`TTLV exponent ${exponent}`);
        return 3 + magnitudeBytes(magnitude).length;
      }
      case 'bytes':
        if (node.value.length > 0xffff) throw invalid(`TTLV bytes of length ${node.value.length}`);
        return 4 + node.value.length;
      case 'struct': {
        if (node.children.length > 0xffff) throw invalid(`TTLV struct of ${node.children.length} children`);
        if (node.children.length > 0 && depth >= maxTtlvDepth) throw invalid('TTLV structs nested too deep');
        let size = 4;
        for (const child of node.children) size += sizeOf(child, depth + 1);
        return size;
      }
    }
  };
  let size = 0;
  for (const node of nodes) size += sizeOf(node, 0);

  // Pass 2: write.
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  const head = (id: number, type: number) => {
    out[at++] = (id >> 5) & 0xff;
    out[at++] = ((id << 3) | type) & 0xff;
  };
  const u16 = (value: number) => {
    out[at++] = value >> 8;
    out[at++] = value & 0xff;
  };
  const put = (node: TtlvNode): void => {
    switch (node.type) {
      case 'bool':
        head(node.id, node.value ? TYPE.true : TYPE.false);
        return;
      case 'number': {
        const bytes = magnitudeBytes(node.magnitude);
        head(node.id, TYPE.number);
        out[at++] = (node.negative ? 0x80 : 0) | (node.exponent << 3) | (bytes.length - 1);
        for (const b of bytes) out[at++] = b;
        return;
      }
      case 'bytes':
        head(node.id, TYPE.bytes);
        u16(node.value.length);
        out.set(node.value, at);
        at += node.value.length;
        return;
      case 'struct':
        head(node.id, TYPE.struct);
        u16(node.children.length);
        for (const child of node.children) put(child);
        return;
    }
  };
  for (const node of nodes) put(node);
  return out;
}

/**
 * The nodes of a payload. Throws QuectelError (QUECTEL_TRUNCATED, _TTLV_TYPE, _TTLV_DEPTH) and
 * nothing else, whatever the input.
 */
export function decodeTtlv(bytes: Uint8Array): TtlvNode[] {
  let at = 0;
  const need = (n: number) => {
    if (bytes.length - at < n) throw new QuectelError('QUECTEL_TRUNCATED');
  };
  const u16 = () => {
    need(2);
    const value = (bytes[at]! << 8) | bytes[at + 1]!;
    at += 2;
    return value;
  };
  const node = (depth: number): TtlvNode => {
    const head = u16();
    const id = head >> 3;
    switch (head & 7) {
      case TYPE.false:
        return { id, type: 'bool', value: false };
      case TYPE.true:
        return { id, type: 'bool', value: true };
      case TYPE.number: {
        need(1);
        const info = bytes[at++]!;
        const length = (info & 7) + 1;
        need(length);
        let magnitude = 0n;
        for (let i = 0; i < length; i++) magnitude = (magnitude << 8n) | BigInt(bytes[at++]!);
        return { id, type: 'number', negative: (info & 0x80) !== 0, magnitude, exponent: (info >> 3) & 15 };
      }
      case TYPE.bytes: {
        const length = u16();
        need(length);
        const value = new Uint8Array(bytes.subarray(at, at + length));
        at += length;
        return { id, type: 'bytes', value };
      }
      case TYPE.struct: {
        const count = u16();
        if (count > 0 && depth >= maxTtlvDepth) throw new QuectelError('QUECTEL_TTLV_DEPTH');
        // Each child takes two bytes at least: a count the input cannot hold is cut short.
        need(2 * count);
        const children: TtlvNode[] = [];
        for (let i = 0; i < count; i++) children.push(node(depth + 1));
        return { id, type: 'struct', children };
      }
      default:
        throw new QuectelError('QUECTEL_TTLV_TYPE');
    }
  };
  const nodes: TtlvNode[] = [];
  while (at < bytes.length) nodes.push(node(0));
  return nodes;
}
