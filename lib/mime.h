/*
 * mime: what the email check needs from RFC 5322 and RFC 2047 headers.
 */
#ifndef RP_MIME_H
#define RP_MIME_H

#include <stddef.h>

#include "util.h"

/* Decodes a header value as a person reads it: folded lines unfolded, RFC
 * 2047 encoded words (B and Q, any charset iconv knows) decoded to UTF-8,
 * runs of white space made one space, and the ends trimmed. Bytes that are
 * not UTF-8 become U+FFFD. The caller frees the result. */
char *rp_mime_decode_header(const char *raw);

/* Makes s comparable with a decoded header: white space runs made one space,
 * ends trimmed. The caller frees the result. */
char *rp_mime_normalize(const char *s);

/* The addresses (addr-spec, lower case) of an address-list header such as
 * From: display names, comments and angle brackets dropped. Returns how
 * many; *out is an array of strings the caller frees with
 * rp_mime_free_list(). */
size_t rp_mime_addresses(const char *raw, char ***out);
void rp_mime_free_list(char **v, size_t n);

/* Decodes base64 (RFC 4648, padding optional, no other characters). Returns
 * the decoded bytes (NUL-terminated, length in *len) or NULL if s is not
 * base64. */
char *rp_base64_decode(const char *s, size_t n, size_t *len);

#endif
