/* Quectel Developer Center's binary device protocol over MQTT (protocols.md §3.2): the frame
 *   AA AA | len (2) | sum (1) | packet id (2) | cmd (2) | TTLV payload      (big-endian)
 * where len counts the bytes from offset 4 to the end, sum is the byte sum of packet id, cmd and
 * payload, and on the wire every 0xAA after the first byte that is followed by 0xAA or 0x55, or
 * ends the frame, is followed by a stuffed 0x55 that the receiver drops. The payload is TTLV nodes:
 * a 2-byte (id << 3) | type, then per type: 0/1 bool (nothing), 2 number (1 byte: bit 7 negative,
 * bits 6..3 decimal exponent, bits 2..0 length - 1; then the magnitude), 3 bytes (2-byte length and
 * the bytes), 4 struct (2-byte child count and the children; array elements have id 0). */
#ifndef UPDRAFT_QUECTEL_H
#define UPDRAFT_QUECTEL_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

/* OTA commands (QIOT_DPCMD_*) and ids (QIOT_DPID_OTA_*) of protocols.md §3.2. */
enum {
  UPDRAFT_Q_CMD_OTA_NOTIFY = 0x0111,
  UPDRAFT_Q_CMD_OTA_FW_INFO = 0x0113,
  UPDRAFT_Q_CMD_OTA_EVENT = 0x0114,
  UPDRAFT_Q_CMD_OTA_REQUEST = 0x0115
};
enum {
  UPDRAFT_Q_ID_DOWN_URL = 1,
  UPDRAFT_Q_ID_DOWN_SIZE = 2,
  UPDRAFT_Q_ID_DOWN_MD5 = 3,
  UPDRAFT_Q_ID_COMPONENT_NO = 4,
  UPDRAFT_Q_ID_SOURCE_VER = 5,
  UPDRAFT_Q_ID_TARGET_VER = 6,
  UPDRAFT_Q_ID_COMPONENT_TYPE = 7,
  UPDRAFT_Q_ID_STATUS = 13,
  UPDRAFT_Q_ID_MESSAGE = 14,
  UPDRAFT_Q_ID_DOWN_CRC = 15,
  UPDRAFT_Q_ID_DOWN_SHA256 = 16,
  UPDRAFT_Q_ID_DOWN_INFO = 20,
  UPDRAFT_Q_ID_MODULE_VER = 25,
  UPDRAFT_Q_ID_MCU_VER = 26
};

typedef struct {
  uint16_t packet_id; /* 1..0xFFFE */
  uint16_t cmd;
  const uint8_t *payload;
  uint16_t payload_len;
} updraft_qframe_t;

/* Frames and stuffs a payload into out; returns the bytes written, UPDRAFT_E_NO_SPACE, or
 * UPDRAFT_E_INVALID_ARGUMENT (packet id 0 or 0xFFFF, payload over 65,530 bytes). */
int32_t updraft_qframe_encode(uint8_t *out, size_t cap, uint16_t packet_id, uint16_t cmd, const uint8_t *payload,
                              size_t payload_len);

/* Unstuffs one received frame in place and checks it; frame->payload points into buf.
 * 0 or UPDRAFT_E_MALFORMED (header, length, checksum or packet id wrong). */
int updraft_qframe_decode(uint8_t *buf, size_t len, updraft_qframe_t *frame);

#define UPDRAFT_TTLV_MAX_DEPTH 8

enum { UPDRAFT_TTLV_FALSE = 0, UPDRAFT_TTLV_TRUE = 1, UPDRAFT_TTLV_NUMBER = 2, UPDRAFT_TTLV_BYTES = 3, UPDRAFT_TTLV_STRUCT = 4 };

/* Writes TTLV nodes; a struct's child count is filled in by updraft_ttlv_end(). Errors are sticky:
 * check updraft_ttlv_finish() once at the end. */
typedef struct {
  uint8_t *buf;
  size_t cap, len;
  int err;
  unsigned depth;
  size_t count_at[UPDRAFT_TTLV_MAX_DEPTH + 1];
  uint16_t count[UPDRAFT_TTLV_MAX_DEPTH + 1];
} updraft_ttlv_writer_t;

void updraft_ttlv_writer_init(updraft_ttlv_writer_t *w, uint8_t *buf, size_t cap);
void updraft_ttlv_bool(updraft_ttlv_writer_t *w, uint16_t id, int value);
/* value = (negative ? -magnitude : magnitude) / 10^exponent; exponent 0..15. */
void updraft_ttlv_number(updraft_ttlv_writer_t *w, uint16_t id, uint64_t magnitude, int negative, unsigned exponent);
void updraft_ttlv_int(updraft_ttlv_writer_t *w, uint16_t id, int32_t value);
void updraft_ttlv_bytes(updraft_ttlv_writer_t *w, uint16_t id, const void *data, size_t len);
void updraft_ttlv_string(updraft_ttlv_writer_t *w, uint16_t id, const char *text);
void updraft_ttlv_begin(updraft_ttlv_writer_t *w, uint16_t id);
void updraft_ttlv_end(updraft_ttlv_writer_t *w);
/* The payload length, or the first error (UPDRAFT_E_NO_SPACE, UPDRAFT_E_INVALID_ARGUMENT). */
int32_t updraft_ttlv_finish(updraft_ttlv_writer_t *w);

typedef struct {
  uint16_t id;
  uint8_t type;     /* UPDRAFT_TTLV_* */
  uint8_t depth;    /* 0 at the top; a struct's children are one deeper */
  uint8_t negative; /* numbers */
  uint8_t exponent;
  uint64_t magnitude;
  const uint8_t *data; /* bytes */
  uint16_t len;        /* bytes: their length; struct: child count */
} updraft_ttlv_node_t;

typedef struct {
  const uint8_t *p, *end;
  unsigned depth;
  uint16_t left[UPDRAFT_TTLV_MAX_DEPTH + 1];
} updraft_ttlv_reader_t;

void updraft_ttlv_reader_init(updraft_ttlv_reader_t *r, const uint8_t *data, size_t len);
/* Reads the next node in document order (a struct, then its children): 1, 0 at the end, or
 * UPDRAFT_E_MALFORMED (a node cut short, an unknown type, nesting over UPDRAFT_TTLV_MAX_DEPTH, a
 * struct with fewer children than its count). */
int updraft_ttlv_next(updraft_ttlv_reader_t *r, updraft_ttlv_node_t *node);
/* A number node as int32 when it has no exponent and fits: 0, or UPDRAFT_E_MALFORMED. */
int updraft_ttlv_node_int(const updraft_ttlv_node_t *node, int32_t *value);

#endif
