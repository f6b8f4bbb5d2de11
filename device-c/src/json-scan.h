/* A small JSON scanner for the device side of the MQTT dialects: finds the members of an object and
 * decodes strings in place. Iterative (no recursion), so its stack is fixed whatever the input. */
#ifndef UPDRAFT_JSON_SCAN_H
#define UPDRAFT_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  char *at; /* first byte of the value's text (in the caller's writable buffer), NULL when absent */
  size_t len;
} json_span_t;

/* The span of every value in text[0, len); returns its end (or NULL when malformed). */
const char *json_skip_value(const char *text, const char *end);

/* Finds `count` keys among the members of the object that spans text[0, len); fills spans. Returns 0,
 * or -1 when the text is not one object. A key given twice keeps its last value, as JSON.parse. */
int json_object_members(char *text, size_t len, const char *const *keys, json_span_t *spans, size_t count);

/* Whether a span is a string, a number, null. */
int json_is_string(json_span_t s);
int json_is_null(json_span_t s);

/* Decodes a string span in place (escapes, \u with surrogate pairs to UTF-8) and NUL-terminates
 * it; returns the start of the text, or NULL when it is not a well-formed string. */
char *json_decode_string(json_span_t s);

/* A non-negative integer from a number (a fraction is cut off) or a string of digits. 0 or -1. */
int json_read_uint(json_span_t s, uint32_t *value);
/* An integer with an optional minus sign, within int32 (a fraction is cut off). 0 or -1. */
int json_read_int(json_span_t s, int32_t *value);

#endif
