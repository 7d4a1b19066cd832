#define _POSIX_C_SOURCE 200809L
#include "sources.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
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

const char *
rp_wf_status_name(enum rp_wf_status s)
{
	static const char *names[] = {"new", "open", "success", "failure"};
	return names[s];
}

/* A time member: absent or null leaves *has at 0; a string must parse. */
static int
get_time(json_t *g, const char *key, int *has, time_t *t, char *why, size_t whylen)
{
	json_t *v = json_object_get(g, key);

	*has = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || rp_clock_parse_iso(json_string_value(v), 0, t) != 0) {
		char shown[48] = "";
		if (json_is_string(v))
			snprintf(shown, sizeof(shown), " \"%.40s\"", json_string_value(v));
		snprintf(why, whylen, "batchy answered an unreadable %s%s", key, shown);
		return -1;
	}
	*has = 1;
	return 0;
}

int
rp_batchy_parse(const char *body, size_t len, struct rp_wf *out, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *root, *g, *st;
	const char *s;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(why, whylen, "batchy answered something that is not JSON (%s)", jerr.text);
		return -1;
	}
	g = json_object_get(root, "global");
	if (!json_is_object(g)) {
		snprintf(why, whylen, "batchy's answer has no \"global\" object");
		goto out;
	}
	st = json_object_get(g, "status");
	if (!json_is_string(st)) {
		snprintf(why, whylen, "batchy's answer has no global.status");
		goto out;
	}
	s = json_string_value(st);
	if (strcasecmp(s, "new") == 0)
		out->status = RP_WF_NEW;
	else if (strcasecmp(s, "open") == 0)
		out->status = RP_WF_OPEN;
	else if (strcasecmp(s, "success") == 0)
		out->status = RP_WF_SUCCESS;
	else if (strcasecmp(s, "failure") == 0)
		out->status = RP_WF_FAILURE;
	else {
		snprintf(why, whylen, "batchy answered an unknown status \"%.40s\"", s);
		goto out;
	}
	if (get_time(g, "batch_start", &out->has_start, &out->start, why, whylen) != 0 ||
	    get_time(g, "batch_end", &out->has_end, &out->end, why, whylen) != 0)
		goto out;
	rc = 0;
out:
	json_decref(root);
	return rc;
}
