// Building TTLV nodes from JavaScript values and reading them back: what messages are made of.
// Readers throw QUECTEL_MESSAGE_INVALID naming the field, so that a message decoder refuses a
// well-formed payload that is not its message with the codec's one error.
import { QuectelError } from './quectel-error.ts';
import type { TtlvNode } from './ttlv.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export function ttlvBool(id: number, value: boolean): TtlvNode {
  return { id, type: 'bool', value };
}

/** An integer (a safe one: |value| < 2^53). */
export function ttlvInt(id: number, value: number): TtlvNode {
  if (!Number.isSafeInteger(value)) throw new QuectelError('QUECTEL_INVALID_ARGUMENT', `integer ${value}`);
  return { id, type: 'number', negative: value < 0, magnitude: BigInt(Math.abs(value)), exponent: 0 };
}

/** A decimal: `value` rounded to `exponent` decimal places (0..15), e.g. 36.6 with exponent 1. */
export function ttlvDecimal(id: number, value: number, exponent: number): TtlvNode {
  const scaled = Math.round(Math.abs(value) * 10 ** exponent);
  if (!Number.isSafeInteger(scaled) || !Number.isInteger(exponent) || exponent < 0 || exponent > 15)
    throw new QuectelError('QUECTEL_INVALID_ARGUMENT', `decimal ${value} with exponent ${exponent}`);
  return { id, type: 'number', negative: value < 0, magnitude: BigInt(scaled), exponent };
}

export function ttlvString(id: number, text: string): TtlvNode {
  return { id, type: 'bytes', value: encoder.encode(text) };
}

export function ttlvStruct(id: number, children: TtlvNode[]): TtlvNode {
  return { id, type: 'struct', children };
}

/** An array of structs: elements are structs with id 0 (protocols.md §3.2). */
export function ttlvArray(id: number, elements: TtlvNode[][]): TtlvNode {
  return { id, type: 'struct', children: elements.map((fields) => ttlvStruct(0, fields)) };
}

function wrong(field: string, expected: string): QuectelError {
  return new QuectelError('QUECTEL_MESSAGE_INVALID', `${field} is not ${expected}`);
}

/** A number node's value as a JavaScript number. */
export function numberOf(node: TtlvNode, field: string): number {
  if (node.type !== 'number') throw wrong(field, 'a number');
  const value = Number(node.magnitude) / 10 ** node.exponent;
  return node.negative ? -value : value;
}

/** A number node without decimals that fits a safe integer. */
export function intOf(node: TtlvNode, field: string): number {
  if (node.type !== 'number' || node.exponent !== 0 || node.magnitude > BigInt(Number.MAX_SAFE_INTEGER))
    throw wrong(field, 'an integer');
  const value = Number(node.magnitude);
  return node.negative ? -value : value;
}

/** A bytes node as UTF-8 text (refused when it is not UTF-8). */
export function stringOf(node: TtlvNode, field: string): string {
  if (node.type !== 'bytes') throw wrong(field, 'a string');
  try {
    return utf8.decode(node.value);
  } catch {
    throw wrong(field, 'UTF-8 text');
  }
}

export function structOf(node: TtlvNode, field: string): TtlvNode[] {
  if (node.type !== 'struct') throw wrong(field, 'a struct');
  return node.children;
}

/** The fields of a message or struct by id; the first of a repeated id counts. */
export class TtlvFields {
  readonly #byId = new Map<number, TtlvNode>();

  constructor(nodes: readonly TtlvNode[]) {
    for (const node of nodes) if (!this.#byId.has(node.id)) this.#byId.set(node.id, node);
  }

  has(id: number): boolean {
    return this.#byId.has(id);
  }

  #required(id: number, field: string): TtlvNode {
    const node = this.#byId.get(id);
    if (!node) throw new QuectelError('QUECTEL_MESSAGE_INVALID', `${field} (${id}) is missing`);
    return node;
  }

  int(id: number, field: string): number {
    return intOf(this.#required(id, field), field);
  }

  optionalInt(id: number, field: string): number | undefined {
    const node = this.#byId.get(id);
    return node && intOf(node, field);
  }

  string(id: number, field: string): string {
    return stringOf(this.#required(id, field), field);
  }

  optionalString(id: number, field: string): string | undefined {
    const node = this.#byId.get(id);
    return node && stringOf(node, field);
  }

  /** An array: the struct's elements, each a struct (id 0 by the protocol, not checked). */
  optionalArray(id: number, field: string): TtlvFields[] | undefined {
    const node = this.#byId.get(id);
    if (!node) return undefined;
    return structOf(node, field).map((element, i) => new TtlvFields(structOf(element, `${field}[${i}]`)));
  }
}
