/* The Quectel frame (protocols.md §3.2): header, length, additive checksum, packet id, command,
 * payload, with 0x55 stuffed after an 0xAA that could be mistaken for a header. */
#include "updraft/quectel.h"

#define FRAME_OVERHEAD 9u

/* The i-th byte of the frame before stuffing. */
static uint8_t frame_byte(size_t i, const uint8_t *head, const uint8_t *payload) {
  return i < FRAME_OVERHEAD ? head[i] : payload[i - FRAME_OVERHEAD];
}

int32_t updraft_qframe_encode(uint8_t *out, size_t cap, uint16_t packet_id, uint16_t cmd, const uint8_t *payload,
                              size_t payload_len) {
  uint8_t head[FRAME_OVERHEAD];
  size_t i, n = 0, total = FRAME_OVERHEAD + payload_len;
  uint32_t sum = 0;
  if (packet_id == 0 || packet_id == 0xffff || payload_len > 0xffffu - 5u || (payload_len > 0 && payload == NULL))
    return UPDRAFT_E_INVALID_ARGUMENT;
  for (i = 0; i < payload_len; i++) sum += payload[i];
  sum += (uint32_t)(packet_id >> 8) + (packet_id & 0xffu) + (uint32_t)(cmd >> 8) + (cmd & 0xffu);
  head[0] = head[1] = 0xaa;
  head[2] = (uint8_t)((payload_len + 5) >> 8);
  head[3] = (uint8_t)(payload_len + 5);
  head[4] = (uint8_t)sum;
  head[5] = (uint8_t)(packet_id >> 8);
  head[6] = (uint8_t)packet_id;
  head[7] = (uint8_t)(cmd >> 8);
  head[8] = (uint8_t)cmd;
  for (i = 0; i < total; i++) {
    uint8_t b = frame_byte(i, head, payload);
    if (n >= cap) return UPDRAFT_E_NO_SPACE;
    out[n++] = b;
    if (i > 0 && b == 0xaa) {
      uint8_t next = i + 1 < total ? frame_byte(i + 1, head, payload) : 0;
      if (i + 1 == total || next == 0xaa || next == 0x55) {
        if (n >= cap) return UPDRAFT_E_NO_SPACE;
        out[n++] = 0x55;
      }
    }
  }
  return (int32_t)n;
}

int updraft_qframe_decode(uint8_t *buf, size_t len, updraft_qframe_t *frame) {
  size_t i, n = 1;
  uint32_t sum = 0;
  uint8_t previous;
  if (buf == NULL || frame == NULL || len < 2 || buf[0] != 0xaa) return UPDRAFT_E_MALFORMED;
  previous = buf[0];
  for (i = 1; i < len; i++) {
    uint8_t b = buf[i];
    if (!(b == 0x55 && previous == 0xaa && i > 1)) buf[n++] = b;
    previous = b;
  }
  if (n < FRAME_OVERHEAD || buf[1] != 0xaa || (size_t)(buf[2] << 8 | buf[3]) != n - 4) return UPDRAFT_E_MALFORMED;
  for (i = 5; i < n; i++) sum += buf[i];
  if ((uint8_t)sum != buf[4]) return UPDRAFT_E_MALFORMED;
  frame->packet_id = (uint16_t)(buf[5] << 8 | buf[6]);
  frame->cmd = (uint16_t)(buf[7] << 8 | buf[8]);
  if (frame->packet_id == 0 || frame->packet_id == 0xffff) return UPDRAFT_E_MALFORMED;
  frame->payload = buf + FRAME_OVERHEAD;
  frame->payload_len = (uint16_t)(n - FRAME_OVERHEAD);
  return UPDRAFT_OK;
}
