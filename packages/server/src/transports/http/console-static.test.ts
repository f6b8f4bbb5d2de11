import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { isUpdraftError } from '@updraft/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerConsoleStatic } from './console-static.ts';

async function appServing(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.setErrorHandler((error, _request, reply) =>
    isUpdraftError(error)
      ? reply.status(404).send({ code: error.code, message: error.message })
      : reply.status(500).send({ message: String(error) }),
  );
  await registerConsoleStatic(app, root);
  return app;
}

/** A script big enough that compressing it is worth it. */
const script = Buffer.from(
  Array.from({ length: 400 }, (_, i) => `export const value${i} = 'x'.repeat(${i});`).join('\n'),
);

describe('the console at /', () => {
  const folder = mkdtempSync(join(tmpdir(), 'updraft-console-static-'));
  const root = join(folder, 'dist');
  let app: FastifyInstance;

  before(async () => {
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    // A build's precompressed copies (packages/console/scripts/precompress.ts writes them).
    writeFileSync(join(root, 'assets', 'vendor-def456.js'), script);
    writeFileSync(join(root, 'assets', 'vendor-def456.js.br'), brotliCompressSync(script));
    writeFileSync(join(root, 'assets', 'vendor-def456.js.gz'), gzipSync(script));
    writeFileSync(join(root, 'index.html.br'), brotliCompressSync(readFileSync(join(root, 'index.html'))));
    writeFileSync(join(folder, 'secret.txt'), 'outside the build');
    app = await appServing(root);
  });
  after(async () => {
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('serves index.html at / and for the console’s own paths, never cached', async () => {
    for (const url of ['/', '/products/3', '/settings/users?x=1']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /text\/html/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(res.body, /id="root"/);
    }
  });

  it('serves hashed assets with a long immutable cache', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /javascript/);
    assert.match(res.headers['cache-control'] as string, /max-age=31536000.*immutable/);
  });

  it('sends the precompressed copy the request accepts, brotli first, and the file itself without one', async () => {
    const url = '/assets/vendor-def456.js';
    const cases: [string | undefined, string | undefined, (body: Buffer) => Buffer][] = [
      ['gzip, deflate, br', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
      ['deflate', undefined, (body) => body],
      [undefined, undefined, (body) => body],
    ];
    for (const [accept, encoding, decode] of cases) {
      const res = await app.inject({ url, headers: accept ? { 'accept-encoding': accept } : {} });
      assert.equal(res.statusCode, 200, accept);
      assert.equal(res.headers['content-encoding'], encoding, accept);
      assert.match(res.headers['vary'] as string, /accept-encoding/i, accept);
      assert.match(res.headers['content-type'] as string, /javascript/, accept);
      assert.match(res.headers['cache-control'] as string, /max-age=31536000.*immutable/, accept);
      if (encoding) assert.ok(res.rawPayload.length < script.length, `${encoding} is smaller`);
      assert.deepEqual(decode(res.rawPayload), script, accept);
    }
  });

  it('sends the page precompressed too, still never cached, and a file without a copy as it is', async () => {
    for (const url of ['/', '/products/3']) {
      const res = await app.inject({ url, headers: { 'accept-encoding': 'br' } });
      assert.equal(res.headers['content-encoding'], 'br', url);
      assert.equal(res.headers['cache-control'], 'no-cache', url);
      assert.match(brotliDecompressSync(res.rawPayload).toString(), /id="root"/, url);
    }
    const plain = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br' } });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, 'console.log(1)');
  });

  it('answers ROUTE_NOT_FOUND under the API, docs and device prefixes and for missing files', async () => {
    for (const url of [
      '/api/v1/nothing',
      '/docs/nothing',
      '/ota/nothing',
      '/device/v1/x',
      '/assets/gone.js',
    ]) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().code, 'ROUTE_NOT_FOUND', url);
    }
  });

  it('never serves a file outside the build', async () => {
    for (const url of ['/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt']) {
      const res = await app.inject({ url });
      assert.doesNotMatch(res.body, /outside the build/, url);
    }
  });

  it('says how to build the console when there is no build', async () => {
    const bare = await appServing(join(folder, 'missing'));
    try {
      const res = await bare.inject({ url: '/' });
      assert.equal(res.statusCode, 503);
      assert.match(res.body, /npm run build:console/);
      assert.equal((await bare.inject({ url: '/api/v1/x' })).statusCode, 404);
    } finally {
      await bare.close();
    }
  });
});
