#define _POSIX_C_SOURCE 200809L
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clcache.h"
#include "spill.h"
#include "clock.h"
#include "config.h"
#include "eval.h"
#include "fetch.h"
#include "http.h"
#include "mailcheck.h"
#include "metrics.h"
#include "output.h"
#include "pages.h"
#include "signals.h"
#include "state.h"

#ifndef RP_VERSION
#define RP_VERSION "dev"
#endif

/* What an evaluated check found and decided, kept to the end of the run:
 * the few fields of its struct rp_result read after the decision (that
 * struct is 2 KiB of fixed buffers, and a run may evaluate 10,000 checks),
 * its events and what became of them. */
struct outcome {
	enum rp_status status;
	char *summary;
	char *perf;
	struct rp_fact *facts;   /* kept only where read: --json, -v, events */
	size_t nfacts;
	const char *output;      /* ping: owned by the item's ping record */
	char *mail_memo;         /* email: what its next state points to */
	struct rp_action *acts;  /* nact of them, and their sent */
	struct rp_pd_result *sent;
	size_t nact;
	int resend;              /* struct rp_decision's */
};

/* Everything about one check in this run. */
struct item {
	const struct rp_check *c;
	int candidate;           /* past today's check_time, or forced */
	int off;                 /* not expected today (its calendar) */
	int evaluated;           /* then out is set */
	int force;               /* -c: evaluated whatever its poll window */
	struct rp_load *load;    /* due, and the state read (in the run's loads) */
	struct rp_check_state next;
	struct outcome *out;
};

struct run {
	const char *program;
	const struct rp_opts *o;
	struct rp_config cfg;
	struct rp_checklist cl;
	struct rp_store *store;
	int state_ok;            /* state was read, so it may be written */
	int trouble;             /* something failed that makes the run UNKNOWN */
	int what_if;             /* the clock is --now's (or $RP_NOW's) */
	time_t start, now;
	char host[256];
	struct item *items;
	size_t n;
	struct rp_load *loads;   /* one per item, those read first */
	struct item **fetching;  /* the items of rp_fetch's checks, in order */
	char *password;          /* the mailbox's, wiped at the end */
	struct timespec t0;      /* monotonic start, for the time budget */
	char token[128];         /* this run's, for the outbox lock */
	long waiting;            /* events in the outbox when read, -1 unknown */
};

long
rp_elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Milliseconds left of the run's time budget (never below 0). */
static long
left_ms(const struct run *r)
{
	long left = r->cfg.time_budget_sec * 1000 - rp_elapsed_ms(&r->t0);

	return left > 0 ? left : 0;
}

/* What the sources may take: the budget less a reserve for PagerDuty and
 * the state, capped at the source's own timeout. */
static long
source_ms(const struct run *r, long timeout_sec)
{
	long left = left_ms(r), reserve = r->cfg.pd_timeout_sec * 1000 + 1000, t;

	if (reserve > left / 3)
		reserve = left / 3;
	t = left - reserve;
	if (t > timeout_sec * 1000)
		t = timeout_sec * 1000;
	return t > 100 ? t : 100;
}

void
rp_run_token(char *dst, size_t n, const char *host)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	snprintf(dst, n, "%.64s:%ld:%ld.%09ld", host, (long)getpid(), (long)t.tv_sec, t.tv_nsec);
}

/* The store's -v lines (the primary the sentinels name, a failover, a
 * write no replica acknowledged). */
static void
store_notice(const char *line)
{
	rp_log(RP_LOG_DEBUG, "%s", line);
}

struct rp_store *
rp_config_store(const struct rp_config *cfg, struct rp_err *err)
{
	struct rp_store_where w;

	if (!cfg->redis_enabled) {
		rp_err_set(err, RP_EXIT_CONFIG, "%s: [enable_redis] enable is False, and this needs "
		    "the state in Redis", cfg->path);
		return NULL;
	}
	memset(&w, 0, sizeof(w));
	w.host = cfg->redis_server;
	w.port = cfg->redis_port;
	w.sentinel_host = (const char *const *)cfg->redis_sentinel_hosts;
	w.sentinel_port = cfg->redis_sentinel_ports;
	w.nsentinels = cfg->redis_nsentinels;
	w.master_name = cfg->redis_master_name;
	w.sentinel_password = cfg->redis_sentinel_password;
	w.notice = store_notice;
	return rp_store_open_at(&w, cfg->redis_password, cfg->redis_db, cfg->redis_prefix,
	    cfg->redis_timeout_ms, err);
}

void
rp_flush_spill(const struct rp_config *cfg, struct rp_store *s)
{
	char dir[4096], why[512] = "";
	long n = rp_spill_flush(cfg, s, dir, sizeof(dir), why, sizeof(why));

	if (n < 0)
		rp_log(RP_LOG_ERR, "triggers sent earlier while the state store was out of reach: "
		    "%s", why);
	else if (n > 0)
		rp_log(RP_LOG_INFO, "%ld trigger%s sent earlier while the state store was out of "
		    "reach recorded now, from %s", n, n == 1 ? "" : "s", dir);
}

const char *
rp_default_config(const char *given)
{
	/* Never the working directory: a file planted there would be read. */
	return given != NULL ? given : RP_DEFAULT_CONFIG;
}

char *
rp_default_checklist(const char *config)
{
	const char *slash = strrchr(config, '/');

	if (slash == NULL)
		return rp_xstrdup("checklist.yaml");
	return rp_xasprintf("%.*s/checklist.yaml", (int)(slash - config), config);
}

/* A configuration that holds a secret, and the checklist (its routing keys
 * let anyone open incidents), should be readable by their owner only; say
 * so on every run until they are. */
static void
warn_if_readable(const struct rp_config *cfg, const char *checklist)
{
	struct stat st;

	/* Its group may read it (root:robopager 640, for the jobs that run
	 * rp-ping); every user may not. */
	if ((cfg->password != NULL || cfg->pd_api_access_key != NULL ||
	    cfg->heartbeat_service != NULL || cfg->redis_password != NULL ||
	    cfg->redis_sentinel_password != NULL) && stat(cfg->path, &st) == 0 &&
	    (st.st_mode & 007) != 0)
		rp_log(RP_LOG_WARNING, "%s holds a password or key and every user can read it; "
		    "run: chmod o-rwx %s", cfg->path, cfg->path);
	if (cfg->password_file != NULL && stat(cfg->password_file, &st) == 0 &&
	    (st.st_mode & 007) != 0)
		rp_log(RP_LOG_WARNING, "%s ([google_apps] password_file) can be read by every user; "
		    "run: chmod o-rwx %s", cfg->password_file, cfg->password_file);
	if (checklist != NULL && stat(checklist, &st) == 0 && (st.st_mode & 004) != 0)
		rp_log(RP_LOG_WARNING, "%s holds integration keys and every user can read it; "
		    "run: chmod o-r %s", checklist, checklist);
}

void
rp_config_warn(const struct rp_config *cfg, const char *checklist, int quiet)
{
	char msg[8][RP_WARNING_LEN];
	size_t i, n = quiet ? 0 : rp_config_warnings(cfg, msg, 8);

	if (!quiet)
		warn_if_readable(cfg, checklist);
	for (i = 0; i < n; i++)
		rp_log(RP_LOG_WARNING, "%s", msg[i]);
	for (i = 0; !quiet && i < cfg->nnotices; i++)
		rp_log(RP_LOG_WARNING, "%s", cfg->notices[i]);
	if (!cfg->redis_enabled)
		rp_log(RP_LOG_WARNING, "%s: [enable_redis] enable = False: no state, so every run "
		    "sends its triggers again and nothing is ever resolved", cfg->path);
}

/* The clock of the run: --now or $RP_NOW (said on stderr: a what-if run
 * writes state as of then), else the system's until Redis gives its own. */
static int
set_clock(struct run *r, int say)
{
	struct rp_err err;
	char at[RP_LOCAL_LEN];

	if (rp_clock_now(r->o->now, &r->now, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		return err.code;
	}
	r->what_if = r->o->now != NULL || getenv("RP_NOW") != NULL;
	if (r->what_if && say) {
		rp_clock_format_local(r->now, at);
		rp_log(RP_LOG_INFO, "clock: %s from %s, not the real time", at,
		    r->o->now != NULL ? "--now" : "$RP_NOW");
	}
	return 0;
}

static int
load_files(struct run *r, int warn)
{
	const struct rp_opts *o = r->o;
	const char *cfgpath = rp_default_config(o->config);
	char *clpath;
	struct rp_err err;
	int rc;

	if (rp_config_load(cfgpath, &r->cfg, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		return err.code;
	}
	clpath = o->checklist ? rp_xstrdup(o->checklist) : rp_default_checklist(cfgpath);
	if (warn)
		rp_config_warn(&r->cfg, clpath, o->quiet);
	{
		char dirbuf[4096], note[1024];
		const char *dir = rp_clcache_dir(r->cfg.cache_dir, dirbuf, sizeof(dirbuf));
		rc = rp_checklist_load_cached(clpath, dir, r->program ? r->program : "robopager",
		    &r->cl, &err, note, sizeof(note));
		/* Said when there is a cache to speak of. */
		if (dir != NULL)
			rp_log(RP_LOG_DEBUG, "checklist cache: %s", note);
	}
	free(clpath);
	if (rc != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		return err.code;
	}
	return set_clock(r, warn);
}

/* Picks the checks of this program: -c's one, or every one it evaluates. */
static int
select_checks(struct run *r, enum rp_program prog)
{
	size_t i;

	r->items = rp_xcalloc(r->cl.n, sizeof(*r->items));
	if (r->o->check != NULL) {
		const struct rp_check *c = rp_checklist_find(&r->cl, r->o->check);
		if (c == NULL) {
			rp_log(RP_LOG_ERR, "%s: no check named \"%s\"", r->cl.path, r->o->check);
			return RP_EXIT_USAGE;
		}
		if (rp_check_program(c->type) != prog) {
			rp_log(RP_LOG_ERR, "%s is a%s %s check; run rp-%s-check for it", c->name,
			    c->type == RP_CHECK_EMAIL ? "n" : "", rp_check_type_name(c->type),
			    c->type == RP_CHECK_EMAIL ? "email" : "latency");
			return RP_EXIT_USAGE;
		}
		r->items[r->n].c = c;
		r->items[r->n].force = 1;
		r->n++;
		return 0;
	}
	for (i = 0; i < r->cl.n; i++)
		if (rp_check_program(r->cl.checks[i].type) == prog)
			r->items[r->n++].c = &r->cl.checks[i];
	return 0;
}

/* Whether a check of type t is among the run's. */
static int
has_type(const struct run *r, enum rp_check_type t)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->items[i].c->type == t)
			return 1;
	return 0;
}

/* What the run needs besides the files: a batchy server, what the checks'
 * auth: and notify: name, the mailbox's user and password. */
static int
check_needs(struct run *r, enum rp_program prog)
{
	struct rp_err err;

	if (has_type(r, RP_CHECK_BATCHY) && r->cfg.batchy_server == NULL) {
		rp_log(RP_LOG_ERR, "%s: [batchy] server: missing (the checklist has batchy checks)",
		    r->cfg.path);
		return RP_EXIT_CONFIG;
	}
	for (size_t i = 0; i < r->n; i++) {
		if (rp_source_validate(&r->cfg, r->items[i].c, r->cl.path, &err) != 0 ||
		    rp_sink_validate(&r->cfg, r->items[i].c, r->cl.path, &err) != 0) {
			rp_log(RP_LOG_ERR, "%s", err.msg);
			return err.code;
		}
	}
	if (prog != RP_PROG_EMAIL || r->n == 0)
		return 0;
	if (r->cfg.email == NULL || *r->cfg.email == '\0') {
		rp_log(RP_LOG_ERR, "%s: [google_apps] email: missing (the checklist has email checks)",
		    r->cfg.path);
		return RP_EXIT_CONFIG;
	}
	if ((r->password = rp_config_mail_password(&r->cfg, &err)) == NULL) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		return RP_EXIT_CONFIG;
	}
	return 0;
}

/* Reads the state of the checks past today's check_time (by this host's
 * clock; the store decides with its own) in one round trip, takes their
 * locks, and from then on runs on the store's clock. Without the store
 * every such check is due. */
static void
load_state(struct run *r)
{
	size_t i, k = 0, rest = r->n, waiting = 0, ahead = 0;
	struct rp_err err;
	time_t clock;

	/* The store reads the first k: what is read comes first. */
	r->loads = rp_xcalloc(r->n + 1, sizeof(*r->loads));
	for (i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		struct rp_load l;

		memset(&l, 0, sizeof(l));
		l.name = it->c->name;
		l.poll_sec = it->c->poll_sec;
		l.ping = it->c->type == RP_CHECK_PING;
		l.force = it->force;
		l.check_at = it->force ? 0 : rp_clock_today_at(r->now, it->c->check_time);
		/* A day off is off for -c too (the earlier tool's cron lines run
		 * -c); the time of day is not. */
		it->off = rp_check_off(it->c, r->now);
		it->candidate = !it->off && (it->force || rp_check_in_window(it->c, r->now));
		if (!it->candidate && r->cfg.metrics_dir != NULL) {
			/* Its record for the metrics; never due. */
			l.check_at = (time_t)1 << 40;
			l.read = 1;
		}
		it->load = it->candidate || l.read ? &r->loads[k++] : &r->loads[--rest];
		*it->load = l;
	}
	if (r->cfg.redis_enabled && (r->store = rp_config_store(&r->cfg, &err)) == NULL) {
		rp_log(RP_LOG_ERR, "state store unreachable (%s); evaluating without state", err.msg);
		r->trouble = 1;
	}
	if (r->store != NULL && !r->o->dry_run)
		rp_flush_spill(&r->cfg, r->store);
	if (r->store != NULL) {
		int rc = rp_store_load(r->store, r->loads, k, r->what_if ? &r->now : NULL,
		    r->o->dry_run, &clock, &waiting, &err);
		if (rc >= 0) {
			r->state_ok = 1;
			if (!r->what_if)
				rp_log(RP_LOG_DEBUG, "clock: the state store's (this host's is %+ld s off)",
				    (long)(r->now - clock));
			r->now = clock;
		}
		if (rc == 1) {
			rp_log(RP_LOG_ERR, "%s; evaluating with the state read but no locks, and what "
			    "this run decides may not be recorded", err.msg);
			r->trouble = 1;
		} else if (rc < 0) {
			rp_log(RP_LOG_ERR, "%s; evaluating without state", err.msg);
			r->trouble = 1;
		}
	}
	for (i = 0; i < k; i++) {
		r->loads[i].due |= !r->state_ok;
		ahead += r->loads[i].skip == RP_SKIP_AHEAD;
	}
	r->waiting = r->state_ok ? (long)waiting : -1;
	/* Not evaluated until the clock catches up: someone must look. */
	if (ahead > 0)
		r->trouble = 1;
}

/* A ping check without the state: what rp-ping recorded is not known. */
static void
unreadable_ping(struct rp_result *res)
{
	memset(res, 0, sizeof(*res));
	res->status = RP_UNKNOWN;
	snprintf(res->summary, sizeof(res->summary),
	    "what rp-ping recorded cannot be read: the state store is unreachable");
}

static char *
xstrdup_or_empty(const char *s)
{
	return rp_xstrdup(s != NULL ? s : "");
}

/* Whether the rest of the run reads the facts of its result res: --json,
 * -v's near misses, and pages' events (its own, a warning, an open
 * incident's alert posted again); room: its events. An OK check with
 * nothing open, most of a run, has its facts dropped. */
static int
facts_read(const struct run *r, const struct item *it, const struct rp_result *res,
    size_t room)
{
	return r->o->json || (r->o->verbose && it->c->type == RP_CHECK_EMAIL) || room > 0 ||
	    res->status != RP_OK || it->next.open_key != NULL || it->next.unknown_key != NULL;
}

/* What the rest of the run reads of a check's result res and its nact
 * events acts; memo is an email check's (owned from here on). */
static struct outcome *
outcome_new(const struct run *r, const struct item *it, const struct rp_result *res,
    const struct rp_action *acts, size_t nact, char *memo)
{
	struct outcome *o = rp_xcalloc(1, sizeof(*o));
	size_t room = nact + (it->load->refused != NULL);

	o->status = res->status;
	o->summary = xstrdup_or_empty(res->summary);
	o->perf = xstrdup_or_empty(res->perf);
	o->output = res->output;
	o->mail_memo = memo;
	if (res->nfacts > 0 && facts_read(r, it, res, room)) {
		o->facts = rp_xcalloc(res->nfacts, sizeof(*o->facts));
		memcpy(o->facts, res->facts, res->nfacts * sizeof(*o->facts));
		o->nfacts = res->nfacts;
	}
	/* With room for a refused trigger sent again (resend_refused). */
	if (room > 0) {
		o->acts = rp_xcalloc(room, sizeof(*o->acts));
		o->sent = rp_xcalloc(room, sizeof(*o->sent));
		memcpy(o->acts, acts, nact * sizeof(*acts));
	}
	o->nact = nact;
	return o;
}

/* Decides on a check's result and keeps what the run reads of both. A
 * result cut short by a stop said nothing: not evaluated. */
static void
conclude(struct run *r, struct item *it, const struct rp_result *res, char *memo)
{
	struct rp_action acts[RP_MAX_ACTIONS];
	size_t nact = 0;

	if (rp_sig_stopped()) {
		free(memo);
		return;
	}
	rp_eval_decide(it->c, r->cfg.unknown_after, &it->load->st, res, r->now, &it->next, acts,
	    &nact);
	it->out = outcome_new(r, it, res, acts, nact, memo);
	it->evaluated = 1;
}

static void
outcome_free(struct outcome *o)
{
	if (o == NULL)
		return;
	free(o->summary);
	free(o->perf);
	free(o->facts);
	free(o->mail_memo);
	free(o->acts);
	free(o->sent);
	free(o);
}

/* One due check, from its source's answer (NULL: a ping check). */
static void
evaluate_one(struct run *r, struct item *it, const struct rp_src_result *src)
{
	const struct rp_check_state *prev = it->load->st.known ? &it->load->st : NULL;
	struct rp_result res;

	memset(&res, 0, sizeof(res));
	if (src != NULL)
		rp_eval_freshness(it->c, src, prev, r->now, &res);
	else if (!r->state_ok)
		unreadable_ping(&res);
	else
		/* rp-ping's record came with the state. */
		rp_eval_ping(it->c, &it->load->ping_rec, prev && prev->first_seen ?
		    prev->first_seen : r->now, r->now, &res);
	conclude(r, it, &res, NULL);
}

/* The source's answer for the fetch's i-th check (rp_fetch_done). */
static void
fetched(void *arg, size_t i, const struct rp_src_result *src)
{
	struct run *r = arg;

	evaluate_one(r, r->fetching[i], src);
}

/* Asks every due freshness check's source at once, and evaluates each as
 * its answer comes. */
static void
evaluate_freshness(struct run *r)
{
	const struct rp_check **cs = rp_xcalloc(r->n + 1, sizeof(*cs));
	size_t i, k = 0;

	r->fetching = rp_xcalloc(r->n + 1, sizeof(*r->fetching));
	for (i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];
		if (!it->load->due)
			continue;
		if (it->c->type == RP_CHECK_PING) {
			evaluate_one(r, it, NULL);
			continue;
		}
		r->fetching[k] = it;
		cs[k++] = it->c;
	}
	/* The budget's share; each source caps its requests by its own
	 * timeout_sec. */
	rp_fetch_each(&r->cfg, cs, k, source_ms(r, r->cfg.time_budget_sec),
	    (int)r->cfg.max_parallel, fetched, r);
	free(cs);
	free(r->fetching);
	r->fetching = NULL;
}

/* All due email checks of the run share one login. */
static void
evaluate_email(struct run *r)
{
	struct rp_mail_item *v = rp_xcalloc(r->n + 1, sizeof(*v));
	size_t i, k = 0;

	for (i = 0; i < r->n; i++) {
		if (!r->items[i].load->due)
			continue;
		v[k].c = r->items[i].c;
		v[k++].prev = &r->items[i].load->st;
	}
	rp_mail_evaluate(&r->cfg, r->password, v, k, r->now,
	    source_ms(r, r->cfg.imap_timeout_sec * 4));
	for (i = 0, k = 0; i < r->n; i++) {
		if (!r->items[i].load->due)
			continue;
		conclude(r, &r->items[i], &v[k].res, v[k].memo);
		k++;
	}
	free(v);
}

/* What is watched, for a page's component. */
static const char *
component(const struct run *r, const struct rp_check *c)
{
	return c->type == RP_CHECK_EMAIL ? r->cfg.mailbox : rp_check_watched(c);
}

/* A due check's part in the run's pages: its decided state and events,
 * or, when it was not evaluated after all (a stop), its lock to release. */
static void
decision_of(const struct run *r, struct item *it, struct rp_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->c = it->c;
	d->component = component(r, it->c);
	d->evaluated = it->evaluated;
	d->expect_eval = it->load->last_eval;
	d->lock = it->load->lock;
	d->silenced_until = it->load->silenced_until;
	d->prev = r->state_ok ? &it->load->st : NULL;
	d->refused = it->load->refused;
	if (!it->evaluated)
		return;
	/* The state and events are the item's: pages.c marks and fills them. */
	d->next = &it->next;
	d->acts = it->out->acts;
	d->nact = it->out->nact;
	d->sent = it->out->sent;
	d->facts = it->out->facts;
	d->nfacts = it->out->nfacts;
	d->output = it->out->output;
	d->resend = it->out->resend;
}

/* The refused trigger of an open incident is sent again, to the
 * destinations that refused it, once the event that would be sent differs
 * in what a person fixes (pd_service, pd_description, a Slack webhook...);
 * until then every run says it was refused (pages.c). */
static void
resend_refused(struct run *r, const struct rp_pages *p, struct item *it)
{
	struct outcome *o = it->out;
	struct rp_decision d;
	struct rp_action a;
	size_t i;

	if (it->load->refused == NULL || it->next.open_key == NULL || !it->next.open_sent ||
	    o->nact >= RP_MAX_ACTIONS)
		return;
	for (i = 0; i < o->nact; i++)
		if (o->acts[i].act == RP_ACT_TRIGGER && o->acts[i].page == RP_PAGE_EPISODE)
			return;
	memset(&a, 0, sizeof(a));
	a.act = RP_ACT_TRIGGER;
	a.page = RP_PAGE_EPISODE;
	a.severity = "critical";
	rp_strlcpy(a.dedup_key, it->next.open_key, sizeof(a.dedup_key));
	snprintf(a.summary, sizeof(a.summary), "%s", o->summary);
	decision_of(r, it, &d);
	switch (rp_pages_resend(p, &d, &a, it->load->refused)) {
	case 1:
		/* conclude() left room for it. */
		o->acts[o->nact++] = a;
		o->resend = (int)o->nact;
		break;
	case 0:
		r->trouble = 1;
		break;
	default:
		break;
	}
}

/* Writes the decisions, delivers, records (pages.c). */
static void
send_pages(struct run *r, enum rp_status worst)
{
	struct rp_decision *d = rp_xcalloc(r->n + 1, sizeof(*d));
	struct rp_pages p;
	size_t i, n = 0;

	memset(&p, 0, sizeof(p));
	p.cfg = &r->cfg;
	p.store = r->store;
	p.state_ok = r->state_ok;
	p.dry = r->o->dry_run;
	p.now = r->now;
	p.host = r->host;
	p.token = r->token;
	p.budget_ms = left_ms(r) - 500;
	for (i = 0; i < r->n; i++)
		if (r->items[i].evaluated)
			resend_refused(r, &p, &r->items[i]);
	for (i = 0; i < r->n; i++)
		if (r->items[i].load->due)
			decision_of(r, &r->items[i], &d[n++]);
	p.run.program = r->program;
	p.run.host = r->host;
	/* In the run's clock (--now included), so rp-heartbeat compares like
	 * with like. */
	p.run.start = r->now;
	p.run.end = r->now + (time(NULL) - r->start);
	p.run.exit_status = rp_exit_for(worst);
	if (r->trouble && p.run.exit_status < RP_EXIT_CRITICAL)
		p.run.exit_status = RP_EXIT_UNKNOWN;
	for (i = 0; i < n; i++)
		p.run.evaluated += d[i].evaluated;
	if (r->state_ok || n > 0)
		rp_pages_run(&p, d, n);
	r->store = p.store; /* opened anew to record what was sent */
	r->trouble |= p.trouble;
	free(d);
}

static void
skip_reason(const struct run *r, const struct item *it, char *why, size_t n)
{
	char at[RP_LOCAL_LEN];
	int t = it->c->check_time;

	if (it->off) {
		snprintf(why, n, "not expected today (days, skip_dates)");
	} else if (!it->candidate && it->c->until >= 0 && t < it->c->until &&
	    r->now >= rp_clock_today_at(r->now, it->c->until)) {
		snprintf(why, n, "not evaluated after %02d:%02d (until)", it->c->until / 60,
		    it->c->until % 60);
	} else if (!it->candidate || it->load->skip == RP_SKIP_EARLY) {
		snprintf(why, n, "not due before %02d:%02d", t / 60, t % 60);
	} else if (it->load->skip == RP_SKIP_AHEAD) {
		rp_clock_format_local(it->load->last_eval, at);
		snprintf(why, n, "recorded at %s, after this run's clock: not evaluated until "
		    "then (a clock behind, or an earlier run with --now ahead)", at);
	} else if (it->load->due) {
		snprintf(why, n, "not evaluated: the run was stopped");
	} else {
		snprintf(why, n, "evaluated less than %lds ago", it->c->poll_sec);
	}
}

static enum rp_status
worst_of(const struct run *r)
{
	enum rp_status worst = RP_OK;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->items[i].evaluated)
			worst = rp_status_worse(worst, r->items[i].out->status);
	return worst;
}

/* Whether -q hides a check's line: nothing changed since its last
 * evaluation (same status) and no event was decided for it. */
static int
quiet_hides(const struct item *it)
{
	const struct rp_check_state *prev = &it->load->st;

	return it->out->nact == 0 && prev->known && prev->status == it->out->status;
}

/* The order of lines, worst first, as a monitoring plugin shows the first:
 * CRITICAL, UNKNOWN, WARNING, OK, then checks not evaluated. */
static int
print_rank(const struct item *it)
{
	if (!it->evaluated)
		return it->load->skip == RP_SKIP_AHEAD ? 1 : 4;
	switch (it->out->status) {
	case RP_CRITICAL:
		return 0;
	case RP_UNKNOWN:
		return 1;
	case RP_WARNING:
		return 2;
	default:
		return 3;
	}
}

/* Whether a check has a line: evaluated (under -q, only when something
 * changed), or not evaluated and asked for (-v, --json, -c). */
static int
shown(const struct run *r, const struct item *it)
{
	if (!it->evaluated)
		return r->o->json || r->o->verbose || it->load->force ||
		    it->load->skip == RP_SKIP_AHEAD;
	return !(r->o->quiet && quiet_hides(it));
}

/* One check's line (or object), with perf as its performance data. */
static void
print_one(struct run *r, struct item *it, const char *perf)
{
	struct rp_report rep = {0};
	char why[160];

	rep.check = it->c->name;
	rep.type = rp_check_type_name(it->c->type);
	rep.now = r->now;
	if (!it->evaluated) {
		skip_reason(r, it, why, sizeof(why));
		rep.status = it->off ? RP_OFF : it->load->skip == RP_SKIP_AHEAD ? RP_UNKNOWN :
		    RP_SKIPPED;
		rep.summary = why;
	} else {
		rep.status = it->out->status;
		rep.summary = it->out->summary;
		rep.acts = it->out->acts;
		rep.nact = it->out->nact;
		rep.sent = r->o->dry_run ? NULL : it->out->sent;
		rep.facts = it->out->facts;
		rep.nfacts = it->out->nfacts;
		rep.perf = perf;
		rep.evaluated = 1;
		rep.incident = it->next.open_key;
	}
	if (r->o->json) {
		rp_out_json(stdout, &rep);
		return;
	}
	rp_out_text(stdout, &rep);
	/* -v: what the mailbox held near a missing email, one line each. */
	for (size_t i = 0; r->o->verbose && it->evaluated && i < it->out->nfacts; i++) {
		struct rp_buf b = {0};
		if (strncmp(it->out->facts[i].name, "near_miss_", 10) != 0)
			continue;
		rp_buf_utf8(&b, it->out->facts[i].value);
		for (size_t k = 0; k < b.len; k++)
			if ((unsigned char)b.data[k] < 0x20)
				b.data[k] = ' ';
		printf("  near miss: %s\n", b.data);
		rp_buf_free(&b);
	}
}

/* One line (or object) per check, worst first; returns 0, or -1 when
 * stdout cannot be written. As the monitoring-plugin format has it, the
 * first line carries its performance data after " | ", and the last line
 * that of all the others (a '|' on a later line starts the rest). */
static int
print_all(struct run *r)
{
	struct item **v = rp_xcalloc(r->n + 1, sizeof(*v));
	struct rp_buf first = {0}, rest = {0};
	size_t i, n = 0;
	int rank;

	for (rank = 0; rank <= 4; rank++)
		for (i = 0; i < r->n; i++)
			if (print_rank(&r->items[i]) == rank && shown(r, &r->items[i]))
				v[n++] = &r->items[i];
	for (i = 0; i < n; i++)
		if (v[i]->evaluated)
			rp_out_perf(i == 0 ? &first : &rest, v[i]->c->name, v[i]->out->perf);
	for (i = 0; i < n; i++)
		print_one(r, v[i], i == 0 ? first.data : i == n - 1 ? rest.data : NULL);
	rp_buf_free(&first);
	rp_buf_free(&rest);
	free(v);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		rp_log(RP_LOG_ERR, "cannot write the output: %s (the state is recorded)",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The day a YYYY-MM-DD local date began, or 0. */
static time_t
day_start(const char *date)
{
	time_t t;

	return date != NULL && rp_clock_parse_iso(date, 1, &t) == 0 ? t : 0;
}

/* [robopager] metrics_dir: every check of the program as its record says
 * after the run, and the run itself (metrics.c). */
static void
write_metrics(struct run *r)
{
	struct rp_metric_check *v = rp_xcalloc(r->n + 1, sizeof(*v));
	struct rp_metric_run run = {0};
	struct rp_err err;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct item *it = &r->items[i];
		const struct rp_check_state *st = it->evaluated ? &it->next : &it->load->st;
		v[i].check = it->c->name;
		v[i].type = rp_check_type_name(it->c->type);
		v[i].known = st->known;
		v[i].status = st->status;
		v[i].last_eval = st->last_eval;
		v[i].last_done = it->c->type == RP_CHECK_PING ? it->load->ping_rec.success :
		    it->c->type == RP_CHECK_EMAIL ? day_start(st->success_day) : st->completion;
		v[i].incident_open = st->open_key != NULL;
		v[i].silenced = it->load->silenced_until > r->now;
		run.evaluated += it->evaluated;
	}
	run.program = r->program;
	run.last_run = r->now;
	run.duration_sec = rp_elapsed_ms(&r->t0) / 1000.0;
	run.outbox = r->waiting;
	run.healthy = -1;
	if (rp_metrics_write(r->cfg.metrics_dir, &run, v, r->n, &err) != 0)
		rp_log(RP_LOG_WARNING, "%s", err.msg);
	free(v);
}

static void
run_free(struct run *r)
{
	size_t i;

	for (i = 0; r->loads != NULL && i < r->n; i++)
		rp_load_clear(&r->loads[i]);
	free(r->loads);
	for (i = 0; i < r->n; i++) {
		rp_state_clear(&r->items[i].next);
		outcome_free(r->items[i].out);
	}
	free(r->items);
	rp_free_secret(r->password);
	rp_store_close(r->store);
	rp_checklist_free(&r->cl);
	rp_config_free(&r->cfg);
}

/* A standby ([robopager] offset_sec) waits, then evaluates only what no
 * other instance has evaluated in the meantime. A person's run (-c, -n)
 * does not wait. A what-if clock moves on by the wait; a real one is the
 * store's, read after it. */
static int
standby_wait(struct run *r)
{
	long off = r->cfg.offset_sec;
	struct timespec ts;

	if (off == 0 || r->o->check != NULL || r->o->dry_run)
		return 0;
	if (off * 1000 > (r->cfg.time_budget_sec - 5) * 1000) {
		rp_log(RP_LOG_ERR, "%s: [robopager] offset_sec: %ld leaves no time of time_budget_sec "
		    "%ld (keep it at least 5 s below)", r->cfg.path, off, r->cfg.time_budget_sec);
		return RP_EXIT_CONFIG;
	}
	rp_log(RP_LOG_DEBUG, "standby: waiting %ld s (offset_sec) before evaluating", off);
	ts.tv_sec = off;
	ts.tv_nsec = 0;
	while (!rp_sig_stopped() && nanosleep(&ts, &ts) != 0)
		;
	if (r->what_if)
		r->now += off;
	else
		r->now = time(NULL);
	return 0;
}

/* The exit status: the worst check in the order OK < WARNING < UNKNOWN <
 * CRITICAL; Robopager's own trouble raises OK and WARNING to UNKNOWN and
 * never hides a CRITICAL; a stop by a signal is 128 + the signal. */
static int
exit_status(const struct run *r, enum rp_status worst)
{
	int rc = rp_exit_for(worst);

	if (rp_sig_stopped())
		return 128 + rp_sig_stopped();
	if (r->trouble && rc < RP_EXIT_CRITICAL)
		rc = RP_EXIT_UNKNOWN;
	return rc;
}

int
rp_run(const char *program, enum rp_program prog, const struct rp_opts *o)
{
	struct run r;
	enum rp_status worst;
	long ms[4] = {0, 0, 0, 0}; /* files, state, sources, pages: for -v */
	int rc;

	memset(&r, 0, sizeof(r));
	r.program = program;
	r.o = o;
	r.start = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	rp_sig_init();
	rp_log_init(program, o->verbose);
	if (gethostname(r.host, sizeof(r.host) - 1) != 0)
		rp_strlcpy(r.host, "unknown-host", sizeof(r.host));
	rp_run_token(r.token, sizeof(r.token), r.host);
	if ((rc = load_files(&r, 1)) != 0 || (rc = standby_wait(&r)) != 0 ||
	    (rc = select_checks(&r, prog)) != 0 || (rc = check_needs(&r, prog)) != 0)
		goto out;
	ms[0] = rp_elapsed_ms(&r.t0);
	load_state(&r);
	ms[1] = rp_elapsed_ms(&r.t0);
	if (!rp_sig_stopped() && prog == RP_PROG_LATENCY)
		evaluate_freshness(&r);
	else if (!rp_sig_stopped())
		evaluate_email(&r);
	ms[2] = rp_elapsed_ms(&r.t0);
	worst = worst_of(&r);
	send_pages(&r, worst);
	ms[3] = rp_elapsed_ms(&r.t0);
	if (print_all(&r) != 0)
		r.trouble = 1;
	if (r.cfg.metrics_dir != NULL && !o->dry_run)
		write_metrics(&r);
	rc = exit_status(&r, worst);
	rp_http_cleanup();
	if (r.store != NULL) {
		long trips = rp_store_round_trips(r.store);
		rp_log(RP_LOG_DEBUG, "%zu check%s (files %ld ms, state read %ld, sources %ld, "
		    "decision written and sent %ld), %ld Redis round trip%s, %ld ms", r.n,
		    r.n == 1 ? "" : "s", ms[0], ms[1] - ms[0], ms[2] - ms[1], ms[3] - ms[2], trips,
		    trips == 1 ? "" : "s", rp_elapsed_ms(&r.t0));
	}
out:
	run_free(&r);
	return rc;
}

/* Checks of the checklist that [function_type] leaves to no program are
 * never evaluated: said on every run, as the heartbeat says it. */
static void
left_out_warning(const struct run *r)
{
	struct rp_buf names = {0};
	size_t n = rp_checklist_left_out(&r->cl, rp_config_programs(r->cfg.functions), &names);

	if (n > 0)
		rp_log(RP_LOG_WARNING, "%s: %zu check%s never evaluated: [function_type] type "
		    "leaves out its program (%s); add its type to type", r->cfg.path, n,
		    n == 1 ? " is" : "s are", names.data);
	rp_buf_free(&names);
}

/* The worse of two exit statuses: errors (64 and up) first, then the
 * order of rp_status_worse(). */
static int
worse_exit(int a, int b)
{
	static const enum rp_status of_exit[] = {RP_OK, RP_WARNING, RP_CRITICAL, RP_UNKNOWN};

	if (a < 0 || a > RP_EXIT_UNKNOWN || b < 0 || b > RP_EXIT_UNKNOWN)
		return a > b ? a : b;
	return rp_exit_for(rp_status_worse(of_exit[a], of_exit[b]));
}

int
rp_run_all(const struct rp_opts *o)
{
	struct run r;
	int rc = RP_EXIT_OK, types;

	memset(&r, 0, sizeof(r));
	r.o = o;
	rp_log_init("robopager", o->verbose);
	if ((rc = load_files(&r, 0)) != 0)
		goto out;
	if (o->check != NULL) {
		const struct rp_check *c = rp_checklist_find(&r.cl, o->check);
		if (c == NULL) {
			rp_log(RP_LOG_ERR, "%s: no check named \"%s\"", r.cl.path, o->check);
			rc = RP_EXIT_USAGE;
			goto out;
		}
		types = c->type == RP_CHECK_EMAIL ? RP_FN_EMAIL : RP_FN_LATENCY;
	} else {
		types = (int)r.cfg.functions;
		left_out_warning(&r);
	}
	run_free(&r);
	if (types & RP_FN_LATENCY)
		rc = worse_exit(rc, rp_run("rp-latency-check", RP_PROG_LATENCY, o));
	if (types & RP_FN_EMAIL)
		rc = worse_exit(rc, rp_run("rp-email-check", RP_PROG_EMAIL, o));
	return rc;
out:
	run_free(&r);
	return rc;
}
