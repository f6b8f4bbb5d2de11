/* Size probe: the protocol helpers (OneNET token, ThingsPanel messages, Quectel frame and TTLV). */
#include "updraft/updraft.h"

int probe_entry(char *buf, size_t len, uint8_t *bin);
int probe_entry(char *buf, size_t len, uint8_t *bin) {
  updraft_tp_push_t push;
  updraft_qframe_t frame;
  updraft_ttlv_reader_t r;
  updraft_ttlv_writer_t w;
  updraft_ttlv_node_t node;
  int rc = updraft_onenet_token(buf, len, "products/1", 1u, UPDRAFT_HMAC_SHA256, buf + 64);
  rc |= updraft_tp_parse_push(buf, len, &push);
  rc |= updraft_tp_progress(buf, len, 50, "x", "MCU", 0);
  rc |= updraft_tp_version_inform(buf, len, "1", "2", 0, 0);
  rc |= updraft_qframe_decode(bin, len, &frame);
  updraft_ttlv_reader_init(&r, frame.payload, frame.payload_len);
  rc |= updraft_ttlv_next(&r, &node);
  updraft_ttlv_writer_init(&w, bin, len);
  updraft_ttlv_int(&w, 13, 5);
  updraft_ttlv_string(&w, 14, "x");
  return rc | (int)updraft_qframe_encode(bin, len, 1, 0x114, bin, (size_t)updraft_ttlv_finish(&w));
}
