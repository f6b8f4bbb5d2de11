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
  'FIRMWARE_IN_USE',
  'FIRMWARE_FILE_TOO_LARGE',
  'FIRMWARE_TOO_MANY_FILES',
  'FIRMWARE_NO_FILES',
  'FIRMWARE_FILE_TYPE',
  'FIRMWARE_FILE_NAME',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IMPORT_INVALID_ROW',
  'PLAN_INVALID_TRANSITION',
  'PLAN_CONFLICT',
  'FIRMWARE_NOT_VERIFIED',
  'UPGRADE_INVALID_TRANSITION',
  'DELTA_JOB_INVALID_PAIR',
  'DELTA_JOB_EXISTS',
  'DELTA_JOB_INVALID_TRANSITION',
  'RATE_LIMITED',
  'SCHEMA_UNKNOWN',
  'SCHEMA_OUTDATED',
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
