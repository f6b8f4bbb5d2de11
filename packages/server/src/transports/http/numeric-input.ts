// Numbers in query strings and paths are checked as text before Ajv coerces them (issue 12).
// Ajv turns "Infinity" and "1e400" into Infinity and lets it through every minimum and maximum,
// and a whole number past 2^53 (or past PostgreSQL's bigint) reached the database as a 500.
// A route's integer fields must be plain decimal integers within ±2^53; number fields finite.
import { UpdraftError } from '@updraft/core';

export type NumericKind = 'integer' | 'number';

interface SchemaLike {
  type?: unknown;
  anyOf?: SchemaLike[];
  items?: SchemaLike;
  properties?: Record<string, SchemaLike>;
}

function kindOf(schema: SchemaLike | undefined): NumericKind | undefined {
  if (!schema) return undefined;
  if (schema.type === 'integer' || schema.type === 'number') return schema.type;
  if (schema.type === 'array') return kindOf(schema.items);
  for (const option of schema.anyOf ?? []) {
    const kind = kindOf(option);
    if (kind) return kind;
  }
  return undefined;
}

/** The fields of a querystring or params schema that hold numbers, by name. */
export function numericFieldsOf(schema: unknown): Map<string, NumericKind> {
  const fields = new Map<string, NumericKind>();
  for (const [name, property] of Object.entries((schema as SchemaLike | undefined)?.properties ?? {})) {
    const kind = kindOf(property);
    if (kind) fields.set(name, kind);
  }
  return fields;
}

const integerText = /^[+-]?\d{1,16}$/;
const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$/;

function fits(kind: NumericKind, text: string): boolean {
  if (kind === 'integer') return integerText.test(text) && Number.isSafeInteger(Number(text));
  return numberText.test(text) && Number.isFinite(Number(text));
}

/** Throws VALIDATION_FAILED naming the first field whose text is not a number of its kind. */
export function checkNumericInput(
  where: 'querystring' | 'params',
  values: unknown,
  fields: ReadonlyMap<string, NumericKind>,
): void {
  if (fields.size === 0 || typeof values !== 'object' || values === null) return;
  for (const [name, kind] of fields) {
    const value = (values as Record<string, unknown>)[name];
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== 'string' || item === '' || fits(kind, item)) continue;
      throw new UpdraftError(
        'VALIDATION_FAILED',
        `${where}.${name} must be ${kind === 'integer' ? 'a whole number between -2^53 and 2^53' : 'a finite number'}`,
        { in: where, field: name },
      );
    }
  }
}
