// Inputs for the CoAP fuzz target: LwM2M requests a device sends (Register, Update, De-register,
// the firmware download) with generated query strings, payloads and options; the same with a
// flaw in the message itself (a version other than 1, a token length past 8, a payload marker
// with no payload, the reserved option nibble 15, cut short); mutated bytes; random bytes.
import fc from 'fast-check';
import { mutate, mutations } from '../../packages/protocol/src/test-support/byte-mutations.ts';
import {
  blockOption,
  type CoapOption,
  coapOptions,
  coapTypes,
  encodeCoap,
  uintOption,
  uriOptions,
} from '../../packages/server/src/test-support/coap-raw.ts';
import { urlText } from './arbitraries.ts';
import { lwm2mPayload } from './lwm2m-payloads.ts';

export interface CoapRequest {
  type: number;
  code: string;
  path: string;
  query: string[];
  token: Buffer;
  payload: Buffer;
  options: CoapOption[];
}

export type CoapInput =
  | { kind: 'request'; request: CoapRequest }
  | {
      kind: 'flawed';
      request: CoapRequest;
      flaw: 'version' | 'token-length' | 'marker' | 'nibble' | 'cut';
      n: number;
    }
  | { kind: 'mutated'; request: CoapRequest; steps: Parameters<typeof mutate>[1] }
  | { kind: 'garbage'; bytes: Uint8Array };

/** Option numbers no CoAP registry lists: odd ones are critical (RFC 7252 §5.4.1). */
export const unknownCritical = [9, 2049, 65001];
const unknownElective = [2050, 65000];
/** Options the server understands or may ignore (elective): the rest of the registry is critical. */
export const proxyOptions = [35, 39];

const anyOption: fc.Arbitrary<CoapOption> = fc.oneof(
  fc
    .tuple(
      fc.nat(0xfffff),
      fc.boolean(),
      fc.integer({ min: 0, max: 7 }),
      fc.constantFrom(coapOptions.block1, coapOptions.block2),
    )
    .map(([num, more, szx, number]) => ({ number, value: blockOption(num, more, szx) })),
  fc
    .constantFrom(coapOptions.block1, coapOptions.block2)
    .map((number) => ({ number, value: Buffer.alloc(4, 0xff) })),
  fc.record({
    number: fc.constantFrom(...unknownCritical, ...unknownElective),
    value: fc.uint8Array({ maxLength: 8 }).map(Buffer.from),
  }),
  fc.record({
    number: fc.constant(coapOptions.observe as number),
    value: fc.constantFrom(0, 1, 5).map(uintOption),
  }),
  fc.record({ number: fc.constant(coapOptions.size2 as number), value: fc.nat(2 ** 32 - 1).map(uintOption) }),
  fc.record({ number: fc.constant(coapOptions.size1 as number), value: fc.nat(2 ** 32 - 1).map(uintOption) }),
  fc.record({
    number: fc.constantFrom<number>(coapOptions.contentFormat, coapOptions.accept),
    value: fc.oneof(
      fc.constantFrom(0, 40, 42, 110, 112, 11542, 11543, 11544, 65535).map(uintOption),
      fc.uint8Array({ maxLength: 3 }).map(Buffer.from),
    ),
  }),
  fc.record({
    number: fc.constantFrom<number>(
      coapOptions.ifMatch,
      3,
      coapOptions.uriPort,
      coapOptions.maxAge,
      5,
      ...proxyOptions,
    ),
    value: fc.uint8Array({ maxLength: 6 }).map(Buffer.from),
  }),
);

/**
 * Uri-Query parts of a Register (§6.2.1): mostly a whole one (ep of a real device, a `ts` and a
 * `sig` that is not its signature, so that the signature check is reached), with known keys of
 * odd values, repeated, or without `=` mixed in or instead.
 */
function registerQuery(endpoints: readonly string[]): fc.Arbitrary<string[]> {
  const ep = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...endpoints) },
    { weight: 1, arbitrary: urlText },
  );
  const ts = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1_700_000_000, max: 2_000_000_000 }).map(String) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('0', '-5', '9'.repeat(13)), urlText) },
  );
  const sig = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
    },
    { weight: 1, arbitrary: urlText },
  );
  const pair = fc.oneof(
    fc.tuple(fc.constant('ep'), ep),
    fc.tuple(
      fc.constant('lt'),
      fc.oneof(fc.constantFrom('60', '0', '-1', 'x', '', '99999999999', '86400'), urlText),
    ),
    fc.tuple(fc.constant('lwm2m'), fc.constantFrom('1.0', '1.1', '1.2', '', 'x')),
    fc.tuple(fc.constant('b'), fc.oneof(fc.constantFrom('U', 'UQ', 'Q', 'S', 'Z', '', 'TUNQS'), urlText)),
    fc.tuple(fc.constant('ts'), ts),
    fc.tuple(fc.constant('sig'), sig),
    fc.tuple(fc.constantFrom('Q', 'pf', 'sms', ''), fc.constant(undefined)),
    fc.tuple(fc.string({ maxLength: 6 }), urlText),
  );
  const whole = fc
    .tuple(ep, fc.option(ts, { freq: 6 }), fc.option(sig, { freq: 6 }))
    .map(
      ([e, t, s]) =>
        [['ep', e], ...(t === null ? [] : [['ts', t]]), ...(s === null ? [] : [['sig', s]])] as [
          string,
          string | undefined,
        ][],
    );
  return fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: whole },
        { weight: 1, arbitrary: fc.constant([] as [string, string | undefined][]) },
      ),
      fc.array(pair, { maxLength: 6 }),
    )
    .map(([base, extra]) => [...base, ...extra].map(([k, v]) => (v === undefined ? k : `${k}=${v}`)));
}

const linkFormat = fc.oneof(
  fc.constantFrom(
    '</1/0>,</3/0>,</5/0>',
    '</>;rt="oma.lwm2m";ct=11542,</3/0>',
    '',
    '<',
    '</99999999/0>',
    '<not/a/path>',
  ),
  fc.string({ maxLength: 60 }),
);

/**
 * A request a device could send: Register at /rd, Update or De-register at a location (`ids`),
 * a download at /fw/{token} (`tokens`), and paths and methods the server has no handler for.
 */
export function coapRequest(endpoints: readonly string[], ids: readonly string[], tokens: readonly string[]) {
  const path = fc.oneof(
    { weight: 4, arbitrary: fc.constant('/rd') },
    {
      weight: 2,
      arbitrary: fc.oneof(fc.constantFrom(...ids), urlText).map((id) => `/rd/${id.toWellFormed()}`),
    },
    { weight: 2, arbitrary: fc.oneof(fc.constantFrom(...tokens), urlText).map((t) => `/fw/${t}`) },
    { weight: 1, arbitrary: fc.constantFrom('/', '/rd/a/b', '/fw', '/.well-known/core', '/5/0/1', '/bs') },
  );
  return fc.record({
    type: fc.constantFrom(coapTypes.con, coapTypes.con, coapTypes.con, coapTypes.non),
    code: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'DELETE') },
      { weight: 1, arbitrary: fc.integer({ min: 5, max: 31 }).map((d) => `0.${String(d).padStart(2, '0')}`) },
    ),
    path,
    query: registerQuery(endpoints),
    token: fc.uint8Array({ maxLength: 8 }).map(Buffer.from),
    payload: fc.oneof(
      linkFormat.map((s) => Buffer.from(s)),
      lwm2mPayload.map((p) => p.payload),
      fc.constant(Buffer.alloc(0)),
    ),
    options: fc.array(anyOption, { maxLength: 3 }),
  });
}

export function encodeRequest(request: CoapRequest, messageId: number): Buffer {
  return encodeCoap({
    type: request.type,
    code: request.code,
    messageId,
    token: request.token,
    options: [...uriOptions(request.path, request.query), ...request.options],
    payload: request.payload,
  });
}

export function coapInput(request: fc.Arbitrary<CoapRequest>): fc.Arbitrary<CoapInput> {
  return fc.oneof(
    { weight: 6, arbitrary: request.map((r) => ({ kind: 'request' as const, request: r })) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('flawed' as const),
        request,
        flaw: fc.constantFrom(
          'version' as const,
          'token-length' as const,
          'marker' as const,
          'nibble' as const,
          'cut' as const,
        ),
        n: fc.nat(1000),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('mutated' as const), request, steps: mutations }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('garbage' as const),
        bytes: fc.uint8Array({ maxLength: 80 }),
      }),
    },
  );
}

/** The bytes of an input, with `messageId` in the header so that no two inputs share one. */
export function bytesOf(input: CoapInput, messageId: number): Buffer {
  if (input.kind === 'garbage') return Buffer.from(input.bytes);
  const valid = encodeRequest(input.request, messageId);
  if (input.kind === 'request') return valid;
  if (input.kind === 'mutated') {
    const bytes = Buffer.from(mutate(valid, input.steps));
    if (bytes.length >= 4) bytes.writeUInt16BE(messageId, 2);
    return bytes;
  }
  const bytes = Buffer.from(valid);
  switch (input.flaw) {
    case 'version':
      bytes[0] = (bytes[0]! & 0x3f) | ([0, 2, 3][input.n % 3]! << 6);
      return bytes;
    case 'token-length':
      // 15 is a format error in every version; 9..12 are in RFC 7252 (RFC 8974 takes them).
      bytes[0] = (bytes[0]! & 0xf0) | [15, 9, 12, 13, 14][input.n % 5]!;
      return bytes;
    case 'marker':
      return input.request.payload.length > 0
        ? bytes.subarray(0, bytes.length - input.request.payload.length)
        : Buffer.concat([bytes, Buffer.of(0xff)]);
    case 'nibble': {
      // An option whose delta or length nibble is 15 without being the payload marker.
      const at = 4 + input.request.token.length;
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.of(input.n % 2 === 0 ? 0xf1 : 0x1f, 0),
        bytes.subarray(at),
      ]);
    }
    case 'cut':
      return bytes.subarray(0, input.n % bytes.length);
  }
}
