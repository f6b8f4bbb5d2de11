/* Error codes of the Updraft device library. The DELTA_* ones mirror the TypeScript catalogue
 * (packages/delta/src/delta-error.ts) one to one, so a device can report the same code the server
 * and the SDK use. Every function returns 0 (UPDRAFT_OK) or one of these negative values. */
#ifndef UPDRAFT_ERRORS_H
#define UPDRAFT_ERRORS_H

#define UPDRAFT_OK 0
/* The old image is not the one the patch was made from (or is shorter than it). */
#define UPDRAFT_E_BASE_MISMATCH (-1)
/* The patch is damaged: bad magic, checksum, impossible instruction. */
#define UPDRAFT_E_CORRUPT (-2)
/* The patch ended before its declared payload was read. */
#define UPDRAFT_E_TRUNCATED (-3)
/* A format version or parameters this patcher does not know. */
#define UPDRAFT_E_UNSUPPORTED_VERSION (-4)
/* The patch needs more working memory than the caller gave. */
#define UPDRAFT_E_MEMORY_LIMIT (-5)
/* The progress callback asked to stop. */
#define UPDRAFT_E_CANCELLED (-6)
/* The rebuilt image does not hash to the sha256 in the patch header. */
#define UPDRAFT_E_OUTPUT_MISMATCH (-7)
/* An argument is out of range (a NULL callback, a buffer too small, misaligned memory). */
#define UPDRAFT_E_INVALID_ARGUMENT (-8)
/* A callback reported a failure it did not name (flash write, read error). */
#define UPDRAFT_E_IO (-9)
/* Protocol helpers: the input does not follow the wire format. */
#define UPDRAFT_E_MALFORMED (-10)
/* The output buffer given is too small for the result. */
#define UPDRAFT_E_NO_SPACE (-11)
/* A signature or digest does not match. */
#define UPDRAFT_E_BAD_SIGNATURE (-12)
/* No verify hook was installed. */
#define UPDRAFT_E_NO_VERIFIER (-13)
/* Signed manifests (manifest.h): no trusted key has the manifest's key id. */
#define UPDRAFT_E_UNKNOWN_KEY (-14)
/* The manifest names another product key, module or version than the device expects. */
#define UPDRAFT_E_WRONG_PRODUCT (-15)
/* The manifest's security version is below the installed one and it does not allow a downgrade. */
#define UPDRAFT_E_DOWNGRADE (-16)
/* A downloaded file (or the restored image) differs from the manifest's size or sha256. */
#define UPDRAFT_E_FILE_MISMATCH (-17)
/* Callbacks may return their own codes at or below this value; the library passes them on. */
#define UPDRAFT_E_USER (-100)

/* "DELTA_CORRUPT", "MALFORMED", ... (the TypeScript code where there is one); "OK" for 0. */
const char *updraft_error_name(int code);

#endif
