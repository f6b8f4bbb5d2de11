// Security headers on every answer (issue 12), worked out by helmet once at start and then set
// as they are on each request. @fastify/helmet built helmet's middleware anew on every request
// (parsing the CSP directives each time) behind two hooks, one of them async: the largest cost
// of a device check after the socket write and the database (issue 21, bench device-http).
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/** What helmet does to a response, in its order: a header set to a value, or removed (null). */
export type HeaderStep = readonly [name: string, value: string | null];

/** The steps helmet's middleware takes on every response with these options (none reads the request). */
export function securityHeaderSteps(options: HelmetOptions): HeaderStep[] {
  const steps: [string, string | null][] = [];
  const recorder = {
    setHeader: (name: string, value: string) => steps.push([name, String(value)]),
    removeHeader: (name: string) => steps.push([name, null]),
  };
  let finished = false;
  helmet(options)(undefined as never, recorder as never, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  // Every helmet middleware is synchronous; one that was not would leave headers unset here.
  if (!finished) throw new Error('helmet did not finish synchronously: its headers cannot be precomputed');
  return steps;
}

/** Sets the headers on every answer, at the start of each request (where @fastify/helmet did). */
export function useSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const steps = securityHeaderSteps(options);
  app.addHook('onRequest', (_request, reply, done) => {
    const res = reply.raw;
    for (const [name, value] of steps) {
      if (value === null) res.removeHeader(name);
      else res.setHeader(name, value);
    }
    done();
  });
}
