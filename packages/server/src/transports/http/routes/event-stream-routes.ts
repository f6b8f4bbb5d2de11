// GET /api/v1/events: plan, device-upgrade and delta-job changes as server-sent events (the
// WHATWG HTML "Server-sent events" format), authenticated like every API call (session cookie or
// API key), resumable with Last-Event-ID (the header a browser sends when it reconnects, or the
// lastEventId query for the first connection). Each event is a hint; the console fetches the rest.
import { type Static, Type } from '@sinclair/typebox';
import { UpdraftError } from '@updraft/core';
import type { FastifyInstance } from 'fastify';
import type { LiveEvent, LiveEventKind } from '../../../modules/live/live-event-store.ts';
import type { LiveFeed } from '../../../modules/live/live-feed.ts';
import { errorResponses } from '../schemas.ts';

const kinds = ['plan', 'device_upgrade', 'delta_job'] as const satisfies readonly LiveEventKind[];

const EventQuery = Type.Object(
  {
    planId: Type.Optional(Type.Integer({ minimum: 1, description: 'Only the events of this plan' })),
    kinds: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'Comma-separated: plan, device_upgrade, delta_job (all by default)',
      }),
    ),
    lastEventId: Type.Optional(
      Type.String({
        maxLength: 20,
        description: 'Resume after this event id (the Last-Event-ID header wins)',
      }),
    ),
  },
  { additionalProperties: false },
);

const heartbeatMs = 15_000;

function eventIdOf(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,15}$/.test(text)) {
    throw new UpdraftError('VALIDATION_FAILED', 'Last-Event-ID must be an event id', {
      field: 'lastEventId',
    });
  }
  return Number(text);
}

export async function registerEventStreamRoutes(app: FastifyInstance, { feed }: { feed: LiveFeed }) {
  app.get(
    '/events',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['events'],
        summary: 'Plan, device-upgrade and delta-job changes as server-sent events',
        description:
          'text/event-stream. Each event has an id, a type (plan, device_upgrade, delta_job) and JSON data naming what changed ({planId, from, to, action}; {planId, upgradeIds, count}; {jobId, status, progress}). The first event, ready, carries the latest id. Reconnect with Last-Event-ID to get what was missed; an event reset says some of it is gone (older than an hour): reload everything. A comment line every 15 s keeps proxies from closing the stream.',
        querystring: EventQuery,
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'text/event-stream' }), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const query = request.query as Static<typeof EventQuery>;
      const header = request.headers['last-event-id'];
      const after = eventIdOf(typeof header === 'string' ? header : query.lastEventId);
      const wanted = new Set(query.kinds ? query.kinds.split(',').map((k) => k.trim()) : kinds);
      for (const kind of wanted) {
        if (!(kinds as readonly string[]).includes(kind)) {
          throw new UpdraftError('VALIDATION_FAILED', `unknown event kind ${kind}`, { field: 'kinds' });
        }
      }
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        // nginx would otherwise hold events back in its buffer (docs/nginx.md).
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 2000\n\n');
      const send = (event: LiveEvent) => {
        if (!wanted.has(event.kind)) return;
        if (query.planId !== undefined && event.planId !== query.planId) return;
        raw.write(`id: ${event.id}\nevent: ${event.kind}\ndata: ${JSON.stringify(event.data)}\n\n`);
      };
      let subscription: Awaited<ReturnType<LiveFeed['subscribe']>> | undefined;
      let closed = false;
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), heartbeatMs);
      raw.on('close', () => {
        closed = true;
        clearInterval(heartbeat);
        subscription?.unsubscribe();
      });
      try {
        subscription = await feed.subscribe(send, after);
      } catch (error) {
        request.log.error({ err: error }, 'event stream could not start');
        raw.end();
        return;
      }
      if (closed) {
        subscription.unsubscribe();
        return;
      }
      if (subscription.reset) raw.write('event: reset\ndata: {}\n\n');
      const ready = JSON.stringify({ latestId: subscription.latestId });
      raw.write(
        `${after === undefined ? `id: ${subscription.latestId}\n` : ''}event: ready\ndata: ${ready}\n\n`,
      );
    },
  );
}
