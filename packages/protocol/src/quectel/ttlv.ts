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

/** The bytes of the nodes, in order. Throws QUECTEL_INVALID_ARGUMENT for a value out of range. */
export function encodeTtlv(nodes: readonly TtlvNode[]): Buffer {
  const out: number[] = [];
  const put = (node: TtlvNode, depth: number): void => {
    if (!Number.isInteger(node.id) || node.id < 0 || node.id > 0x1fff) throw invalid(`TTLV id ${node.id}`);
    const head = (type: number) => out.push((node.id >> 5) & 0xff, ((node.id << 3) | type) & 0xff);
    switch (node.type) {
      case 'bool':
        head(node.value ? TYPE.true : TYPE.false);
        return;
      case 'number': {
        const { magnitude, exponent } = node;
        if (magnitude < 0n || magnitude > MAX_MAGNITUDE) throw invalid(`TTLV magnitude ${magnitude}`);
        if (!Number.isInteger(exponent) || exponent < 0 || exponent > 15)
          throw invalid(`TTLV exponent ${exponent}`);
        const bytes: number[] = [];
        let m = magnitude;
        do {
          bytes.unshift(Number(m & 0xffn));
          m >>= 8n;
        } while (m > 0n);
        head(TYPE.number);
        out.push((node.negative ? 0x80 : 0) | (exponent << 3) | (bytes.length - 1), ...bytes);
        return;
      }
      case 'bytes':
        if (node.value.length > 0xffff) throw invalid(`TTLV bytes of length ${node.value.length}`);
        head(TYPE.bytes);
        out.push(node.value.length >> 8, node.value.length & 0xff);
        for (const b of node.value) out.push(b);
        return;
      case 'struct':
        if (node.children.length > 0xffff) throw invalid(`TTLV struct of ${node.children.length} children`);
        if (node.children.length > 0 && depth >= maxTtlvDepth) throw invalid('TTLV structs nested too deep');
        head(TYPE.struct);
        out.push(node.children.length >> 8, node.children.length & 0xff);
        for (const child of node.children) put(child, depth + 1);
        return;
    }
  };
  for (const node of nodes) put(node, 0);
  return Buffer.from(out);
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
