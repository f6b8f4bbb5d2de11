// What load balancers, orchestrators and Prometheus ask, outside /api/v1 and without a
// principal: GET /healthz (the process answers), GET /readyz (its dependencies answer) and
// GET /metrics (Prometheus text, only when UPDRAFT_METRICS_TOKEN is set, and only with it).
import { timingSafeEqual } from 'node:crypto';
import { UpdraftError } from '@updraft/core';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../modules/operations/metrics.ts';
import type { Readiness } from '../../modules/operations/readiness.ts';

export interface OperationsOptions {
  metrics: Metrics;
  /** null: GET /metrics is not served. */
  metricsToken: string | null;
  readiness: Readiness;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Counts every answer by the route's pattern (not its URL: ids would explode the label set). */
export function observeRequests(app: FastifyInstance, metrics: Metrics): void {
  // A callback, not an async function: no promise per request (issue 21).
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}

export async function registerOperationsRoutes(app: FastifyInstance, options: OperationsOptions) {
  const hide = { schema: { hide: true } };
  app.get('/healthz', hide, async () => ({ ok: true }));
  app.get('/readyz', hide, async () => ({ ready: true, checks: await options.readiness.check() }));
  const token = options.metricsToken;
  app.get('/metrics', hide, async (request, reply) => {
    // Off: answered here, or the console's page fallback would take the path.
    if (token === null) {
      throw new UpdraftError(
        'ROUTE_NOT_FOUND',
        'GET /metrics is off: set UPDRAFT_METRICS_TOKEN to turn it on',
      );
    }
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ') || !sameToken(header.slice(7).trim(), token)) {
      throw new UpdraftError(
        'UNAUTHENTICATED',
        'GET /metrics needs Authorization: Bearer <UPDRAFT_METRICS_TOKEN>',
      );
    }
    const { contentType, body } = await options.metrics.render();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}
