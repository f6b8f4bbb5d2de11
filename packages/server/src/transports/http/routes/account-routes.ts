// Sign-in, users and API keys.
import { type Static, Type } from '@sinclair/typebox';
import { roles, UpdraftError } from '@updraft/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey, User } from '../../../modules/accounts/account-store.ts';
import { type RouteContext, sessionCookie } from '../route-context.ts';
import { errorResponses, IdParams, iso, PageQuery, pageOf, Timestamp } from '../schemas.ts';

const RoleSchema = Type.Union(roles.map((r) => Type.Literal(r)));

const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: RoleSchema,
  disabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const ApiKeySchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'First characters of the key, to recognise it' }),
  role: RoleSchema,
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
const NewUserBody = Type.Object(
  { username: Type.String(), password: Type.String(), role: RoleSchema },
  { additionalProperties: false },
);
const UserPatchBody = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const NewKeyBody = Type.Object({ name: Type.String(), role: RoleSchema }, { additionalProperties: false });

const userView = (u: User) => ({ ...u, createdAt: iso(u.createdAt), updatedAt: iso(u.updatedAt) });
const keyView = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  role: k.role,
  createdAt: iso(k.createdAt),
  lastUsedAt: iso(k.lastUsedAt),
  revokedAt: iso(k.revokedAt),
});

export async function registerAccountRoutes(
  app: FastifyInstance,
  { services, cursors, secureCookies, loginLimits }: RouteContext,
) {
  const { accounts } = services;
  // Password guessing meets two limits (issue 12): per account, whoever asks, and per client
  // address, whichever account it tries. Every attempt counts, a success too.
  const limiters = [
    app.createRateLimit({
      max: loginLimits.perAddress,
      timeWindow: loginLimits.windowMs,
      keyGenerator: (request) => `login-address:${request.ip}`,
    }),
    app.createRateLimit({
      max: loginLimits.perAccount,
      timeWindow: loginLimits.windowMs,
      keyGenerator: (request) =>
        `login-account:${String((request.body as { username?: unknown } | undefined)?.username ?? '').toLowerCase()}`,
    }),
  ];
  const loginLimited = async (request: FastifyRequest, reply: FastifyReply) => {
    for (const limiter of limiters) {
      const result = await limiter(request);
      if (!result.isAllowed && result.isExceeded) {
        reply.header('retry-after', String(result.ttlInSeconds));
        throw new UpdraftError(
          'RATE_LIMITED',
          `too many sign-in attempts; try again in ${result.ttlInSeconds} s`,
          { retryAfterSeconds: result.ttlInSeconds },
        );
      }
    }
  };

  app.post(
    '/auth/login',
    {
      config: { auth: 'public' },
      preHandler: loginLimited,
      schema: {
        tags: ['accounts'],
        summary:
          'Sign in to the console: sets an HTTP-only session cookie and returns the CSRF token. Attempts are limited per account and per client address (429 with Retry-After).',
        security: [],
        body: LoginBody,
        response: {
          200: Type.Object({ user: UserSchema, csrfToken: Type.String(), expiresAt: Timestamp }),
          ...errorResponses(429),
        },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body as Static<typeof LoginBody>;
      const session = await accounts.login(username, password);
      reply.setCookie(sessionCookie, session.token, {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: secureCookies,
        expires: new Date(session.expiresAt),
      });
      return {
        user: userView(session.user),
        csrfToken: session.csrfToken,
        expiresAt: iso(session.expiresAt),
      };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { auth: 'public' },
      schema: { tags: ['accounts'], summary: 'Sign out', response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const token = request.cookies[sessionCookie];
      if (token) await accounts.logout(token);
      reply.clearCookie(sessionCookie, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/auth/me',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['accounts'],
        summary: 'Who is calling, with which role (and the CSRF token of a console session)',
        response: {
          200: Type.Object({
            kind: Type.Union([Type.Literal('user'), Type.Literal('api_key')]),
            id: Type.Integer(),
            name: Type.String(),
            role: RoleSchema,
            csrfToken: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => request.principal,
  );

  const UserQuery = Type.Object(
    {
      ...PageQuery,
      role: Type.Optional(RoleSchema),
      q: Type.Optional(Type.String({ maxLength: 64, description: 'Username contains' })),
      disabled: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  );
  app.get(
    '/users',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['accounts'],
        summary: 'List users',
        querystring: UserQuery,
        response: { 200: pageOf(UserSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query as Static<typeof UserQuery>;
      const page = await accounts.listUsers(filter, {
        after: cursors.decode('/users', cursor, filter),
        limit: limit ?? 50,
      });
      return { items: page.items.map(userView), nextCursor: cursors.encode('/users', page.next, filter) };
    },
  );

  app.post(
    '/users',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['accounts'],
        summary: 'Create a user',
        body: NewUserBody,
        response: { 201: UserSchema, ...errorResponses(409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(userView(await accounts.createUser(request.body as Static<typeof NewUserBody>))),
  );

  app.patch(
    '/users/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['accounts'],
        summary: 'Change a user’s role, disable or enable it, or set its password (ends its sessions)',
        params: IdParams,
        body: UserPatchBody,
        response: { 200: UserSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { id } = request.params as Static<typeof IdParams>;
      return userView(
        await accounts.updateUser(request.principal!, id, request.body as Static<typeof UserPatchBody>),
      );
    },
  );

  const KeyQuery = Type.Object(
    {
      ...PageQuery,
      role: Type.Optional(RoleSchema),
      revoked: Type.Optional(Type.Boolean({ description: 'true: revoked keys only; false: keys in use' })),
    },
    { additionalProperties: false },
  );
  app.get(
    '/api-keys',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['accounts'],
        summary: 'List API keys',
        querystring: KeyQuery,
        response: { 200: pageOf(ApiKeySchema), ...errorResponses() },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query as Static<typeof KeyQuery>;
      const page = await accounts.listApiKeys(filter, {
        after: cursors.decode('/api-keys', cursor, filter),
        limit: limit ?? 50,
      });
      return { items: page.items.map(keyView), nextCursor: cursors.encode('/api-keys', page.next, filter) };
    },
  );

  app.post(
    '/api-keys',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['accounts'],
        summary: 'Create an API key; its secret is shown only in this response',
        body: NewKeyBody,
        response: { 201: Type.Object({ key: ApiKeySchema, secret: Type.String() }), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const created = await accounts.createApiKey(
        request.principal,
        request.body as Static<typeof NewKeyBody>,
      );
      return reply.status(201).send({ key: keyView(created.key), secret: created.secret });
    },
  );

  app.delete(
    '/api-keys/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['accounts'],
        summary: 'Revoke an API key',
        params: IdParams,
        response: { 200: ApiKeySchema, ...errorResponses(404) },
      },
    },
    async (request) => keyView(await accounts.revokeApiKey((request.params as Static<typeof IdParams>).id)),
  );
}
