/*
 * util: the small pieces every module needs.
 *
 * Errors: library code never prints and never exits. A failing function
 * returns -1 (or NULL) and fills a caller-owned struct rp_err with one line a
 * user can act on. The code is one of the RP_EXIT_* values, so that a program
 * can turn any error into its exit status without knowing where it came from.
 *
 * Memory: rp_xmalloc and friends abort on exhaustion; that is the one fatal
 * path inside lib/.
 */
#ifndef RP_UTIL_H
#define RP_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Exit statuses: the monitoring-plugin convention plus sysexits. */
enum {
	RP_EXIT_OK = 0,
	RP_EXIT_WARNING = 1,
	RP_EXIT_CRITICAL = 2,
	RP_EXIT_UNKNOWN = 3,
	RP_EXIT_USAGE = 64,
	RP_EXIT_SOFTWARE = 70,
	RP_EXIT_IOERR = 74,         /* the output could not be written */
	RP_EXIT_TEMPFAIL = 75,      /* the state store cannot be reached (rp-ping) */
	RP_EXIT_CONFIG = 78
};

struct rp_err {
	int code;
	char msg[256];
};

/* Fills err (if not NULL) with code and a formatted message; returns -1 so
 * that callers can write "return rp_err_set(...)". A message longer than the
 * buffer is cut and ends in "...". */
int rp_err_set(struct rp_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void *rp_xmalloc(size_t n);
void *rp_xcalloc(size_t nmemb, size_t size);
void *rp_xrealloc(void *p, size_t n);
char *rp_xstrdup(const char *s);
/* rp_xstrdup(), or NULL for NULL. */
char *rp_xstrdup_or_null(const char *s);
char *rp_xstrndup(const char *s, size_t n);
/* Formats into a new string the caller frees. */
char *rp_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Wipes and frees a string that held a secret. NULL is fine. */
void rp_free_secret(char *s);

/* Parses all of s as a base-10 integer within [min, max]. Leading and
 * trailing blanks are refused. Returns 0, or -1 if s is not such a number. */
int rp_parse_long(const char *s, long min, long max, long *out);

/* Whether s has the shape of a PagerDuty integration (routing) key: 32
 * letters and digits. */
int rp_is_integration_key(const char *s);

/* The name under which events to a routing key are counted for the rate
 * limit ("rk-" and 16 hex digits of a hash): the key itself is never
 * stored. */
#define RP_RATE_LABEL_LEN 24
void rp_rate_label(const char *routing_key, char out[RP_RATE_LABEL_LEN]);

/* Whether the file at path may be trusted as a user's own: -1 with err
 * (RP_EXIT_CONFIG, one line naming the file, what is wrong and the fix)
 * when it is owned by a user other than the one running the program and
 * root, or writable by its group or others, or when a directory on its way
 * is writable by others without the sticky bit, as ssh refuses its files;
 * what names the file in the message ("etl.cfg", "[google_apps]
 * password_file"). A file that cannot be read is left to the caller. */
int rp_file_safe(const char *path, const char *what, struct rp_err *err);

/* Copies src into dst of size n; returns -1 (dst cut, still terminated) if
 * it did not fit. */
int rp_strlcpy(char *dst, const char *src, size_t n);

/* A growing byte buffer, always NUL-terminated. */
struct rp_buf {
	char *data;
	size_t len;
	size_t cap;
};
void rp_buf_append(struct rp_buf *b, const void *p, size_t n);
void rp_buf_printf(struct rp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rp_buf_vprintf(struct rp_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void rp_buf_free(struct rp_buf *b);

/* Appends s as the body of a JSON string (no quotes), escaping as RFC 8259
 * requires. Invalid UTF-8 bytes become U+FFFD, so the output is always
 * valid JSON whatever a server sent us. */
void rp_buf_json_str(struct rp_buf *b, const char *s);

/* Appends s with every byte that is not part of valid UTF-8 replaced by
 * U+FFFD, so the result can go into JSON or a terminal as it is. */
void rp_buf_utf8(struct rp_buf *b, const char *s);

#endif
