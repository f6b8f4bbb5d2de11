// One catalogue of stable error codes for every edge of Updraft. Transports translate a code
// once (HTTP status table, MQTT reply code, CoAP response code); nothing matches on messages.

export const errorCodes = [
  'VALIDATION_FAILED',
  'UNKNOWN_FIELD',
  'INVALID_CURSOR',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'CSRF_TOKEN_INVALID',
  'FORBIDDEN',
  'NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'CONFLICT',
  'PRODUCT_KEY_TAKEN',
  'MODULE_EXISTS',
  'DEVICE_NAME_TAKEN',
  'GROUP_NAME_TAKEN',
  'USERNAME_TAKEN',
  'FIRMWARE_VERSION_EXISTS',
  'FIRMWARE_NAME_EXISTS',
  'FIRMWARE_IN_USE',
  'FIRMWARE_FILE_TOO_LARGE',
  'FIRMWARE_TOO_MANY_FILES',
  'FIRMWARE_NO_FILES',
  'FIRMWARE_FILE_TYPE',
  'FIRMWARE_FILE_NAME',
  'FIRMWARE_FILE_EMPTY',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RANGE_NOT_SATISFIABLE',
  'IMPORT_INVALID_ROW',
  'PLAN_INVALID_TRANSITION',
  'PLAN_CONFLICT',
  'PLAN_DOWNGRADE',
  'PLAN_NAME_EXISTS',
  'PLAN_WAVE_NOT_GATED',
  'FIRMWARE_NOT_VERIFIED',
  'SIGNATURE_INVALID',
  'SIGNATURE_REQUIRED',
  'MANIFEST_MISMATCH',
  'SIGNING_KEY_UNKNOWN',
  'SIGNING_KEY_EXISTS',
  'SIGNING_KEY_RETIRED',
  'SIGNING_KEY_REVOKED',
  'SIGNING_KEY_NOT_CONFIGURED',
  'UPGRADE_INVALID_TRANSITION',
  'ENDUSER_TOKEN_INVALID',
  'APPOINTMENT_INVALID',
  'DELTA_JOB_INVALID_PAIR',
  'DELTA_JOB_EXISTS',
  'DELTA_JOB_INVALID_TRANSITION',
  'WEBHOOK_URL_PRIVATE',
  'RATE_LIMITED',
  'SCHEMA_UNKNOWN',
  'SCHEMA_OUTDATED',
  'LISTEN_FAILED',
  'BLOB_STORE_UNAVAILABLE',
  'NOT_READY',
  'STORAGE_FULL',
  'STORAGE_READ_ONLY',
  'STORAGE_UNAVAILABLE',
  'SERVER_SECRET_MISMATCH',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class UpdraftError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'UpdraftError';
    this.code = code;
    this.details = details;
  }
}

export function isUpdraftError(value: unknown): value is UpdraftError {
  return value instanceof UpdraftError;
}
