// Serves the web console (packages/console, built by Vite into dist/) at `/`. Paths that are not
// files fall back to index.html so the console's own router can answer them (/products/3 on a
// reload), except under the API's, the docs' and the device APIs' prefixes, which keep the JSON
// ROUTE_NOT_FOUND. The build is looked up on each request: a server started before
// `npm run build:console` serves the console as soon as it exists, and says how to build it until then.
// The build writes a brotli and a gzip copy beside each text file (packages/console/scripts/
// precompress.ts): the copy the request's Accept-Encoding prefers is sent as it is, with
// `Vary: accept-encoding`; without one (or without a copy) the file itself.
import { statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import { UpdraftError } from '@updraft/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** packages/console/dist, beside this package in the workspace. */
export const defaultConsoleRoot = resolve(import.meta.dirname, '../../../../console/dist');

/** Prefixes that never fall back to the console. */
const reservedPaths = /^\/(api|docs|ota|device|openapi\.json|healthz)(\/|$)/;

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Updraft</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>Updraft</h1>
<p>The web console is not built yet. Build it with <code>npm run build:console</code>
(<code>npm start</code> does this by itself), then reload this page.</p>
<p>The API works meanwhile: <a href="/docs">API docs</a>.</p>
</body></html>
`;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function routeNotFound(request: FastifyRequest): UpdraftError {
  return new UpdraftError('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
}

export async function registerConsoleStatic(app: FastifyInstance, root = defaultConsoleRoot): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root, serve: false, suppressWarning: true, preCompressed: true });
    scope.get('/*', { schema: { hide: true } }, async (request: FastifyRequest, reply: FastifyReply) => {
      let path: string;
      try {
        path = decodeURIComponent(request.url.split('?')[0]!);
      } catch {
        throw routeNotFound(request);
      }
      if (reservedPaths.test(path)) throw routeNotFound(request);
      if (!isFile(resolve(root, 'index.html'))) {
        return reply
          .status(503)
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(notBuiltPage);
      }
      const relative = path.replace(/^\/+/, '');
      const file = resolve(root, relative);
      if (relative && file.startsWith(root + sep) && isFile(file)) {
        // Vite names the files under assets/ by their content hash, so they never change.
        const hashed = relative.startsWith('assets/');
        return reply.sendFile(relative, {
          maxAge: hashed ? 365 * 24 * 3600_000 : 0,
          immutable: hashed,
        });
      }
      // A missing asset is a 404, not the page: a browser would try to run HTML as a script.
      if (extname(relative)) throw routeNotFound(request);
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html', { cacheControl: false });
    });
  });
}
