#define _POSIX_C_SOURCE 200809L
#include "mime.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

char *
rp_base64_decode(const char *s, size_t n, size_t *len)
{
	char *out = rp_xmalloc(n / 4 * 3 + 4);
	unsigned acc = 0;
	size_t i, o = 0, pad = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		int v;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = b64val((unsigned char)s[i])) < 0)
			goto bad;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	/* Leftover bits must be padding zeros; at most two '='. */
	if (pad > 2 || bits >= 6 || (acc & ((1u << bits) - 1)) != 0)
		goto bad;
	out[o] = '\0';
	*len = o;
	return out;
bad:
	free(out);
	return NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Q encoding (RFC 2047 4.2): "_" is a space, =XX a byte. */
static char *
q_decode(const char *s, size_t n, size_t *len)
{
	char *out = rp_xmalloc(n + 1);
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '_') {
			out[o++] = ' ';
		} else if (s[i] == '=' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		           hexval((unsigned char)s[i + 2]) >= 0) {
			out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* Converts n bytes in charset to UTF-8, appended to b. Returns -1 if the
 * charset is unknown or the bytes are not in it. (gcc 12's analyzer takes
 * iconv_open()'s failure value, (iconv_t)-1, for an allocation it leaks.) */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static int
to_utf8(struct rp_buf *b, const char *charset, const char *in, size_t n)
{
	char cs[64];
	size_t i, left = n, room;
	char out[512], *dst, *copy, *src;
	iconv_t cd;

	for (i = 0; charset[i] && charset[i] != '*' && i < sizeof(cs) - 1; i++)
		cs[i] = charset[i]; /* RFC 2231 language suffix dropped */
	cs[i] = '\0';
	if (strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "us-ascii") == 0) {
		rp_buf_append(b, in, n);
		return 0;
	}
	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return -1;
	src = copy = rp_xstrndup(in, n); /* iconv's input is not const */
	while (left > 0) {
		dst = out;
		room = sizeof(out);
		if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1 && errno != E2BIG) {
			iconv_close(cd);
			free(copy);
			return -1;
		}
		rp_buf_append(b, out, sizeof(out) - room);
	}
	iconv_close(cd);
	free(copy);
	return 0;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* If s starts an encoded word =?charset?X?text?=, decodes it onto b and
 * returns its length; else 0. */
static size_t
encoded_word(struct rp_buf *b, const char *s)
{
	const char *cs, *enc, *text, *end;
	char charset[64];
	char *raw;
	size_t n, rawlen;
	struct rp_buf tmp = {0};
	int rc;

	if (s[0] != '=' || s[1] != '?')
		return 0;
	cs = s + 2;
	enc = strchr(cs, '?');
	if (enc == NULL || enc == cs || (size_t)(enc - cs) >= sizeof(charset) ||
	    strchr("BbQq", enc[1]) == NULL || enc[1] == '\0' || enc[2] != '?')
		return 0;
	text = enc + 3;
	end = strstr(text, "?=");
	if (end == NULL)
		return 0;
	for (n = 0; text + n < end; n++)
		if (text[n] == ' ' || text[n] == '\t' || text[n] == '\r' || text[n] == '\n')
			return 0; /* encoded words hold no white space */
	memcpy(charset, cs, (size_t)(enc - cs));
	charset[enc - cs] = '\0';
	if (enc[1] == 'B' || enc[1] == 'b')
		raw = rp_base64_decode(text, n, &rawlen);
	else
		raw = q_decode(text, n, &rawlen);
	if (raw == NULL)
		return 0;
	rc = to_utf8(&tmp, charset, raw, rawlen);
	free(raw);
	if (rc != 0) {
		rp_buf_free(&tmp);
		return 0;
	}
	if (tmp.len > 0)
		rp_buf_append(b, tmp.data, tmp.len);
	rp_buf_free(&tmp);
	return (size_t)(end + 2 - s);
}

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *
rp_mime_normalize(const char *s)
{
	struct rp_buf b = {0}, out = {0};
	const char *p;
	int space = 0;

	rp_buf_utf8(&b, s);
	for (p = b.data; *p; p++) {
		if (is_wsp((unsigned char)*p)) {
			space = out.len > 0;
			continue;
		}
		if (space)
			rp_buf_append(&out, " ", 1);
		space = 0;
		rp_buf_append(&out, p, 1);
	}
	rp_buf_append(&out, "", 0);
	rp_buf_free(&b);
	return out.data;
}

char *
rp_mime_decode_header(const char *raw)
{
	struct rp_buf b = {0};
	const char *p = raw;
	int prev_word = 0; /* the last thing taken was an encoded word */
	char *out;

	rp_buf_append(&b, "", 0);
	while (*p) {
		struct rp_buf w = {0};
		const char *ws = p;
		size_t n;

		while (is_wsp((unsigned char)*p))
			p++;
		if (*p == '\0')
			break; /* trailing white space: trimmed anyway */
		n = encoded_word(&w, p);
		/* White space between two encoded words is dropped (RFC 2047
		 * 6.2); elsewhere it stays. */
		if (n == 0 || !prev_word)
			rp_buf_append(&b, ws, (size_t)(p - ws));
		if (n > 0) {
			rp_buf_append(&b, w.data ? w.data : "", w.len);
			p += n;
		} else {
			rp_buf_append(&b, p, 1);
			p++;
		}
		prev_word = n > 0;
		rp_buf_free(&w);
	}
	out = rp_mime_normalize(b.data);
	rp_buf_free(&b);
	return out;
}

static int
is_atext_end(int c)
{
	return c == ',' || is_wsp(c) || c == '\0';
}

/* Appends the address in [s, e) in lower case, if it has an "@". */
static void
add_addr(char ***v, size_t *n, const char *s, const char *e)
{
	char *a;
	size_t i;

	while (s < e && is_wsp((unsigned char)*s))
		s++;
	while (e > s && is_wsp((unsigned char)e[-1]))
		e--;
	if (e <= s || memchr(s, '@', (size_t)(e - s)) == NULL)
		return;
	a = rp_xstrndup(s, (size_t)(e - s));
	for (i = 0; a[i]; i++)
		a[i] = (char)tolower((unsigned char)a[i]);
	*v = rp_xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = a;
}

size_t
rp_mime_addresses(const char *raw, char ***out)
{
	struct rp_buf clean = {0};
	const char *p;
	char **v = NULL;
	size_t n = 0;
	int depth = 0, quoted = 0;

	/* First drop comments and quoted display names, keeping <, >, commas
	 * and bare words: what is left is addresses, with or without angle
	 * brackets. */
	rp_buf_append(&clean, "", 0);
	for (p = raw; *p; p++) {
		if (quoted) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quoted = 0;
			continue;
		}
		if (depth > 0) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
			continue;
		}
		if (*p == '"')
			quoted = 1;
		else if (*p == '(')
			depth = 1;
		else
			rp_buf_append(&clean, p, 1);
	}
	/* Then take each <...>, or, in a part without one, the word with "@". */
	p = clean.data;
	while (*p) {
		const char *end = strchr(p, ','), *lt, *gt;
		if (end == NULL)
			end = p + strlen(p);
		lt = memchr(p, '<', (size_t)(end - p));
		if (lt != NULL && (gt = memchr(lt, '>', (size_t)(end - lt))) != NULL) {
			add_addr(&v, &n, lt + 1, gt);
		} else {
			const char *w = p;
			while (w < end) {
				const char *we = w;
				while (!is_atext_end((unsigned char)*we) && we < end)
					we++;
				add_addr(&v, &n, w, we);
				w = we + 1;
			}
		}
		p = *end ? end + 1 : end;
	}
	rp_buf_free(&clean);
	*out = v;
	return n;
}

void
rp_mime_free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
