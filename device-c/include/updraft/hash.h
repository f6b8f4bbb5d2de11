/* Digests for image verification and the protocol helpers: SHA-256 (FIPS 180-4), SHA-1 and MD5
 * (RFC 1321), incremental, HMAC over each (RFC 2104), CRC-32 (ISO-HDLC, as the patch format) and
 * the three CRC-16 variants of ThingsPanel's X-CRC16 header (protocols.md §1.9). No tables in RAM. */
#ifndef UPDRAFT_HASH_H
#define UPDRAFT_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

typedef struct {
  uint32_t h[8];
  uint32_t len_lo, len_hi; /* bytes hashed */
  uint8_t block[64];
} updraft_sha256_t; /* 104 bytes */

typedef struct {
  uint32_t h[5];
  uint32_t len_lo, len_hi;
  uint8_t block[64];
} updraft_sha1_t;

typedef struct {
  uint32_t h[4];
  uint32_t len_lo, len_hi;
  uint8_t block[64];
} updraft_md5_t;

/* SHA-256's 64 round constants, for a block function plugged in through UPDRAFT_SHA256_BLOCKS. */
extern const uint32_t updraft_sha256_k[64];

void updraft_sha256_init(updraft_sha256_t *s);
void updraft_sha256_update(updraft_sha256_t *s, const uint8_t *data, size_t len);
void updraft_sha256_final(updraft_sha256_t *s, uint8_t out[32]);

void updraft_sha1_init(updraft_sha1_t *s);
void updraft_sha1_update(updraft_sha1_t *s, const uint8_t *data, size_t len);
void updraft_sha1_final(updraft_sha1_t *s, uint8_t out[20]);

void updraft_md5_init(updraft_md5_t *s);
void updraft_md5_update(updraft_md5_t *s, const uint8_t *data, size_t len);
void updraft_md5_final(updraft_md5_t *s, uint8_t out[16]);

typedef enum { UPDRAFT_HMAC_MD5 = 0, UPDRAFT_HMAC_SHA1 = 1, UPDRAFT_HMAC_SHA256 = 2 } updraft_hmac_alg_t;

/* HMAC of msg under key; writes 16, 20 or 32 bytes and returns that length (or a negative code). */
int updraft_hmac(updraft_hmac_alg_t alg, const uint8_t *key, size_t key_len, const uint8_t *msg,
                 size_t msg_len, uint8_t *out);

/* CRC-32 (reflected 0xEDB88320, init/xorout 0xFFFFFFFF); pass 0 to start, the last result to go on. */
uint32_t updraft_crc32(uint32_t previous, const uint8_t *data, size_t len);

typedef enum {
  UPDRAFT_CRC16_IBM = 0,   /* CRC-16/USB: reflected 0x8005, init/xorout 0xFFFF (no Crc16-Method) */
  UPDRAFT_CRC16_CCITT = 1, /* CRC-16/IBM-SDLC: reflected 0x1021, init/xorout 0xFFFF */
  UPDRAFT_CRC16_MBUS = 2   /* "MODBUS" in ThingsPanel: poly 0x3D65 MSB-first, init 0, xorout 0 */
} updraft_crc16_method_t;

/* An incremental CRC-16: state = updraft_crc16_init(m); state = updraft_crc16_update(m, state, ...);
 * value = updraft_crc16_final(m, state). */
uint16_t updraft_crc16_init(updraft_crc16_method_t method);
uint16_t updraft_crc16_update(updraft_crc16_method_t method, uint16_t state, const uint8_t *data, size_t len);
uint16_t updraft_crc16_final(updraft_crc16_method_t method, uint16_t state);

/* Lowercase hex of n bytes into out (2n characters and a NUL). */
void updraft_hex(const uint8_t *bytes, size_t n, char *out);
/* Parses 2n hex digits (either case) into n bytes; 0 or UPDRAFT_E_MALFORMED. */
int updraft_unhex(const char *hex, size_t hex_len, uint8_t *out, size_t n);

#endif
