/*
 * sink_webhook: Robopager's own events to any HTTP endpoint ([webhook NAME]
 * of etl.cfg), as a documented, versioned JSON body:
 *
 *   {"version":1,"check":...,"type":...,"status":...,"action":"trigger"|
 *    "resolve"|"warning","dedup_key":...,"summary":...,"description":...,
 *    "host":...,"details":{...},"time":"2026-11-26T14:31:00Z"}
 *
 * signed: X-Robopager-Signature holds the HMAC-SHA256 of the body as sent,
 * in hex, with the section's secret as the key (read from secret_file or
 * secret_env when it is sent, never stored). libcrypto's HMAC is the one
 * use of OpenSSL here, and this module its only caller. 2xx is delivered;
 * 408, 429 and 5xx are retried (Retry-After honoured), as are no answer
 * and timeouts; any other 4xx is refused and kept.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#define _POSIX_C_SOURCE 200809L
#include "sink.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "source.h"
#include "sink_webhook.h"

static const char *
name_of(const char *dest)
{
	return rp_sink_dest_name(dest);
}

static void
wh_dests(const struct rp_config *cfg, const struct rp_check *c, char **out, size_t *n,
    size_t max)
{
	size_t i;

	for (i = 0; i < c->nnotify && *n < max; i++)
		if (rp_config_webhook(cfg, c->notify[i]) != NULL)
			out[(*n)++] = rp_xasprintf("webhook:%s", c->notify[i]);
}

static int
wh_has(const struct rp_config *cfg, const char *name)
{
	return rp_config_webhook(cfg, name) != NULL;
}

static int
wh_takes(const struct rp_config *cfg, const char *dest, enum rp_ev_action a)
{
	const struct rp_webhook *w = rp_config_webhook(cfg, name_of(dest));

	return a != RP_EV_WARNING || (w != NULL && w->warnings);
}

/* Valid UTF-8 of s (what a server said may not be). */
static json_t *
jstr(const char *s)
{
	struct rp_buf b = {0};
	json_t *j;

	rp_buf_utf8(&b, s ? s : "");
	j = json_stringn(b.data ? b.data : "", b.len);
	rp_buf_free(&b);
	return j;
}

char *
rp_webhook_body(const struct rp_sink_event *ev)
{
	json_t *o = json_object(), *d = json_object();
	char at[RP_UTC_LEN], *out;
	size_t i;
	long v;

	json_object_set_new(o, "version", json_integer(RP_WEBHOOK_VERSION));
	json_object_set_new(o, "check", jstr(ev->check));
	json_object_set_new(o, "type", jstr(ev->type));
	json_object_set_new(o, "status", json_string(rp_status_name(ev->status)));
	json_object_set_new(o, "action", json_string(rp_ev_action_name(ev->action)));
	json_object_set_new(o, "dedup_key", jstr(ev->dedup_key));
	json_object_set_new(o, "summary", jstr(ev->summary));
	json_object_set_new(o, "description", ev->description ? jstr(ev->description) :
	    json_null());
	json_object_set_new(o, "host", jstr(ev->host));
	for (i = 0; i < ev->nfacts; i++) {
		const struct rp_fact *f = &ev->facts[i];
		if (f->number && rp_parse_long(f->value, -2147483647L, 2147483647L, &v) == 0)
			json_object_set_new(d, f->name, json_integer(v));
		else
			json_object_set_new(d, f->name, jstr(f->value));
	}
	if (ev->output != NULL)
		json_object_set_new(d, "output", jstr(ev->output));
	json_object_set_new(o, "details", d);
	rp_clock_format_utc(ev->time, at);
	json_object_set_new(o, "time", json_string(at));
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (out == NULL)
		abort(); /* Only out of memory: every string above is UTF-8. */
	return out;
}

static char *
wh_encode(const struct rp_config *cfg, const char *dest, const struct rp_sink_event *ev)
{
	(void)cfg;
	(void)dest;
	return rp_webhook_body(ev);
}

void
rp_webhook_sign(const char *key, size_t keylen, const char *body, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)body, strlen(body), md,
	    &n) == NULL || n != 32)
		abort(); /* SHA-256 is always there; only memory can fail. */
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	explicit_bzero(md, sizeof(md));
}

static long
wh_per_min(const struct rp_config *cfg, const char *dest)
{
	const struct rp_webhook *w = rp_config_webhook(cfg, name_of(dest));

	return w ? w->rate_per_min : 120;
}

static int
wh_request(const struct rp_config *cfg, const char *dest, const char *body, time_t now,
    struct rp_http_req *req, struct rp_pd_result *res)
{
	const struct rp_webhook *w = rp_config_webhook(cfg, name_of(dest));
	char what[100], hex[65];
	struct rp_err err;
	char *key;

	(void)now;
	if (w == NULL) {
		res->outcome = RP_PD_REJECTED;
		snprintf(res->message, sizeof(res->message), "%s has no [webhook %s] section",
		    cfg->path, name_of(dest));
		return -1;
	}
	snprintf(what, sizeof(what), "[webhook %s] secret", w->name);
	if ((key = rp_config_secret(cfg, what, w->secret_file, w->secret_env, &err)) == NULL) {
		/* A person fixes the file: the event waits for it. */
		res->outcome = RP_PD_FAILED;
		rp_strlcpy(res->message, err.msg, sizeof(res->message));
		return -1;
	}
	rp_webhook_sign(key, strlen(key), body, hex);
	rp_free_secret(key);
	req->headers[0] = rp_http_own(req, rp_xasprintf("X-Robopager-Signature: %s", hex));
	req->url = w->url;
	req->body = body;
	req->timeout_ms = w->timeout_sec * 1000;
	req->max_bytes = 64 * 1024;
	req->ca_file = w->ca_file;
	req->insecure = !w->tls_verify;
	return 0;
}

/* What a person fixes after a refusal: the URL, the secret's file (by its
 * name, size and time: a hash of a secret that may be short would let
 * anyone who reads Redis guess it) or variable. */
static char *
wh_fingerprint(const struct rp_config *cfg, const char *dest, const char *body)
{
	const struct rp_webhook *w = rp_config_webhook(cfg, name_of(dest));
	struct stat st;
	char stamp[64];
	const char *v[5];

	(void)body;
	stamp[0] = '\0';
	if (w != NULL && w->secret_file != NULL && stat(w->secret_file, &st) == 0)
		snprintf(stamp, sizeof(stamp), "%lld %lld", (long long)st.st_size,
		    (long long)st.st_mtime);
	v[0] = dest;
	v[1] = w ? w->url : "-";
	v[2] = w ? w->secret_file : NULL;
	v[3] = stamp;
	v[4] = w ? w->secret_env : NULL;
	return rp_sink_hash(v, 5);
}

const struct rp_sink rp_sink_webhook = {
	.name = "webhook",
	.title = "webhook",
	.refresh = 0,
	.dests = wh_dests,
	.has = wh_has,
	.takes = wh_takes,
	.encode = wh_encode,
	.label = NULL,
	.per_min = wh_per_min,
	.request = wh_request,
	.judge = rp_sink_judge_http,
	.fingerprint = wh_fingerprint,
	.keep = NULL,
};
