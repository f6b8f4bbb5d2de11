// Every numeric query and path parameter of the management API is a number within its range, or
// 400 VALIDATION_FAILED: never a 500 from the database (`?limit=Infinity`, `1e400`, 1e20).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../test-support/test-app.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const bad = [
  'Infinity',
  '-Infinity',
  '1e400',
  '1e20',
  '-1e20',
  '99999999999999999999',
  '1.5',
  'NaN',
  '0x10',
  ' 7',
];

interface Parameter {
  name: string;
  in: string;
  schema?: { type?: string; items?: { type?: string } };
}

describe('numeric query and path parameters', { skip }, () => {
  let t: TestApp;
  let paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
  before(async () => {
    t = await createTestApp();
    paths = (await t.admin.get('/openapi.json')).json().paths;
  });
  after(() => t.close());

  const isNumeric = (p: Parameter) =>
    ['integer', 'number'].includes(p.schema?.type ?? '') ||
    ['integer', 'number'].includes(p.schema?.items?.type ?? '');

  it('answers 400 with a code for every bad number in every query of every GET route', async () => {
    let tried = 0;
    for (const [path, methods] of Object.entries(paths)) {
      // The end-user API takes end-user tokens, not the admin's key: it answers 401 first.
      if (path.startsWith('/enduserapi/')) continue;
      const query = (methods['get']?.parameters ?? []).filter((p) => p.in === 'query' && isNumeric(p));
      for (const parameter of query) {
        for (const value of bad) {
          const url = `${path.replace(/\{\w+\}/g, '1')}?${parameter.name}=${encodeURIComponent(value)}`;
          const res = await t.admin.get(url);
          tried++;
          assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
          assert.equal(res.json().code, 'VALIDATION_FAILED', url);
        }
      }
    }
    assert.ok(tried > 100, `tried ${tried}`);
  });

  it('answers 400 for a bad number in any path, whatever the method', async () => {
    for (const [path, methods] of Object.entries(paths)) {
      if (!path.startsWith('/api/v1/') || !/\{\w+\}/.test(path)) continue;
      for (const method of Object.keys(methods)) {
        for (const value of ['Infinity', '1e400', '99999999999999999999']) {
          const url = path.replace(/\{\w+\}/g, value);
          const res = await t.admin.request({ method: method.toUpperCase() as 'GET', url, payload: {} });
          assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode} ${res.body}`);
          assert.ok(res.json().code, `${method} ${url} answers a code`);
        }
      }
    }
  });

  it('still takes good numbers', async () => {
    assert.equal((await t.admin.get('/api/v1/products?limit=500')).statusCode, 200);
    assert.equal((await t.admin.get('/api/v1/devices?limit=1&productId=9007199254740991')).statusCode, 200);
  });

  it('answers what the fuzz suite found with a code: bad percent-encoding, overlong segments, unservable ranges', async () => {
    const badUrl = await t.admin.get('/ota/ch%ck?model=3');
    assert.equal(badUrl.statusCode, 400);
    assert.equal(badUrl.json().code, 'VALIDATION_FAILED');
    const long = await t.admin.post(`/api/v1/groups/${'a'.repeat(500)}`, {});
    assert.equal(long.statusCode, 400);
    assert.equal(long.json().code, 'VALIDATION_FAILED');
    // A static file that is always there (the console's build is not, before `npm start` builds it):
    // static files share one Range path and its error translation.
    const range = await t.anonymous.request({
      method: 'GET',
      url: '/docs/static/swagger-ui.css',
      headers: { range: 'bytes=4992-550' },
    });
    assert.equal(range.statusCode, 416);
    assert.equal(range.json().code, 'RANGE_NOT_SATISFIABLE');
    assert.match(String(range.headers['content-range']), /^bytes \*\/\d+$/);
  });
});
