/*
 * state: what Robopager remembers between runs, and the store that keeps it.
 *
 * The interface is the store's contract; the Redis (hiredis) implementation
 * is store_redis.c (the connection), store_checks.c (check records: the read,
 * the decision's write), store_outbox.c (the outbox, refused events) and
 * state_redis.c (silences, run records). Keys (all under the configured
 * prefix, all with a TTL so nothing grows forever):
 *   <prefix>:check:<name>      hash, one struct rp_check_state
 *   <prefix>:lock:<name>       the evaluation time of the run holding the
 *                              check's poll window
 *   <prefix>:alert:<dedup_key> hash, what was decided and sent, and the answer
 *   <prefix>:run:<program>     hash, how each program last ran
 *   <prefix>:silence:<name>    hash, a silence (until, reason, by, set_at);
 *                              it expires when the silence ends
 *   <prefix>:outbox            sorted set of the ids of events decided and not
 *                              yet taken, oldest first (score: a sequence
 *                              from <prefix>:outbox:seq)
 *   <prefix>:outbox:ev         hash, id -> the entry (JSON: event, check, ...)
 *   <prefix>:lock:outbox       held by the run that delivers the outbox
 *   <prefix>:rejected          hash, id -> an event PagerDuty refused (400),
 *                              without its routing key, and PagerDuty's words
 *   <prefix>:rate:<minute>     hash, rate label -> events sent that minute;
 *                              "!held" when every entry of the outbox waits
 *                              for the next minute (no run claims it then)
 *
 * A run makes one round trip to read (rp_store_load), one to write what it
 * decided, states and events together (rp_store_commit), and, only when it
 * sent something, one to record what became of the events
 * (rp_store_settle). A run killed anywhere leaves either nothing decided or
 * a decision whose events wait in the outbox for the next run.
 */
#ifndef RP_STATE_H
#define RP_STATE_H

#include <stddef.h>
#include <time.h>

#include "util.h"

enum rp_status {
	RP_OK,
	RP_WARNING,
	RP_CRITICAL,
	RP_UNKNOWN,
	RP_SKIPPED,              /* not due: not evaluated this run */
	RP_OFF                   /* not expected today (days, skip_dates) */
};

/* The remembered state of one check. Strings are owned (rp_state_clear). */
struct rp_check_state {
	int known;               /* the store had a record */
	enum rp_status status;
	char *summary;
	time_t last_eval;        /* 0: never */
	time_t since;            /* when the current status began */

	/* The open episode (a CRITICAL problem not yet OK again). */
	char *open_key;          /* its dedup key, NULL if none */
	int open_sent;           /* its trigger reached PagerDuty */
	time_t episode_start;
	char *stale_key;         /* an earlier day's episode still to resolve */

	/* UNKNOWN: how long the source has been unusable, and its own page. */
	long unknown_count;
	time_t unknown_since;
	char *unknown_key;
	int unknown_sent;

	time_t completion;       /* latency checks: last completion, 0 none */
	char *success_day;       /* email checks: local date of last success */
	char *mail_memo;         /* email checks: what today's searches found
	                          * (mailmemo.h), or NULL */
	time_t first_seen;       /* the first evaluation (ping checks are not
	                          * late before their first expected time after it) */
	char *announced;         /* rp-heartbeat: the fingerprint of the
	                          * configuration and version it last announced */
};

/* "OK", "WARNING", "CRITICAL", "UNKNOWN", "SKIPPED", "OFF"; parse returns
 * -1 for anything else. */
const char *rp_status_name(enum rp_status s);
int rp_status_parse(const char *s, enum rp_status *out);

void rp_state_clear(struct rp_check_state *st);
/* Deep copy; dst is overwritten (not freed first). */
void rp_state_copy(struct rp_check_state *dst, const struct rp_check_state *src);

/* Seconds a check's record, alert and run records live after last written. */
#define RP_TTL_CHECK (35L * 86400)
#define RP_TTL_ALERT (35L * 86400)
#define RP_TTL_RUN (35L * 86400)

/* Due: at least poll_sec less this share of it (scheduler jitter) since the
 * last evaluation. */
#define RP_POLL_SLACK_DIV 20

/* What rp-ping recorded of a ping check's job, <prefix>:ping:<name> (a
 * hash with the TTL of check records). Times in the store's clock. */
struct rp_ping_rec {
	int known;               /* the store had a record */
	time_t start;            /* the last "start" signal, 0: none */
	time_t success;          /* the last success, 0: none */
	time_t success_start;    /* the start of that run, 0: unknown */
	time_t fail;             /* the last failure, 0: none */
	time_t fail_start;       /* the start of that run, 0: unknown */
	int fail_status;         /* its exit status (1-255), 0 for "fail" */
	int fail_signal;         /* the signal that killed it, 0: none */
	int last_failed;         /* the last end was the failure (for a success
	                          * and a failure within one second) */
	long duration;           /* seconds the last wrapped run took, -1: unknown */
	char *tail;              /* the last lines of its output (at most
	                          * RP_PING_TAIL_MAX bytes), or NULL */
};

/* Why a check is not due. */
enum rp_skip {
	RP_SKIP_NONE,
	RP_SKIP_EARLY,           /* before today's check_time */
	RP_SKIP_RECENT,          /* evaluated (or held) within its poll window */
	RP_SKIP_AHEAD            /* its record is newer than this run's clock */
};

struct rp_load {
	const char *name;        /* in */
	long poll_sec;           /* in */
	int force;               /* in: evaluate whatever the poll window (-c) */
	time_t check_at;         /* in: not due before this instant */
	int ping;                /* in: a ping check: read rp-ping's record too */
	int read;                /* in: read the record even when not due */
	int due;                 /* out: evaluate now (the lock is ours) */
	enum rp_skip skip;       /* out: why not */
	time_t last_eval;        /* out: the record's, whether due or not */
	time_t lock;             /* out: the lock this run took (its clock), 0 */
	time_t silenced_until;   /* out: triggers are held until then, or 0 */
	char *refused;           /* out: the refused records of the open
	                          * incident's trigger, every destination's, one
	                          * a line: "<outbox id>\t<record (JSON)>"; or
	                          * NULL (rp_pages_refused_each reads them) */
	struct rp_check_state st; /* out, due, forced or read checks only */
	struct rp_ping_rec ping_rec; /* out, likewise, ping checks only */
};

/* Frees what rp_store_load put into l. */
void rp_load_clear(struct rp_load *l);

struct rp_silence {
	char *name;
	time_t until;
	time_t set_at;
	char *reason;
	char *by;
};

struct rp_alert_rec {
	const char *dedup_key;
	const char *check;
	const char *action;      /* trigger, resolve */
	const char *severity;
	const char *summary;
	time_t sent_at;
	long http_status;        /* 0: no answer */
	const char *answer;      /* PagerDuty's message or our transport error */
};

struct rp_run_rec {
	const char *program;
	const char *host;
	time_t start, end;
	int exit_status;
	size_t evaluated;
};

/* One event waiting in the outbox. The id, "<action> <dedup_key>", makes
 * one entry per event whoever queues it. */
struct rp_ob_entry {
	char *id;
	char *check;
	char *label;             /* rate label of its routing key (rp_rate_label) */
	char *body;              /* the event's JSON as it is to be sent */
	time_t queued;
	long attempts;
	char *error;             /* why the last attempt failed */
};

/* An event PagerDuty refused: kept for rp-status, never sent again. */
struct rp_rejected {
	char *id;
	char *check;
	time_t at;
	long http_status;
	char *message;           /* PagerDuty's words */
	char *event;             /* the event's JSON without its routing key */
	char *fix;               /* the fingerprint of what a person would fix
	                          * (rp_pd_fingerprint): an event that differs
	                          * in it may be sent again */
};

/* Events sent to one rate label in the current minute. */
struct rp_rate {
	char label[24];
	long count;
};

/* The outbox as a run sees it: claimed to be delivered (rp_store_commit),
 * or read (rp_store_outbox_read, for rp-status and rp-heartbeat). */
struct rp_outbox {
	/* in */
	const char *token;       /* this run's, for the outbox lock */
	long lock_ms;            /* how long the lock may be held */
	long minute;             /* the rate window: the run's time / 60 */
	/* out */
	int owned;               /* this run holds the lock: it delivers v */
	struct rp_ob_entry *v;   /* every entry, oldest first; body, check
	                          * and label only when owned */
	size_t n;
	struct rp_rate *rates;   /* this minute's counts */
	size_t nrates;
};

void rp_outbox_free(struct rp_outbox *ob);
void rp_ob_entry_clear(struct rp_ob_entry *e);

/* What delivering changed in the outbox (rp_store_settle). */
struct rp_ob_update {
	char **done;             /* ids delivered or refused: removed */
	size_t ndone;
	struct rp_ob_entry *add; /* queued now (kept if the id is there) */
	size_t nadd;
	struct rp_ob_entry *retry; /* still waiting: attempts and error */
	size_t nretry;
	struct rp_rejected *rej;
	size_t nrej;
	struct rp_rate *sent;    /* events sent this minute, per label */
	size_t nsent;
	long minute;
	const char *token;       /* releases the outbox lock if it is ours */
	long held;               /* > 0: every entry left (held of them) waits
	                          * for the next minute's rate allowance
	                          * (rp_dl_held); 0: not so */
};

void rp_ob_update_free(struct rp_ob_update *u);
/* Moves what src holds to the end of dst (src is left empty; dst keeps its
 * token and minute). */
void rp_ob_update_merge(struct rp_ob_update *dst, struct rp_ob_update *src);

/* Seconds outbox entries and refused events live after last written. */
#define RP_TTL_OUTBOX (35L * 86400)
#define RP_TTL_REJECTED (7L * 86400)

struct rp_store;

/* Connects. AUTH and SELECT, as configured, go with the first command, so
 * a refused password is reported by it. NULL with err if the store cannot
 * be reached. */
struct rp_store *rp_store_open(const char *host, long port, const char *password,
    long db, const char *prefix, long timeout_ms, struct rp_err *err);

/* Where the store is: one server, or the primary that Redis Sentinel names. */
struct rp_store_where {
	const char *host;                  /* without sentinels */
	long port;
	const char *const *sentinel_host;  /* asked in order */
	const long *sentinel_port;
	size_t nsentinels;                 /* 0: host and port */
	const char *master_name;           /* the sentinels' name of the primary */
	const char *sentinel_password;     /* AUTH to the sentinels, or NULL */
	void (*notice)(const char *line);  /* what a person running with -v
	                                    * would want to know, one line each
	                                    * (the primary found, a failover, a
	                                    * write no replica acknowledged), or
	                                    * NULL */
};

/* rp_store_open at w. With sentinels: the first that answers SENTINEL
 * get-master-addr-by-name names the primary (a sentinel that cannot be
 * reached, refuses the password or does not know the name is passed over),
 * ROLE goes with the first command to make sure it is one, and every
 * operation of the store finds the primary again after a failover and
 * repeats itself (safely: each is idempotent), within about three times
 * timeout_ms. A write that replicas exist for waits for one of them (WAIT,
 * up to RP_STORE_WAIT_MS, in the write's round trip). NULL with err when no
 * sentinel names a primary that can be reached; the passwords are never in
 * a message. */
#define RP_STORE_WAIT_MS 500
struct rp_store *rp_store_open_at(const struct rp_store_where *w, const char *password,
    long db, const char *prefix, long timeout_ms, struct rp_err *err);

/* One round trip. The clock of due-ness and locks is *now when given (a
 * run with --now), else Redis's own TIME, so that instances whose clocks
 * are apart agree; *clock receives the one used. For each request: whether
 * it is due (check_at passed, poll_sec less RP_POLL_SLACK_DIV of it since
 * the record's last evaluation and since any other run's lock, or forced)
 * and, unless dry, its lock taken atomically, so that concurrent runs
 * evaluate it once. A record newer than the clock is never due, forced or
 * not (RP_SKIP_AHEAD): a run whose clock is behind must not overwrite what
 * a later one recorded. *waiting receives how many events the outbox holds.
 * Returns 0; 1 when the store keeps its data but refuses writes (out of
 * memory, a replica, a failing disk): the state was read without taking
 * locks, and err says why; or -1 with err (then nothing is due). */
int rp_store_load(struct rp_store *s, struct rp_load *reqs, size_t n, const time_t *now,
    int dry, time_t *clock, size_t *waiting, struct rp_err *err);

/* One check's decision, as rp_store_commit writes it. */
struct rp_commit {
	const char *name;
	int write;                         /* write st; 0: only release lock */
	time_t expect_eval;                /* written only if the record's
	                                    * last_eval is still this (0: none) */
	const struct rp_check_state *st;
	time_t lock;                       /* this run's lock, released when the
	                                    * check was not evaluated (0: none) */
	const struct rp_ob_entry *events;  /* queued with the state, in order */
	const struct rp_alert_rec *alerts; /* one per event */
	size_t nevents;
	const struct rp_ob_entry *sent;    /* events already delivered straight */
	size_t nsent;
	int written;                       /* out: the state and events are in */
};

/* One round trip, one transaction: for each decision, its state and its
 * events (added to the outbox unless their id waits there already; an id
 * refused earlier is forgotten: this one replaces it), or nothing when the
 * record changed since it was read (another run decided: written = 0); a
 * record whose last_eval is already the decision's own is this decision
 * written by an earlier attempt whose answer was lost (written = 1,
 * nothing written again), so the commit is safe to repeat; the
 * run record; with a decision written (now or by the lost attempt), each
 * event of sent that has an entry of its destination and dedup key waiting
 * in the outbox is queued again behind it (sent straight while the store
 * refused, it overtook them: a trigger delivered after its resolve would
 * open an incident nobody resolves); then, with ob->token, takes the
 * outbox lock if free and returns the whole outbox (ob->v with bodies,
 * oldest first, and this minute's rates) to deliver. run may be NULL. Returns 0 or -1 with err
 * (then nothing was written, as far as the store said). */
int rp_store_commit(struct rp_store *s, struct rp_commit *v, size_t n,
    const struct rp_run_rec *run, struct rp_outbox *ob, struct rp_err *err);

/* One round trip: applies what delivery changed in the outbox (done,
 * retried, refused, rates, the lock released), the answers in the alert
 * records, and the run record (may be NULL). Returns 0 or -1 with err. */
int rp_store_settle(struct rp_store *s, const struct rp_ob_update *u,
    const struct rp_alert_rec *answers, size_t n, const struct rp_run_rec *run,
    struct rp_err *err);

/* A trigger a run sent without the state (the store was unreachable when
 * it read, or refused its decision). */
struct rp_sent {
	const char *name;
	const char *dedup_key;
};

/* One round trip: merges what was sent into the records, so that each
 * incident will be resolved: a record without an open incident takes it as
 * its open, delivered one; a record whose open incident is another keeps its
 * own and resolves this one at its next evaluation. Nothing else of the
 * record changes. Returns 0 or -1 with err. */
int rp_store_record_sent(struct rp_store *s, const struct rp_sent *v, size_t n, time_t now,
    const struct rp_run_rec *run, struct rp_err *err);

/* Reads the outbox (with bodies) and the refused events, without taking
 * anything (rp-status, rp-heartbeat). Free with rp_outbox_free and
 * rp_rejected_free. */
int rp_store_outbox_read(struct rp_store *s, struct rp_outbox *ob, struct rp_rejected **rej,
    size_t *nrej, struct rp_err *err);
void rp_rejected_free(struct rp_rejected *v, size_t n);
void rp_rejected_clear(struct rp_rejected *x);
/* Fills x (zeroed) from a refused event's record as stored (JSON); a
 * damaged record leaves it empty. */
void rp_rejected_parse_json(struct rp_rejected *x, const char *text);

/* Round trips made so far (for -v and make bench). */
long rp_store_round_trips(const struct rp_store *s);

/* Connects again after a failure (the same server and settings; with
 * sentinels, the primary they name now). */
int rp_store_reconnect(struct rp_store *s, struct rp_err *err);

/* A run record as read back. */
struct rp_run_info {
	time_t start, end;         /* 0: never ran (or the record expired) */
	int exit_status;
	long evaluated;
	char host[256];
};

/* Reads the run records of the n programs in one round trip. */
int rp_store_runs(struct rp_store *s, const char *const *programs, size_t n,
    struct rp_run_info *out, struct rp_err *err);

/* Silences: set one (replacing any), clear one (0, or 1 if there was
 * none), or list them all (sorted by name; free with rp_silences_free). The
 * key expires ttl seconds from now, so a silence ends by itself. */
int rp_store_silence_set(struct rp_store *s, const struct rp_silence *si, long ttl,
    struct rp_err *err);
int rp_store_silence_clear(struct rp_store *s, const char *name, struct rp_err *err);
int rp_store_silence_list(struct rp_store *s, struct rp_silence **out, size_t *n,
    struct rp_err *err);
void rp_silences_free(struct rp_silence *v, size_t n);

#define RP_PING_TAIL_MAX 4096
#define RP_PING_TAIL_LINES 20

void rp_ping_rec_clear(struct rp_ping_rec *r);

enum rp_ping_kind {
	RP_PING_START,
	RP_PING_SUCCESS,
	RP_PING_FAIL
};

/* A signal of rp-ping. */
struct rp_ping {
	enum rp_ping_kind kind;
	int status;              /* FAIL: the exit status (1-255), 0 for "fail" */
	int signal;              /* FAIL: the signal that killed it, 0: none */
	long duration;           /* a wrapped run's seconds, -1: unknown */
	const char *tail;        /* a wrapped run's last lines, or NULL */
};

/* One round trip: records p for the ping check name at *now (NULL: Redis's
 * TIME); a success or failure that follows a start takes that start as its
 * run's; *at receives the time recorded. A repeat after a lost answer
 * finds its own record and changes nothing. Returns 0 or -1 with err. */
int rp_store_ping(struct rp_store *s, const char *name, const struct rp_ping *p,
    const time_t *now, time_t *at, struct rp_err *err);

/* One round trip: the records of the n ping checks (out[i].known = 0 where
 * there is none). Returns 0 or -1 with err. */
int rp_store_ping_read(struct rp_store *s, const char *const *names, size_t n,
    struct rp_ping_rec *out, struct rp_err *err);

void rp_store_close(struct rp_store *s);

#endif
