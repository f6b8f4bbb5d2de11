/* Image verification: the SHA-256 and MD5 of an image read back from flash, compared with the
 * hex digest a download offer carries (OneNET md5/sha256, ThingsPanel sign, Quectel DOWN_MD5), and
 * the Ed25519 hook through which the integrator's own library checks a signed manifest. */
#ifndef UPDRAFT_VERIFY_H
#define UPDRAFT_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "hash.h"

/* Reads len bytes of the image at offset into buf: 0 or a negative code. */
typedef int (*updraft_read_fn)(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);

typedef enum { UPDRAFT_DIGEST_MD5 = 0, UPDRAFT_DIGEST_SHA256 = 1 } updraft_digest_t;

/* Hashes size bytes of an image through buf (any size > 0); either output may be NULL. */
int updraft_image_digests(updraft_read_fn read, void *ctx, uint32_t size, uint8_t *buf, uint32_t buf_len,
                          uint8_t sha256[32], uint8_t md5[16]);

/* The same for SHA-256 alone, without linking MD5 (the signed-manifest checks use it). */
int updraft_image_sha256(updraft_read_fn read, void *ctx, uint32_t size, uint8_t *buf, uint32_t buf_len,
                         uint8_t sha256[32]);

/* Compares the image's digest with expected_hex (either case): 0, UPDRAFT_E_BAD_SIGNATURE, or
 * UPDRAFT_E_MALFORMED when the hex is not a digest of that kind. */
int updraft_image_check(updraft_read_fn read, void *ctx, uint32_t size, uint8_t *buf, uint32_t buf_len,
                        updraft_digest_t kind, const char *expected_hex, size_t hex_len);

/* "md5"/"MD5"/"Md5" or "sha256"/"SHA256": the digest a signMethod names; -1 if neither. */
int updraft_digest_from_name(const char *name);

/* The integrator's Ed25519 verification (Monocypher, TweetNaCl, mbedTLS, the platform's crypto
 * engine): returns 0 when signature is valid for msg under public_key, non-zero otherwise. */
typedef int (*updraft_ed25519_verify_fn)(void *ctx, const uint8_t public_key[32], const uint8_t *msg, size_t msg_len,
                                         const uint8_t signature[64]);

typedef struct {
  updraft_ed25519_verify_fn verify; /* NULL: no verifier installed */
  void *ctx;
  const uint8_t *public_key; /* 32 bytes, the fleet's signing key, e.g. in the bootloader's flash */
} updraft_signature_hook_t;

/* 0 when the signature over msg is valid; UPDRAFT_E_NO_VERIFIER without a hook (an image is never
 * taken as signed by default); UPDRAFT_E_BAD_SIGNATURE otherwise. */
int updraft_verify_signature(const updraft_signature_hook_t *hook, const uint8_t *msg, size_t msg_len,
                             const uint8_t signature[64]);

#endif
