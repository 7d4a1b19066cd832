#define _POSIX_C_SOURCE 200809L
#include "sink.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checklist.h"
#include "config.h"
#include "signals.h"

extern const struct rp_sink rp_sink_pagerduty;
extern const struct rp_sink rp_sink_slack;
extern const struct rp_sink rp_sink_webhook;
extern const struct rp_sink rp_sink_alertmanager;

/* Every sink; a new one is one line here. */
static const struct rp_sink *const sinks[] = {
	&rp_sink_pagerduty,
	&rp_sink_slack,
	&rp_sink_webhook,
	&rp_sink_alertmanager,
};
#define NSINKS (sizeof(sinks) / sizeof(sinks[0]))

const char *
rp_ev_action_name(enum rp_ev_action a)
{
	static const char *const names[] = {"trigger", "resolve", "warning"};

	return names[a];
}

int
rp_ev_action_parse(const char *s, enum rp_ev_action *out)
{
	int i;

	for (i = RP_EV_TRIGGER; i <= RP_EV_WARNING; i++) {
		if (strcmp(s, rp_ev_action_name((enum rp_ev_action)i)) == 0) {
			*out = (enum rp_ev_action)i;
			return 0;
		}
	}
	return -1;
}

const struct rp_sink *
rp_sink_of(const char *dest)
{
	size_t i, n = strcspn(dest, ":");

	for (i = 0; i < NSINKS; i++)
		if (strlen(sinks[i]->name) == n && strncmp(sinks[i]->name, dest, n) == 0)
			return sinks[i];
	return NULL;
}

const char *
rp_sink_dest_name(const char *dest)
{
	const char *c = strchr(dest, ':');

	return c ? c + 1 : "";
}

void
rp_sink_who(const char *dest, char *out, size_t n)
{
	const struct rp_sink *s = rp_sink_of(dest);
	const char *name = rp_sink_dest_name(dest);

	if (s == NULL)
		snprintf(out, n, "%s", dest);
	else
		snprintf(out, n, "%s%s%s", s->title, *name ? " " : "", name);
}

char **
rp_sink_dests(const struct rp_config *cfg, const struct rp_check *c, int own, size_t *n)
{
	char **v = rp_xcalloc(RP_SINK_MAX_DESTS + 1, sizeof(*v));
	size_t i;

	*n = 0;
	for (i = 0; i < NSINKS; i++) {
		/* Robopager's own health goes to heartbeat_service alone: the
		 * heartbeat is no check of the checklist. */
		if (own && sinks[i] != &rp_sink_pagerduty)
			continue;
		sinks[i]->dests(cfg, c, v, n, RP_SINK_MAX_DESTS);
	}
	return v;
}

void
rp_sink_dests_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int
rp_sink_validate(const struct rp_config *cfg, const struct rp_check *c, const char *checklist,
    struct rp_err *err)
{
	size_t i, j;
	int found;

	for (i = 0; i < c->nnotify; i++) {
		for (j = 0, found = 0; j < NSINKS; j++)
			found |= sinks[j]->has != NULL && sinks[j]->has(cfg, c->notify[i]);
		if (!found)
			return rp_err_set(err, RP_EXIT_CONFIG, "%s:%d: %s: notify: no [slack %s] or "
			    "[webhook %s] section in %s", checklist, c->notify_line, c->name,
			    c->notify[i], c->notify[i], cfg->path);
		/* Without the state every run would post its triggers again, and
		 * a channel folds nothing. */
		if (!cfg->redis_enabled && rp_config_slack(cfg, c->notify[i]) != NULL)
			return rp_err_set(err, RP_EXIT_CONFIG, "%s:%d: %s: notify: [slack %s] needs the "
			    "state in Redis ([enable_redis] enable = False would post every run's "
			    "triggers again)", checklist, c->notify_line, c->name, c->notify[i]);
	}
	return 0;
}

char *
rp_sink_encode(const struct rp_config *cfg, const char *dest, const struct rp_sink_event *ev,
    char label[RP_RATE_LABEL_LEN])
{
	const struct rp_sink *s = rp_sink_of(dest);

	if (s == NULL || !s->takes(cfg, dest, ev->action))
		return NULL;
	if (s->label != NULL)
		s->label(dest, ev, label);
	else
		rp_rate_label(dest, label);
	return s->encode(cfg, dest, ev);
}

char *
rp_sink_hash(const char *const *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		const char *p = s[i] ? s[i] : "";
		for (; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return rp_xasprintf("%016llx", (unsigned long long)h);
}

void
rp_sink_judge_http(long status, const char *answer, const char *error,
    struct rp_pd_result *res)
{
	char words[120];
	size_t n = 0;

	res->http_status = status;
	if (status == 0) {
		res->outcome = RP_PD_FAILED;
		snprintf(res->message, sizeof(res->message), "no answer: %s", error ? error : "");
		return;
	}
	/* The answer's first line, printable ASCII only: a server's words,
	 * not its markup or control characters. */
	for (; answer != NULL && *answer && *answer != '\n' && n + 1 < sizeof(words); answer++)
		if ((unsigned char)*answer >= 0x20 && (unsigned char)*answer < 0x7f)
			words[n++] = *answer;
	words[n] = '\0';
	if (status >= 200 && status < 300)
		res->outcome = RP_PD_DELIVERED;
	else if (status == 408 || status == 425 || status == 429 || status >= 500)
		res->outcome = RP_PD_FAILED;
	else
		res->outcome = RP_PD_REJECTED;
	snprintf(res->message, sizeof(res->message), "HTTP %ld%s%s", status, n ? ": " : "", words);
}

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Sleeps ms, unless a stop is asked (signals.h). */
static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (!rp_sig_stopped() && nanosleep(&ts, &ts) != 0)
		;
}

/* Whether r may be attempted now: its label has allowance left. */
static int
allowed(const struct rp_sink_opts *o, const struct rp_sink_req *r)
{
	return o->allow == NULL || r->label < 0 || o->allow[r->label] > 0;
}

void
rp_sink_perform(const struct rp_sink_opts *o, struct rp_sink_req *r, size_t n,
    struct rp_pd_result *res)
{
	struct rp_http_req *reqs;
	long *timeout;
	size_t *idx, *go, npend = 0, ngo, i;
	struct timespec t0;
	unsigned seed;
	long backoff = o->backoff_ms;
	int attempt;

	if (n == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	seed = (unsigned)t0.tv_nsec ^ (unsigned)getpid();
	reqs = rp_xcalloc(n, sizeof(*reqs));
	timeout = rp_xcalloc(n, sizeof(*timeout));
	idx = rp_xcalloc(n, sizeof(*idx));
	go = rp_xcalloc(n, sizeof(*go));
	for (i = 0; i < n; i++) {
		timeout[i] = r[i].http.timeout_ms;
		if (r[i].skip)
			continue;
		memset(&res[i], 0, sizeof(res[i]));
		res[i].outcome = RP_PD_WAITING;
		snprintf(res[i].message, sizeof(res[i].message), "not tried: the run's time budget "
		    "was spent");
		idx[npend++] = i;
	}
	for (attempt = 1; npend > 0; attempt++) {
		long wait = 0, left = o->budget_ms - elapsed_ms(&t0);
		size_t still = 0;

		if (left < 200 || rp_sig_stopped())
			break;
		/* The requests whose rate label allows one more attempt go now;
		 * the others wait for a later run. */
		for (i = 0, ngo = 0; i < npend; i++) {
			struct rp_sink_req *q = &r[idx[i]];
			if (!allowed(o, q)) {
				if (res[idx[i]].attempts == 0) {
					snprintf(res[idx[i]].message, sizeof(res[idx[i]].message),
					    "not tried: the rate limit of its destination is reached");
					res[idx[i]].rate_held = 1;
				}
				continue;
			}
			if (o->allow != NULL && q->label >= 0)
				o->allow[q->label]--;
			rp_http_req_reset(&q->http);
			q->http.timeout_ms = timeout[idx[i]] < left ? timeout[idx[i]] : left;
			/* One array of requests for curl multi: shallow copies,
			 * whose answers are moved back below. */
			reqs[ngo] = q->http;
			go[ngo++] = idx[i];
		}
		if (ngo == 0)
			break;
		rp_http_perform(reqs, ngo, o->max_parallel > 0 ? o->max_parallel : 64);
		for (i = 0; i < ngo; i++) {
			struct rp_sink_req *q = &r[go[i]];
			struct rp_pd_result *pr = &res[go[i]];
			q->http = reqs[i];
			pr->attempts = attempt;
			q->judge(q->http.status, q->http.resp.data, q->http.error, pr);
			/* A certificate refused now is refused in a second too: the
			 * event waits in the outbox for the configuration to change. */
			if (pr->outcome != RP_PD_FAILED || q->http.permanent)
				continue;
			if (q->http.retry_after * 1000 > wait)
				wait = q->http.retry_after * 1000;
			idx[still++] = go[i];
		}
		npend = still;
		if (npend == 0 || attempt >= o->max_attempts)
			break;
		/* Exponential backoff with full jitter, at least Retry-After. */
		if (wait < backoff)
			wait = backoff / 2 + (long)(rand_r(&seed) % (unsigned)(backoff / 2 + 1));
		backoff *= 2;
		if (elapsed_ms(&t0) + wait + 200 > o->budget_ms)
			break;
		sleep_ms(wait);
	}
	for (i = 0; i < n; i++) {
		rp_http_req_reset(&r[i].http);
		r[i].http.timeout_ms = timeout[i];
	}
	free(reqs);
	free(timeout);
	free(idx);
	free(go);
}

void
rp_sink_post(const struct rp_config *cfg, time_t now, const struct rp_sink_opts *o,
    const struct rp_sink_msg *m, size_t n, struct rp_pd_result *res)
{
	struct rp_sink_req *r;
	size_t i;

	if (n == 0)
		return;
	r = rp_xcalloc(n, sizeof(*r));
	for (i = 0; i < n; i++) {
		const struct rp_sink *s = rp_sink_of(m[i].dest);
		memset(&res[i], 0, sizeof(res[i]));
		r[i].label = m[i].label;
		if (s == NULL) {
			r[i].skip = 1;
			res[i].outcome = RP_PD_REJECTED;
			snprintf(res[i].message, sizeof(res[i].message), "no such destination: %s",
			    m[i].dest);
			continue;
		}
		r[i].judge = s->judge;
		if (m[i].body == NULL || *m[i].body == '\0') {
			/* Unreadable: it cannot be sent; refused, so that it shows. */
			r[i].skip = 1;
			res[i].outcome = RP_PD_REJECTED;
			snprintf(res[i].message, sizeof(res[i].message), "unreadable outbox entry");
			continue;
		}
		if (s->request(cfg, m[i].dest, m[i].body, now, &r[i].http, &res[i]) != 0)
			r[i].skip = 1;
	}
	rp_sink_perform(o, r, n, res);
	for (i = 0; i < n; i++)
		rp_http_req_free(&r[i].http);
	free(r);
}
