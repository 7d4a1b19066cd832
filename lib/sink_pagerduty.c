/*
 * sink_pagerduty: PagerDuty's Events API v2 as a sink. The event's JSON
 * (pagerduty.c) is the outbox entry's body, routing key included, as it
 * has always been: entries of the earlier version are delivered as they
 * are. Its outbox ids keep the earlier form, "<action> <dedup_key>"
 * (deliver.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "sink.h"

#include <string.h>

#include "checklist.h"
#include "config.h"
#include "eval.h"
#include "pagerduty.h"

static void
pd_dests(const struct rp_config *cfg, const struct rp_check *c, char **out, size_t *n,
    size_t max)
{
	(void)cfg;
	if (c->pd_service != NULL && *c->pd_service != '\0' && *n < max)
		out[(*n)++] = rp_xstrdup("pagerduty");
}

static int
pd_takes(const struct rp_config *cfg, const char *dest, enum rp_ev_action a)
{
	(void)cfg;
	(void)dest;
	return a == RP_EV_TRIGGER || a == RP_EV_RESOLVE;
}

/* An incident's title names its check first: on-call reads it before
 * anything else, and rp-status -c and rp-silence take that name. The
 * heartbeat's names itself ("robopager unhealthy on HOST"). */
static char *
pd_encode(const struct rp_config *cfg, const char *dest, const struct rp_sink_event *ev)
{
	struct rp_pd_event e;
	struct rp_buf title = {0};
	char *body;

	(void)cfg;
	(void)dest;
	if (ev->summary != NULL && ev->check != NULL && strcmp(ev->type, "heartbeat") != 0)
		rp_buf_printf(&title, "%s: %s", ev->check, ev->summary);
	memset(&e, 0, sizeof(e));
	e.action = ev->action == RP_EV_TRIGGER ? RP_ACT_TRIGGER : RP_ACT_RESOLVE;
	e.routing_key = ev->routing_key;
	e.dedup_key = ev->dedup_key;
	e.summary = title.data ? title.data : ev->summary;
	e.source = ev->host;
	e.severity = ev->severity;
	e.component = ev->component;
	e.group = ev->check;
	e.class_name = ev->type;
	e.description = ev->description;
	e.timestamp = ev->time;
	e.facts = ev->facts;
	e.nfacts = ev->nfacts;
	e.output = ev->output;
	body = rp_pd_event_json(&e);
	rp_buf_free(&title);
	return body;
}

/* Counted per routing key, as PagerDuty limits them. */
static void
pd_label(const char *dest, const struct rp_sink_event *ev, char out[RP_RATE_LABEL_LEN])
{
	(void)dest;
	rp_rate_label(ev->routing_key ? ev->routing_key : "", out);
}

static long
pd_per_min(const struct rp_config *cfg, const char *dest)
{
	(void)dest;
	return cfg->pd_rate_per_min;
}

static int
pd_request(const struct rp_config *cfg, const char *dest, const char *body, time_t now,
    struct rp_http_req *req, struct rp_pd_result *res)
{
	(void)dest;
	(void)now;
	(void)res;
	req->url = cfg->events_url;
	req->body = body;
	req->timeout_ms = cfg->pd_timeout_sec * 1000;
	req->max_bytes = RP_PD_ANSWER_MAX;
	req->ca_file = cfg->pd_ca_file;
	req->insecure = !cfg->pd_tls_verify;
	return 0;
}

static char *
pd_fingerprint(const struct rp_config *cfg, const char *dest, const char *body)
{
	(void)cfg;
	(void)dest;
	return rp_pd_fingerprint(body);
}

const struct rp_sink rp_sink_pagerduty = {
	.name = "pagerduty",
	.title = "PagerDuty",
	.dests = pd_dests,
	.has = NULL,
	.takes = pd_takes,
	.encode = pd_encode,
	.label = pd_label,
	.per_min = pd_per_min,
	.request = pd_request,
	.judge = rp_pd_classify,
	.fingerprint = pd_fingerprint,
	.keep = rp_pd_strip_routing_key,
};
