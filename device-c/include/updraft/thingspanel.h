/* ThingsPanel OTA over MQTT, the device side (protocols.md §1; the server side is
 * packages/protocol/src/thingspanel/ota-messages.ts):
 *   platform -> device  ota/device/inform/{AccessToken}  the upgrade push, parsed here
 *   device -> platform  ota/device/inform     {id, params:{version, module}}  built here
 *   device -> platform  ota/device/progress   {step, desc, module}            built here */
#ifndef UPDRAFT_THINGSPANEL_H
#define UPDRAFT_THINGSPANEL_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

typedef struct {
  const char *id;          /* the push's id (a string or a number in the JSON) */
  uint32_t code;     /* 200 (a number, or a string as ThingsPanel's Go servers send it) */
  const char *version;     /* params.version */
  uint32_t size;     /* params.size, bytes (number or numeric string; ThingsPanel v1 sends "0") */
  const char *url;         /* params.url, the download URL */
  int sign_method;   /* updraft_digest_t: UPDRAFT_DIGEST_MD5 or _SHA256 (signMethod, any case) */
  const char *sign;        /* params.sign, hex digest of the whole file ("" when the server sends none) */
  const char *module;      /* params.module; "default" when absent or null */
  const char *device;      /* the sub-device a gateway's push is for (field `device`), or NULL */
  const char *ext_data;    /* params.extData as raw JSON text (not decoded), or NULL */
  size_t ext_data_len;
  /* Updraft's additions (docs/mqtt.md); ThingsPanel's own servers send none of them. */
  int is_delta;            /* params.type is "delta": apply with updraft_patch_apply() */
  const char *sha256;      /* params.sha256, hex of the whole file, or NULL */
  int32_t min_signal;      /* params.minSignal (dBm), UPDRAFT_TP_UNSET when absent or null */
  int32_t min_battery;     /* params.minBattery (%), UPDRAFT_TP_UNSET when absent or null */
  int32_t retry;           /* params.retry: download attempts, UPDRAFT_TP_UNSET when absent */
  int32_t interval;        /* params.interval: seconds between attempts, UPDRAFT_TP_UNSET when absent */
  int64_t expires;         /* params.expires: unix seconds the URL stops working, -1 when absent */
  /* params.files, raw JSON (not decoded): every file of a multi-file package with its own url,
   * size, md5 and sha256; the fields above describe the first. NULL when absent. */
  const char *files;
  size_t files_len;
  /* params.signature of a signed package (docs/signing.md): its manifest, decoded in place, and
   * the base64 signature, for updraft_manifest_signature() and updraft_manifest_check(). NULL when
   * the package is unsigned (absent or null). */
  const char *manifest;
  size_t manifest_len;
  const char *signature;
} updraft_tp_push_t;

#define UPDRAFT_TP_UNSET INT32_MIN

/* Parses an upgrade push. The strings in `out` point into `json`, which is decoded in place (the
 * MQTT receive buffer; it must stay alive while they are used) and NUL-terminated there.
 * 0 or UPDRAFT_E_MALFORMED (not one JSON object, a required field missing or of the wrong type). */
int updraft_tp_parse_push(char *json, size_t len, updraft_tp_push_t *out);

/* {"step":"<step>","desc":"<desc>","module":"<module>"[,"device":"<device>"]}: step 1..100, or -1
 * failed, -2 download failed, -3 verification failed, -4 write failed. desc is cut to 128 bytes
 * (at a UTF-8 boundary) and escaped; module NULL means "default"; device NULL leaves it out.
 * Returns the length written (NUL-terminated), UPDRAFT_E_NO_SPACE or UPDRAFT_E_INVALID_ARGUMENT. */
int updraft_tp_progress(char *out, size_t cap, int step, const char *desc, const char *module, const char *device);

/* {"id":"<id>","params":{"version":"<version>","module":"<module>"}[,"device":"<device>"]} */
int updraft_tp_version_inform(char *out, size_t cap, const char *id, const char *version, const char *module,
                              const char *device);

#endif
