/*
 * sink: where events go. One interface, one module per kind of
 * destination, as curl's protocol handlers are: sink_pagerduty.c,
 * sink_slack.c, sink_webhook.c and sink_alertmanager.c each export one
 * const struct rp_sink; the code that delivers (pages.c, deliver.c) finds
 * them by a destination's name (rp_sink_of) and never names a particular
 * one.
 *
 * A destination is a sink's name, alone or with a name of its own after a
 * colon: "pagerduty" (the routing key travels in the event, as it always
 * has), "slack:data-team" and "webhook:ops" (the [slack NAME] and [webhook
 * NAME] sections of etl.cfg a check's notify: names), "alertmanager:URL"
 * (one per URL of [alertmanager] urls: every instance gets every alert).
 *
 * An event goes out in two steps, apart in time. When a run decides,
 * encode() turns it into the body of its outbox entry, which holds no
 * secret of the destination (a Slack URL or a webhook's key is read from
 * etl.cfg when the entry is delivered; PagerDuty's routing key is part of
 * its event). When a run delivers, request() turns the body into the HTTP
 * request and judge() the answer into delivered, retry later (Retry-After
 * honoured) or refused. The outbox, ordering, rate limits and retries are
 * deliver.c's and the same for every sink.
 *
 * Adding a sink: a new sink_<name>.c with its struct rp_sink, its line in
 * the table of sink.c, its section in config.c, and its tests (a unit test
 * of its requests and judgements, a stand-in in tests/fakes/ unless the
 * real server can run in the tests, rows in tests/run-faults.sh).
 */
#ifndef RP_SINK_H
#define RP_SINK_H

#include <stddef.h>
#include <time.h>

#include "http.h"
#include "pagerduty.h"
#include "state.h"

struct rp_check;
struct rp_config;
struct rp_err;
struct rp_fact;

/* Destinations of one check at most (PagerDuty, notify:, Alertmanagers). */
#define RP_SINK_MAX_DESTS 40
/* A destination's name at most (a sink, ":", a section name or a URL). */
#define RP_DEST_MAX 300

enum rp_ev_action {
	RP_EV_TRIGGER,
	RP_EV_RESOLVE,
	RP_EV_WARNING            /* a check went into WARNING (Slack, webhooks
	                          * with warnings = True) */
};

/* "trigger", "resolve", "warning"; parse returns -1 for anything else. */
const char *rp_ev_action_name(enum rp_ev_action a);
int rp_ev_action_parse(const char *s, enum rp_ev_action *out);

/* An event as every sink sees it. */
struct rp_sink_event {
	enum rp_ev_action action;
	const char *check;         /* the check's name */
	const char *type;          /* its type ("batchy", ...) */
	enum rp_status status;     /* the check's status when decided */
	const char *dedup_key;
	const char *summary;
	const char *description;   /* pd_description, or NULL */
	const char *severity;      /* critical (an incident), error (cannot be
	                            * evaluated), warning */
	const char *component;     /* what is watched, or NULL */
	const char *host;          /* where it was decided */
	const struct rp_fact *facts; /* the details */
	size_t nfacts;
	const char *output;        /* a job's last lines of output, or NULL */
	time_t time;               /* when it was decided */
	time_t since;              /* when its incident began (0: time) */
	long hold_sec;             /* how long a firing alert lasts unless
	                            * posted again (Alertmanager): 3 polls */
	const char *routing_key;   /* PagerDuty's, the check's pd_service */
};

struct rp_sink {
	const char *name;          /* a destination's prefix: "slack" */
	const char *title;         /* in messages: "Slack" */
	int refresh;               /* the destination forgets a firing alert
	                            * that is not posted again: every run that
	                            * evaluates a check with an open incident
	                            * posts it straight (not through the
	                            * outbox: the next run posts it anyway) */
	/* Appends to out (*n of them, at most max) the destinations of this
	 * sink for check c: "pagerduty" for its pd_service, "slack:NAME" for
	 * a notify: name that is a [slack NAME]... Each a new string. */
	void (*dests)(const struct rp_config *cfg, const struct rp_check *c, char **out,
	    size_t *n, size_t max);
	/* Optional: whether etl.cfg has a section of this sink called name
	 * (what a check's notify: may name). */
	int (*has)(const struct rp_config *cfg, const char *name);
	/* Whether dest takes events of action a. */
	int (*takes)(const struct rp_config *cfg, const char *dest, enum rp_ev_action a);
	/* The body of ev's outbox entry for dest, a new string the caller
	 * frees with rp_free_secret (PagerDuty's holds the routing key). */
	char *(*encode)(const struct rp_config *cfg, const char *dest,
	    const struct rp_sink_event *ev);
	/* Optional: the rate label of the entry (default: of dest). */
	void (*label)(const char *dest, const struct rp_sink_event *ev,
	    char out[RP_RATE_LABEL_LEN]);
	/* Events a minute dest takes (0: no limit). */
	long (*per_min)(const struct rp_config *cfg, const char *dest);
	/* Fills req for an entry's body at delivery time now: URL, headers,
	 * the body as sent, timeout and TLS, the destination's secrets read
	 * from etl.cfg now (strings it makes go into req->own). Returns 0, or
	 * -1 with res filled: REJECTED when dest is no longer configured or
	 * the body cannot be sent, FAILED when a secret cannot be read now. */
	int (*request)(const struct rp_config *cfg, const char *dest, const char *body,
	    time_t now, struct rp_http_req *req, struct rp_pd_result *res);
	/* Classifies an answer (status 0: none came, error says why) into res:
	 * outcome, http_status, message. */
	void (*judge)(long status, const char *answer, const char *error,
	    struct rp_pd_result *res);
	/* The fingerprint of what a person fixes after dest refused body (16
	 * hex digits of a hash: never a secret), a new string. */
	char *(*fingerprint)(const struct rp_config *cfg, const char *dest, const char *body);
	/* Optional: the body as kept when refused, without any secret (a new
	 * string; default: the body as it is). */
	char *(*keep)(const char *body);
};

/* The sink of a destination ("slack:ops" -> slack), or NULL. */
const struct rp_sink *rp_sink_of(const char *dest);
/* The part of dest after the sink's name and ":" ("" for "pagerduty"). */
const char *rp_sink_dest_name(const char *dest);
/* "PagerDuty", "Slack data-team", "webhook ops": dest for people. */
void rp_sink_who(const char *dest, char *out, size_t n);

/* The destinations of check c, in the order of the sinks' table, as new
 * strings in a new array (free with rp_sink_dests_free); own: Robopager's
 * own heartbeat (PagerDuty only). */
char **rp_sink_dests(const struct rp_config *cfg, const struct rp_check *c, int own,
    size_t *n);
void rp_sink_dests_free(char **v, size_t n);

/* Whether etl.cfg holds what check c's notify: names, each a [slack NAME]
 * or [webhook NAME]: 0, or -1 with err (RP_EXIT_CONFIG) naming the
 * checklist, the line, the check and the name. */
int rp_sink_validate(const struct rp_config *cfg, const struct rp_check *c,
    const char *checklist, struct rp_err *err);

/* The body of dest's entry for ev (NULL when dest takes no such event) and
 * its rate label. */
char *rp_sink_encode(const struct rp_config *cfg, const char *dest,
    const struct rp_sink_event *ev, char label[RP_RATE_LABEL_LEN]);

/* One request on its way: built by a sink (or by hand for PagerDuty's
 * change events), judged by its judge, retried by rp_sink_perform. */
struct rp_sink_req {
	struct rp_http_req http;   /* url, body, headers, TLS; timeout per
	                            * attempt is capped by the budget */
	void (*judge)(long status, const char *answer, const char *error,
	    struct rp_pd_result *res);
	int label;                 /* index into opts->allow, -1: none */
	int skip;                  /* not to be sent: its result says why */
};

struct rp_sink_opts {
	int max_attempts;          /* per request within this run */
	long backoff_ms;           /* first backoff; doubles each time */
	long budget_ms;            /* from the call: every attempt ends by then */
	int max_parallel;          /* requests in flight at once (0: 64) */
	long *allow;               /* per rate label: attempts still allowed
	                            * (each attempt takes one); NULL: no limit */
};

/* Performs the n requests concurrently, each retried while its judge says
 * FAILED, with exponential backoff and jitter (at least the longest
 * Retry-After) within the budget and the rate allowance; res[i] says how
 * each ended (WAITING: not tried, its message says why). A request whose
 * failure will not go away by retrying now (a certificate refused) is
 * not retried. The requests are reset, not freed. */
void rp_sink_perform(const struct rp_sink_opts *o, struct rp_sink_req *r, size_t n,
    struct rp_pd_result *res);

/* One entry to send: its destination, its body, its rate label. */
struct rp_sink_msg {
	const char *dest;
	const char *body;
	int label;                 /* index into opts->allow, -1: none */
};

/* Builds each message's request with its sink (at time now, from cfg) and
 * performs them as rp_sink_perform does; a message whose request cannot be
 * built ends as its sink said (refused, or failed: it waits). */
void rp_sink_post(const struct rp_config *cfg, time_t now, const struct rp_sink_opts *o,
    const struct rp_sink_msg *m, size_t n, struct rp_pd_result *res);

/* Helpers for the sinks. */

/* FNV-1a of the strings (NULL counts as empty), 16 hex digits, new. */
char *rp_sink_hash(const char *const *s, size_t n);
/* The judgement of a plain HTTP answer: 2xx delivered; 408, 425, 429 and
 * 5xx retried; anything else refused; the message "HTTP N: <the answer's
 * first line, cut>". */
void rp_sink_judge_http(long status, const char *answer, const char *error,
    struct rp_pd_result *res);

#endif
