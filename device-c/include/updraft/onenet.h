/* OneNET's Authorization token (protocols.md §2.2), as packages/protocol/src/onenet/auth-token.ts
 * builds it:
 *   version=2018-10-31&res={urlenc(res)}&et={et}&method={md5|sha1|sha256}&sign={urlenc(base64(hmac))}
 *   hmac = HMAC_method(key = base64decode(accessKey), et "\n" method "\n" res "\n" version) */
#ifndef UPDRAFT_ONENET_H
#define UPDRAFT_ONENET_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"

/* Writes the NUL-terminated token into out; returns its length, UPDRAFT_E_NO_SPACE, or
 * UPDRAFT_E_MALFORMED when access_key is not base64 of at most 128 bytes. `res` is
 * "products/{pid}" or "products/{pid}/devices/{name}"; `et` the expiry, unix seconds. */
int updraft_onenet_token(char *out, size_t cap, const char *res, uint32_t et, updraft_hmac_alg_t method,
                         const char *access_key);

/* Base64 (RFC 4648 §4, with padding). encode returns the length written (and a NUL), or
 * UPDRAFT_E_NO_SPACE; decode returns the bytes decoded or UPDRAFT_E_MALFORMED / _NO_SPACE. */
int updraft_base64_encode(const uint8_t *data, size_t len, char *out, size_t cap);
int updraft_base64_decode(const char *text, size_t len, uint8_t *out, size_t cap);
/* Percent-encodes as JavaScript's encodeURIComponent: all but A-Z a-z 0-9 - _ . ! ~ * ' ( ). */
int updraft_url_encode(const char *text, size_t len, char *out, size_t cap);

#endif
