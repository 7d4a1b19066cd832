#define _POSIX_C_SOURCE 200809L
#include "pagerduty.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "http.h"
#include "sink.h"

#define PD_SUMMARY_MAX 1024

/* A JSON string of s as valid UTF-8, cut to at most max bytes without
 * splitting a character. Our strings can hold what a server sent us. */
static json_t *
jstr(const char *s, size_t max)
{
	struct rp_buf b = {0};
	json_t *j;
	size_t n;

	rp_buf_utf8(&b, s);
	n = b.len;
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)b.data[n] & 0xc0) == 0x80)
			n--;
	}
	j = json_stringn(b.data, n);
	rp_buf_free(&b);
	return j;
}

#define JS(s) jstr((s), 4096)

/* A fact as custom_details carries it: a number when it is one. */
static json_t *
fact_json(const struct rp_fact *f)
{
	long v;

	if (f->number && rp_parse_long(f->value, -2147483647L, 2147483647L, &v) == 0)
		return json_integer(v);
	return JS(f->value);
}

char *
rp_pd_event_json(const struct rp_pd_event *ev)
{
	json_t *root, *payload, *details;
	char ts[RP_UTC_LEN];
	char *out;
	size_t i;

	root = json_object();
	json_object_set_new(root, "routing_key", JS(ev->routing_key));
	if (ev->action == RP_ACT_CHANGE) {
		payload = json_object();
		json_object_set_new(payload, "summary", jstr(ev->summary, PD_SUMMARY_MAX));
		json_object_set_new(payload, "source", JS(ev->source));
		rp_clock_format_utc(ev->timestamp, ts);
		json_object_set_new(payload, "timestamp", json_string(ts));
		details = json_object();
		for (i = 0; i < ev->nfacts; i++)
			json_object_set_new(details, ev->facts[i].name, fact_json(&ev->facts[i]));
		json_object_set_new(payload, "custom_details", details);
		json_object_set_new(root, "payload", payload);
		goto dump;
	}
	json_object_set_new(root, "event_action",
	    json_string(ev->action == RP_ACT_TRIGGER ? "trigger" : "resolve"));
	json_object_set_new(root, "dedup_key", JS(ev->dedup_key));
	if (ev->action == RP_ACT_TRIGGER) {
		payload = json_object();
		json_object_set_new(payload, "summary", jstr(ev->summary, PD_SUMMARY_MAX));
		json_object_set_new(payload, "source", JS(ev->source));
		json_object_set_new(payload, "severity", JS(ev->severity));
		rp_clock_format_utc(ev->timestamp, ts);
		json_object_set_new(payload, "timestamp", json_string(ts));
		if (ev->component)
			json_object_set_new(payload, "component", JS(ev->component));
		if (ev->group)
			json_object_set_new(payload, "group", JS(ev->group));
		if (ev->class_name)
			json_object_set_new(payload, "class", JS(ev->class_name));
		details = json_object();
		if (ev->group)
			json_object_set_new(details, "check", JS(ev->group));
		if (ev->description)
			json_object_set_new(details, "description", JS(ev->description));
		for (i = 0; i < ev->nfacts; i++)
			json_object_set_new(details, ev->facts[i].name, fact_json(&ev->facts[i]));
		if (ev->output != NULL)
			json_object_set_new(details, "output", JS(ev->output));
		json_object_set_new(payload, "custom_details", details);
		json_object_set_new(root, "payload", payload);
		json_object_set_new(root, "client", json_string("Robopager"));
	}
dump:
	out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (out == NULL)
		abort(); /* Only out of memory (every string above is UTF-8). */
	return out;
}

char *
rp_pd_strip_routing_key(const char *body)
{
	json_t *root = json_loads(body, 0, NULL);
	char *out;

	if (root == NULL)
		return rp_xstrdup("");
	json_object_del(root, "routing_key");
	out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return out ? out : rp_xstrdup("");
}

/* FNV-1a over s, then a separator, into h. */
static void
mix(uint64_t *h, const char *s)
{
	for (; s != NULL && *s; s++)
		*h = (*h ^ (unsigned char)*s) * 1099511628211ULL;
	*h = (*h ^ 0xff) * 1099511628211ULL;
}

char *
rp_pd_fingerprint(const char *body)
{
	json_t *root = json_loads(body, 0, NULL), *p, *d;
	uint64_t h = 14695981039346656037ULL;

	p = json_object_get(root, "payload");
	d = json_object_get(p, "custom_details");
	mix(&h, json_string_value(json_object_get(root, "routing_key")));
	mix(&h, json_string_value(json_object_get(root, "event_action")));
	mix(&h, json_string_value(json_object_get(p, "severity")));
	mix(&h, json_string_value(json_object_get(p, "component")));
	mix(&h, json_string_value(json_object_get(d, "description")));
	json_decref(root);
	return rp_xasprintf("%016llx", (unsigned long long)h);
}

char *
rp_pd_change_url(const char *events_url)
{
	const char *p = strstr(events_url, "://");
	size_t n = p ? (size_t)(p - events_url) + 3 + strcspn(p + 3, "/?#") : strlen(events_url);

	return rp_xasprintf("%.*s/v2/change/enqueue", (int)n, events_url);
}

/* PagerDuty's own words from an answer: message, plus errors[0] if any. */
static void
answer_message(const char *body, char *msg, size_t len)
{
	json_t *root, *m, *errs;

	msg[0] = '\0';
	if (body == NULL || (root = json_loads(body, 0, NULL)) == NULL)
		return;
	m = json_object_get(root, "message");
	errs = json_object_get(root, "errors");
	if (json_is_string(m) && json_is_array(errs) && json_is_string(json_array_get(errs, 0)))
		snprintf(msg, len, "%s: %s", json_string_value(m),
		    json_string_value(json_array_get(errs, 0)));
	else if (json_is_string(m))
		snprintf(msg, len, "%s", json_string_value(m));
	json_decref(root);
}

void
rp_pd_classify(long status, const char *body, const char *transport_error,
    struct rp_pd_result *res)
{
	char words[160];

	res->http_status = status;
	if (status == 0) {
		res->outcome = RP_PD_FAILED;
		snprintf(res->message, sizeof(res->message), "no answer: %s", transport_error);
		return;
	}
	answer_message(body, words, sizeof(words));
	if (status == 202)
		res->outcome = RP_PD_DELIVERED;
	else if (status == 429 || status >= 500 || status == 408)
		res->outcome = RP_PD_FAILED;
	else
		res->outcome = RP_PD_REJECTED; /* 400 and anything else a retry will not fix */
	snprintf(res->message, sizeof(res->message), "HTTP %ld%s%s", status, words[0] ? ": " : "",
	    words);
}

void
rp_pd_post(const struct rp_pd_opts *o, const struct rp_pd_msg *m, size_t n,
    struct rp_pd_result *res)
{
	struct rp_sink_opts so = {0};
	struct rp_sink_req *r;
	size_t i;

	if (n == 0)
		return;
	r = rp_xcalloc(n, sizeof(*r));
	for (i = 0; i < n; i++) {
		r[i].http.url = o->url;
		r[i].http.body = m[i].body;
		r[i].http.timeout_ms = o->timeout_ms;
		r[i].http.max_bytes = RP_PD_ANSWER_MAX;
		r[i].http.ca_file = o->ca_file;
		r[i].http.insecure = o->insecure;
		r[i].judge = rp_pd_classify;
		r[i].label = m[i].label;
	}
	so.max_attempts = o->max_attempts;
	so.backoff_ms = o->backoff_ms;
	so.budget_ms = o->budget_ms;
	so.max_parallel = o->max_parallel;
	so.allow = o->allow;
	rp_sink_perform(&so, r, n, res);
	for (i = 0; i < n; i++)
		rp_http_req_free(&r[i].http);
	free(r);
}

void
rp_pd_send(const struct rp_pd_opts *o, const struct rp_pd_event *evs, size_t n,
    struct rp_pd_result *res)
{
	struct rp_pd_msg *m;
	char **bodies;
	size_t i;

	if (n == 0)
		return;
	m = rp_xcalloc(n, sizeof(*m));
	bodies = rp_xcalloc(n, sizeof(*bodies));
	for (i = 0; i < n; i++) {
		m[i].body = bodies[i] = rp_pd_event_json(&evs[i]);
		m[i].label = -1;
	}
	rp_pd_post(o, m, n, res);
	for (i = 0; i < n; i++)
		rp_free_secret(bodies[i]); /* each holds a routing key */
	free(bodies);
	free(m);
}
