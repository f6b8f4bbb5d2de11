// The Fastify application: error translation, authentication, OpenAPI, and one plugin per area.
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { type ErrorCode, hasRole, type Role, UpdraftError } from '@updraft/core';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Principal } from '../../modules/accounts/account-service.ts';
import type { LiveFeed } from '../../modules/live/live-feed.ts';
import type { Services } from '../../services.ts';
import type { BrokerAuth } from '../mqtt/broker-auth.ts';
import { auditChanges } from './audit-hook.ts';
import { registerBrokerAuthRoutes } from './broker-api/broker-auth-routes.ts';
import { registerConsoleStatic } from './console-static.ts';
import type { CursorCodec } from './cursor.ts';
import { registerDownloadRoutes } from './download-routes.ts';
import { endUserApiPrefix, registerEndUserRoutes } from './enduser-api/enduser-routes.ts';
import { httpStatusOf } from './error-status.ts';
import { translateFastifyError } from './fastify-errors.ts';
import type { HttpDialect } from './http-dialect.ts';
import { checkNumericInput, numericFieldsOf } from './numeric-input.ts';
import { type OperationsOptions, observeRequests, registerOperationsRoutes } from './operations-routes.ts';
import { type LoginLimits, type RouteContext, sessionCookie } from './route-context.ts';
import { registerAccountRoutes } from './routes/account-routes.ts';
import { registerAuditRoutes } from './routes/audit-routes.ts';
import { registerDeltaRoutes } from './routes/delta-routes.ts';
import { registerDeviceRoutes } from './routes/device-routes.ts';
import { registerDeviceUpgradeRoutes } from './routes/device-upgrade-routes.ts';
import { registerEndUserTokenRoutes } from './routes/enduser-token-routes.ts';
import { registerEventStreamRoutes } from './routes/event-stream-routes.ts';
import { registerFirmwareRoutes } from './routes/firmware-routes.ts';
import { registerGroupRoutes } from './routes/group-routes.ts';
import { registerModuleRoutes } from './routes/module-routes.ts';
import { registerPlanRoutes } from './routes/plan-routes.ts';
import { registerProductRoutes } from './routes/product-routes.ts';
import { registerReportRoutes } from './routes/report-routes.ts';
import { registerSigningRoutes } from './routes/signing-routes.ts';
import { registerWaveRoutes } from './routes/wave-routes.ts';
import { registerWebhookRoutes } from './routes/webhook-routes.ts';
import { ErrorBody } from './schemas.ts';
import { useSecurityHeaders } from './security-headers.ts';
import type { DownloadOptions } from './send-firmware.ts';

export interface HttpAppOptions {
  services: Services;
  cursors: CursorCodec;
  logLevel: string;
  secureCookies: boolean;
  bodyLimit?: number;
  /** How device downloads are served (X-Accel-Redirect behind nginx). */
  download?: DownloadOptions;
  /** The device dialects over HTTP (dialects/<name>/), each in plugins of its own. */
  dialects?: readonly HttpDialect[];
  /** Connection, header, request and keep-alive timeouts (issue 12); Node's defaults otherwise. */
  timeouts?: HttpTimeouts;
  /**
   * Peers whose X-Forwarded-For gives request.ip (the sign-in limit per address, the audit log,
   * the access log); absent or false: the socket's peer, whatever a client sends.
   */
  trustProxy?: boolean | readonly string[];
  /** Sign-in attempts allowed per account and per client address in a window. */
  loginLimits?: LoginLimits;
  /** What an external MQTT broker asks about devices; the token it must present, if any. */
  brokerAuth?: { auth: BrokerAuth; token: string };
  /** /healthz, /readyz, /metrics and the request counters behind the last. */
  operations: OperationsOptions;
  /** The changes GET /api/v1/events streams. */
  live: LiveFeed;
}

export interface HttpTimeouts {
  /** A socket with no traffic for this long is closed. */
  idleMs: number;
  /** The request's headers must be complete within this. */
  headersMs: number;
  /** The whole request, body included, must be received within this. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
}

const storageCodes = new Set<ErrorCode>(['STORAGE_FULL', 'STORAGE_READ_ONLY', 'STORAGE_UNAVAILABLE']);

/** A storage fault as a client sees it: the store and the fault, not the server's paths. */
function withoutPath(error: UpdraftError): UpdraftError {
  const { store, fault, problem } = error.details;
  const what = store === 'firmware' ? 'the firmware store' : 'the database';
  return new UpdraftError(error.code, `${what} ${String(problem)}; the server log names the path`, {
    store,
    fault,
  });
}

function sendError(reply: FastifyReply, error: UpdraftError): FastifyReply {
  return reply
    .status(httpStatusOf[error.code])
    .send({ code: error.code, message: error.message, details: error.details });
}

async function authenticate(request: FastifyRequest, services: Services): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const principal = await services.accounts.authenticateApiKey(header.slice(7).trim());
    if (!principal)
      throw new UpdraftError(
        'UNAUTHENTICATED',
        'the API key is unknown or revoked, or its owner is disabled',
      );
    return principal;
  }
  const token = request.cookies[sessionCookie];
  if (!token) return null;
  const principal = await services.accounts.authenticateSession(token);
  if (!principal) throw new UpdraftError('UNAUTHENTICATED', 'the session has expired; sign in again');
  // Double-submit protection: a cookie session must echo its CSRF token on every change.
  if (
    !['GET', 'HEAD', 'OPTIONS'].includes(request.method) &&
    request.headers['x-csrf-token'] !== principal.csrfToken
  ) {
    throw new UpdraftError('CSRF_TOKEN_INVALID', 'missing or wrong X-CSRF-Token header');
  }
  return principal;
}

/** Sets the request's principal and checks it may call a route that needs `required`. */
async function authorize(request: FastifyRequest, required: 'public' | Role, services: Services) {
  request.principal = await authenticate(request, services);
  if (required === 'public') return;
  if (!request.principal) throw new UpdraftError('UNAUTHENTICATED', 'sign in or send an API key');
  if (!hasRole(request.principal.role, required)) {
    throw new UpdraftError('FORBIDDEN', `this needs the ${required} role`, {
      required,
      role: request.principal.role,
    });
  }
}

export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logLevel === 'silent' ? false : { level: options.logLevel },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
    forceCloseConnections: true,
    trustProxy:
      typeof options.trustProxy === 'object' ? [...options.trustProxy] : (options.trustProxy ?? false),
    // A malformed URL or an overlong path segment, refused by the router itself, with a code.
    frameworkErrors: (error, _request, reply) => sendError(reply, translateFastifyError(error)),
    ...(options.timeouts && {
      connectionTimeout: options.timeouts.idleMs,
      requestTimeout: options.timeouts.requestMs,
      keepAliveTimeout: options.timeouts.keepAliveMs,
      http: {
        headersTimeout: options.timeouts.headersMs,
        // Node checks header and request deadlines this often (30 s by default).
        connectionsCheckingInterval: Math.min(1000, options.timeouts.headersMs),
      },
    }),
  });
  app.decorateRequest('principal', null);
  observeRequests(app, options.operations.metrics);
  app.addSchema(ErrorBody);
  await app.register(cookie);
  // Security headers on every answer (issue 12). The console and Swagger UI load only their own
  // scripts; Swagger UI sets inline styles and draws its icons from data: URLs. Nothing may frame
  // the console. No upgrade-insecure-requests: a plain-HTTP install on a LAN must keep working.
  useSecurityHeaders(app, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Devices and scripts on other origins fetch firmware and the API.
    crossOriginResourcePolicy: false,
  });
  // Limits are declared per route (sign-in, broker questions); 429 answers carry Retry-After.
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler',
    errorResponseBuilder: (_request, context) =>
      new UpdraftError('RATE_LIMITED', `too many requests; try again in ${context.after}`, {
        retryAfterSeconds: Math.ceil(context.ttl / 1000),
      }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Updraft management API',
        version: '1',
        description: 'Self-hosted OTA firmware updates. Every error body is {code, message, details}.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'API key: Authorization: Bearer upd_…' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: sessionCookie,
            description: 'Console session (send X-CSRF-Token on changes)',
          },
          endUserToken: {
            type: 'http',
            scheme: 'bearer',
            description:
              "End-user token of a device's owner (/enduserapi/v1 only): Authorization: Bearer eut_…",
          },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  // The online validator badge would load an image from another origin: off.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null, filter: true } });

  // Every management route must say who may call it; a route that forgets fails at start-up.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && route.config?.auth === undefined) {
      throw new Error(`route ${route.method} ${route.url} declares no auth`);
    }
    const querystring = numericFieldsOf(route.schema?.querystring);
    const params = numericFieldsOf(route.schema?.params);
    if (querystring.size > 0 || params.size > 0) {
      route.config = { ...route.config, numericInput: { querystring, params } };
    }
  });
  // The hooks every request passes are callbacks, not async functions: a route they have nothing
  // to do for (a device's, issue 21) then pays no promise and no microtask for each.
  app.addHook('preValidation', (request, _reply, done) => {
    const numeric = request.routeOptions.config.numericInput;
    if (numeric) {
      // A throw here reaches the error handler, as a rejection would.
      checkNumericInput('querystring', request.query, numeric.querystring);
      checkNumericInput('params', request.params, numeric.params);
    }
    done();
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const required = request.routeOptions.config.auth;
    if (required === undefined) return done();
    authorize(request, required, options.services).then(() => done(), done);
  });
  // After authentication: the audit hook reads the principal and asks GETs as the caller.
  auditChanges(app, options.services.audit);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    let translated = translateFastifyError(error);
    if (translated.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error');
    if (storageCodes.has(translated.code)) {
      // The log names the folder and the fix; the answer says which store and what is wrong.
      request.log.error({ storage: translated.details }, translated.message);
      translated = withoutPath(translated);
    }
    if (httpStatusOf[translated.code] === 413) reply.header('connection', 'close');
    const range = translated.details['contentRange'];
    if (typeof range === 'string') reply.header('content-range', range);
    return sendError(reply, translated);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new UpdraftError('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );

  const context: RouteContext = {
    services: options.services,
    cursors: options.cursors,
    secureCookies: options.secureCookies,
    loginLimits: options.loginLimits ?? { perAccount: 10, perAddress: 30, windowMs: 15 * 60_000 },
  };
  await app.register(
    async (api) => {
      await registerAccountRoutes(api, context);
      await registerProductRoutes(api, context);
      await registerModuleRoutes(api, context);
      await registerFirmwareRoutes(api, context);
      await registerDeltaRoutes(api, context);
      await registerDeviceRoutes(api, context);
      await registerGroupRoutes(api, context);
      await registerPlanRoutes(api, context);
      await registerWaveRoutes(api, context);
      await registerDeviceUpgradeRoutes(api, context);
      await registerReportRoutes(api, context);
      await registerWebhookRoutes(api, context);
      registerEndUserTokenRoutes(api, context);
      await registerAuditRoutes(api, context);
      await registerEventStreamRoutes(api, { feed: options.live });
      await registerSigningRoutes(api, context);
    },
    { prefix: '/api/v1' },
  );

  // The device owner's app authenticates with an end-user token: outside /api/v1 too.
  await app.register(async (owners) => registerEndUserRoutes(owners, options.services), {
    prefix: endUserApiPrefix,
  });

  // Device routes authenticate devices (each dialect its own way), not principals: outside /api/v1.
  for (const dialect of options.dialects ?? []) {
    for (const plugin of dialect.plugins) await app.register(plugin);
  }
  await app.register(async (downloads) =>
    registerDownloadRoutes(downloads, {
      access: options.services.deviceAccess,
      download: options.download ?? { accel: 'off', accelPrefix: '/_updraft_firmware/' },
    }),
  );

  // An external broker's questions about devices and topics: outside /api/v1 too.
  const brokerAuth = options.brokerAuth;
  if (brokerAuth) await app.register(async (broker) => registerBrokerAuthRoutes(broker, brokerAuth));

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerOperationsRoutes(app, options.operations);
  await registerConsoleStatic(app);
  return app;
}
