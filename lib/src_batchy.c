#define _POSIX_C_SOURCE 200809L
#include "src_batchy.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "http.h"

char *
rp_batchy_url(const char *server, long port, const char *wf)
{
	struct rp_buf b = {0};

	if (strncmp(server, "http://", 7) == 0 || strncmp(server, "https://", 8) == 0) {
		size_t n = strlen(server);
		while (n > 0 && server[n - 1] == '/')
			n--;
		rp_buf_append(&b, server, n);
	} else if (strchr(server, ':') != NULL && server[0] != '[') {
		rp_buf_printf(&b, "http://[%s]:%ld", server, port); /* IPv6 literal */
	} else {
		rp_buf_printf(&b, "http://%s:%ld", server, port);
	}
	rp_buf_append(&b, "/get_status/", 12);
	rp_http_escape_segment(&b, wf);
	return b.data;
}

/* A time member: absent or null is 0; a string must parse. */
static int
get_time(json_t *g, const char *key, time_t *t, struct rp_src_result *out)
{
	json_t *v = json_object_get(g, key);
	char b[RP_UTC_LEN];

	*t = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || rp_clock_parse_iso(json_string_value(v), 0, t) != 0) {
		char shown[48] = "";
		if (json_is_string(v))
			snprintf(shown, sizeof(shown), " \"%.40s\"", json_string_value(v));
		return rp_src_fail(out, "batchy answered an unreadable %s%s", key, shown);
	}
	rp_clock_format_utc(*t, b);
	rp_src_fact(out, key, "%s", b);
	return 0;
}

/* What batchy's status word says about the newest batch. */
static int
status_word(const char *s, struct rp_src_result *out)
{
	static const char *const words[] = {"new", "open", "success", "failure"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, words[i]) == 0) {
			rp_src_fact(out, "batchy_status", "%s", words[i]);
			return (int)i;
		}
	}
	return rp_src_fail(out, "batchy answered an unknown status \"%.40s\"", s);
}

static int
parse_global(json_t *g, struct rp_src_result *out)
{
	json_t *st = json_object_get(g, "status");
	time_t end;
	int w;

	if (!json_is_object(g))
		return rp_src_fail(out, "batchy's answer has no \"global\" object");
	if (!json_is_string(st))
		return rp_src_fail(out, "batchy's answer has no global.status");
	if ((w = status_word(json_string_value(st), out)) < 0 ||
	    get_time(g, "batch_start", &out->start, out) != 0 ||
	    get_time(g, "batch_end", &end, out) != 0)
		return -1;
	if (w == 2 && end != 0)
		out->completion = end;
	if (w == 3) {
		out->failed = 1;
		out->failed_start = out->start;
	}
	out->ok = 1;
	return 0;
}

int
rp_batchy_parse(const char *body, size_t len, struct rp_src_result *out)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return rp_src_fail(out, "batchy answered something that is not JSON (%s)", jerr.text);
	rc = parse_global(json_object_get(root, "global"), out);
	json_decref(root);
	return rc;
}

static size_t
batchy_requests(struct rp_src_ctx *x, const struct rp_check *c, struct rp_http_req *reqs,
    struct rp_src_result *out)
{
	(void)out;
	reqs[0].url = rp_http_own(&reqs[0],
	    rp_batchy_url(x->cfg->batchy_server, x->cfg->batchy_port, c->wf_name));
	reqs[0].max_bytes = RP_BATCHY_MAX_BYTES;
	reqs[0].timeout_ms = x->cfg->batchy_timeout_sec * 1000;
	reqs[0].ca_file = x->cfg->batchy_ca_file;
	reqs[0].insecure = !x->cfg->batchy_tls_verify;
	return 1;
}

static void
batchy_parse(struct rp_src_ctx *x, const struct rp_check *c, const struct rp_http_req *reqs,
    size_t n, struct rp_src_result *out)
{
	const char *server = x->cfg->batchy_server;
	int url = strstr(server, "://") != NULL;

	(void)n;
	snprintf(out->what, sizeof(out->what), "%s", c->wf_name);
	rp_src_fact(out, "workflow", "%s", c->wf_name);
	if (reqs[0].status == 0)
		rp_src_fail(out, "batchy at %s%s%.0ld did not answer: %s", server, url ? "" : ":",
		    url ? 0L : x->cfg->batchy_port, reqs[0].error);
	else if (reqs[0].status != 200)
		rp_src_fail(out, "batchy answered HTTP %ld", reqs[0].status);
	else
		rp_batchy_parse(reqs[0].resp.data, reqs[0].resp.len, out);
}

const struct rp_source rp_src_batchy = {
	.name = "batchy",
	.requests = batchy_requests,
	.parse = batchy_parse,
};
