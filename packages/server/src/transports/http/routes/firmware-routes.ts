// Firmware packages: multipart upload, listing, release notes, deletion and download.
import type { Readable } from 'node:stream';
import multipart, { type Multipart } from '@fastify/multipart';
import { type Static, Type } from '@sinclair/typebox';
import { UpdraftError, versionNamePattern } from '@updraft/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { moduleNamePattern } from '../../../modules/catalog/catalog-service.ts';
import { type FirmwarePackage, packageTypes } from '../../../modules/firmware/firmware-store.ts';
import type { FirmwareUpload } from '../../../modules/firmware/firmware-upload.ts';
import { maxReleaseNotes, type RawPackageFields } from '../../../modules/firmware/package-rules.ts';
import type { RouteContext } from '../http-app.ts';
import { errorResponses, IdParams, iso, PageQuery, pageOf, Timestamp } from '../schemas.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const FileSchema = Type.Object({
  position: Type.Integer({ description: '1-based order inside the package' }),
  name: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  md5: Type.String(),
});

export const PackageSchema = Type.Object({
  id: Type.Integer(),
  productId: Type.Integer(),
  module: Type.String(),
  version: Type.String(),
  type: literals(packageTypes),
  sourceVersion: Type.Union([Type.String(), Type.Null()]),
  releaseNotes: Type.String(),
  extData: Type.Record(Type.String(), Type.String()),
  verified: Type.Boolean(),
  totalSize: Type.Integer(),
  createdBy: Type.String(),
  createdAt: Timestamp,
  files: Type.Array(FileSchema),
});

const FirmwareQuery = Type.Object(
  {
    ...PageQuery,
    productId: Type.Optional(Type.Integer({ minimum: 1 })),
    module: Type.Optional(Type.String({ maxLength: 32 })),
    version: Type.Optional(Type.String({ maxLength: 50 })),
    type: Type.Optional(literals(packageTypes)),
  },
  { additionalProperties: false },
);
const PackagePatchBody = Type.Object(
  {
    releaseNotes: Type.Optional(Type.String({ maxLength: 2000 })),
    extData: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false, minProperties: 1 },
);
const FileParams = Type.Object(
  { id: Type.Integer({ minimum: 1 }), position: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

/** The form fields an upload may carry before its files, documented for OpenAPI. */
const uploadFields = {
  module: 'Module name (default: default)',
  version: `Version, ${versionNamePattern}`,
  type: 'full (default) or delta',
  sourceVersion: 'The version a delta applies to (delta only)',
  releaseNotes: 'At most 2000 characters',
  extData: 'JSON object of strings for the device, at most 50 keys',
} satisfies Record<keyof RawPackageFields, string>;

/**
 * The upload's form as OpenAPI describes it, so that Swagger UI can send one. Documentation only:
 * the route streams its parts (a body schema would make Fastify buffer and validate them), and
 * the fields are checked as they arrive. Fields come first and `file` last, as the server needs.
 */
function uploadFormSchema(maxFiles: number, maxFileBytes: number) {
  // The examples are what Swagger UI puts in the form: left to itself it fills optional fields
  // with strings generated from their patterns, which the server would then refuse.
  const text = (key: keyof RawPackageFields, options: Record<string, unknown> = {}) =>
    Type.Optional(Type.String({ description: uploadFields[key], examples: [''], ...options }));
  return Type.Object(
    {
      module: text('module', { pattern: moduleNamePattern.source, examples: ['default'] }),
      version: Type.String({
        description: uploadFields.version,
        pattern: versionNamePattern,
        examples: ['1.0.0'],
      }),
      type: Type.Optional(
        Type.Union(
          packageTypes.map((t) => Type.Literal(t)),
          { description: uploadFields.type, examples: ['full'] },
        ),
      ),
      sourceVersion: text('sourceVersion', { pattern: versionNamePattern }),
      releaseNotes: text('releaseNotes', { maxLength: maxReleaseNotes }),
      extData: text('extData'),
      file: Type.Array(
        Type.String({
          format: 'binary',
          contentMediaType: 'application/octet-stream',
          description: `A file, at most ${maxFileBytes} bytes`,
        }),
        { minItems: 1, maxItems: maxFiles, description: `1 to ${maxFiles} files, in package order` },
      ),
    },
    { additionalProperties: false },
  );
}

export const packageView = (p: FirmwarePackage) => ({ ...p, createdAt: iso(p.createdAt) });

/** Parser errors of @fastify/multipart and busboy, in the catalogue. */
function translateMultipartError(error: unknown): unknown {
  if (error instanceof UpdraftError) return error;
  const { code, message } = error as { code?: string; message?: string };
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new UpdraftError('FIRMWARE_FILE_TOO_LARGE', 'a file is larger than the limit');
    case 'FST_FILES_LIMIT':
      return new UpdraftError('FIRMWARE_TOO_MANY_FILES', 'too many files in the upload');
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new UpdraftError('VALIDATION_FAILED', 'too many form fields');
    case 'FST_PROTO_VIOLATION':
      return new UpdraftError('UNKNOWN_FIELD', 'a form field has a reserved name');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new UpdraftError('UNSUPPORTED_MEDIA_TYPE', 'an upload is multipart/form-data');
    case 'FST_MP_PREMATURE_CLOSE':
      return new UpdraftError('VALIDATION_FAILED', 'the upload was cut off');
  }
  return new UpdraftError('VALIDATION_FAILED', `the multipart body is malformed: ${message ?? 'unknown'}`);
}

async function* partsOf(request: FastifyRequest): AsyncGenerator<Multipart> {
  const parts = request.parts();
  while (true) {
    let next: IteratorResult<Multipart>;
    try {
      next = await parts.next();
    } catch (error) {
      throw translateMultipartError(error);
    }
    if (next.done) return;
    yield next.value;
  }
}

/** A file part's bytes; busboy's size limit ends it at once with FIRMWARE_FILE_TOO_LARGE. */
async function* chunksOf(file: Readable, maxBytes: number): AsyncGenerator<Uint8Array> {
  const tooLarge = () =>
    file.destroy(
      new UpdraftError('FIRMWARE_FILE_TOO_LARGE', `a file is larger than ${maxBytes} bytes`, { maxBytes }),
    );
  file.once('limit', tooLarge);
  try {
    for await (const chunk of file) yield chunk as Buffer;
  } catch (error) {
    throw translateMultipartError(error);
  } finally {
    file.off('limit', tooLarge);
  }
}

/** RFC 6266 §4.3: an ASCII fallback, and the real name in RFC 8187 encoding. */
function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export async function registerFirmwareRoutes(app: FastifyInstance, { services, cursors }: RouteContext) {
  const { firmware } = services;
  const tags = ['firmware'];

  // Multipart parsing stays inside this scope: no other route accepts form data.
  await app.register(async (scope) => {
    await scope.register(multipart, {
      // Folder parts of a file name are refused, not silently dropped (busboy's default).
      preservePath: true,
      throwFileSizeLimit: true,
      limits: {
        fileSize: firmware.limits.maxFileBytes,
        files: firmware.limits.maxFiles,
        fields: 20,
        fieldSize: 128 * 1024,
        parts: 40,
      },
    });

    const form = uploadFormSchema(firmware.limits.maxFiles, firmware.limits.maxFileBytes);
    scope.post(
      '/products/:id/firmware',
      {
        config: {
          auth: 'operator',
          // The request body in the OpenAPI document only (see uploadFormSchema).
          swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: form }, url }),
        },
        schema: {
          tags,
          summary: 'Upload a firmware package',
          description:
            'multipart/form-data: the fields first, then 1 to 5 parts named `file`. Fields: ' +
            Object.entries(uploadFields)
              .map(([k, v]) => `\`${k}\` (${v})`)
              .join(', ') +
            '. An empty field counts as absent. Size, sha256 and md5 of each file are computed while it ' +
            'streams to disk.',
          params: IdParams,
          consumes: ['multipart/form-data'],
          response: { 201: PackageSchema, ...errorResponses(404, 409, 413, 415) },
        },
      },
      async (request, reply) => {
        const { id } = request.params as Static<typeof IdParams>;
        const createdBy = request.principal!.name;
        const fields: Record<string, string> = {};
        const seen = new Set<string>();
        let upload: FirmwareUpload | undefined;
        try {
          for await (const part of partsOf(request)) {
            if (part.type === 'field') {
              const name = part.fieldname;
              if (!Object.hasOwn(uploadFields, name)) {
                throw new UpdraftError('UNKNOWN_FIELD', `unknown form field ${name}`, {
                  field: name,
                  in: 'body',
                });
              }
              if (upload) {
                throw new UpdraftError(
                  'VALIDATION_FAILED',
                  `field ${name} comes after a file; send fields first`,
                  {
                    field: name,
                  },
                );
              }
              if (seen.has(name) || part.valueTruncated) {
                throw new UpdraftError('VALIDATION_FAILED', `field ${name} is sent twice or is too long`, {
                  field: name,
                });
              }
              seen.add(name);
              // An empty field is an absent one: HTML forms and Swagger UI send every field.
              if (part.value !== '') fields[name] = String(part.value);
              continue;
            }
            if (part.fieldname !== 'file') {
              throw new UpdraftError('UNKNOWN_FIELD', `files go in parts named file, not ${part.fieldname}`, {
                field: part.fieldname,
                in: 'body',
              });
            }
            upload ??= await firmware.startUpload(id, fields, createdBy);
            await upload.addFile(part.filename, chunksOf(part.file, firmware.limits.maxFileBytes));
          }
          upload ??= await firmware.startUpload(id, fields, createdBy);
          return reply.status(201).send(packageView(await upload.finish()));
        } catch (error) {
          await upload?.abort();
          // The rest of the body is never read: close the connection rather than leave it stuck.
          if (!request.raw.readableEnded) reply.header('connection', 'close');
          throw error;
        }
      },
    );
  });

  app.get(
    '/firmware',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'List firmware packages',
        querystring: FirmwareQuery,
        response: { 200: pageOf(PackageSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query as Static<typeof FirmwareQuery>;
      const page = await firmware.listPackages(filter, {
        after: cursors.decode('/firmware', cursor, filter),
        limit: limit ?? 50,
      });
      return {
        items: page.items.map(packageView),
        nextCursor: cursors.encode('/firmware', page.next, filter),
      };
    },
  );

  app.get(
    '/firmware/:id',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Get a firmware package',
        params: IdParams,
        response: { 200: PackageSchema, ...errorResponses(404) },
      },
    },
    async (request) => packageView(await firmware.getPackage((request.params as Static<typeof IdParams>).id)),
  );

  app.patch(
    '/firmware/:id',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Change the release notes or extData of a firmware package',
        params: IdParams,
        body: PackagePatchBody,
        response: { 200: PackageSchema, ...errorResponses(404) },
      },
    },
    async (request) =>
      packageView(
        await firmware.updatePackage(
          (request.params as Static<typeof IdParams>).id,
          request.body as Static<typeof PackagePatchBody>,
        ),
      ),
  );

  app.delete(
    '/firmware/:id',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Delete a firmware package no plan uses',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await firmware.deletePackage((request.params as Static<typeof IdParams>).id);
      return reply.status(204).send();
    },
  );

  // Firmware images are the device maker's property: viewers see a package, operators fetch it.
  app.get(
    '/firmware/:id/files/:position',
    {
      config: { auth: 'operator' },
      schema: {
        tags,
        summary: 'Download one file of a firmware package (operators and admins)',
        params: FileParams,
        produces: ['application/octet-stream'],
        response: errorResponses(404),
      },
    },
    async (request, reply) => {
      const { id, position } = request.params as Static<typeof FileParams>;
      const { file, content } = await firmware.openFile(id, position);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', file.size)
        .header('content-disposition', contentDisposition(file.name))
        .header('etag', `"${file.sha256}"`)
        .header('x-checksum-sha256', file.sha256)
        .header('x-checksum-md5', file.md5)
        .send(content);
    },
  );
}
