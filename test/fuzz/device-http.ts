// The device HTTP API (OneNET's paths and the confirmations) with mutated Authorization tokens,
// queries, ranges and bodies. Rules: no 5xx; a refusal says why in a code (OneNET's errno in its
// envelope, or the catalogue's code), a download answers bytes or a range refusal.
import { errorCodes } from '@updraft/core';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import type { DeviceFleet } from '../../packages/server/src/test-support/device-fleet.ts';
import { anyJson, urlText } from './arbitraries.ts';
import { type FuzzReport, forBudget, isConsoleNotBuilt } from './report.ts';

const codes = new Set<string>(errorCodes);

/** A valid value with a few characters changed, cut, doubled or replaced. */
function mutated(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(valid),
    fc
      .tuple(fc.nat(valid.length), fc.string({ maxLength: 3 }))
      .map(([at, s]) => valid.slice(0, at) + s + valid.slice(at + 1)),
    fc.nat(valid.length).map((at) => valid.slice(0, at)),
    fc.constant(valid + valid),
    urlText,
  );
}

export async function fuzzDeviceHttp(f: DeviceFleet, budgetMs: number, report: FuzzReport, seed: number) {
  const target = 'device-http';
  const app = f.t.app;
  const d = f.devices[0]!;
  const auth = f.auth(d);
  // A real token to mutate: the device's current offer.
  const checked = await app.http.inject({
    method: 'GET',
    url: `/ota/south/check?dev_id=${d.id}&manuf=100&model=10001&type=1&version=1.0`,
    headers: { authorization: auth },
  });
  const token = String((checked.json() as { data?: { token?: string } }).data?.token ?? 'no-token');
  const paths = [
    '/ota/south/check',
    '/ota/check',
    `/ota/south/download/${token}/check`,
    `/ota/download/${token}/check`,
    `/ota/south/download/${token}`,
    `/ota/download/${token}`,
    `/device/v1/download/${token}`,
    '/ota/south/report',
    '/ota/report',
    `/ota/south/device/download/${token}/progress`,
    '/ota/device/version',
    '/ota/south/tasking',
    '/ota/devInfo',
    '/device/v1/confirmations',
    '/device/v1/confirmations/1/confirm',
    '/device/v1/confirmations/1/reject',
  ];
  const queryKeys = [
    'dev_id',
    'manuf',
    'model',
    'type',
    'version',
    'cdn',
    'step',
    'result',
    'token',
    'pid',
    'authInfo',
    'device',
    'module',
  ];
  const request = fc.record({
    path: fc.constantFrom(...paths).chain((p) => mutated(p)),
    method: fc.constantFrom('GET', 'POST', 'GET', 'POST', 'PUT'),
    authorization: fc.option(mutated(auth), { freq: 8 }),
    query: fc.dictionary(
      fc.constantFrom(...queryKeys),
      fc.oneof(fc.constantFrom(String(d.id), '100', '10001', '1', '1.0', '101', '201'), urlText),
      { maxKeys: 6 },
    ),
    range: fc.option(
      fc.oneof(
        fc.tuple(fc.nat(5000), fc.nat(5000)).map(([a, b]) => `bytes=${a}-${b}`),
        fc.nat(100).map((n) => `bytes=-${n}`),
        fc.string({ maxLength: 20 }).map((s) => `bytes=${s}`),
        urlText,
        fc.constant('bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9,10-10'),
      ),
      { freq: 3 },
    ),
    crc: fc.option(fc.constantFrom('crc16-modbus', 'crc16-ccitt', 'x', ''), { freq: 5 }),
    body: fc.option(
      fc.oneof(
        anyJson.map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 300 }),
      ),
      { freq: 2 },
    ),
  });

  await forBudget('device-http', budgetMs, async (batch) => {
    for (const input of fc.sample(request, { numRuns: 25, seed: seed + batch })) {
      const search = new URLSearchParams(input.query).toString();
      const url = `${input.path.startsWith('/') ? '' : '/'}${input.path}${search ? `?${search}` : ''}`;
      const options: InjectOptions = {
        method: input.method as InjectOptions['method'],
        url,
        headers: {
          ...(input.authorization !== null && { authorization: input.authorization }),
          ...(input.range !== null && { range: input.range }),
          ...(input.crc !== null && { 'x-crc16': input.crc }),
          ...(input.body !== null && input.method !== 'GET' && { 'content-type': 'application/json' }),
        },
        ...(input.body !== null && input.method !== 'GET' && { payload: input.body }),
      };
      let res: Awaited<ReturnType<typeof app.http.inject>>;
      try {
        res = await app.http.inject(options);
      } catch (error) {
        // light-my-request cannot even build some URLs ("/\\x"): nothing reached the server.
        if (String(error).includes('Invalid URL')) {
          report.count(`${target}.unsendable`);
          continue;
        }
        report.find(target, 'crash', { url, error: String(error) });
        continue;
      }
      report.count('device-http.requests');
      report.count(`device-http.status.${Math.floor(res.statusCode / 100)}xx`);
      const shown = { status: res.statusCode, answer: res.body.slice(0, 160), ...options };
      if (isConsoleNotBuilt(res)) {
        report.count('device-http.console-not-built');
        continue;
      }
      if (res.statusCode >= 500) {
        report.find(target, '5xx', shown);
        continue;
      }
      const type = String(res.headers['content-type'] ?? '');
      if (!type.includes('json')) {
        // Firmware bytes (200/206), a range that cannot be served (416), a HEAD-like empty answer.
        if (res.statusCode >= 400 && res.statusCode !== 416 && res.statusCode !== 404)
          report.find(target, 'refusal without a code', shown);
        continue;
      }
      const body = res.json() as { errno?: unknown; code?: unknown };
      const coded = typeof body.errno === 'number' || (typeof body.code === 'string' && codes.has(body.code));
      if (!coded && res.statusCode >= 400) report.find(target, 'refusal without a code', shown);
      if (typeof body.errno === 'number' && body.errno !== 0) report.count('device-http.errno');
    }
  });
}
