// One catalogue of the delta engine's error codes. Callers branch on `code`, never on messages;
// `retryable` tells an SDK whether trying again (a fresh download, another attempt) can help.

export const deltaErrorCodes = {
  /** The old image given to apply is not the one the patch was made from. */
  DELTA_BASE_MISMATCH: { retryable: false },
  /** The patch is damaged: bad magic, header checksum, impossible instruction. */
  DELTA_CORRUPT: { retryable: true },
  /** The patch ended before its declared payload was read. */
  DELTA_TRUNCATED: { retryable: true },
  /** The patch uses a format version or parameters this patcher does not know. */
  DELTA_UNSUPPORTED_VERSION: { retryable: false },
  /** Applying would need more working memory than the caller allows. */
  DELTA_MEMORY_LIMIT: { retryable: false },
  /** The diff or apply was cancelled through its AbortSignal. */
  DELTA_CANCELLED: { retryable: true },
  /** The rebuilt image does not hash to the sha256 in the header. */
  DELTA_OUTPUT_MISMATCH: { retryable: true },
  /** An argument is out of range (image too large, unknown profile). */
  DELTA_INVALID_ARGUMENT: { retryable: false },
  /** The diff runs on a Node without node:zlib zstd (before 22.15); patching needs none. */
  DELTA_UNSUPPORTED_RUNTIME: { retryable: false },
} as const;

export type DeltaErrorCode = keyof typeof deltaErrorCodes;

export class DeltaError extends Error {
  readonly code: DeltaErrorCode;
  readonly retryable: boolean;

  constructor(code: DeltaErrorCode, message: string) {
    super(message);
    this.name = 'DeltaError';
    this.code = code;
    this.retryable = deltaErrorCodes[code].retryable;
  }
}

export function isDeltaError(value: unknown): value is DeltaError {
  return value instanceof DeltaError;
}
