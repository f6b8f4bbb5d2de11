// The README's first steps, as a newcomer takes them: start the server, read the printed
// address and admin password, sign in, create a product, find every route in /openapi.json.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildApp, loadConfig } from '@updraft/server';
import { printedPassword, routesOf, type ServedUpdraft, signIn, startServer } from './support/serve-child.ts';

/**
 * Routes that are not part of the API and so not in its document: the docs, the console, and the
 * operations endpoints a load balancer or Prometheus reads (docs/deployment.md).
 */
const undocumented = (path: string) =>
  ['/openapi.json', '/healthz', '/readyz', '/metrics'].includes(path) ||
  /^\/?\*$/.test(path) ||
  /^\/docs(\/|$)/.test(path);

describe('updraft serve on embedded defaults', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-serve-'));
  const env = {
    UPDRAFT_DATA_DIR: dataDir,
    UPDRAFT_HTTP_PORT: '0',
    UPDRAFT_MQTT_PORT: '0',
    UPDRAFT_COAP_PORT: '0',
    UPDRAFT_HTTP_HOST: '127.0.0.1',
    UPDRAFT_LOG_LEVEL: 'warn',
  };
  let server: ServedUpdraft;
  before(async () => {
    server = await startServer(env);
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints where it listens and the first admin password, which signs in', async () => {
    const out = server.output();
    const password = printedPassword(out);
    assert.ok(password, out);
    assert.equal(/Console\s+(http:\/\/\S+)\//.exec(out)?.[1], server.base);
    const session = await signIn(server.base, 'admin', password);
    const created = await fetch(`${server.base}/api/v1/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...session },
      body: JSON.stringify({ name: 'Thermostat' }),
    });
    assert.equal(created.status, 201);
    const docs = await fetch(`${server.base}/docs/`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);
  });

  it('documents every route the server registers in /openapi.json', async () => {
    const spec = (await (await fetch(`${server.base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    assert.equal(spec.openapi, '3.1.0');
    // The same app, built in-process on the same settings, says which routes it registers.
    const routesDir = mkdtempSync(join(tmpdir(), 'updraft-serve-routes-'));
    let routes: { method: string; path: string }[];
    try {
      const app = await buildApp(loadConfig({ ...env, UPDRAFT_DATA_DIR: routesDir }));
      try {
        await app.http.ready();
        routes = routesOf(app.http.printRoutes({ commonPrefix: false }));
      } finally {
        await app.close();
      }
    } finally {
      rmSync(routesDir, { recursive: true, force: true });
    }
    const api = routes.filter((r) => r.path.startsWith('/api/v1/'));
    assert.ok(api.length > 60, `the router lists the management API (${api.length} routes)`);
    assert.ok(
      routes.some((r) => r.path === '/openapi.json'),
      'the route list is complete',
    );
    const missing = routes
      .filter((r) => !undocumented(r.path))
      .filter((r) => !spec.paths[r.path]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(missing, [], 'every registered route is in the OpenAPI document');
    const registered = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const extra = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .map((m) => `${m.toUpperCase()} ${path}`)
        .filter((route) => !registered.has(route)),
    );
    assert.deepEqual(extra, [], 'the document names no route the server does not have');
  });

  it('refuses to start with a bad setting and names it', async () => {
    await assert.rejects(
      startServer({ UPDRAFT_DATA_DIR: dataDir, UPDRAFT_HTTP_PORT: 'eighty' }),
      (error: Error) =>
        error.message.includes('UPDRAFT_HTTP_PORT') && error.message.includes('exited with 1'),
    );
  });
});
