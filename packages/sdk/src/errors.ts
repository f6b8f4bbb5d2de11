// Typed errors of the device SDK. Every error has a stable code and says whether trying again
// later can help (a dropped connection) or not (a bad signature on the package).

export const sdkErrorCodes = [
  'INVALID_ARGUMENT',
  'AUTH_FAILED',
  'NETWORK',
  'SERVER_ERROR',
  'DOWNLOAD_FAILED',
  'CHECK_FAILED',
  'DELTA_FAILED',
  'WRITE_FAILED',
  'STATE_CORRUPT',
  'REFUSED',
  'LOW_BATTERY',
  'HEALTH_CHECK_FAILED',
  'SIGNATURE_INVALID',
  'DOWNGRADE_REFUSED',
  'CANCELLED',
] as const;
export type SdkErrorCode = (typeof sdkErrorCodes)[number];

const retryable: Record<SdkErrorCode, boolean> = {
  INVALID_ARGUMENT: false,
  AUTH_FAILED: false,
  NETWORK: true,
  SERVER_ERROR: true,
  DOWNLOAD_FAILED: true,
  CHECK_FAILED: false,
  DELTA_FAILED: false,
  WRITE_FAILED: false,
  STATE_CORRUPT: false,
  // The server refused a request in the upgrade's current state (details.errno says which).
  REFUSED: false,
  // The installer found the battery too low to write; it may be charged later.
  LOW_BATTERY: true,
  // The new version failed its health check or commit (details.version: what the module runs now).
  HEALTH_CHECK_FAILED: false,
  // The package's signed manifest did not verify or does not name what was downloaded (signing.md).
  SIGNATURE_INVALID: false,
  // The manifest's security version is below the installed one and allows no downgrade.
  DOWNGRADE_REFUSED: false,
  // The server took the upgrade back before it was installed (LwM2M Cancel, /5/0/10).
  CANCELLED: false,
};

/** An SDK failure: `code` is stable; `retryable` says whether trying again later can help. */
export class SdkError extends Error {
  readonly code: SdkErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  constructor(
    code: SdkErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SdkError';
    this.code = code;
    this.retryable = retryable[code];
    this.details = details;
  }
}

export function isSdkError(error: unknown): error is SdkError {
  return error instanceof SdkError;
}
