// Every management change is audited here, once for all routes (ADR 0017): a POST, PUT, PATCH or
// DELETE under /api/ answered 2xx writes one audit entry before its answer leaves (the answer
// waits for the entry). Before a PUT, PATCH or DELETE the entity's own GET (same path) is asked,
// as the caller, for the state before; the answer is the state after. Both are kept when small,
// secrets redacted. Who comes from the principal (the username for a sign-in).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { changeTargetOf, maxStateChars, smallState } from '../../modules/audit/audit-change.ts';
import type { AuditService } from '../../modules/audit/audit-service.ts';

const changes = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function isAudited(request: FastifyRequest): boolean {
  // The method first: Fastify builds request.routeOptions anew on every read, and a GET (every
  // device check and download, issue 21) is never audited.
  if (!changes.has(request.method)) return false;
  const { url, config } = request.routeOptions;
  return url?.startsWith('/api/') === true && config.audit !== false;
}

function actorOf(request: FastifyRequest): { actor: string; role: string | null } {
  const p = request.principal;
  if (p) return { actor: `${p.kind === 'user' ? 'user' : 'key'}:${p.name}`, role: p.role };
  const username = (request.body as { username?: unknown } | undefined)?.username;
  return { actor: typeof username === 'string' ? `user:${username}` : 'anonymous', role: null };
}

export function auditChanges(app: FastifyInstance, audit: AuditService): void {
  app.decorateRequest('auditBefore', null);
  // Callbacks that return at once for what is not audited (every device request, issue 21): no
  // promise per request; the work is async only for the changes it audits.
  app.addHook('preHandler', (request, _reply, done) => {
    if (!isAudited(request) || request.method === 'POST' || !request.principal) return done();
    readBefore(request).then(() => done(), done);
  });
  async function readBefore(request: FastifyRequest): Promise<void> {
    const route = request.routeOptions.url!;
    if (!app.hasRoute({ method: 'GET', url: route })) return;
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'cookie'] as const) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const before = await app.inject({ method: 'GET', url: request.url.split('?')[0]!, headers });
    if (before.statusCode !== 200 || before.body.length > maxStateChars * 4) return;
    try {
      request.auditBefore = smallState(JSON.parse(before.body));
    } catch {
      // Not JSON (an export): no before state.
    }
  }
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!isAudited(request) || reply.statusCode < 200 || reply.statusCode >= 300) return done(null, payload);
    record(request, reply, payload).then(() => done(null, payload), done);
  });
  async function record(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
    let answer: unknown = null;
    if (typeof payload === 'string' && payload.length <= maxStateChars * 4) {
      try {
        answer = JSON.parse(payload);
      } catch {
        // Not JSON: no after state.
      }
    }
    const route = request.routeOptions.url!;
    const target = changeTargetOf(
      request.method,
      route,
      (request.params ?? {}) as Record<string, unknown>,
      answer,
    );
    try {
      await audit.record({
        ...actorOf(request),
        address: request.ip,
        method: request.method,
        route,
        path: request.url.split('?')[0]!,
        ...target,
        status: reply.statusCode,
        before: request.auditBefore ?? null,
        after: smallState(answer),
      });
    } catch (error) {
      // The change is made; a lost entry is logged rather than turned into a failure.
      request.log.error({ err: error, route }, 'audit entry not written');
    }
  }
}
