import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { importBatchSize } from '../../../modules/devices/device-import.ts';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason, testDatabaseKind } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

type Line = {
  line?: number;
  id?: number;
  name?: string;
  secret?: string;
  error?: { code: string; message: string };
  summary?: { created: number; failed: number; error?: { code: string } };
};

describe('device import API', { skip }, () => {
  let t: TestApp;
  let meter: number;
  let sensor: number;
  let gatewayId: number;

  const send = (productId: number, type: string, payload: string | Readable, caller = t.admin) =>
    caller.request({
      method: 'POST',
      url: `/api/v1/products/${productId}/devices/import`,
      headers: { 'content-type': type },
      payload,
    });
  async function importLines(productId: number, type: string, payload: string): Promise<Line[]> {
    const res = await send(productId, type, payload);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
    return res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
  }
  const errorsByLine = (lines: Line[]) =>
    Object.fromEntries(lines.filter((l) => l.error).map((l) => [l.line, l.error!.code]));
  const createdNames = (lines: Line[]) => lines.filter((l) => l.id).map((l) => l.name);

  before(async () => {
    t = await createTestApp();
    meter = (await t.admin.post('/api/v1/products', { name: 'meter' })).json().id;
    sensor = (await t.admin.post('/api/v1/products', { name: 'sensor', nodeType: 'subdevice' })).json().id;
    const hub = (await t.admin.post('/api/v1/products', { name: 'hub', nodeType: 'gateway' })).json().id;
    gatewayId = (await t.admin.post(`/api/v1/products/${hub}/devices`, { name: 'hub-1' })).json().device.id;
    await t.admin.post(`/api/v1/products/${meter}/devices`, { name: 'exists' });
  });
  after(() => t.close());

  it('imports CSV, reporting bad rows by line and storing the rest', async () => {
    const csv = [
      'name,tags,version',
      'c-1,a;b,1.0',
      'bad name,,',
      'c-1,,',
      'exists,,',
      'c-2,"x;y",2.0',
      'c-3,only-two',
      '',
      'c-4,"q"junk,1.0',
      'c-5,a b,',
      'c-6,,1 0',
      '"c-7",,',
    ].join('\r\n');
    const lines = await importLines(meter, 'text/csv; charset=utf-8', csv);
    assert.deepEqual(createdNames(lines), ['c-1', 'c-2', 'c-7']);
    assert.deepEqual(errorsByLine(lines), {
      3: 'VALIDATION_FAILED',
      4: 'DEVICE_NAME_TAKEN',
      5: 'DEVICE_NAME_TAKEN',
      7: 'IMPORT_INVALID_ROW',
      9: 'IMPORT_INVALID_ROW',
      10: 'VALIDATION_FAILED',
      11: 'VALIDATION_FAILED',
    });
    assert.deepEqual(lines.at(-1), { summary: { created: 3, failed: 7 } });
    const c2 = lines.find((l) => l.name === 'c-2')!;
    const detail = (await t.admin.get(`/api/v1/devices/${c2.id}`)).json();
    assert.deepEqual(detail.tags, ['x', 'y']);
    assert.equal(detail.versions[0].version, '2.0');
    assert.equal((await t.app.services.devices.authenticate(meter, 'c-2', c2.secret!))?.id, c2.id);
  });

  it('imports NDJSON with blank, broken and unknown-field lines mixed in', async () => {
    const ndjson = [
      '{"name":"n-1","tags":["t"],"versions":{"default":"1.0"}}',
      '',
      '{"name":"n-2"',
      '[1,2]',
      '{"name":"n-3","colour":"red"}',
      '{"name":"n-4","tags":["a b"]}',
      '{"name":"n-5","versions":{"WIFI":"1"}}',
      '{"name":"n-6"}',
    ].join('\n');
    const lines = await importLines(meter, 'application/x-ndjson', ndjson);
    assert.deepEqual(createdNames(lines), ['n-1', 'n-6']);
    assert.deepEqual(errorsByLine(lines), {
      3: 'IMPORT_INVALID_ROW',
      4: 'IMPORT_INVALID_ROW',
      5: 'UNKNOWN_FIELD',
      6: 'VALIDATION_FAILED',
      7: 'VALIDATION_FAILED',
    });
    assert.deepEqual(lines.at(-1), { summary: { created: 2, failed: 5 } });
  });

  it('imports a JSON array, splitting elements with brackets and quotes inside strings', async () => {
    const json = JSON.stringify([
      { name: 'j-1', tags: ['x'] },
      { name: 'j-2', tags: ['x]'] },
      { name: 'j-3', versions: { default: 'a"b' } },
      'j-4',
      { name: 'j-5' },
      { name: 'j-5' },
    ]);
    const lines = await importLines(meter, 'application/json', json);
    assert.deepEqual(createdNames(lines), ['j-1', 'j-5']);
    assert.deepEqual(errorsByLine(lines), {
      2: 'VALIDATION_FAILED',
      3: 'VALIDATION_FAILED',
      4: 'IMPORT_INVALID_ROW',
      6: 'DEVICE_NAME_TAKEN',
    });
    assert.deepEqual(await importLines(meter, 'application/json', ' [ ] '), [
      { summary: { created: 0, failed: 0 } },
    ]);
  });

  it('checks gateways of imported sub-devices', async () => {
    const other = (await t.admin.get('/api/v1/devices?q=exists')).json().items[0].id;
    const csv = `name,gateway\ns-1,${gatewayId}\ns-2,${other}\ns-3,hub-1\ns-4,999999\ns-5,\n`;
    const lines = await importLines(sensor, 'text/csv', csv);
    assert.deepEqual(createdNames(lines), ['s-1', 's-5']);
    assert.deepEqual(errorsByLine(lines), {
      3: 'VALIDATION_FAILED',
      4: 'VALIDATION_FAILED',
      5: 'VALIDATION_FAILED',
    });
    const onDirect = await importLines(meter, 'text/csv', `name,gateway\nd-1,${gatewayId}\n`);
    assert.deepEqual(errorsByLine(onDirect), { 2: 'VALIDATION_FAILED' });
  });

  it('refuses a bad header, a broken array, other media types and unknown products with a status', async () => {
    const cases: [number, string, string, number, string][] = [
      [meter, 'text/csv', 'name,colour\nx,red\n', 400, 'UNKNOWN_FIELD'],
      [meter, 'text/csv', 'tags\nx\n', 400, 'VALIDATION_FAILED'],
      [meter, 'text/csv', 'name,name\nx,y\n', 400, 'VALIDATION_FAILED'],
      [meter, 'text/csv', 'name\n"never ends\n', 400, 'VALIDATION_FAILED'],
      [meter, 'application/json', '{"name":"x"}', 400, 'VALIDATION_FAILED'],
      [meter, 'application/json', '[{"name":"x"}', 400, 'VALIDATION_FAILED'],
      [meter, 'application/json', '[{"name":"x"},]', 400, 'VALIDATION_FAILED'],
      [meter, 'application/json', '[{"name":"x"}] x', 400, 'VALIDATION_FAILED'],
      [meter, 'text/plain', 'name\nx\n', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [999999, 'text/csv', 'name\nx\n', 404, 'NOT_FOUND'],
    ];
    const before = await t.app.services.devices.countDevices({ productId: meter });
    for (const [productId, type, body, status, code] of cases) {
      const res = await send(productId, type, body);
      assert.equal(res.statusCode, status, `${type} ${body}: ${res.body}`);
      assert.equal(res.json().code, code, `${type} ${body}`);
    }
    assert.equal(await t.app.services.devices.countDevices({ productId: meter }), before);
  });

  it('refuses a body over importMaxBytes with PAYLOAD_TOO_LARGE', async () => {
    const small = await createTestApp({ importMaxBytes: 64 });
    try {
      const id = (await small.admin.post('/api/v1/products', { name: 'p' })).json().id;
      const body = `name\n${Array.from({ length: 20 }, (_, i) => `device-${i}`).join('\n')}\n`;
      const res = await small.admin.request({
        method: 'POST',
        url: `/api/v1/products/${id}/devices/import`,
        headers: { 'content-type': 'text/csv' },
        payload: Readable.from([body]),
      });
      assert.equal(res.statusCode, 413, res.body);
      assert.equal(res.json().code, 'PAYLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  it('answers a taken name in the middle of a later batch by its line, storing the rows around it', async () => {
    const product = (await t.admin.post('/api/v1/products', { name: 'mid' })).json().id;
    await t.admin.post(`/api/v1/products/${product}/devices`, { name: 'm-taken' });
    // Line 2 + i is row i; the second batch holds the taken name and a bad row in its middle.
    const rows = Array.from({ length: importBatchSize + 100 }, (_, i) => `m-${i},,1.0`);
    const taken = importBatchSize + 50;
    rows[taken] = 'm-taken,,1.0';
    rows[taken + 1] = 'm bad,,1.0';
    rows[taken + 2] = 'm-7,,1.0';
    const lines = await importLines(product, 'text/csv', `name,tags,version\n${rows.join('\n')}\n`);
    assert.deepEqual(errorsByLine(lines), {
      [taken + 2]: 'DEVICE_NAME_TAKEN',
      [taken + 3]: 'VALIDATION_FAILED',
      [taken + 4]: 'DEVICE_NAME_TAKEN',
    });
    assert.deepEqual(lines.at(-1), { summary: { created: rows.length - 3, failed: 3 } });
    assert.deepEqual(
      lines.filter((l) => l.id).map((l) => l.line),
      rows.flatMap((_, i) => (i < taken || i > taken + 2 ? [i + 2] : [])),
    );
    const total = (await t.admin.get(`/api/v1/devices/count?productId=${product}`)).json();
    assert.deepEqual(total, { count: rows.length - 2, exact: true });
    assert.equal(
      await t.app.services.devices.countDevices({ productId: product, version: '1.0' }),
      rows.length - 3,
    );
  });

  // 20 batches, sent as a stream.
  const total = 100_000;
  it(`streams an import of ${total} CSV rows`, { timeout: 120_000 }, async () => {
    const product = (await t.admin.post('/api/v1/products', { name: 'fleet' })).json().id;
    function* csv() {
      yield 'name,tags,version\n';
      for (let start = 0; start < total; start += 1000) {
        let chunk = '';
        for (let i = start; i < start + 1000; i++) chunk += `fleet-${i},site-${i % 7};batch,1.${i % 3}\n`;
        yield chunk;
      }
    }
    const started = Date.now();
    const res = await send(product, 'text/csv', Readable.from(csv()));
    assert.equal(res.statusCode, 200);
    const body = res.body;
    const summary = JSON.parse(body.slice(body.lastIndexOf('\n', body.length - 2) + 1));
    assert.deepEqual(summary, { summary: { created: total, failed: 0 } });
    const tagged = (
      await t.admin.get(`/api/v1/devices?productId=${product}&tag=site-3&version=1.0&limit=500`)
    ).json();
    assert.ok(tagged.items.length > 0);
    assert.equal(await t.app.services.devices.countDevices({ productId: product }), total);
    assert.equal(await t.app.services.devices.countDevices({ productId: product, tag: 'batch' }), total);
    console.log(`# imported ${total} devices in ${Date.now() - started} ms on ${testDatabaseKind}`);
  });
});
