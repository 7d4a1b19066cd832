#define _POSIX_C_SOURCE 200809L
#include "src_http.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "http.h"
#include "jsonptr.h"

/* 1970-01-02 and 9999-12-31T23:59:59Z: a smaller number is no real
 * completion, a larger one milliseconds or garbage. */
#define MIN_EPOCH 86400.0
#define MAX_EPOCH 253402300799.0

int
rp_src_http_time(json_t *v, time_t *t)
{
	double d;

	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = strspn(s, "0123456789"), m = 0;
		if (s[n] == '.')
			m = strspn(s + n + 1, "0123456789");
		if (n > 0 && (s[n] == '\0' || (m > 0 && s[n + 1 + m] == '\0'))) {
			d = strtod(s, NULL);
		} else {
			return rp_clock_parse_iso(s, 0, t) == 0 && *t >= (time_t)MIN_EPOCH ? 0 : -1;
		}
	} else if (json_is_number(v)) {
		d = json_number_value(v);
	} else {
		return -1;
	}
	if (!isfinite(d) || d < MIN_EPOCH || d > MAX_EPOCH)
		return -1;
	*t = (time_t)d;
	return 0;
}

void
rp_src_http_what(const char *url, char *buf, size_t n)
{
	const char *h = strstr(url, "://");

	h = h ? h + 3 : url;
	snprintf(buf, n, "%.*s", (int)strcspn(h, "?#"), h);
}

/* How a value that is not a time looks in a message. */
static void
shown(json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		snprintf(buf, n, "\"%.40s\"", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, n, "%.17g", json_real_value(v));
	else
		snprintf(buf, n, "%s", json_is_object(v) ? "an object" : json_is_array(v) ?
		    "a list" : json_is_true(v) ? "true" : json_is_false(v) ? "false" : "null");
}

/* The time at pointer ptr (named key in the checklist): 0 for null. */
static int
time_at(json_t *root, const char *ptr, const char *key, time_t *t, struct rp_src_result *out)
{
	json_t *v = rp_jsonptr_get(root, ptr);
	char b[64];

	*t = 0;
	if (v == NULL)
		return rp_src_fail(out, "the answer has nothing at %.80s (%s)", ptr, key);
	if (json_is_null(v))
		return 0;
	if (rp_src_http_time(v, t) != 0) {
		shown(v, b, sizeof(b));
		if (*ptr == '\0')
			return rp_src_fail(out, "the answer (the whole of it, %s) is not a time: %s",
			    key, b);
		return rp_src_fail(out, "the answer's %.80s (%s) is not a time: %s", ptr, key, b);
	}
	return 0;
}

static int
read_state(const struct rp_check *c, json_t *root, struct rp_src_result *out)
{
	json_t *v = rp_jsonptr_get(root, c->state);
	const char *s;
	char b[64];
	size_t i;

	if (v == NULL)
		return rp_src_fail(out, "the answer has nothing at %.80s (state)", c->state);
	if (json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		shown(v, b, sizeof(b));
		return rp_src_fail(out, "the answer's %.80s (state) is not a string: %s", c->state, b);
	}
	s = json_string_value(v);
	rp_src_fact(out, "state", "%s", s);
	for (i = 0; i < c->nfailure_values; i++)
		if (strcasecmp(s, c->failure_values[i]) == 0)
			out->failed = 1;
	return 0;
}

int
rp_src_http_parse(const struct rp_check *c, const char *body, size_t len,
    struct rp_src_result *out)
{
	json_error_t jerr;
	json_t *root;
	time_t started = 0;
	int rc = -1;

	root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (root == NULL)
		return rp_src_fail(out, "answered something that is not JSON (%s)", jerr.text);
	if (time_at(root, c->completion, "completion", &out->completion, out) != 0)
		goto out;
	if (c->state != NULL && read_state(c, root, out) != 0)
		goto out;
	/* A start left out is no start known, unless the run failed: then its
	 * key needs it, and a pointer that finds nothing is said. */
	if (c->started != NULL && (out->failed || rp_jsonptr_get(root, c->started) != NULL) &&
	    time_at(root, c->started, "started", &started, out) != 0)
		goto out;
	out->start = started;
	if (out->failed)
		out->failed_start = started;
	out->ok = 1;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* The Authorization header of each [http NAME] section the run's checks
 * use, read once per run and wiped at its end. */
struct cred {
	const struct rp_http_auth *h;
	char *header;            /* NULL: the section has no credentials */
	char why[RP_SRC_WHY_MAX]; /* or why they could not be read */
};

struct hs {
	struct cred *v;
	size_t n;
};

/* Whether s can follow "Bearer " in a header line. */
static int
token_chars(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static void
load_cred(const struct rp_config *cfg, struct cred *cr)
{
	const struct rp_http_auth *h = cr->h;
	char what[96], *secret = NULL;
	struct rp_err err;

	if (h->bearer_token_file != NULL || h->bearer_token_env != NULL) {
		snprintf(what, sizeof(what), "[http %s] bearer_token", h->name);
		secret = rp_config_secret(cfg, what, h->bearer_token_file, h->bearer_token_env, &err);
		if (secret != NULL && !token_chars(secret)) {
			snprintf(cr->why, sizeof(cr->why), "%s: [http %s] bearer_token_%s: the token has "
			    "spaces or characters other than ASCII", cfg->path, h->name,
			    h->bearer_token_file ? "file" : "env");
		} else if (secret != NULL) {
			static const char head[] = "Authorization: Bearer ";
			size_t n = strlen(secret);
			cr->header = rp_xmalloc(sizeof(head) + n);
			memcpy(cr->header, head, sizeof(head) - 1);
			memcpy(cr->header + sizeof(head) - 1, secret, n + 1);
		}
	} else if (h->username != NULL) {
		snprintf(what, sizeof(what), "[http %s] password", h->name);
		secret = rp_config_secret(cfg, what, h->password_file, h->password_env, &err);
		if (secret != NULL)
			cr->header = rp_http_basic_auth(h->username, secret);
	} else {
		return;
	}
	if (secret == NULL)
		snprintf(cr->why, sizeof(cr->why), "%s", err.msg);
	rp_free_secret(secret);
}

static struct cred *
cred_of(struct rp_src_ctx *x, const struct rp_http_auth *h)
{
	struct hs *s = x->priv;
	size_t i;

	if (s == NULL)
		s = x->priv = rp_xcalloc(1, sizeof(*s));
	for (i = 0; i < s->n; i++)
		if (s->v[i].h == h)
			return &s->v[i];
	s->v = rp_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	s->v[s->n].h = h;
	load_cred(x->cfg, &s->v[s->n]);
	return &s->v[s->n++];
}

static size_t
http_requests(struct rp_src_ctx *x, const struct rp_check *c, struct rp_http_req *reqs,
    struct rp_src_result *out)
{
	const struct rp_http_auth *h = NULL;
	const struct cred *cr;

	rp_src_http_what(c->url, out->what, sizeof(out->what));
	reqs[0].url = c->url;
	reqs[0].max_bytes = RP_SRC_HTTP_MAX_BYTES;
	reqs[0].timeout_ms = RP_SRC_HTTP_TIMEOUT_SEC * 1000;
	if (c->auth == NULL)
		return 1;
	if ((h = rp_config_http(x->cfg, c->auth)) == NULL) {
		rp_src_fail(out, "%s: no [http %s] section", x->cfg->path, c->auth);
		return 0;
	}
	cr = cred_of(x, h);
	if (cr->why[0] != '\0') {
		rp_src_fail(out, "%s", cr->why);
		return 0;
	}
	reqs[0].headers[0] = cr->header;
	reqs[0].ca_file = h->ca_file;
	reqs[0].insecure = !h->tls_verify;
	reqs[0].timeout_ms = h->timeout_sec * 1000;
	return 1;
}

static void
http_parse(struct rp_src_ctx *x, const struct rp_check *c, const struct rp_http_req *reqs,
    size_t n, struct rp_src_result *out)
{
	(void)x;
	(void)n;
	rp_src_http_what(c->url, out->what, sizeof(out->what));
	rp_src_fact(out, "url", "%s", out->what);
	if (reqs[0].status == 0)
		rp_src_fail(out, "did not answer: %s", reqs[0].error);
	else if (reqs[0].status == 401)
		rp_src_fail(out, "refused the credentials (HTTP 401)");
	else if (reqs[0].status == 403)
		rp_src_fail(out, "refused access (HTTP 403: the credentials may not read it)");
	else if (reqs[0].status < 200 || reqs[0].status > 299)
		rp_src_fail(out, "answered HTTP %ld", reqs[0].status);
	else
		rp_src_http_parse(c, reqs[0].resp.data, reqs[0].resp.len, out);
}

static void
http_end(struct rp_src_ctx *x)
{
	struct hs *s = x->priv;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		rp_free_secret(s->v[i].header);
	free(s->v);
	free(s);
	x->priv = NULL;
}

/* An auth: that names no [http NAME] section is found at the start of the
 * run that would use it, beside [batchy] server and [airflow] url, rather
 * than when the checklist is read: the checklist stays readable on its own
 * (rp-status, rp-silence and the fuzzers read it without etl.cfg's
 * sections mattering), and the error comes from the program that needs
 * the section, with the checklist's line of the auth: key. */
static int
http_validate(const struct rp_config *cfg, const struct rp_check *c, const char *checklist,
    struct rp_err *err)
{
	if (c->auth == NULL || rp_config_http(cfg, c->auth) != NULL)
		return 0;
	return rp_err_set(err, RP_EXIT_CONFIG, "%s:%d: %s: auth: no [http %s] section in %s",
	    checklist, c->auth_line, c->name, c->auth, cfg->path);
}

const struct rp_source rp_src_http = {
	.name = "http",
	.validate = http_validate,
	.requests = http_requests,
	.parse = http_parse,
	.end = http_end,
};
