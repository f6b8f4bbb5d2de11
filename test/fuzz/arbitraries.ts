// Inputs from the OpenAPI document's schemas: values that fit them, and values near and far
// from them (the edges of numbers, strange strings, wrong types, fields the schema lacks).
import fc from 'fast-check';

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
  $ref?: string;
}

const oddStrings = fc.constantFrom(
  '',
  ' ',
  'Infinity',
  '-1',
  '1e400',
  '99999999999999999999',
  'NaN',
  '0x10',
  '../../etc/passwd',
  '%00',
  "' or 1=1 --",
  '\u0000',
  '\uD800',
  '𝔘𝔭𝔡𝔯𝔞𝔣𝔱',
  'a'.repeat(5000),
  '{"a":1}',
  'null',
  'true',
  '2026-13-45T99:99:99Z',
);
const oddNumbers = fc.constantFrom(
  0,
  -1,
  1,
  2 ** 31,
  2 ** 53,
  -(2 ** 53),
  1.5,
  1e20,
  -0,
  Number.MAX_SAFE_INTEGER,
);

/** A string the way a URL would carry it. */
export const urlText = fc.oneof(
  fc.string({ maxLength: 20 }),
  oddStrings,
  fc.integer({ min: -5, max: 1_000_000 }).map(String),
  fc.constantFrom('1', '2', '3'),
);

/** Any JSON value, small. */
export const anyJson = fc.jsonValue({ maxDepth: 3 });

/** A value that fits `schema` roughly (often exactly), or a mutation of one. */
export function valueFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const fits = fitting(schema, depth);
  return fc.oneof(
    { weight: 6, arbitrary: fits },
    { weight: 1, arbitrary: anyJson },
    { weight: 1, arbitrary: oddStrings },
    { weight: 1, arbitrary: oddNumbers },
  );
}

function fitting(schema: Schema | undefined, depth: number): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return anyJson;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options?.length) return fc.oneof(...options.map((s) => fitting(s, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'integer':
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? -10, max: Math.min(schema.maximum ?? 1000, 1_000_000) }),
        oddNumbers,
      );
    case 'number':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), oddNumbers);
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.oneof(fc.string({ maxLength: Math.min(schema.maxLength ?? 40, 80) }), oddStrings);
    case 'array':
      return fc.array(fitting(schema.items, depth + 1), { maxLength: Math.min(schema.maxItems ?? 4, 6) });
    case 'null':
      return fc.constant(null);
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) record[name] = valueFor(property, depth + 1);
      const requiredKeys = Object.keys(properties).filter((k) => required.has(k));
      return fc
        .tuple(
          Object.keys(record).length > 0 ? fc.record(record, { requiredKeys }) : fc.constant({}),
          fc.option(fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 2 }), { freq: 5 }),
        )
        .map(([known, extra]) => ({ ...(extra ?? {}), ...(known as object) }));
    }
    default:
      return anyJson;
  }
}
