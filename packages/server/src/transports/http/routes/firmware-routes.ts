// Firmware packages: multipart upload, listing, release notes, deletion and download.
import type { Readable } from 'node:stream';
import multipart, { type Multipart } from '@fastify/multipart';
import { type Static, Type } from '@sinclair/typebox';
import { UpdraftError, versionNamePattern } from '@updraft/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { moduleNamePattern } from '../../../modules/catalog/catalog-service.ts';
import {
  type FirmwareFile,
  type FirmwarePackage,
  packageTypes,
} from '../../../modules/firmware/firmware-store.ts';
import type { FirmwareUpload } from '../../../modules/firmware/firmware-upload.ts';
import {
  maxPackageName,
  maxReleaseNotes,
  maxRemark,
  type RawPackageFields,
} from '../../../modules/firmware/package-rules.ts';
import { translateFastifyError } from '../fastify-errors.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses, IdParams, iso, PageQuery, pageOf, Timestamp } from '../schemas.ts';
import {
  isSignaturePart,
  packageFieldsOf,
  storeUploadSignature,
  textOfPart,
  uploadSignature,
} from './upload-signature.ts';

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
  name: Type.String({ description: 'Unique per product and module' }),
  version: Type.String(),
  type: literals(packageTypes),
  sourceVersion: Type.Union([Type.String(), Type.Null()]),
  releaseNotes: Type.String(),
  remark: Type.String(),
  extData: Type.Record(Type.String(), Type.String()),
  verified: Type.Boolean(),
  verification: Type.Union(
    [
      Type.Object({
        planId: Type.Integer(),
        state: literals(['running', 'passed', 'failed', 'cancelled'] as const),
      }),
      Type.Null(),
    ],
    {
      description:
        'Its latest verification plan (one test device, at most 60 minutes): running; passed (the package is verified); failed (the device failed or the hour ran out); cancelled. Null when none was published.',
    },
  ),
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
    name: Type.Optional(Type.String({ minLength: 1, maxLength: maxPackageName })),
    remark: Type.Optional(Type.String({ maxLength: maxRemark })),
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
  name: 'Package name, unique per product and module, at most 100 characters (default: the version; a delta: `<version> from <source>`)',
  version: `Version, ${versionNamePattern}`,
  type: 'full (default) or delta',
  sourceVersion: 'The version a delta applies to (delta only)',
  releaseNotes: 'At most 2000 characters',
  remark: 'A note for operators, at most 200 characters',
  extData: 'JSON object of strings for the device, at most 50 keys',
} satisfies Record<keyof RawPackageFields, string>;
/** A signed upload's fields (docs/signing.md), beside the package's. */
const signedUploadFields = {
  manifest: 'The signed manifest (docs/signing.md), as text; with `signature`',
  signature: "The manifest's Ed25519 signature, base64",
  securityVersion:
    "An unsigned upload the server signs (the product registered the server's key): the manifest's security version; default the module's highest so far",
};
const formFields: Record<string, string> = { ...uploadFields, ...signedUploadFields };

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
      name: text('name', { maxLength: maxPackageName }),
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
      remark: text('remark', { maxLength: maxRemark }),
      extData: text('extData'),
      manifest: Type.Optional(Type.String({ description: signedUploadFields.manifest, examples: [''] })),
      signature: Type.Optional(Type.String({ description: signedUploadFields.signature, examples: [''] })),
      securityVersion: Type.Optional(
        Type.String({
          description: signedUploadFields.securityVersion,
          pattern: '^[0-9]{1,10}$',
          examples: [''],
        }),
      ),
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

export const packageView = (p: FirmwarePackage) => ({
  ...p,
  verification: p.verification ?? null,
  createdAt: iso(p.createdAt),
});

async function* partsOf(request: FastifyRequest): AsyncGenerator<Multipart> {
  const parts = request.parts();
  while (true) {
    let next: IteratorResult<Multipart>;
    try {
      next = await parts.next();
    } catch (error) {
      throw translateFastifyError(error, { while: 'multipart' });
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
    throw translateFastifyError(error, { while: 'multipart' });
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
            Object.entries(formFields)
              .map(([k, v]) => `\`${k}\` (${v})`)
              .join(', ') +
            '. An empty field counts as absent. Size, sha256 and md5 of each file are computed while it ' +
            'streams to disk. A full firmware store answers 507 STORAGE_FULL, a read-only one 503 ' +
            'STORAGE_READ_ONLY, and nothing of the upload is kept.',
          params: IdParams,
          consumes: ['multipart/form-data'],
          response: { 201: PackageSchema, ...errorResponses(404, 409, 413, 415, 503, 507) },
        },
      },
      async (request, reply) => {
        const { id } = request.params as Static<typeof IdParams>;
        const createdBy = request.principal!.name;
        const fields: Record<string, string> = {};
        const seen = new Set<string>();
        let upload: FirmwareUpload | undefined;
        const files: FirmwareFile[] = [];
        try {
          for await (const part of partsOf(request)) {
            if (part.type === 'field') {
              const name = part.fieldname;
              if (!Object.hasOwn(formFields, name)) {
                throw new UpdraftError('UNKNOWN_FIELD', `unknown form field ${name}`, {
                  field: name,
                  in: 'body',
                });
              }
              // An empty field is an absent one (below), wherever it comes: Swagger UI sends empty
              // optional fields in its own order, some after the files.
              if (upload && part.value === '' && !seen.has(name)) {
                seen.add(name);
                continue;
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
            if (isSignaturePart(part.fieldname)) {
              // `curl -F manifest=@app.bin_1.manifest` sends the signature's files as file parts.
              const name = part.fieldname;
              if (upload || seen.has(name)) {
                throw new UpdraftError('VALIDATION_FAILED', `${name} is sent twice or after a file`, {
                  field: name,
                });
              }
              seen.add(name);
              fields[name] = await textOfPart(name, part.file);
              continue;
            }
            if (part.fieldname !== 'file') {
              throw new UpdraftError('UNKNOWN_FIELD', `files go in parts named file, not ${part.fieldname}`, {
                field: part.fieldname,
                in: 'body',
              });
            }
            upload ??= await firmware.startUpload(id, packageFieldsOf(fields), createdBy);
            files.push(
              await upload.addFile(part.filename, chunksOf(part.file, firmware.limits.maxFileBytes)),
            );
          }
          upload ??= await firmware.startUpload(id, packageFieldsOf(fields), createdBy);
          const signed = await uploadSignature(services, id, fields, files);
          const pkg = await upload.finish();
          if (signed) await storeUploadSignature(services, pkg.id, signed);
          return reply.status(201).send(packageView(pkg));
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
        summary: 'Change the name, remark, release notes or extData of a firmware package',
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
        description:
          'Its files that no other package shares stay for UPDRAFT_BLOB_GRACE_HOURS (24 by default), then the hourly blob sweep deletes them; an upload of the same bytes meanwhile keeps them.',
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
