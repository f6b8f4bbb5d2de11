/* Test harness only: the command groups of protocol-tool. */
#ifndef UPDRAFT_PROTOCOL_TOOL_H
#define UPDRAFT_PROTOCOL_TOOL_H

#include <stddef.h>
#include <stdint.h>

#include "updraft/updraft.h"

/* Hex arguments and output, and the next tab-separated argument of a line (protocol-tool.c). */
size_t unhex_arg(const char *hex, uint8_t *out);
void print_hex(const uint8_t *data, size_t len);
char *next_arg(char **line);

/* Each returns 1 when it knew the command (and printed its result), else 0. */
int quectel_command(const char *cmd, char *rest, uint8_t *a, uint8_t *b);
int verify_command(const char *cmd, char *rest, uint8_t *a, uint8_t *b);
int manifest_command(const char *cmd, char *rest, uint8_t *a, uint8_t *b);

/* OpenSSL's Ed25519 behind the library's hook (protocol-tool-quectel.c). */
int openssl_ed25519(void *ctx, const uint8_t public_key[32], const uint8_t *msg, size_t msg_len,
                    const uint8_t signature[64]);

#endif
