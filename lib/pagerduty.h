/*
 * pagerduty: the Events API v2 client.
 *
 * POST <events_url> with {routing_key, event_action, dedup_key, payload}.
 * 202 means delivered; 400 means PagerDuty refused the event for good (its
 * message is kept); 429, 5xx, no answer and timeouts are retried with
 * exponential backoff and jitter (Retry-After honoured) within a budget, and
 * whatever is still undelivered is reported so the caller sends it again on
 * its next run. The routing key goes into the routing_key field only, never
 * into a summary, a detail or a message.
 */
#ifndef RP_PAGERDUTY_H
#define RP_PAGERDUTY_H

#include <stddef.h>
#include <time.h>

#include "eval.h"

struct rp_pd_event {
	enum rp_act action;        /* RP_ACT_TRIGGER, RP_ACT_RESOLVE, RP_ACT_CHANGE */
	const char *routing_key;
	const char *dedup_key;
	const char *summary;       /* trigger only; cut to 1024 bytes */
	const char *source;        /* the host */
	const char *severity;      /* critical, error, warning, info */
	const char *component;     /* what is watched (a workflow) */
	const char *group;         /* the check's name */
	const char *class_name;    /* the check's type */
	const char *description;   /* pd_description */
	time_t timestamp;
	const struct rp_fact *facts;
	size_t nfacts;
	const char *output;        /* a job's last lines of output, or NULL */
};

enum rp_pd_outcome {
	RP_PD_DELIVERED,           /* 202 */
	RP_PD_REJECTED,            /* 400: never retried */
	RP_PD_FAILED,              /* 429, 5xx, no answer: send again later */
	RP_PD_WAITING,             /* not tried in this run: the rate limit, the
	                            * time budget, or an earlier event of the
	                            * same incident still waiting */
	RP_PD_HELD                 /* not sent: the check is silenced */
};

struct rp_pd_result {
	enum rp_pd_outcome outcome;
	long http_status;          /* of the last attempt, 0 if none */
	char message[200];         /* PagerDuty's words, or ours */
	int attempts;
	int queued;                /* FAILED or WAITING, and kept in the outbox */
	int behind;                /* WAITING behind an earlier event of its incident */
	int rate_held;             /* WAITING: its rate label allows no more
	                            * attempts this minute */
	int elsewhere;             /* WAITING for another run to deliver it, or
	                            * dropped because another run decided first */
};

struct rp_pd_opts {
	const char *url;
	long timeout_ms;           /* per attempt */
	int max_attempts;          /* per event within this run */
	long backoff_ms;           /* first backoff; doubles each time */
	long budget_ms;            /* from the call: every attempt ends by then */
	int max_parallel;          /* requests in flight at once (0: 64) */
	const char *ca_file;       /* TLS: NULL for the system's trust store */
	int insecure;              /* TLS not verified ([pager_duty] tls_verify) */
	long *allow;               /* per rate label: attempts still allowed
	                            * (each attempt takes one); NULL: no limit */
};

/* One event ready to send: its JSON and the index of its rate label in
 * opts->allow (-1: none). */
struct rp_pd_msg {
	const char *body;
	int label;
};

/* The size of an answer read at most. */
#define RP_PD_ANSWER_MAX (64 * 1024)

/* The URL of change events: the scheme and host of events_url with the
 * path /v2/change/enqueue. The caller frees it. */
char *rp_pd_change_url(const char *events_url);

/* The JSON body of ev (a change event when ev->action is RP_ACT_CHANGE:
 * routing_key and payload {summary, source, timestamp, custom_details});
 * the caller frees it. */
char *rp_pd_event_json(const struct rp_pd_event *ev);

/* The JSON of an event without its routing key (kept when PagerDuty
 * refuses it); the caller frees it. */
char *rp_pd_strip_routing_key(const char *body);

/* The fingerprint of what a person fixes after PagerDuty refused an event
 * (the routing key, the check's description, severity and component; not
 * the summary or the time, which change every run): 16 hex digits of a
 * hash, never the key itself. The caller frees it. */
char *rp_pd_fingerprint(const char *body);

/* Classifies an answer into res (outcome, status, message). */
void rp_pd_classify(long status, const char *body, const char *transport_error,
    struct rp_pd_result *res);

/* Posts the n messages concurrently, retrying as above within the budget
 * and the rate allowance; res[i] says how each one ended. */
void rp_pd_post(const struct rp_pd_opts *o, const struct rp_pd_msg *m, size_t n,
    struct rp_pd_result *res);

/* rp_pd_post() of the n events' JSON, with no rate label. */
void rp_pd_send(const struct rp_pd_opts *o, const struct rp_pd_event *evs, size_t n,
    struct rp_pd_result *res);

#endif
