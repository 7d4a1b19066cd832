#define _POSIX_C_SOURCE 200809L
#include "imap.h"

#include <curl/curl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "http.h"
#include "signals.h"

#define MAX_ANSWER (8u * 1024 * 1024) /* all the responses of one command */
#define FETCH_BATCH 200               /* UIDs per FETCH command */

struct rp_imap {
	CURL *curl;
	curl_socket_t sock;
	long timeout_ms;
	long end;                 /* the session's deadline (monotonic ms), 0: none */
	int broken;               /* a command failed in transport: no LOGOUT */
	unsigned tag;
	struct rp_buf in;         /* received, not yet consumed from pos */
	size_t pos;
	size_t bytes_read;
	size_t answer_bytes;      /* of the command under way */
	char where[128];          /* scheme://host:port, for messages */
	char errbuf[CURL_ERROR_SIZE];
	int login_disabled;       /* the server said LOGINDISABLED */
};

/* libcurl's view of the server's answers during the login: only to learn
 * whether it advertised LOGINDISABLED (then curl sends no password and
 * says only "login denied"). What we sent (the password) is never looked
 * at. */
static int
on_debug(CURL *c, curl_infotype type, char *data, size_t n, void *user)
{
	struct rp_imap *s = user;
	static const char word[] = "LOGINDISABLED";
	size_t i;

	(void)c;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	for (i = 0; i + sizeof(word) - 1 <= n; i++)
		if (strncasecmp(data + i, word, sizeof(word) - 1) == 0)
			s->login_disabled = 1;
	return 0;
}

static long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec * 1000 + t.tv_nsec / 1000000);
}

/* Waits until the socket is ready for events or the deadline passes. */
static int
wait_sock(struct rp_imap *s, short events, long deadline, struct rp_err *err)
{
	struct pollfd p[2] = {{s->sock, events, 0}, {rp_sig_fd(), POLLIN, 0}};
	long left = deadline - now_ms();
	int rc;

	if (rp_sig_stopped())
		return rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: the run was asked to stop (signal "
		    "%d)", s->where, rp_sig_stopped());
	if (left <= 0 || (rc = poll(p, p[1].fd >= 0 ? 2 : 1, (int)left)) == 0) {
		if (s->end != 0 && deadline >= s->end)
			return rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: still no answer when the "
			    "run's time budget ran out", s->where);
		return rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: no answer within %ld ms", s->where,
		    s->timeout_ms);
	}
	return 0; /* rc < 0 (EINTR) or ready: the caller tries again */
}

static int
send_all(struct rp_imap *s, const char *data, size_t len, long deadline, struct rp_err *err)
{
	while (len > 0) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(s->curl, data, len, &n);
		if (rc == CURLE_AGAIN) {
			if (wait_sock(s, POLLOUT, deadline, err) != 0)
				return -1;
			continue;
		}
		if (rc != CURLE_OK)
			return rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: cannot send: %s", s->where,
			    curl_easy_strerror(rc));
		data += n;
		len -= n;
	}
	return 0;
}

/* Reads more from the server into s->in. */
static int
fill(struct rp_imap *s, long deadline, struct rp_err *err)
{
	char buf[16384];

	if (s->pos > 0 && s->pos == s->in.len) {
		s->in.len = 0;
		s->pos = 0;
	}
	for (;;) {
		size_t n = 0;
		CURLcode rc = curl_easy_recv(s->curl, buf, sizeof(buf), &n);
		if (rc == CURLE_AGAIN) {
			if (wait_sock(s, POLLIN, deadline, err) != 0)
				return -1;
			continue;
		}
		if (rc != CURLE_OK)
			return rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: cannot read: %s", s->where,
			    curl_easy_strerror(rc));
		if (n == 0)
			return rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: the server closed the connection",
			    s->where);
		s->bytes_read += n;
		s->answer_bytes += n;
		if (s->answer_bytes > MAX_ANSWER)
			return rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: answer larger than %u bytes",
			    s->where, MAX_ANSWER);
		rp_buf_append(&s->in, buf, n);
		return 0;
	}
}

/* Moves n bytes from the input to out, reading as needed. */
static int
take(struct rp_imap *s, size_t n, struct rp_buf *out, long deadline, struct rp_err *err)
{
	while (s->in.len - s->pos < n)
		if (fill(s, deadline, err) != 0)
			return -1;
	rp_buf_append(out, s->in.data + s->pos, n);
	s->pos += n;
	return 0;
}

/* Appends one line, CRLF included, to out. */
static int
take_line(struct rp_imap *s, struct rp_buf *out, size_t *line_start, long deadline,
    struct rp_err *err)
{
	char *nl;

	for (;;) {
		nl = s->in.len > s->pos ? memchr(s->in.data + s->pos, '\n', s->in.len - s->pos) : NULL;
		if (nl != NULL)
			break;
		if (fill(s, deadline, err) != 0)
			return -1;
	}
	*line_start = out->len;
	return take(s, (size_t)(nl - (s->in.data + s->pos)) + 1, out, deadline, err);
}

/* The size of a literal announced at the end of the line at p ("{54}" or
 * "{54+}" before CRLF), or -1. */
static long
literal_at_end(const char *p, size_t len)
{
	size_t i;
	long n;
	char num[16];

	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (len < 3 || p[len - 1] != '}')
		return -1;
	len--;
	if (p[len - 1] == '+')
		len--;
	for (i = len; i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9'; i--)
		;
	if (i == 0 || p[i - 1] != '{' || len - i == 0 || len - i >= sizeof(num))
		return -1;
	memcpy(num, p + i, len - i);
	num[len - i] = '\0';
	if (rp_parse_long(num, 0, (long)MAX_ANSWER, &n) != 0)
		return -1;
	return n;
}

/* One whole response: a line, and the literals and lines that continue it. */
static int
take_response(struct rp_imap *s, struct rp_buf *out, long deadline, struct rp_err *err)
{
	size_t start;
	long lit;

	out->len = 0;
	rp_buf_append(out, "", 0);
	for (;;) {
		if (take_line(s, out, &start, deadline, err) != 0)
			return -1;
		lit = literal_at_end(out->data + start, out->len - start);
		if (lit < 0)
			return 0;
		if (take(s, (size_t)lit, out, deadline, err) != 0)
			return -1;
	}
}

typedef int (*untagged_fn)(void *ctx, const char *resp, size_t len);

/* Sends "<tag> <cmd>" and reads until its tagged answer; untagged responses
 * go to fn. A NO or BAD answer is an error whose message starts with what. */
static int
command(struct rp_imap *s, const char *cmd, const char *what, untagged_fn fn, void *ctx,
    struct rp_err *err)
{
	struct rp_buf line = {0}, resp = {0};
	char tag[16];
	size_t tl;
	long deadline = now_ms() + s->timeout_ms;
	int rc = -1;

	if (s->end != 0 && deadline > s->end)
		deadline = s->end;
	snprintf(tag, sizeof(tag), "R%03u", ++s->tag);
	tl = strlen(tag);
	rp_buf_printf(&line, "%s %s\r\n", tag, cmd);
	s->answer_bytes = 0;
	if (send_all(s, line.data, line.len, deadline, err) != 0) {
		s->broken = 1;
		goto out;
	}
	for (;;) {
		if (take_response(s, &resp, deadline, err) != 0) {
			s->broken = 1;
			goto out;
		}
		if (resp.len > tl && strncmp(resp.data, tag, tl) == 0 && resp.data[tl] == ' ') {
			const char *text = resp.data + tl + 1;
			size_t n = strcspn(text, "\r\n");
			if (strncasecmp(text, "OK", 2) == 0) {
				rc = 0;
			} else {
				struct rp_buf clean = {0};
				rp_buf_append(&clean, text, n);
				rp_err_set(err, RP_EXIT_UNKNOWN, "%s: %.160s", what, clean.data);
				rp_buf_free(&clean);
			}
			goto out;
		}
		if (strncmp(resp.data, "* BYE", 5) == 0) {
			rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s closed the session: %.*s", s->where,
			    (int)strcspn(resp.data, "\r\n"), resp.data);
			goto out;
		}
		if (fn != NULL && strncmp(resp.data, "* ", 2) == 0 && fn(ctx, resp.data, resp.len) != 0) {
			rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: %s: a malformed answer", s->where, what);
			goto out;
		}
	}
out:
	rp_buf_free(&line);
	rp_buf_free(&resp);
	return rc;
}

static void
where(char *dst, size_t n, const char *url)
{
	/* scheme://host[:port] only: never a path or anything after it. */
	const char *p = strstr(url, "://");
	size_t len = p ? (size_t)(p - url) + 3 + strcspn(p + 3, "/?#") : strlen(url);

	snprintf(dst, n, "%.*s", (int)len, url);
}

struct rp_imap *
rp_imap_open(const struct rp_imap_opts *o, struct rp_err *err)
{
	struct rp_imap *s = rp_xcalloc(1, sizeof(*s));
	CURLcode rc;
	curl_socket_t sock;

	where(s->where, sizeof(s->where), o->url);
	s->timeout_ms = o->timeout_ms;
	if (o->budget_ms > 0) {
		s->end = now_ms() + o->budget_ms;
		if (s->timeout_ms > o->budget_ms)
			s->timeout_ms = o->budget_ms; /* the login, too */
	}
	s->sock = CURL_SOCKET_BAD;
	if (rp_http_global() != 0 || (s->curl = curl_easy_init()) == NULL) {
		rp_err_set(err, RP_EXIT_SOFTWARE, "cannot create a curl handle");
		goto fail;
	}
	curl_easy_setopt(s->curl, CURLOPT_URL, o->url);
	curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	curl_easy_setopt(s->curl, CURLOPT_USERNAME, o->user);
	curl_easy_setopt(s->curl, CURLOPT_PASSWORD, o->password);
	curl_easy_setopt(s->curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->curl, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(s->curl, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt(s->curl, CURLOPT_VERBOSE, 1L);
	if (o->ca_file != NULL)
		curl_easy_setopt(s->curl, CURLOPT_CAINFO, o->ca_file);
	rc = curl_easy_perform(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_VERBOSE, 0L);
	if (rc != CURLE_OK) {
		const char *why = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);
		if (rc == CURLE_LOGIN_DENIED && s->login_disabled)
			rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s takes no login in plain text "
			    "(LOGINDISABLED): the password was not sent; use imaps://", s->where);
		else if (rc == CURLE_LOGIN_DENIED)
			rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s refused the login of %s", s->where,
			    o->user);
		else if (rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING)
			rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s closed the connection before it "
			    "answered", s->where);
		else if (rc == CURLE_OPERATION_TIMEDOUT)
			rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: no answer within %ld ms", s->where,
			    o->timeout_ms);
		else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
		         rc == CURLE_SSL_CACERT_BADFILE)
			rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: TLS failed: %s", s->where, why);
		else
			rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: %s", s->where, why);
		goto fail;
	}
	if (curl_easy_getinfo(s->curl, CURLINFO_ACTIVESOCKET, &sock) != CURLE_OK ||
	    sock == CURL_SOCKET_BAD) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "IMAP %s: no connection after login", s->where);
		goto fail;
	}
	s->sock = sock;
	return s;
fail:
	if (s->curl)
		curl_easy_cleanup(s->curl);
	free(s);
	return NULL;
}

void
rp_imap_close(struct rp_imap *s)
{
	struct rp_err err;

	if (s == NULL)
		return;
	if (s->timeout_ms > 2000)
		s->timeout_ms = 2000; /* logging out must not hold a run up */
	s->end = 0;
	if (!s->broken)
		command(s, "LOGOUT", "LOGOUT", NULL, NULL, &err);
	curl_easy_cleanup(s->curl);
	rp_buf_free(&s->in);
	free(s);
}

size_t
rp_imap_bytes_read(const struct rp_imap *s)
{
	return s->bytes_read;
}

int
rp_imap_quote(struct rp_buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p == '\r' || *p == '\n' || *p >= 0x80)
			return -1;
	rp_buf_append(b, "\"", 1);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			rp_buf_append(b, "\\", 1);
		rp_buf_append(b, p, 1);
	}
	rp_buf_append(b, "\"", 1);
	return 0;
}

static int
on_examine(void *ctx, const char *resp, size_t len)
{
	return rp_imap_parse_box(resp, len, ctx) < 0 ? -1 : 0;
}

int
rp_imap_examine(struct rp_imap *s, const char *mailbox, struct rp_imap_box *box,
    struct rp_err *err)
{
	struct rp_buf cmd = {0}, what = {0};
	struct rp_imap_box ignored;
	int rc;

	rp_buf_append(&cmd, "EXAMINE ", 8);
	if (rp_imap_quote(&cmd, mailbox) != 0) {
		rp_buf_free(&cmd);
		return rp_err_set(err, RP_EXIT_CONFIG, "mailbox names must be ASCII");
	}
	rp_buf_printf(&what, "IMAP %s: mailbox \"%s\" cannot be opened", s->where, mailbox);
	if (box == NULL)
		box = &ignored;
	memset(box, 0, sizeof(*box));
	box->exists = -1;
	rc = command(s, cmd.data, what.data, on_examine, box, err);
	rp_buf_free(&cmd);
	rp_buf_free(&what);
	return rc;
}

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
    "Sep", "Oct", "Nov", "Dec"};

int
rp_imap_criteria_of(struct rp_buf *b, time_t since, const char *field, char *const *values,
    size_t n)
{
	time_t day = since - 86400;
	struct tm tm;
	size_t i;

	gmtime_r(&day, &tm);
	rp_buf_printf(b, "SINCE %d-%s-%04d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
	for (i = 0; i < n; i++) {
		rp_buf_printf(b, " %s%s ", i + 1 < n ? "OR " : "", field);
		if (rp_imap_quote(b, values[i]) != 0)
			return -1;
	}
	return 0;
}

int
rp_imap_criteria(struct rp_buf *b, time_t since, char *const *senders, size_t n)
{
	return rp_imap_criteria_of(b, since, "FROM", senders, n);
}

/* n digits at s into *v. */
static int
digits(const char *s, int n, int *v)
{
	int i;

	for (*v = 0, i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
rp_imap_parse_date(const char *s, time_t *out)
{
	/* date-time = date-day-fixed "-" date-month "-" date-year SP time SP
	 * zone, e.g. " 6-Nov-2026 08:05:00 +0100" (RFC 3501 9). */
	int d, m, y, h, mi, sec, oh, om;

	if (s[0] == ' ' && digits(s + 1, 1, &d) == 0)
		s += 2;
	else if (digits(s, 2, &d) == 0)
		s += 2;
	else if (digits(s, 1, &d) == 0)
		s += 1;
	else
		return -1;
	if (*s++ != '-')
		return -1;
	for (m = 0; m < 12 && strncasecmp(s, months[m], 3) != 0; m++)
		;
	if (m == 12 || s[3] != '-' || digits(s + 4, 4, &y) || s[8] != ' ' ||
	    digits(s + 9, 2, &h) || s[11] != ':' || digits(s + 12, 2, &mi) || s[14] != ':' ||
	    digits(s + 15, 2, &sec) || s[17] != ' ' || (s[18] != '+' && s[18] != '-') ||
	    digits(s + 19, 2, &oh) || digits(s + 21, 2, &om) || s[23] != '\0')
		return -1;
	if (d < 1 || d > 31 || y < 1970 || h > 23 || mi > 59 || sec > 60 || om > 59)
		return -1;
	*out = (time_t)(rp_clock_days_from_civil(y, m + 1, d) * 86400 + h * 3600 + mi * 60 +
	    (sec == 60 ? 59 : sec)) -
	    (s[18] == '-' ? -1 : 1) * (time_t)(oh * 3600 + om * 60);
	return 0;
}

/* A tokenizer over one response, literals included. */
enum tok { T_END, T_ATOM, T_STR, T_NIL, T_LP, T_RP, T_BAD };

struct lex {
	const char *p, *end;
	const char *v;  /* the token's text (quoted strings still escaped) */
	size_t n;
	int quoted;
};

static enum tok
next(struct lex *l)
{
	const char *p = l->p;

	while (p < l->end && *p == ' ')
		p++;
	l->quoted = 0;
	if (p >= l->end || *p == '\r' || *p == '\n') {
		l->p = p;
		return T_END;
	}
	if (*p == '(' || *p == ')') {
		l->p = p + 1;
		return *p == '(' ? T_LP : T_RP;
	}
	if (*p == '"') {
		const char *q = ++p;
		while (q < l->end && *q != '"') {
			if (*q == '\\')
				q++;
			q++;
		}
		if (q >= l->end)
			return T_BAD;
		l->v = p;
		l->n = (size_t)(q - p);
		l->quoted = 1;
		l->p = q + 1;
		return T_STR;
	}
	if (*p == '{') {
		long n = 0;
		const char *q = p + 1;
		while (q < l->end && *q >= '0' && *q <= '9' && n <= (long)MAX_ANSWER)
			n = n * 10 + (*q++ - '0');
		if (q < l->end && *q == '+')
			q++;
		if (q + 3 > l->end || q[0] != '}' || q[1] != '\r' || q[2] != '\n' ||
		    (size_t)(l->end - (q + 3)) < (size_t)n || q == p + 1)
			return T_BAD;
		l->v = q + 3;
		l->n = (size_t)n;
		l->p = q + 3 + n;
		return T_STR;
	}
	l->v = p;
	while (p < l->end && *p != ' ' && *p != '(' && *p != ')' && *p != '\r' && *p != '\n') {
		if (*p == '[') { /* a section: BODY[HEADER.FIELDS (FROM SUBJECT)] */
			const char *q = memchr(p, ']', (size_t)(l->end - p));
			if (q == NULL)
				return T_BAD;
			p = q;
		}
		p++;
	}
	l->n = (size_t)(p - l->v);
	l->p = p;
	if (l->n == 3 && strncasecmp(l->v, "NIL", 3) == 0)
		return T_NIL;
	return T_ATOM;
}

/* Skips one value whose first token was t (a parenthesised list whole). */
static int
skip_value(struct lex *l, enum tok t)
{
	int depth = t == T_LP;

	if (t == T_BAD || t == T_END || t == T_RP)
		return -1;
	while (depth > 0) {
		t = next(l);
		if (t == T_LP)
			depth++;
		else if (t == T_RP)
			depth--;
		else if (t == T_END || t == T_BAD)
			return -1;
	}
	return 0;
}

static char *
unquote(const struct lex *l)
{
	struct rp_buf b = {0};
	size_t i;

	rp_buf_append(&b, "", 0);
	for (i = 0; i < l->n; i++) {
		if (l->quoted && l->v[i] == '\\' && i + 1 < l->n)
			i++;
		rp_buf_append(&b, l->v + i, 1);
	}
	return b.data;
}

/* The raw value of header name in a header block (folded lines kept). */
static char *
header_value(const char *h, size_t n, const char *name)
{
	size_t nl = strlen(name), i = 0;

	while (i < n) {
		size_t eol = i;
		while (eol < n && h[eol] != '\n')
			eol++;
		if (eol - i > nl && strncasecmp(h + i, name, nl) == 0 && h[i + nl] == ':') {
			/* The value runs on over lines that begin with white space. */
			size_t start = i + nl + 1, end = eol;
			while (end + 1 < n && (h[end + 1] == ' ' || h[end + 1] == '\t')) {
				end++;
				while (end < n && h[end] != '\n')
					end++;
			}
			while (end > start && (h[end - 1] == '\r' || h[end - 1] == '\n'))
				end--;
			return rp_xstrndup(h + start, end - start);
		}
		i = eol + 1;
	}
	return rp_xstrdup("");
}

int
rp_imap_parse_fetch(const char *resp, size_t len, struct rp_imap_msg *msg)
{
	struct lex l = {resp, resp + len, NULL, 0, 0};
	enum tok t;
	long v;
	char num[16];
	int have_uid = 0, have_date = 0;

	memset(msg, 0, sizeof(*msg));
	if (next(&l) != T_ATOM || l.n != 1 || *l.v != '*' || next(&l) != T_ATOM ||
	    next(&l) != T_ATOM)
		return 1;
	if (l.n != 5 || strncasecmp(l.v, "FETCH", 5) != 0)
		return 1;
	if (next(&l) != T_LP)
		return -1;
	for (;;) {
		const char *name;
		size_t nn;

		t = next(&l);
		if (t == T_RP)
			break;
		if (t != T_ATOM)
			goto bad;
		name = l.v;
		nn = l.n;
		t = next(&l);
		if (nn == 3 && strncasecmp(name, "UID", 3) == 0) {
			if (t != T_ATOM || l.n >= sizeof(num))
				goto bad;
			memcpy(num, l.v, l.n);
			num[l.n] = '\0';
			if (rp_parse_long(num, 1, 4294967295L, &v) != 0)
				goto bad;
			msg->uid = (uint32_t)v;
			have_uid = 1;
		} else if (nn == 12 && strncasecmp(name, "INTERNALDATE", 12) == 0) {
			char *d;
			if (t != T_STR)
				goto bad;
			d = unquote(&l);
			have_date = rp_imap_parse_date(d, &msg->arrived) == 0;
			free(d);
			if (!have_date)
				goto bad;
		} else if (nn > 5 && strncasecmp(name, "BODY[", 5) == 0) {
			char *h;
			if (t == T_NIL)
				continue;
			if (t != T_STR)
				goto bad;
			h = unquote(&l);
			free(msg->from);
			free(msg->subject);
			msg->from = header_value(h, strlen(h), "From");
			msg->subject = header_value(h, strlen(h), "Subject");
			free(h);
		} else if (skip_value(&l, t) != 0) {
			goto bad;
		}
	}
	if (!have_uid || !have_date)
		goto bad;
	if (msg->from == NULL)
		msg->from = rp_xstrdup("");
	if (msg->subject == NULL)
		msg->subject = rp_xstrdup("");
	return 0;
bad:
	free(msg->from);
	free(msg->subject);
	memset(msg, 0, sizeof(*msg));
	return -1;
}

/* The number of l's token, 1 to 4294967295 (or 0, with zero). */
static int
lex_number(const struct lex *l, int zero, long *v)
{
	char num[16];

	if (l->n == 0 || l->n >= sizeof(num))
		return -1;
	memcpy(num, l->v, l->n);
	num[l->n] = '\0';
	return rp_parse_long(num, zero ? 0 : 1, 4294967295L, v);
}

int
rp_imap_parse_search(const char *resp, size_t len, uint32_t **uids, size_t *n)
{
	struct lex l = {resp, resp + len, NULL, 0, 0};
	enum tok t;
	long v;

	if (next(&l) != T_ATOM || l.n != 1 || *l.v != '*' || next(&l) != T_ATOM ||
	    l.n != 6 || strncasecmp(l.v, "SEARCH", 6) != 0)
		return 1;
	while ((t = next(&l)) == T_ATOM) {
		if (lex_number(&l, 0, &v) != 0 || v == 0)
			return -1;
		*uids = rp_xrealloc(*uids, (*n + 1) * sizeof(**uids));
		(*uids)[(*n)++] = (uint32_t)v;
	}
	return t == T_END ? 0 : -1;
}

int
rp_imap_parse_box(const char *resp, size_t len, struct rp_imap_box *box)
{
	struct lex l = {resp, resp + len, NULL, 0, 0};
	long v;

	if (next(&l) != T_ATOM || l.n != 1 || *l.v != '*' || next(&l) != T_ATOM)
		return 1;
	if (l.n == 2 && strncasecmp(l.v, "OK", 2) == 0) {
		/* The code is one atom, brackets and all: "[UIDNEXT 4392]". */
		uint32_t *to;
		size_t skip;
		if (next(&l) != T_ATOM)
			return 1;
		if (l.n > 13 && strncasecmp(l.v, "[UIDVALIDITY ", 13) == 0)
			to = &box->uidvalidity, skip = 13;
		else if (l.n > 9 && strncasecmp(l.v, "[UIDNEXT ", 9) == 0)
			to = &box->uidnext, skip = 9;
		else
			return 1;
		if (l.v[l.n - 1] != ']')
			return -1;
		l.v += skip;
		l.n -= skip + 1;
		if (lex_number(&l, 0, &v) != 0 || v == 0)
			return -1;
		*to = (uint32_t)v;
		return 0;
	}
	if (lex_number(&l, 1, &v) != 0)
		return 1;
	if (next(&l) != T_ATOM || l.n != 6 || strncasecmp(l.v, "EXISTS", 6) != 0)
		return 1;
	box->exists = v;
	return 0;
}

struct search_ctx {
	uint32_t *uids;
	size_t n;
};

static int
on_search(void *ctx, const char *resp, size_t len)
{
	struct search_ctx *c = ctx;
	return rp_imap_parse_search(resp, len, &c->uids, &c->n) < 0 ? -1 : 0;
}

int
rp_imap_search(struct rp_imap *s, const char *criteria, uint32_t **uids, size_t *n,
    struct rp_err *err)
{
	struct search_ctx c = {NULL, 0};
	char *cmd = rp_xasprintf("UID SEARCH %s", criteria);
	char what[200];
	int rc;

	snprintf(what, sizeof(what), "IMAP %s: search refused", s->where);
	rc = command(s, cmd, what, on_search, &c, err);
	free(cmd);
	if (rc != 0) {
		free(c.uids);
		return -1;
	}
	*uids = c.uids;
	*n = c.n;
	return 0;
}

struct fetch_ctx {
	struct rp_imap_msg *m;
	size_t n;
};

static int
on_fetch(void *ctx, const char *resp, size_t len)
{
	struct fetch_ctx *c = ctx;
	struct rp_imap_msg m;
	int rc = rp_imap_parse_fetch(resp, len, &m);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	c->m = rp_xrealloc(c->m, (c->n + 1) * sizeof(*c->m));
	c->m[c->n++] = m;
	return 0;
}

int
rp_imap_fetch_headers(struct rp_imap *s, const uint32_t *uids, size_t n,
    struct rp_imap_msg **msgs, size_t *nmsgs, struct rp_err *err)
{
	struct fetch_ctx c = {NULL, 0};
	char what[200];
	size_t i, j;

	snprintf(what, sizeof(what), "IMAP %s: fetch refused", s->where);
	for (i = 0; i < n; i += FETCH_BATCH) {
		struct rp_buf cmd = {0};
		int rc;

		rp_buf_append(&cmd, "UID FETCH ", 10);
		for (j = i; j < n && j < i + FETCH_BATCH; j++)
			rp_buf_printf(&cmd, "%s%u", j > i ? "," : "", uids[j]);
		rp_buf_printf(&cmd, " (UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])");
		rc = command(s, cmd.data, what, on_fetch, &c, err);
		rp_buf_free(&cmd);
		if (rc != 0) {
			rp_imap_msgs_free(c.m, c.n);
			return -1;
		}
	}
	*msgs = c.m;
	*nmsgs = c.n;
	return 0;
}

void
rp_imap_msgs_free_one(struct rp_imap_msg *m)
{
	free(m->from);
	free(m->subject);
	m->from = m->subject = NULL;
}

void
rp_imap_msgs_free(struct rp_imap_msg *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rp_imap_msgs_free_one(&m[i]);
	free(m);
}
