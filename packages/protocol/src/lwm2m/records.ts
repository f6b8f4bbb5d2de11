// The record formats of LwM2M read as one list of records, each a resolved name (the path,
// `/5/0/3`) and its value: SenML JSON (110, RFC 8428) and SenML CBOR (112, RFC 8428 §6), LwM2M
// JSON (11543, OMA-TS-LightweightM2M-V1_0 §6.4.4) and LwM2M CBOR (11544, OMA-TS-LightweightM2M-V1_2
// §7.4.6). What a Read answer holds for a resource is then looked up once for all four.
import { CborMap, type CborValue, decodeCbor } from './cbor.ts';
import { Lwm2mPayloadError } from './payload-error.ts';

/** A value of the payload: `v` a number, `vs` a string, `vb` a boolean (SenML's names). */
export interface ValueRecord {
  name: string;
  v?: unknown;
  vs?: unknown;
  vb?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function parseJson(payload: Buffer, code: 'LWM2M_SENML_INVALID' | 'LWM2M_JSON_INVALID'): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Lwm2mPayloadError(
      code,
      `${code === 'LWM2M_JSON_INVALID' ? 'LwM2M' : 'SenML'} JSON that does not parse`,
    );
  }
}

/**
 * SenML records with their names resolved (RFC 8428 §4.5.1): the base name of a record applies
 * to it and to the records after it, until another; a record that is not an object is skipped.
 */
function resolveSenml(records: unknown): ValueRecord[] {
  if (!Array.isArray(records) || records.length === 0)
    throw new Lwm2mPayloadError('LWM2M_SENML_INVALID', 'SenML without records');
  const out: ValueRecord[] = [];
  let base = '';
  for (const record of records as unknown[]) {
    if (!isObject(record)) continue;
    const { bn, n, v, vs, vb } = record;
    if (typeof bn === 'string') base = bn;
    out.push({ name: `${base}${typeof n === 'string' ? n : ''}`, v, vs, vb });
  }
  return out;
}

export function senmlJsonRecords(payload: Buffer): ValueRecord[] {
  return resolveSenml(parseJson(payload, 'LWM2M_SENML_INVALID'));
}

/** SenML CBOR labels (RFC 8428 §6, Table 6): bn -2, n 0, v 2, vs 3, vb 4; text labels as in JSON. */
const senmlLabels = new Map<CborValue, string>([
  [-2, 'bn'],
  [0, 'n'],
  [2, 'v'],
  [3, 'vs'],
  [4, 'vb'],
]);

export function senmlCborRecords(payload: Buffer): ValueRecord[] {
  const decoded = decodeCbor(payload);
  if (!Array.isArray(decoded))
    throw new Lwm2mPayloadError('LWM2M_SENML_INVALID', 'SenML CBOR that is no array');
  return resolveSenml(
    decoded.map((record) => {
      if (!(record instanceof CborMap)) return null;
      const fields: Record<string, unknown> = {};
      for (const [label, value] of record.entries) {
        const name = senmlLabels.get(label) ?? (typeof label === 'string' ? label : undefined);
        if (name !== undefined && !(name in fields)) fields[name] = value;
      }
      return fields;
    }),
  );
}

/** LwM2M JSON (§6.4.4 of 1.0): `{"bn": "/3/0/", "e": [{"n": "3", "sv": "1.0"}, {"n": "9", "v": 90}]}`. */
export function lwm2mJsonRecords(payload: Buffer): ValueRecord[] {
  const body = parseJson(payload, 'LWM2M_JSON_INVALID');
  if (!isObject(body) || !Array.isArray(body['e']) || body['e'].length === 0)
    throw new Lwm2mPayloadError('LWM2M_JSON_INVALID', 'LwM2M JSON without entries (e)');
  const base = typeof body['bn'] === 'string' ? body['bn'] : '';
  return (body['e'] as unknown[]).filter(isObject).map((entry) => ({
    name: `${base}${typeof entry['n'] === 'string' ? entry['n'] : ''}`,
    v: entry['v'],
    vs: entry['sv'],
    vb: entry['bv'],
  }));
}

/** An LwM2M CBOR key: one identifier, or a path of them (V1_2 §7.4.6); else not a path. */
function pathOf(key: CborValue): number[] | undefined {
  const id = (k: CborValue) => typeof k === 'number' && Number.isInteger(k) && k >= 0 && k <= 0xffff;
  if (id(key)) return [key as number];
  if (Array.isArray(key) && key.length > 0 && key.every(id)) return key as number[];
  return undefined;
}

/**
 * LwM2M CBOR: nested maps whose keys are the path's identifiers (or arrays of them) and whose
 * leaves are the values, e.g. `{3: {0: {3: "1.0", 9: 90}}}` or `{[5, 0, 3]: 2}`.
 */
export function lwm2mCborRecords(payload: Buffer): ValueRecord[] {
  const out: ValueRecord[] = [];
  // Depth is bounded by the CBOR decoder's nesting limit.
  const walk = (map: CborMap, path: number[]) => {
    for (const [key, value] of map.entries) {
      const at = pathOf(key);
      if (!at) continue;
      const full = [...path, ...at];
      if (value instanceof CborMap) walk(value, full);
      else {
        const name = `/${full.join('/')}`;
        if (typeof value === 'string') out.push({ name, vs: value });
        else if (typeof value === 'boolean') out.push({ name, vb: value });
        else out.push({ name, v: value });
      }
    }
  };
  const root = decodeCbor(payload);
  if (root instanceof CborMap) walk(root, []);
  return out;
}

/**
 * The value of resource `resourceId` among the records: the first whose name is the resource's
 * (ends with `/{id}`, is `{id}`, or is empty: a value read by its own path), of the type asked.
 */
export function recordValue(
  records: readonly ValueRecord[],
  resourceId: number,
  type: 'string' | 'integer',
): string | number {
  const record = records.find(
    ({ name }) => name === '' || name.endsWith(`/${resourceId}`) || name === String(resourceId),
  );
  const value = type === 'string' ? record?.vs : record?.v;
  if (type === 'string' && typeof value === 'string') return value;
  if (type === 'integer' && typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new Lwm2mPayloadError(
    'LWM2M_VALUE_MISSING',
    `no ${type} value for resource ${resourceId} in the answer`,
  );
}

/** The integers of multiple resource `resourceId` (/5/0/8): its instances `…/{id}/{instance}`. */
export function recordIntegers(records: readonly ValueRecord[], resourceId: number): number[] {
  const instance = new RegExp(`(^|/)${resourceId}/\\d{1,5}$`);
  const out = records
    .filter((r) => instance.test(r.name) && typeof r.v === 'number' && Number.isSafeInteger(r.v))
    .map((r) => r.v as number);
  if (out.length === 0)
    throw new Lwm2mPayloadError(
      'LWM2M_VALUE_MISSING',
      `no instances of resource ${resourceId} in the answer`,
    );
  return out;
}
