/*
 * sink_alertmanager: Prometheus Alertmanager's API v2 (POST
 * <url>/api/v2/alerts, a JSON array of alerts). Every URL of [alertmanager]
 * urls is a destination of its own, so each instance of an HA pair gets
 * every alert and one that is down holds up only its own entries; routing,
 * grouping and silences are Alertmanager's job.
 *
 * An incident is one alert: labels alertname="RobopagerCheck", check, type,
 * severity and dedup_key (so that two episodes of a check are two alerts),
 * annotations summary, description, host and the facts. Alertmanager
 * forgets a firing alert whose endsAt passes, so a firing alert is posted
 * with endsAt = the time it is sent + hold_sec (three polls of its check),
 * and every run that evaluates a check with an open incident posts it
 * again (refresh); a resolve posts endsAt = when it was decided.
 *
 * The entry's body holds the alert and how long it holds, {"hold":N,
 * "alert":{...}}: endsAt is set when it is sent, so an alert that waited in
 * the outbox is not born resolved.
 */
#define _POSIX_C_SOURCE 200809L
#include "sink.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "source.h"

#define AM_ALERTNAME "RobopagerCheck"
#define AM_ANSWER_MAX (64 * 1024)

static const char *
url_of(const char *dest)
{
	return rp_sink_dest_name(dest);
}

/* Whether url is still one of [alertmanager] urls. */
static int
configured(const struct rp_config *cfg, const char *url)
{
	size_t i;

	for (i = 0; i < cfg->nam_urls; i++)
		if (strcmp(cfg->am_urls[i], url) == 0)
			return 1;
	return 0;
}

static void
am_dests(const struct rp_config *cfg, const struct rp_check *c, char **out, size_t *n,
    size_t max)
{
	size_t i;

	(void)c;
	for (i = 0; i < cfg->nam_urls && *n < max; i++)
		out[(*n)++] = rp_xasprintf("alertmanager:%s", cfg->am_urls[i]);
}

static int
am_takes(const struct rp_config *cfg, const char *dest, enum rp_ev_action a)
{
	(void)cfg;
	(void)dest;
	return a == RP_EV_TRIGGER || a == RP_EV_RESOLVE;
}

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

static char *
am_encode(const struct rp_config *cfg, const char *dest, const struct rp_sink_event *ev)
{
	json_t *root = json_object(), *alert = json_object(), *labels = json_object(),
	    *ann = json_object();
	char at[RP_UTC_LEN], *out;
	size_t i;

	(void)cfg;
	(void)dest;
	json_object_set_new(labels, "alertname", json_string(AM_ALERTNAME));
	json_object_set_new(labels, "check", jstr(ev->check));
	json_object_set_new(labels, "type", jstr(ev->type));
	/* A resolve must carry the labels of what it resolves. */
	json_object_set_new(labels, "severity", jstr(ev->severity ? ev->severity : "critical"));
	json_object_set_new(labels, "dedup_key", jstr(ev->dedup_key));
	json_object_set_new(ann, "summary", jstr(ev->summary));
	json_object_set_new(ann, "description", jstr(ev->description ? ev->description :
	    ev->summary));
	json_object_set_new(ann, "host", jstr(ev->host));
	for (i = 0; i < ev->nfacts; i++)
		if (json_object_get(ann, ev->facts[i].name) == NULL)
			json_object_set_new(ann, ev->facts[i].name, jstr(ev->facts[i].value));
	json_object_set_new(alert, "labels", labels);
	json_object_set_new(alert, "annotations", ann);
	if (ev->action == RP_EV_TRIGGER) {
		rp_clock_format_utc(ev->since ? ev->since : ev->time, at);
		json_object_set_new(alert, "startsAt", json_string(at));
		json_object_set_new(root, "hold", json_integer(ev->hold_sec > 0 ? ev->hold_sec : 180));
	} else {
		/* Resolved when decided; Alertmanager keeps the earliest start. */
		rp_clock_format_utc(ev->time, at);
		json_object_set_new(alert, "endsAt", json_string(at));
		json_object_set_new(root, "hold", json_integer(0));
	}
	json_object_set_new(root, "alert", alert);
	out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (out == NULL)
		abort(); /* Only out of memory: every string above is UTF-8. */
	return out;
}

static long
am_per_min(const struct rp_config *cfg, const char *dest)
{
	(void)cfg;
	(void)dest;
	return 0; /* Alertmanager takes what it is given. */
}

/* The array Alertmanager receives, from an entry's body, with a firing
 * alert's endsAt set from now; NULL if the body is not one of ours. */
static char *
am_payload(const char *body, time_t now)
{
	json_t *root = json_loads(body, 0, NULL), *alert, *arr, *hold;
	char at[RP_UTC_LEN], *out = NULL;

	alert = json_object_get(root, "alert");
	hold = json_object_get(root, "hold");
	if (!json_is_object(alert) || !json_is_integer(hold) ||
	    !json_is_object(json_object_get(alert, "labels")))
		goto out;
	if (json_integer_value(hold) > 0 && json_integer_value(hold) < 366L * 86400) {
		rp_clock_format_utc(now + (time_t)json_integer_value(hold), at);
		json_object_set_new(alert, "endsAt", json_string(at));
	}
	arr = json_array();
	json_array_append(arr, alert);
	out = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(arr);
out:
	json_decref(root);
	return out;
}

static int
am_request(const struct rp_config *cfg, const char *dest, const char *body, time_t now,
    struct rp_http_req *req, struct rp_pd_result *res)
{
	const char *url = url_of(dest);
	char *payload;

	if (!configured(cfg, url)) {
		res->outcome = RP_PD_REJECTED;
		snprintf(res->message, sizeof(res->message), "%s is not among [alertmanager] urls "
		    "of %s", url, cfg->path);
		return -1;
	}
	if ((payload = am_payload(body, now)) == NULL) {
		res->outcome = RP_PD_REJECTED;
		snprintf(res->message, sizeof(res->message), "unreadable outbox entry");
		return -1;
	}
	req->url = rp_http_own(req, rp_xasprintf("%s/api/v2/alerts", url));
	req->body = rp_http_own(req, payload);
	req->timeout_ms = cfg->am_timeout_sec * 1000;
	req->max_bytes = AM_ANSWER_MAX;
	req->ca_file = cfg->am_ca_file;
	req->insecure = !cfg->am_tls_verify;
	return 0;
}

/* What a person fixes: the instance's place among [alertmanager] urls. */
static char *
am_fingerprint(const struct rp_config *cfg, const char *dest, const char *body)
{
	const char *v[2];

	(void)body;
	v[0] = dest;
	v[1] = configured(cfg, url_of(dest)) ? "configured" : "-";
	return rp_sink_hash(v, 2);
}

const struct rp_sink rp_sink_alertmanager = {
	.name = "alertmanager",
	.title = "Alertmanager",
	.refresh = 1,
	.dests = am_dests,
	.has = NULL,
	.takes = am_takes,
	.encode = am_encode,
	.label = NULL,
	.per_min = am_per_min,
	.request = am_request,
	.judge = rp_sink_judge_http,
	.fingerprint = am_fingerprint,
	.keep = NULL,
};
