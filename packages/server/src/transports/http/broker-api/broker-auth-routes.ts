// HTTP endpoints an external MQTT broker calls to authenticate Updraft's devices and authorize
// their topics (docs/mqtt.md): EMQX 5's HTTP authentication and authorization, and
// mosquitto-go-auth's HTTP backend (JSON or form parameters; status or JSON response mode).
// They exist only with an external broker (UPDRAFT_MQTT_URL), which must send
// UPDRAFT_MQTT_AUTH_TOKEN (`Authorization: Bearer …`, or `?token=…` for mosquitto-go-auth, which
// sends no custom headers). Sign-in questions are limited per device name, so that the endpoints
// cannot be used to try secrets (issue 12).
import { timingSafeEqual } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Access, BrokerAuth } from '../../mqtt/broker-auth.ts';

export interface BrokerAuthRouteOptions {
  auth: BrokerAuth;
  /** Shared secret the broker presents. */
  token: string;
  /** Sign-in questions per device name per minute (a device reconnecting asks once each time). */
  signInsPerMinute?: number;
}

/** The EMQX placeholder to configure for a field. */
const emqx = (name: string) => `$${'{'}${name}}`;

const EmqxAuthnBody = Type.Object(
  {
    username: Type.String({ description: emqx('username') }),
    password: Type.String({ description: emqx('password') }),
    clientid: Type.Optional(Type.String({ description: emqx('clientid') })),
  },
  { additionalProperties: true },
);
const EmqxAuthzBody = Type.Object(
  {
    username: Type.String({ description: emqx('username') }),
    topic: Type.String({ description: emqx('topic') }),
    action: Type.String({ description: `${emqx('action')}: publish, subscribe (or all)` }),
    clientid: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const EmqxResult = Type.Object({
  result: Type.Union([Type.Literal('allow'), Type.Literal('deny'), Type.Literal('ignore')]),
  is_superuser: Type.Optional(Type.Boolean()),
});
const GoAuthUserBody = Type.Object(
  {
    username: Type.String(),
    password: Type.String(),
    clientid: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const GoAuthSuperuserBody = Type.Object({ username: Type.String() }, { additionalProperties: true });
const GoAuthAclBody = Type.Object(
  {
    username: Type.String(),
    topic: Type.String(),
    acc: Type.Integer({ description: '1 read, 2 write, 3 read and write, 4 subscribe' }),
    clientid: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const GoAuthResult = Type.Object({ ok: Type.Boolean(), error: Type.String() });

const tags = ['broker'];
const security: [] = [];

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function registerBrokerAuthRoutes(
  app: FastifyInstance,
  { auth, token, signInsPerMinute = 30 }: BrokerAuthRouteOptions,
): Promise<void> {
  // mosquitto-go-auth posts form parameters when `http_params_mode form` is set.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 8192 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  // go-auth sends acc as a number in JSON and as text in a form.
  app.addHook('preValidation', async (request) => {
    const body = request.body as Record<string, unknown> | undefined;
    if (body && typeof body['acc'] === 'string' && /^\d$/.test(body['acc']))
      body['acc'] = Number(body['acc']);
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const given = header?.startsWith('Bearer ')
      ? header.slice(7).trim()
      : ((request.query as Record<string, string | undefined>)['token'] ?? '');
    if (!sameText(given, token)) {
      request.log.warn('broker auth call without the right token');
      return reply.status(401).send({ result: 'ignore', ok: false, error: 'wrong or missing token' });
    }
  });

  // Per device name: a broker asks for many devices from one address, a guesser for one name.
  // A Quectel device has no username: its client id names it.
  const signInLimiter = app.createRateLimit({
    max: signInsPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      const body = request.body as { username?: unknown; clientid?: unknown } | undefined;
      return `broker-sign-in:${String(body?.username || body?.clientid || '')}`;
    },
  });
  const signInLimited = async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await signInLimiter(request);
    if (!result.isAllowed && result.isExceeded) {
      request.log.warn(
        { username: (request.body as { username?: unknown }).username },
        'broker sign-ins limited',
      );
      return reply
        .status(429)
        .header('retry-after', String(result.ttlInSeconds))
        .send({ result: 'deny', ok: false, error: 'too many sign-in attempts for this device' });
    }
  };

  const refusal = (reply: FastifyReply, error: string) => reply.status(403).send({ ok: false, error });

  app.post<{ Body: Static<typeof EmqxAuthnBody> }>(
    '/broker/v1/emqx/authenticate',
    {
      preHandler: signInLimited,
      schema: {
        tags,
        security,
        summary: 'EMQX 5 HTTP authentication',
        description:
          'Devices sign in with `{productKey}.{deviceName}` and their secret, Quectel devices with the client id `qd{productKey}{deviceName}`, no username and their signed password or secret; Updraft itself with the credentials of UPDRAFT_MQTT_URL (superuser). Other usernames are `ignore`d, so later authenticators in the chain decide.',
        body: EmqxAuthnBody,
        response: { 200: EmqxResult },
      },
    },
    async (request) => {
      const { username, password, clientid } = request.body;
      const outcome = await auth.signIn({ username, clientId: clientid }, password);
      if (outcome === 'not_mine') return { result: 'ignore' };
      if (outcome === 'refused') return { result: 'deny' };
      return { result: 'allow', is_superuser: outcome === 'service' };
    },
  );

  app.post<{ Body: Static<typeof EmqxAuthzBody> }>(
    '/broker/v1/emqx/authorize',
    {
      schema: {
        tags,
        security,
        summary: 'EMQX 5 HTTP authorization',
        description:
          'A device may subscribe to `ota/device/inform/{username}` and publish `ota/up/{username}/inform|progress` (and the ThingsPanel topics `ota/device/inform|progress`, which a topic rewrite turns into the former); as a ThingsPanel v1 device it may subscribe to `ota/devices/inform/{username}` and `ota/devices/infrom/{username}` and publish `ota/devices/progress/{username}` (and `ota/devices/progress`, rewritten so); a Quectel device (client id `qd…`) may subscribe to `q/1/d/{clientId}/+` and publish `q/2/d/{clientId}/ota|bus|sys`.',
        body: EmqxAuthzBody,
        response: { 200: EmqxResult },
      },
    },
    async (request) => {
      const { username, topic, action, clientid } = request.body;
      const accesses: Access[] =
        action === 'publish'
          ? ['publish']
          : action === 'subscribe'
            ? ['subscribe']
            : ['publish', 'subscribe'];
      const answers = accesses.map((access) =>
        auth.authorize({ username, clientId: clientid }, topic, access),
      );
      if (answers.includes(null)) return { result: 'ignore' };
      return { result: answers.every((a) => a === true) ? 'allow' : 'deny' };
    },
  );

  const goAuthResponses = { 200: GoAuthResult, 403: GoAuthResult };
  app.post<{ Body: Static<typeof GoAuthUserBody> }>(
    '/broker/v1/go-auth/user',
    {
      preHandler: signInLimited,
      schema: {
        tags,
        security,
        summary: 'mosquitto-go-auth HTTP backend: http_getuser_uri',
        description: '200 `{ok:true}` signs the client in; 403 refuses it.',
        body: GoAuthUserBody,
        response: goAuthResponses,
      },
    },
    async (request, reply) => {
      const { username, password, clientid } = request.body;
      const outcome = await auth.signIn({ username, clientId: clientid }, password);
      if (outcome === 'device' || outcome === 'service') return { ok: true, error: '' };
      return refusal(reply, outcome === 'refused' ? 'bad username or password' : 'not an Updraft device');
    },
  );

  app.post<{ Body: Static<typeof GoAuthSuperuserBody> }>(
    '/broker/v1/go-auth/superuser',
    {
      schema: {
        tags,
        security,
        summary: 'mosquitto-go-auth HTTP backend: http_superuser_uri',
        description: 'Only Updraft itself (the username of UPDRAFT_MQTT_URL) is a superuser.',
        body: GoAuthSuperuserBody,
        response: goAuthResponses,
      },
    },
    async (request, reply) =>
      auth.isSuperuser(request.body.username) ? { ok: true, error: '' } : refusal(reply, 'not a superuser'),
  );

  app.post<{ Body: Static<typeof GoAuthAclBody> }>(
    '/broker/v1/go-auth/acl',
    {
      schema: {
        tags,
        security,
        summary: 'mosquitto-go-auth HTTP backend: http_aclcheck_uri',
        description:
          "acc 1 (read) and 4 (subscribe) are allowed on the device's push topic; 2 (write) on its uplinks; 3 needs both.",
        body: GoAuthAclBody,
        response: goAuthResponses,
      },
    },
    async (request, reply) => {
      const { username, topic, acc, clientid } = request.body;
      const accesses: Access[] =
        acc === 2
          ? ['publish']
          : acc === 3
            ? ['publish', 'subscribe']
            : acc === 1 || acc === 4
              ? ['subscribe']
              : [];
      if (accesses.length === 0) return refusal(reply, `unknown acc ${acc}`);
      const allowed = accesses.every(
        (access) => auth.authorize({ username, clientId: clientid }, topic, access) === true,
      );
      return allowed ? { ok: true, error: '' } : refusal(reply, `${username} may not use ${topic}`);
    },
  );
}
