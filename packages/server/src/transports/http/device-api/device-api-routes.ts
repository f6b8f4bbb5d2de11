// The device HTTP API: OneNET's southbound OTA contract (protocols.md §2) in both path
// dialects, D1 `/ota/…` and D2 `/ota/south/…`, plus a neutral `/device/v1/download/{token}`
// that follows RFC 7233 strictly. Devices authenticate with OneNET's Authorization token
// (docs/device-http.md); management principals play no part here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AccessDevice,
  type DeviceAccessService,
  isProductCaller,
  type Offer,
} from '../../../modules/device-access/device-access-service.ts';
import {
  authErrno,
  badParams,
  type Errno,
  foreignDeviceErrno,
  internalError,
  noOfferErrno,
  type OneNetDialect,
  type OneNetEndpoint,
  problemErrno,
  succ,
} from './onenet-errno.ts';
import { type DownloadOptions, sendFirmware, sendOneNetDownloadError } from './send-firmware.ts';

export interface DeviceApiOptions extends DownloadOptions {
  access: DeviceAccessService;
}

type Query = Record<string, string | undefined>;

/** protocols.md §2.4 (1): `[a-zA-Z0-9_\-.]{1,20}`. */
const versionPattern = /^[A-Za-z0-9_.-]{1,20}$/;
const bodyLimit = 4096;

function envelope(reply: FastifyReply, errno: Errno, data?: object): FastifyReply {
  return reply.status(200).send(data === undefined ? errno : { ...errno, data });
}

function intParam(value: string | undefined): number | undefined | null {
  if (value === undefined || value === '') return undefined;
  return /^-?\d{1,6}$/.test(value) ? Number(value) : null;
}

export async function registerDeviceApiRoutes(
  app: FastifyInstance,
  options: DeviceApiOptions,
): Promise<void> {
  const { access } = options;

  // Device errors are OneNET envelopes, never the management API's error body, and never a 500.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if ((error.statusCode ?? 500) >= 500) {
      request.log.error({ err: error }, 'device API error');
      return envelope(reply, internalError);
    }
    if (error.statusCode === 413) reply.header('connection', 'close');
    return envelope(reply, badParams(error.message));
  });

  /** Authenticates the caller and resolves `dev_id` to it or one of its sub-devices. */
  async function deviceOf(
    request: FastifyRequest,
    reply: FastifyReply,
    endpoint: OneNetEndpoint,
    dialect: OneNetDialect,
  ): Promise<AccessDevice | null> {
    const caller = await access.authenticate(request.headers.authorization);
    if ('problem' in caller) {
      envelope(reply, authErrno(caller.problem));
      return null;
    }
    const devId = (request.query as Query)['dev_id'];
    if (devId === undefined || devId === '') {
      if (!isProductCaller(caller)) return caller;
      envelope(reply, badParams('dev_id is required with a product key'));
      return null;
    }
    if (!/^\d{1,15}$/.test(devId)) {
      envelope(reply, badParams('dev_id'));
      return null;
    }
    const device = await access.actingFor(caller, Number(devId));
    if (!device) {
      envelope(reply, foreignDeviceErrno(endpoint, dialect));
      return null;
    }
    return device;
  }

  /**
   * `?module=` when given, else OneNET's `type` picks it as the version report does: 2 (SOTA,
   * the MCU application) is the module `sota`, 1 (FOTA) or none the `default` module.
   */
  function moduleOf(query: Query, type?: string): string {
    if (query['module'] && /^[A-Za-z0-9_.-]{1,64}$/.test(query['module'])) return query['module'];
    return type === '2' ? 'sota' : 'default';
  }

  const check = (dialect: OneNetDialect) => async (request: FastifyRequest, reply: FastifyReply) => {
    const device = await deviceOf(request, reply, 'check', dialect);
    if (!device) return reply;
    const query = request.query as Query;
    const type = query['type'] ?? '1';
    if (type !== '1' && type !== '2') return envelope(reply, badParams('type must be 1 or 2'));
    const version = query['version'];
    if (version === undefined || !versionPattern.test(version)) {
      return envelope(reply, { errno: 27, error: 'bad version format' });
    }
    const signal = intParam(query['signals'] ?? query['Signals']);
    const battery = intParam(query['powers'] ?? query['pows'] ?? query['Pows']);
    if (signal === null || battery === null)
      return envelope(reply, badParams('signals and powers are integers'));
    const module = moduleOf(query, type);
    const result = await access.check(device, {
      module,
      version,
      signal,
      battery,
      manuf: query['manuf'],
      model: query['model'],
    });
    switch (result.kind) {
      case 'problem':
        // A product without a `sota` module has no task of type 2.
        if (result.problem === 'unknown_module' && query['module'] === undefined && type === '2')
          return envelope(reply, {
            errno: 11,
            error: 'no task of this type: the product has no sota module',
          });
        return envelope(reply, problemErrno(result.problem, 'check', dialect));
      case 'product_mismatch':
        return envelope(reply, { errno: 8, error: `manuf/model mismatch: ${result.detail}` });
      case 'version_mismatch':
        return envelope(reply, { errno: 9, error: 'version mismatch: the delta package does not apply' });
      case 'none':
        return envelope(reply, noOfferErrno(result.reason, dialect));
      case 'offer':
        return envelope(reply, succ, offerData(result.offer, request, dialect));
    }
  };

  /** The check answer's `data` (protocols.md §2.4 (1)); tasking (6) answers the same. */
  function offerData(offer: Offer, request: FastifyRequest, dialect: OneNetDialect) {
    const file = offer.pkg.files[0];
    const cdn = (request.query as Query)['cdn'];
    const host = request.headers.host;
    return {
      target: offer.spec.firmware.targetVersion,
      token: offer.token,
      size: file?.size ?? 0,
      md5: file?.md5 ?? '',
      sha256: file?.sha256 ?? '',
      signal: offer.spec.minSignal ?? -150,
      power: offer.spec.minBattery ?? 0,
      retry: offer.spec.retry.attempts,
      interval: offer.spec.retry.intervalSeconds,
      type: offer.pkg.type === 'delta' ? 2 : 1,
      expires: Math.floor(offer.expiresAt / 1000),
      ...(cdn === 'false' && host && { ipPort: host, ...(dialect === 'd1' && { ip: host }) }),
    };
  }

  // protocols.md §2.4 (6): the task a device is already downloading or installing, with a fresh
  // token (only token hashes are stored; the new one supersedes the old, as a second check does).
  async function tasking(request: FastifyRequest, reply: FastifyReply) {
    const device = await deviceOf(request, reply, 'check', 'd2');
    if (!device) return reply;
    const query = request.query as Query;
    const type = query['type'] ?? '1';
    if (type !== '1' && type !== '2') return envelope(reply, badParams('type must be 1 or 2'));
    const result = await access.tasking(device, moduleOf(query, type));
    if (result.kind === 'offer') return envelope(reply, succ, offerData(result.offer, request, 'd2'));
    if (result.kind === 'problem') return envelope(reply, problemErrno(result.problem, 'check', 'd2'));
    return envelope(reply, { errno: 4, error: 'no task is downloading or upgrading' });
  }

  // protocols.md §2.4 (8): look up dev_id by the device's unique id (its name here) in a product.
  async function devInfo(request: FastifyRequest, reply: FastifyReply) {
    const caller = await access.authenticate(request.headers.authorization);
    if ('problem' in caller) return envelope(reply, authErrno(caller.problem));
    const body = (request.body ?? {}) as Record<string, unknown>;
    const query = request.query as Query;
    const pid = body['pid'] ?? query['pid'];
    const authInfo = body['authInfo'] ?? query['authInfo'];
    const productId = typeof pid === 'string' && /^\d{1,15}$/.test(pid) ? Number(pid) : pid;
    if (!Number.isSafeInteger(productId) || typeof authInfo !== 'string' || authInfo.length > 128) {
      return envelope(reply, badParams('pid (integer) and authInfo (string) are required'));
    }
    const found = await access.findDevice(caller, productId as number, authInfo);
    if (!found) return envelope(reply, { errno: 1, error: 'auth failed: device does not exist' });
    return envelope(reply, succ, { dev_id: String(found.id) });
  }

  const tokenCheck = (dialect: OneNetDialect) => async (request: FastifyRequest, reply: FastifyReply) => {
    const device = await deviceOf(request, reply, 'token_check', dialect);
    if (!device) return reply;
    const { token } = request.params as { token: string };
    const problem = await access.acceptToken(device, token);
    return envelope(reply, problem === null ? succ : problemErrno(problem, 'token_check', dialect));
  };

  const code =
    (endpoint: 'progress' | 'report', dialect: OneNetDialect) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const device = await deviceOf(request, reply, endpoint, dialect);
      if (!device) return reply;
      const token =
        endpoint === 'progress'
          ? (request.params as { token: string }).token
          : ((request.query as Query)['token'] ?? '');
      const field = endpoint === 'progress' ? 'step' : 'result';
      const body = request.body as Record<string, unknown> | null | undefined;
      const raw = body && typeof body === 'object' ? body[field] : undefined;
      const value = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        return envelope(reply, { errno: 24, error: `${field} must be an integer code` });
      }
      // The two-call report carries result codes only (101..208).
      if (endpoint === 'report' && value <= 100) return envelope(reply, { errno: 24, error: 'bad result' });
      const problem = await access.reportCode(device, token, value);
      return envelope(reply, problem === null ? succ : problemErrno(problem, endpoint, dialect));
    };

  const download =
    (dialect: 'onenet' | 'rfc7233') => async (request: FastifyRequest, reply: FastifyReply) => {
      const { token } = request.params as { token: string };
      const file = await access.openDownload(token);
      if ('problem' in file) {
        if (dialect === 'onenet') return sendOneNetDownloadError(reply, 3);
        const gone = file.problem !== 'token_unknown';
        return reply
          .status(gone ? 410 : 404)
          .send({ code: gone ? 'DOWNLOAD_TOKEN_INVALID' : 'NOT_FOUND', message: file.problem });
      }
      return sendFirmware(request, reply, access, file, dialect, options);
    };

  async function version(request: FastifyRequest, reply: FastifyReply) {
    const device = await deviceOf(request, reply, 'version', 'd2');
    if (!device) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object') return envelope(reply, badParams('body'));
    const reports: [string, unknown][] = [
      [moduleOf(request.query as Query), body['f_version']],
      ['sota', body['s_version']],
    ];
    for (const [module, value] of reports) {
      if (value === undefined) continue;
      if (typeof value !== 'string' || !versionPattern.test(value)) {
        return envelope(reply, { errno: 27, error: 'bad version format' });
      }
      const result = await access.reportVersion(device, module, value);
      // s_version only counts for products with a `sota` module.
      if (result && module !== 'sota') return envelope(reply, problemErrno(result, 'version', 'd2'));
    }
    return envelope(reply, succ);
  }

  // OneNET devices send JSON, not always labelled as such; an empty body is no body.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('the body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });

  const json = { bodyLimit };
  for (const [prefix, dialect] of [
    ['/ota/south', 'd2'],
    ['/ota', 'd1'],
  ] as const) {
    app.get(`${prefix}/check`, check(dialect));
    app.get(`${prefix}/download/:token/check`, tokenCheck(dialect));
    app.get(`${prefix}/download/:token`, download('onenet'));
    app.post(`${prefix}/report`, json, code('report', dialect));
  }
  app.post('/ota/south/device/download/:token/progress', json, code('progress', 'd2'));
  app.post('/ota/device/version', json, version);
  app.get('/ota/south/tasking', tasking);
  // OneNET documents a GET with a JSON body; a POST and query parameters are taken too.
  app.get('/ota/devInfo', devInfo);
  app.post('/ota/devInfo', json, devInfo);
  // protocols.md §2.4 (7): an empty `data` means the device never reported.
  app.get('/ota/device/version', async (request, reply) => {
    const device = await deviceOf(request, reply, 'version', 'd2');
    if (!device) return reply;
    return envelope(reply, succ, await access.versionsOf(device, moduleOf(request.query as Query)));
  });
  app.get('/device/v1/download/:token', download('rfc7233'));
}
