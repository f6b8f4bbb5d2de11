// Devices: registration one by one or by streamed import, credentials, listing and search.
import { Readable } from 'node:stream';
import { type Static, Type } from '@sinclair/typebox';
import { UpdraftError, versionNamePattern } from '@updraft/core';
import type { FastifyInstance } from 'fastify';
import type { ImportLine } from '../../../modules/devices/device-import.ts';
import { deviceNamePattern, maxTags, tagPattern } from '../../../modules/devices/device-rules.ts';
import type { DeviceDetail } from '../../../modules/devices/device-service.ts';
import { listCountLimit } from '../../../modules/devices/device-service.ts';
import { type ImportFormat, importFormats, readImportRows } from '../../../modules/devices/import-formats.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses, IdParams, iso, PageQuery, pageOf, Timestamp } from '../schemas.ts';
import { DeviceSchema, deviceFilterFields, deviceView, memberFilterFields } from './device-schemas.ts';

const DeviceDetailSchema = Type.Object({
  ...DeviceSchema.properties,
  versions: Type.Array(Type.Object({ module: Type.String(), version: Type.String(), reportedAt: Timestamp })),
  subDevices: Type.Integer({ description: 'How many devices have this one as their gateway' }),
});

const WithSecret = Type.Object({
  device: DeviceSchema,
  secret: Type.String({ description: 'The device secret; shown here once and never again' }),
});

const tagsSchema = Type.Array(
  Type.String({ pattern: tagPattern.source, description: '1 to 32 of letters, digits, ., _, : or -' }),
  { maxItems: maxTags },
);

const NewDeviceBody = Type.Object(
  {
    name: Type.String({
      pattern: deviceNamePattern.source,
      description: '1 to 64 of letters, digits, ., _, :, @ or -, unique in the product',
    }),
    gatewayId: Type.Optional(Type.Integer({ minimum: 1, description: 'A device of a gateway product' })),
    tags: Type.Optional(tagsSchema),
    versions: Type.Optional(
      Type.Record(Type.String(), Type.String({ pattern: versionNamePattern }), {
        description: `module name to version, ${versionNamePattern}`,
      }),
    ),
  },
  { additionalProperties: false },
);

const DevicePatchBody = Type.Object(
  {
    tags: Type.Optional(tagsSchema),
    gatewayId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);

const DeviceQuery = Type.Object({ ...PageQuery, ...deviceFilterFields }, { additionalProperties: false });
const DeviceCountQuery = Type.Object(deviceFilterFields, { additionalProperties: false });
const limitText = listCountLimit.toLocaleString('en');

/** A device of the list, with every module's reported version. */
const DeviceListItem = Type.Object({
  ...DeviceSchema.properties,
  versions: Type.Array(Type.Object({ module: Type.String(), version: Type.String() })),
});
const SubDeviceQuery = Type.Object({ ...PageQuery, ...memberFilterFields }, { additionalProperties: false });

const detailView = ({ device, versions, subDevices }: DeviceDetail) => ({
  ...deviceView(device),
  versions: versions.map((v) => ({ ...v, reportedAt: iso(v.reportedAt) })),
  subDevices,
});

/** The body's bytes, refused with PAYLOAD_TOO_LARGE once there are more than `limit`. */
async function* limitBytes(body: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > limit) {
      throw new UpdraftError('PAYLOAD_TOO_LARGE', `an import has at most ${limit} bytes`, { limit });
    }
    yield chunk;
  }
}

/** An import row as OpenAPI describes it (the rows are checked one by one as they stream). */
const ImportRowSchema = Type.Object({
  name: NewDeviceBody.properties.name,
  gatewayId: NewDeviceBody.properties.gatewayId,
  tags: NewDeviceBody.properties.tags,
  versions: NewDeviceBody.properties.versions,
});

/**
 * The import's request body per media type, for the OpenAPI document only: a body schema on the
 * route would have Fastify validate a stream it must not read ahead of the import.
 */
const importBodyDocument = {
  description: 'The devices to import, in one of three formats',
  content: {
    'text/csv': {
      schema: Type.String({
        description: 'A header row of `name` and optionally `gateway`, `tags` (`;` separated), `version`',
        examples: ['name,tags,version\nmeter-0001,north;pilot,1.0.0\nmeter-0002,,1.0.0\n'],
      }),
    },
    'application/x-ndjson': {
      schema: Type.String({
        description: 'One JSON object per line',
        examples: ['{"name":"meter-0001","tags":["north"]}\n{"name":"meter-0002"}\n'],
      }),
    },
    'application/json': { schema: Type.Array(ImportRowSchema) },
  },
};

/** The streamed answer, for the OpenAPI document only (a stream is not serialised by schema). */
const importAnswerDocument = {
  description: 'One NDJSON line per row as it is stored or refused, then the summary',
  content: {
    'application/x-ndjson': {
      schema: Type.String({
        examples: [
          '{"line":2,"id":41,"name":"meter-0001","secret":"…"}\n' +
            '{"line":3,"error":{"code":"VALIDATION_FAILED","message":"…"}}\n' +
            '{"summary":{"created":1,"failed":1}}\n',
        ],
      }),
    },
  },
};

/** The answer lines of a batch as one chunk (one socket write per batch, not per device). */
async function* ndjsonLines(first: ImportLine[], rest: AsyncIterator<ImportLine[]>): AsyncGenerator<string> {
  const text = (lines: ImportLine[]) => lines.map((line) => `${JSON.stringify(line)}\n`).join('');
  yield text(first);
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield text(next.value);
}

export async function registerDeviceRoutes(app: FastifyInstance, { services, cursors }: RouteContext) {
  const { devices } = services;
  const tags = ['devices'];

  // The import reads its body as a stream in every format; no other route parses these.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser([...importFormats], (_request, payload, done) => done(null, payload));

    scope.post(
      '/products/:id/devices/import',
      {
        bodyLimit: devices.limits.importMaxBytes,
        config: {
          auth: 'operator',
          swaggerTransform: ({ schema, url }) => ({
            schema: {
              ...schema,
              body: importBodyDocument,
              response: { ...(schema as { response: object }).response, 200: importAnswerDocument },
            },
            url,
          }),
        },
        schema: {
          tags,
          summary: 'Import devices from CSV, NDJSON or a JSON array (streamed both ways)',
          description:
            'Body: `text/csv` with a header row of `name` and optionally `gateway` (a gateway device id), ' +
            '`tags` (separated by `;`) and `version` (of the `default` module); or `application/x-ndjson` ' +
            'or `application/json` (an array) of objects `{name, gatewayId?, tags?, versions?}`. Rows are ' +
            'stored in batches of 5000, one transaction each. The answer is `application/x-ndjson`: ' +
            '`{"line","id","name","secret"}` per created device (the only time its secret is shown), ' +
            '`{"line","error":{"code","message"}}` per refused row, and last `{"summary":{"created","failed"}}`. ' +
            '`line` is the CSV or NDJSON line, or the 1-based position in the JSON array. A body that breaks ' +
            'off after the first batch ends with `summary.error`; the rows after the last answered line are ' +
            'not stored.',
          params: IdParams,
          consumes: [...importFormats],
          produces: ['application/x-ndjson'],
          response: errorResponses(404, 413, 415),
        },
      },
      async (request, reply) => {
        const { id } = request.params as Static<typeof IdParams>;
        const format = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() as ImportFormat;
        const limit = devices.limits.importMaxBytes;
        try {
          if (!importFormats.includes(format) || request.body === undefined) {
            throw new UpdraftError(
              'UNSUPPORTED_MEDIA_TYPE',
              `an import is one of ${importFormats.join(', ')}`,
            );
          }
          if (Number(request.headers['content-length'] ?? 0) > limit) {
            throw new UpdraftError('PAYLOAD_TOO_LARGE', `an import has at most ${limit} bytes`, { limit });
          }
          const body = limitBytes(request.body as AsyncIterable<Buffer>, limit);
          const lines = devices.importDevices(id, readImportRows(format, body));
          // The first line comes after the first batch is stored: errors before it get a status.
          const first = await lines.next();
          if (first.done) throw new Error('an import always ends with a summary');
          reply.header('content-type', 'application/x-ndjson; charset=utf-8');
          return reply.send(Readable.from(ndjsonLines(first.value, lines)));
        } catch (error) {
          if (!request.raw.readableEnded) reply.header('connection', 'close');
          throw error;
        }
      },
    );
  });

  app.post(
    '/products/:id/devices',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Register a device; the answer carries its secret, shown this once',
        params: IdParams,
        body: NewDeviceBody,
        response: { 201: WithSecret, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const { device, secret } = await devices.createDevice(
        (request.params as Static<typeof IdParams>).id,
        request.body as Static<typeof NewDeviceBody>,
      );
      return reply.status(201).send({ device: deviceView(device), secret });
    },
  );

  app.get(
    '/devices',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'List and search devices, each with its reported versions',
        querystring: DeviceQuery,
        response: { 200: pageOf(DeviceListItem), ...errorResponses() },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query as Static<typeof DeviceQuery>;
      const page = await devices.listDevicesWithVersions(filter, {
        after: cursors.decode('/devices', cursor, filter),
        limit: limit ?? 50,
      });
      return {
        items: page.items.map((d) => ({ ...deviceView(d), versions: d.versions })),
        nextCursor: cursors.encode('/devices', page.next, filter),
      };
    },
  );

  app.get(
    '/devices/count',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Count the devices that match the filters of the device list',
        description: `Without filters, or with productId alone, the exact number from a count the database keeps (no scan). With other filters, exact up to ${limitText} matches; past that counting stops, \`count\` is ${limitText} and \`exact\` is false: at least that many match (docs/capacity.md).`,
        querystring: DeviceCountQuery,
        response: {
          200: Type.Object({
            count: Type.Integer(),
            exact: Type.Boolean({ description: 'false: at least `count` devices match' }),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => devices.countDeviceList(request.query as Static<typeof DeviceCountQuery>),
  );

  app.get(
    '/devices/:id',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Get a device with its reported versions and its number of sub-devices',
        params: IdParams,
        response: { 200: DeviceDetailSchema, ...errorResponses(404) },
      },
    },
    async (request) =>
      detailView(await devices.getDeviceDetail((request.params as Static<typeof IdParams>).id)),
  );

  app.patch(
    '/devices/:id',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: "Replace a device's tags or change its gateway (null: none)",
        params: IdParams,
        body: DevicePatchBody,
        response: { 200: DeviceSchema, ...errorResponses(404) },
      },
    },
    async (request) =>
      deviceView(
        await devices.updateDevice(
          (request.params as Static<typeof IdParams>).id,
          request.body as Static<typeof DevicePatchBody>,
        ),
      ),
  );

  app.delete(
    '/devices/:id',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Delete a device (its sub-devices lose their gateway)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await devices.deleteDevice((request.params as Static<typeof IdParams>).id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/devices/:id/credentials',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Give a device a new secret (the old one stops working); shown this once',
        params: IdParams,
        response: { 200: WithSecret, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { device, secret } = await devices.rotateSecret((request.params as Static<typeof IdParams>).id);
      return { device: deviceView(device), secret };
    },
  );

  app.get(
    '/devices/:id/sub-devices',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'List the devices that have this device as their gateway',
        params: IdParams,
        querystring: SubDeviceQuery,
        response: { 200: pageOf(DeviceSchema), ...errorResponses(404) },
      },
    },
    async (request) => {
      const { id } = request.params as Static<typeof IdParams>;
      const { cursor, limit, ...filter } = request.query as Static<typeof SubDeviceQuery>;
      const scope = { ...filter, gatewayId: id };
      const page = await devices.listSubDevices(id, filter, {
        after: cursors.decode('/devices/:id/sub-devices', cursor, scope),
        limit: limit ?? 50,
      });
      return {
        items: page.items.map(deviceView),
        nextCursor: cursors.encode('/devices/:id/sub-devices', page.next, scope),
      };
    },
  );
}
