// Fastify's and its plugins' own errors (validation, body parsers, @fastify/multipart and
// busboy) in the catalogue: the one translation, used by the app's error handler and by the
// upload route that reads multipart parts itself.
import { type ErrorCode, isUpdraftError, UpdraftError } from '@updraft/core';
import type { FastifyError } from 'fastify';

const byCode: Readonly<Record<string, readonly [ErrorCode, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'the request body is too large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['VALIDATION_FAILED', 'the body is not valid JSON'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['VALIDATION_FAILED', 'the body is not valid JSON'],
  FST_REQ_FILE_TOO_LARGE: ['FIRMWARE_FILE_TOO_LARGE', 'a file is larger than the limit'],
  FST_FILES_LIMIT: ['FIRMWARE_TOO_MANY_FILES', 'too many files in the upload'],
  FST_FIELDS_LIMIT: ['VALIDATION_FAILED', 'too many form fields'],
  FST_PARTS_LIMIT: ['VALIDATION_FAILED', 'too many form fields'],
  FST_PROTO_VIOLATION: ['UNKNOWN_FIELD', 'a form field has a reserved name'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'an upload is multipart/form-data'],
  FST_MP_PREMATURE_CLOSE: ['VALIDATION_FAILED', 'the upload was cut off'],
  // Found by the fuzz suite (issue 12): the router's own refusals came without a code.
  FST_ERR_BAD_URL: ['VALIDATION_FAILED', 'the URL is malformed (a bad percent-encoding)'],
  FST_ERR_MAX_PARAM_LENGTH: ['VALIDATION_FAILED', 'a path segment is longer than 100 characters'],
  FST_ERR_ASYNC_CONSTRAINT: ['VALIDATION_FAILED', 'the request matches no route constraint'],
};

/**
 * PostgreSQL's own storage faults (SQLSTATE, from node-postgres' `code`): the server's disk full
 * (53100 disk_full) and a server that takes no writes (25006 read_only_sql_transaction, a
 * standby or `default_transaction_read_only`). The folder is the database server's, not ours.
 */
const postgresFaults: Readonly<Record<string, UpdraftError>> = {
  '53100': new UpdraftError('STORAGE_FULL', 'the database server is out of disk space', {
    store: 'database',
    fault: 'full',
  }),
  '25006': new UpdraftError('STORAGE_READ_ONLY', 'the database server takes no writes (read-only)', {
    store: 'database',
    fault: 'read-only',
  }),
};

/** A PostgreSQL storage fault as its catalogue error, or undefined. */
export function postgresStorageFault(error: unknown): UpdraftError | undefined {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && typeof severity === 'string' ? postgresFaults[code] : undefined;
}

function fromValidation(error: FastifyError): UpdraftError {
  const first = error.validation?.[0];
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
      errors: (error.validation ?? []).map((v) => ({ path: v.instancePath, message: v.message })),
    },
  );
}

/**
 * The catalogue's error for anything thrown while handling a request. Unknown errors are
 * INTERNAL, or, while reading a multipart body (`while: 'multipart'`), a malformed body.
 */
export function translateFastifyError(error: unknown, options: { while?: 'multipart' } = {}): UpdraftError {
  if (isUpdraftError(error)) return error;
  const postgres = postgresStorageFault(error);
  if (postgres) return postgres;
  const fastify = error as FastifyError;
  if (fastify.validation) return fromValidation(fastify);
  if (fastify.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new UpdraftError('UNSUPPORTED_MEDIA_TYPE', fastify.message);
  }
  const known = fastify.code === undefined ? undefined : byCode[fastify.code];
  if (known) return new UpdraftError(known[0], known[1]);
  // @fastify/send (the console's files) on a Range it cannot serve; found by the fuzz suite.
  if (fastify.statusCode === 416) {
    const range = (error as { headers?: Record<string, string> }).headers?.['Content-Range'];
    return new UpdraftError('RANGE_NOT_SATISFIABLE', 'the Range cannot be served', {
      ...(range && { contentRange: range }),
    });
  }
  if (options.while === 'multipart') {
    return new UpdraftError(
      'VALIDATION_FAILED',
      `the multipart body is malformed: ${fastify.message ?? 'unknown'}`,
    );
  }
  if (fastify.statusCode === 400 || (error instanceof SyntaxError && fastify.statusCode === undefined)) {
    return new UpdraftError('VALIDATION_FAILED', fastify.message);
  }
  return new UpdraftError('INTERNAL', 'internal error; see the server log');
}
