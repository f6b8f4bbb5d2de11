/* The signed manifest of a firmware package (docs/signing.md), read and checked on the device: the
 * canonical text parsed in place (every field points into the caller's buffer, nothing is copied),
 * its Ed25519 signature checked through the integrator's hook with the key its key id names, the
 * product, module and anti-downgrade rule, and each downloaded file against its size and sha256.
 * packages/protocol/src/signing/manifest.ts is the reference: what it refuses, this refuses. */
#ifndef UPDRAFT_MANIFEST_H
#define UPDRAFT_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "verify.h"

/* A package has 1 to 5 files; a manifest that lists more is refused with UPDRAFT_E_NO_SPACE. Define
 * it before including this header (and when compiling manifest.c) to change it. */
#ifndef UPDRAFT_MANIFEST_MAX_FILES
#define UPDRAFT_MANIFEST_MAX_FILES 5
#endif
/* docs/signing.md: a manifest is at most 4096 bytes. */
#define UPDRAFT_MANIFEST_MAX_BYTES 4096
/* The signature as it travels (base64 of 64 bytes). */
#define UPDRAFT_SIGNATURE_BASE64_LEN 88

/* A field of the manifest: len bytes at text, inside the manifest buffer (not NUL-terminated). */
typedef struct {
  const char *text;
  uint16_t len;
} updraft_manifest_text_t;

typedef struct {
  updraft_manifest_text_t name; /* percent-encoded as in the manifest; updraft_manifest_file_name() decodes */
  uint64_t size;                /* 1 to 2^53 - 1 */
  const char *sha256;           /* 64 lower-case hex digits */
} updraft_manifest_file_t;

typedef struct {
  updraft_manifest_text_t product, module, version;
  updraft_manifest_text_t source_version; /* a delta's source version; len 0 for a full package */
  int is_delta;                           /* type delta: apply the file with the patcher */
  const char *source_sha256;              /* 64 hex digits, or NULL for "-" */
  const char *target_sha256;              /* 64 hex digits: the image the device runs afterwards */
  uint32_t security_version;
  int allow_downgrade; /* 1: may go below the installed security version */
  uint64_t signed_at;  /* unix seconds */
  const char *key_id;  /* 16 hex digits: the first 8 bytes of the sha256 of the raw public key */
  size_t file_count;   /* 1 to UPDRAFT_MANIFEST_MAX_FILES */
  updraft_manifest_file_t files[UPDRAFT_MANIFEST_MAX_FILES];
} updraft_manifest_t;

/* What this device expects of a package. */
typedef struct {
  const char *product;                 /* the device's product key */
  const char *module;                  /* the module being updated, e.g. "default" */
  const char *version;                 /* the offered version, or NULL not to compare it */
  uint32_t installed_security_version; /* kept by the device per module; 0 before the first signed install */
} updraft_manifest_expect_t;

/* Parses len bytes of manifest text into m, whose fields then point into text (keep it). Only the
 * canonical form is taken (lines in order, LF, no leading zeros, lower-case hex, names encoded as
 * encodeURIComponent does): 0, UPDRAFT_E_MALFORMED, UPDRAFT_E_NO_SPACE for more than
 * UPDRAFT_MANIFEST_MAX_FILES files, UPDRAFT_E_INVALID_ARGUMENT for NULL pointers. */
int updraft_manifest_parse(const uint8_t *text, size_t len, updraft_manifest_t *m);

/* The signature as sent (base64, whitespace around it ignored) into its 64 bytes: 0 or
 * UPDRAFT_E_MALFORMED. */
int updraft_manifest_signature(const char *base64, size_t len, uint8_t signature[64]);

/* Parses the manifest and checks it, in this order, each failure with its own code:
 *   UPDRAFT_E_MALFORMED, UPDRAFT_E_NO_SPACE  not a manifest (as updraft_manifest_parse)
 *   UPDRAFT_E_NO_VERIFIER                    no keys, or the key's hook has no verify function
 *   UPDRAFT_E_UNKNOWN_KEY                    no key of keys[] has the manifest's key id
 *   UPDRAFT_E_BAD_SIGNATURE                  the signature does not verify with that key
 *   UPDRAFT_E_WRONG_PRODUCT                  another product key or module (or version, if given)
 *   UPDRAFT_E_DOWNGRADE                      security version below the installed one, no allow-downgrade 1
 * keys[] is the device's key table: one hook per trusted public key (two during a rotation). Then
 * check every downloaded file with updraft_manifest_check_file(), and read m only after all of it. */
int updraft_manifest_check(const updraft_signature_hook_t *keys, size_t key_count, const uint8_t *manifest,
                           size_t len, const uint8_t signature[64], const updraft_manifest_expect_t *expect,
                           updraft_manifest_t *m);

/* The index-th file (0-based) against size bytes read through read (any buf size > 0): 0,
 * UPDRAFT_E_FILE_MISMATCH for another size or sha256, UPDRAFT_E_INVALID_ARGUMENT for an index past
 * file_count, or the read callback's code. */
int updraft_manifest_check_file(const updraft_manifest_t *m, size_t index, updraft_read_fn read, void *ctx,
                                uint32_t size, uint8_t *buf, uint32_t buf_len);

/* The image the device will run (a delta's restored image, read back from its slot) against
 * target-sha256: 0 or UPDRAFT_E_FILE_MISMATCH (or the read callback's code). */
int updraft_manifest_check_target(const updraft_manifest_t *m, updraft_read_fn read, void *ctx, uint32_t size,
                                  uint8_t *buf, uint32_t buf_len);

/* The file's name decoded (UTF-8) into out with a NUL: its length, or UPDRAFT_E_NO_SPACE. */
int updraft_manifest_file_name(const updraft_manifest_file_t *file, char *out, size_t cap);

#endif
