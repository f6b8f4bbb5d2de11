// The Fastify application: error translation, authentication, OpenAPI, and one plugin per area.
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { hasRole, isUpdraftError, type Role, UpdraftError } from '@updraft/core';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Principal } from '../../modules/accounts/account-service.ts';
import type { Services } from '../../services.ts';
import type { BrokerAuth } from '../mqtt/broker-auth.ts';
import { registerBrokerAuthRoutes } from './broker-api/broker-auth-routes.ts';
import { registerConsoleStatic } from './console-static.ts';
import type { CursorCodec } from './cursor.ts';
import { registerDeviceApiRoutes } from './device-api/device-api-routes.ts';
import { registerDeviceConfirmationRoutes } from './device-api/device-confirmation-routes.ts';
import type { DownloadOptions } from './device-api/send-firmware.ts';
import { httpStatusOf } from './error-status.ts';
import { registerAccountRoutes } from './routes/account-routes.ts';
import { registerDeltaRoutes } from './routes/delta-routes.ts';
import { registerDeviceRoutes } from './routes/device-routes.ts';
import { registerDeviceUpgradeRoutes } from './routes/device-upgrade-routes.ts';
import { registerFirmwareRoutes } from './routes/firmware-routes.ts';
import { registerGroupRoutes } from './routes/group-routes.ts';
import { registerPlanRoutes } from './routes/plan-routes.ts';
import { registerProductRoutes } from './routes/product-routes.ts';
import { registerReportRoutes } from './routes/report-routes.ts';
import { registerWebhookRoutes } from './routes/webhook-routes.ts';
import { ErrorBody } from './schemas.ts';

export const sessionCookie = 'updraft_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** 'public' needs no sign-in; a role is the least a caller must have. */
    auth?: 'public' | Role;
  }
}

export interface HttpAppOptions {
  services: Services;
  cursors: CursorCodec;
  logLevel: string;
  secureCookies: boolean;
  bodyLimit?: number;
  /** How device downloads are served (X-Accel-Redirect behind nginx). */
  download?: DownloadOptions;
  /** What an external MQTT broker asks about devices; the token it must present, if any. */
  brokerAuth?: { auth: BrokerAuth; token: string | null };
}

export interface RouteContext {
  services: Services;
  cursors: CursorCodec;
  secureCookies: boolean;
}

function sendError(reply: FastifyReply, error: UpdraftError): FastifyReply {
  return reply
    .status(httpStatusOf[error.code])
    .send({ code: error.code, message: error.message, details: error.details });
}

/** Translates Fastify's and plugins' own errors into the catalogue. */
function translate(error: FastifyError): UpdraftError {
  if (error.validation) {
    const first = error.validation[0];
    const field = first?.instancePath?.replace(/^\//, '').replace(/\//g, '.') || undefined;
    if (first?.keyword === 'additionalProperties') {
      const extra = (first.params as { additionalProperty?: string }).additionalProperty;
      return new UpdraftError('UNKNOWN_FIELD', `unknown field ${extra} in ${error.validationContext}`, {
        field: extra,
        in: error.validationContext,
      });
    }
    return new UpdraftError(
      'VALIDATION_FAILED',
      `${error.validationContext}${field ? `.${field}` : ''} ${first?.message}`,
      {
        in: error.validationContext,
        ...(field && { field }),
        errors: error.validation.map((v) => ({ path: v.instancePath, message: v.message })),
      },
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new UpdraftError('PAYLOAD_TOO_LARGE', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UpdraftError('UNSUPPORTED_MEDIA_TYPE', error.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new UpdraftError('VALIDATION_FAILED', 'the body is not valid JSON');
    case 'FST_REQ_FILE_TOO_LARGE':
      return new UpdraftError('FIRMWARE_FILE_TOO_LARGE', 'a file is larger than the limit');
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new UpdraftError('FIRMWARE_TOO_MANY_FILES', 'too many files in the upload');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new UpdraftError('UNSUPPORTED_MEDIA_TYPE', 'the request is not multipart/form-data');
  }
  if (error.statusCode === 400 || (error instanceof SyntaxError && error.statusCode === undefined)) {
    return new UpdraftError('VALIDATION_FAILED', error.message);
  }
  return new UpdraftError('INTERNAL', 'internal error; see the server log');
}

async function authenticate(request: FastifyRequest, services: Services): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const principal = await services.accounts.authenticateApiKey(header.slice(7).trim());
    if (!principal) throw new UpdraftError('UNAUTHENTICATED', 'the API key is unknown or revoked');
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

export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logLevel === 'silent' ? false : { level: options.logLevel },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
    forceCloseConnections: true,
  });
  app.decorateRequest('principal', null);
  app.addSchema(ErrorBody);
  await app.register(cookie);
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
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // Every management route must say who may call it; a route that forgets fails at start-up.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && route.config?.auth === undefined) {
      throw new Error(`route ${route.method} ${route.url} declares no auth`);
    }
  });
  app.addHook('preHandler', async (request) => {
    const required = request.routeOptions.config.auth;
    if (required === undefined) return;
    request.principal = await authenticate(request, options.services);
    if (required === 'public') return;
    if (!request.principal) throw new UpdraftError('UNAUTHENTICATED', 'sign in or send an API key');
    if (!hasRole(request.principal.role, required)) {
      throw new UpdraftError('FORBIDDEN', `this needs the ${required} role`, {
        required,
        role: request.principal.role,
      });
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const translated = isUpdraftError(error) ? error : translate(error);
    if (translated.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error');
    if (httpStatusOf[translated.code] === 413) reply.header('connection', 'close');
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
  };
  await app.register(
    async (api) => {
      await registerAccountRoutes(api, context);
      await registerProductRoutes(api, context);
      await registerFirmwareRoutes(api, context);
      await registerDeltaRoutes(api, context);
      await registerDeviceRoutes(api, context);
      await registerGroupRoutes(api, context);
      await registerPlanRoutes(api, context);
      await registerDeviceUpgradeRoutes(api, context);
      await registerReportRoutes(api, context);
      await registerWebhookRoutes(api, context);
    },
    { prefix: '/api/v1' },
  );

  // Device routes authenticate devices (OneNET tokens), not principals: outside /api/v1.
  await app.register(async (devices) =>
    registerDeviceApiRoutes(devices, {
      access: options.services.deviceAccess,
      ...(options.download ?? { accel: 'off', accelPrefix: '/_updraft_firmware/' }),
    }),
  );
  await app.register(async (devices) => registerDeviceConfirmationRoutes(devices, options.services));

  // An external broker's questions about devices and topics: outside /api/v1 too.
  const brokerAuth = options.brokerAuth;
  if (brokerAuth) await app.register(async (broker) => registerBrokerAuthRoutes(broker, brokerAuth));

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  await registerConsoleStatic(app);
  return app;
}
