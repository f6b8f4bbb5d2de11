// End-user tokens (docs/enduser-api.md): an operator, or the integrator's backend with an API
// key, issues one for the devices of one owner; the owner's app presents it to /enduserapi/v1.
// The token is shown once, at issue; it is stored as its SHA-256 and can be revoked at once.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EndUserToken } from '../../../modules/end-users/enduser-store.ts';
import { endUserTokenLimits } from '../../../modules/end-users/enduser-tokens.ts';
import { actor, type RouteContext } from '../route-context.ts';
import { errorResponses, IdParams, iso, PageQuery, pageOf, Timestamp } from '../schemas.ts';

const { ttlSeconds, devices, label } = endUserTokenLimits;
const TokenSchema = Type.Object({
  id: Type.Integer(),
  label: Type.String(),
  deviceIds: Type.Array(Type.Integer(), { description: 'The only devices the token reaches' }),
  createdBy: Type.String(),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  revokedAt: Type.Union([Timestamp, Type.Null()]),
  active: Type.Boolean({ description: 'Neither expired nor revoked' }),
});
const IssuedToken = Type.Intersect([
  TokenSchema,
  Type.Object({ token: Type.String({ description: 'eut_…: the bearer token; shown only here' }) }),
]);
const NewToken = Type.Object(
  {
    deviceIds: Type.Array(Type.Integer({ minimum: 1 }), {
      minItems: 1,
      maxItems: devices,
      description: "The owner's devices; the token reaches these and no other",
    }),
    label: Type.Optional(Type.String({ maxLength: label, description: 'Whose token it is, for the list' })),
    ttlSeconds: Type.Optional(
      Type.Integer({
        minimum: ttlSeconds.min,
        maximum: ttlSeconds.max,
        description: `Lifetime, ${ttlSeconds.min} s to ${ttlSeconds.max} s (7 days); ${ttlSeconds.default} by default`,
      }),
    ),
  },
  { additionalProperties: false },
);
const PageOnly = Type.Object(PageQuery, { additionalProperties: false });
const idOf = (request: FastifyRequest) => (request.params as Static<typeof IdParams>).id;

export function registerEndUserTokenRoutes(app: FastifyInstance, { services, cursors }: RouteContext) {
  const tokens = services.endUsers.tokens;
  const tags = ['end-user tokens'];
  const view = (t: EndUserToken) => ({
    ...t,
    createdAt: iso(t.createdAt)!,
    expiresAt: iso(t.expiresAt)!,
    revokedAt: iso(t.revokedAt),
    active: tokens.isActive(t),
  });

  app.post(
    '/enduser-tokens',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: "Issue an end-user token for an owner's devices",
        description:
          "The owner's app calls /enduserapi/v1 with Authorization: Bearer eut_… (docs/enduser-api.md). Unknown devices are NOT_FOUND.",
        body: NewToken,
        response: { 201: IssuedToken, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const { token, record } = await tokens.issue(request.body as Static<typeof NewToken>, actor(request));
      return reply.status(201).send({ ...view(record), token });
    },
  );

  app.get(
    '/enduser-tokens',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'List end-user tokens (never the tokens themselves)',
        querystring: PageOnly,
        response: { 200: pageOf(TokenSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query as Static<typeof PageOnly>;
      const page = await tokens.list({
        after: cursors.decode('/enduser-tokens', cursor, {}),
        limit: limit ?? 50,
      });
      return { items: page.items.map(view), nextCursor: cursors.encode('/enduser-tokens', page.next, {}) };
    },
  );

  app.get(
    '/enduser-tokens/:id',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'One end-user token',
        params: IdParams,
        response: { 200: TokenSchema, ...errorResponses(404) },
      },
    },
    async (request) => view(await tokens.get(idOf(request))),
  );

  app.delete(
    '/enduser-tokens/:id',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Revoke an end-user token: its next call answers ENDUSER_TOKEN_INVALID',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await tokens.revoke(idOf(request));
      return reply.status(204).send();
    },
  );
}
