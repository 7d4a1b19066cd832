#define _DEFAULT_SOURCE /* explicit_bzero */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
rp_err_set(struct rp_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		rp_strlcpy(err->msg, "(unformattable error)", sizeof(err->msg));
	else if ((size_t)n >= sizeof(err->msg))
		memcpy(err->msg + sizeof(err->msg) - 4, "...", 4);
	/* One line, whatever a file or a server put into a quoted value. */
	for (char *p = err->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return -1;
}

static void
oom(void)
{
	static const char m[] = "robopager: out of memory\n";
	/* The write can fail; we are about to abort either way. */
	if (fwrite(m, 1, sizeof(m) - 1, stderr) == 0)
		abort();
	abort();
}

void *
rp_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
rp_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
rp_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		oom();
	return q;
}

char *
rp_xstrdup(const char *s)
{
	return rp_xstrndup(s, strlen(s));
}

char *
rp_xstrndup(const char *s, size_t n)
{
	char *p = rp_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
rp_xasprintf(const char *fmt, ...)
{
	struct rp_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	rp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return b.data;
}

void
rp_free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

int
rp_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || !(*s == '-' || *s == '+' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
rp_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n == 0)
		return -1;
	if (len < n) {
		memcpy(dst, src, len + 1);
		return 0;
	}
	memcpy(dst, src, n - 1);
	dst[n - 1] = '\0';
	return -1;
}

static void
buf_reserve(struct rp_buf *b, size_t n)
{
	size_t cap;

	if (b->len + n + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->data = rp_xrealloc(b->data, cap);
	b->cap = cap;
}

void
rp_buf_append(struct rp_buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
rp_buf_vprintf(struct rp_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		oom();
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
rp_buf_printf(struct rp_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rp_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

int
rp_is_integration_key(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return i == 32;
}

void
rp_buf_free(struct rp_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
rp_buf_json_str(struct rp_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			char e[2] = {'\\', (char)*p};
			rp_buf_append(b, e, 2);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			rp_buf_printf(b, "\\u%04x", *p);
			p++;
		} else if ((n = utf8_len(p)) == 0) {
			rp_buf_append(b, "\xef\xbf\xbd", 3);
			p++;
		} else {
			rp_buf_append(b, p, n);
			p += n;
		}
	}
}

void
rp_buf_utf8(struct rp_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);
		if (n == 0) {
			rp_buf_append(b, "\xef\xbf\xbd", 3);
			p++;
		} else {
			rp_buf_append(b, p, n);
			p += n;
		}
	}
	rp_buf_append(b, "", 0);
}

void
rp_rate_label(const char *routing_key, char out[RP_RATE_LABEL_LEN])
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a, 64 bits */
	const unsigned char *p;

	for (p = (const unsigned char *)routing_key; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	snprintf(out, RP_RATE_LABEL_LEN, "rk-%016llx", (unsigned long long)h);
}

char *
rp_xstrdup_or_null(const char *s)
{
	return s != NULL ? rp_xstrdup(s) : NULL;
}

/* The user named by uid, for messages. */
static const char *
user_name(uid_t uid, char *buf, size_t n)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(buf, n, "%s", pw->pw_name);
	else
		snprintf(buf, n, "uid %ld", (long)uid);
	return buf;
}

/* Whether the directory dir (and those above it) may hold files another
 * user cannot replace: none is writable by every user without the sticky
 * bit (/tmp is fine: there nobody replaces another's file). */
static int
dir_safe(const char *file, char *dir, const char *what, struct rp_err *err)
{
	struct stat st;
	char *slash;

	for (;;) {
		if (stat(*dir ? dir : "/", &st) == 0 && (st.st_mode & S_IWOTH) &&
		    !(st.st_mode & S_ISVTX))
			return rp_err_set(err, RP_EXIT_CONFIG, "%s: %s is in %s, which every user can "
			    "write: refused (move it, or chmod o-w %s)", file, what, *dir ? dir : "/",
			    *dir ? dir : "/");
		if ((slash = strrchr(dir, '/')) == NULL)
			return 0;
		*slash = '\0';
		if (*dir == '\0')
			return 0;
	}
}

int
rp_file_safe(const char *path, const char *what, struct rp_err *err)
{
	struct stat st;
	char dir[4096], cwd[2048], who[64], me[64];
	uid_t uid = geteuid();
	int n;

	if (stat(path, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		return rp_err_set(err, RP_EXIT_CONFIG, "%s: %s is a directory, not a file", path,
		    what);
	if (st.st_uid != uid && st.st_uid != 0)
		return rp_err_set(err, RP_EXIT_CONFIG, "%s: %s is owned by %s, not by %s (who runs "
		    "this) or root: refused; run as %s, or chown it", path, what,
		    user_name(st.st_uid, who, sizeof(who)), user_name(uid, me, sizeof(me)), who);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return rp_err_set(err, RP_EXIT_CONFIG, "%s: %s can be written by %s: refused; run: "
		    "chmod go-w %s", path, what, st.st_mode & S_IWOTH ? "every user" : "its group",
		    path);
	if (path[0] == '/')
		n = snprintf(dir, sizeof(dir), "%s", path);
	else if (getcwd(cwd, sizeof(cwd)) != NULL)
		n = snprintf(dir, sizeof(dir), "%s/%s", cwd, path);
	else
		return 0;
	if (n < 0 || (size_t)n >= sizeof(dir))
		return 0;
	*strrchr(dir, '/') = '\0'; /* the file's directory */
	return dir_safe(path, dir, what, err);
}
