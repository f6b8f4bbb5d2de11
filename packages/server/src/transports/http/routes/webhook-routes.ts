// Webhook subscriptions (admin: they carry a secret and send data out) and their delivery log.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Delivery, Webhook } from '../../../modules/webhooks/webhook-store.ts';
import { webhookEventTypes } from '../../../modules/webhooks/webhook-store.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses, IdParams, iso, PageQuery, pageOf, Timestamp } from '../schemas.ts';

const EventType = Type.Union(webhookEventTypes.map((t) => Type.Literal(t)));
const WebhookSchema = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  eventTypes: Type.Array(EventType),
  enabled: Type.Boolean(),
  description: Type.String(),
  createdBy: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const CreatedWebhook = Type.Intersect([
  WebhookSchema,
  Type.Object({ secret: Type.String({ description: 'HMAC key; shown only here' }) }),
]);
const DeliverySchema = Type.Object({
  id: Type.Integer(),
  eventType: EventType,
  payload: Type.String({ description: 'The JSON body as sent' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  nextAttemptAt: Timestamp,
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  deliveredAt: Type.Union([Timestamp, Type.Null()]),
});
const NewWebhook = Type.Object(
  {
    url: Type.String({ maxLength: 2000, description: 'http or https URL that receives POSTs' }),
    eventTypes: Type.Array(EventType, { minItems: 1 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    secret: Type.Optional(
      Type.String({ minLength: 16, maxLength: 200, description: 'Generated when absent' }),
    ),
  },
  { additionalProperties: false },
);
const WebhookPatch = Type.Object(
  {
    url: Type.Optional(Type.String({ maxLength: 2000 })),
    eventTypes: Type.Optional(Type.Array(EventType, { minItems: 1 })),
    enabled: Type.Optional(Type.Boolean()),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const PageOnly = Type.Object(PageQuery, { additionalProperties: false });

const webhookView = ({ secret: _secret, ...w }: Webhook) => ({
  ...w,
  createdAt: iso(w.createdAt)!,
  updatedAt: iso(w.updatedAt)!,
});
const deliveryView = (d: Delivery) => ({
  ...d,
  nextAttemptAt: iso(d.nextAttemptAt)!,
  createdAt: iso(d.createdAt)!,
  deliveredAt: iso(d.deliveredAt),
});
const idOf = (request: FastifyRequest) => (request.params as Static<typeof IdParams>).id;

export async function registerWebhookRoutes(app: FastifyInstance, { services, cursors }: RouteContext) {
  const { webhooks } = services;
  const tags = ['webhooks'];
  const description =
    'Each delivery is a POST of a JSON body with X-Updraft-Event, X-Updraft-Delivery, X-Updraft-Timestamp and ' +
    'X-Updraft-Signature: sha256=HMAC-SHA256(secret, "<timestamp>.<body>") in hex. Failed deliveries are retried ' +
    'with exponential backoff (10 s doubling, at most 1 h, 8 attempts); a delivery may arrive twice.';

  app.get(
    '/webhooks',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'List webhook subscriptions',
        querystring: PageOnly,
        response: { 200: pageOf(WebhookSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query as Static<typeof PageOnly>;
      const page = await webhooks.list({
        after: cursors.decode('/webhooks', cursor, {}),
        limit: limit ?? 50,
      });
      return { items: page.items.map(webhookView), nextCursor: cursors.encode('/webhooks', page.next, {}) };
    },
  );

  app.post(
    '/webhooks',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Subscribe a URL to plan and device-upgrade transitions',
        description,
        body: NewWebhook,
        response: { 201: CreatedWebhook, ...errorResponses() },
      },
    },
    async (request, reply) => {
      const p = request.principal!;
      const webhook = await webhooks.create(request.body as Static<typeof NewWebhook>, `${p.kind}:${p.name}`);
      return reply.status(201).send({ ...webhookView(webhook), secret: webhook.secret });
    },
  );

  app.get(
    '/webhooks/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Get a webhook subscription',
        params: IdParams,
        response: { 200: WebhookSchema, ...errorResponses(404) },
      },
    },
    async (request) => webhookView(await webhooks.get(idOf(request))),
  );

  app.patch(
    '/webhooks/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Change or disable a webhook subscription',
        params: IdParams,
        body: WebhookPatch,
        response: { 200: WebhookSchema, ...errorResponses(404) },
      },
    },
    async (request) =>
      webhookView(await webhooks.update(idOf(request), request.body as Static<typeof WebhookPatch>)),
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Delete a webhook subscription and its log',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await webhooks.remove(idOf(request));
      return reply.status(204).send();
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'The delivery log of a webhook',
        params: IdParams,
        querystring: PageOnly,
        response: { 200: pageOf(DeliverySchema), ...errorResponses(404) },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query as Static<typeof PageOnly>;
      const keyed = { webhook: idOf(request) };
      const page = await webhooks.deliveries(idOf(request), {
        after: cursors.decode('/webhooks/:id/deliveries', cursor, keyed),
        limit: limit ?? 50,
      });
      return {
        items: page.items.map(deliveryView),
        nextCursor: cursors.encode('/webhooks/:id/deliveries', page.next, keyed),
      };
    },
  );
}
