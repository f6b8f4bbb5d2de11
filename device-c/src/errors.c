/* Names of the error codes, as the TypeScript catalogues spell them (DELTA_* from
 * packages/delta/src/delta-error.ts), for logs and progress messages. */
#include "updraft/errors.h"

const char *updraft_error_name(int code) {
  switch (code) {
    case UPDRAFT_OK: return "OK";
    case UPDRAFT_E_BASE_MISMATCH: return "DELTA_BASE_MISMATCH";
    case UPDRAFT_E_CORRUPT: return "DELTA_CORRUPT";
    case UPDRAFT_E_TRUNCATED: return "DELTA_TRUNCATED";
    case UPDRAFT_E_UNSUPPORTED_VERSION: return "DELTA_UNSUPPORTED_VERSION";
    case UPDRAFT_E_MEMORY_LIMIT: return "DELTA_MEMORY_LIMIT";
    case UPDRAFT_E_CANCELLED: return "DELTA_CANCELLED";
    case UPDRAFT_E_OUTPUT_MISMATCH: return "DELTA_OUTPUT_MISMATCH";
    case UPDRAFT_E_INVALID_ARGUMENT: return "DELTA_INVALID_ARGUMENT";
    case UPDRAFT_E_IO: return "IO";
    case UPDRAFT_E_MALFORMED: return "MALFORMED";
    case UPDRAFT_E_NO_SPACE: return "NO_SPACE";
    case UPDRAFT_E_BAD_SIGNATURE: return "BAD_SIGNATURE";
    case UPDRAFT_E_NO_VERIFIER: return "NO_VERIFIER";
    case UPDRAFT_E_UNKNOWN_KEY: return "SIGNING_KEY_UNKNOWN";
    case UPDRAFT_E_WRONG_PRODUCT: return "MANIFEST_WRONG_PRODUCT";
    case UPDRAFT_E_DOWNGRADE: return "DOWNGRADE_REFUSED";
    case UPDRAFT_E_FILE_MISMATCH: return "MANIFEST_FILE_MISMATCH";
    default: return code <= UPDRAFT_E_USER ? "USER" : "UNKNOWN";
  }
}
