/*
 * state: what Robopager remembers between runs, and the store that keeps it.
 *
 * The interface is the store's contract; the Redis (hiredis) implementation
 * lives in state_redis.c. Keys (all under the configured prefix, all with a
 * TTL so nothing grows forever):
 *   <prefix>:check:<name>      hash, one struct rp_check_state
 *   <prefix>:lock:<name>       SET NX PX: one evaluation per poll window
 *   <prefix>:alert:<dedup_key> hash, what was sent to PagerDuty and its answer
 *   <prefix>:run:<program>     hash, how each program last ran
 *   <prefix>:silence:<name>    hash, a silence (until, reason, by, set_at);
 *                              it expires when the silence ends
 * A run reads in one round trip (rp_store_load) and writes in one
 * (rp_store_save), whatever the number of checks.
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
	RP_SKIPPED
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
};

/* "OK", "WARNING", "CRITICAL", "UNKNOWN", "SKIPPED"; parse returns -1 for
 * anything else. */
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

struct rp_load {
	const char *name;        /* in */
	long poll_sec;           /* in */
	int force;               /* in: evaluate whatever the time (-c) */
	int due;                 /* out: evaluate now (the lock is ours) */
	time_t silenced_until;   /* out: triggers are held until then, or 0 */
	struct rp_check_state st; /* out */
};

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

struct rp_store;

/* Connects (with AUTH and SELECT as configured). NULL with err if the store
 * cannot be reached. */
struct rp_store *rp_store_open(const char *host, long port, const char *password,
    long db, const char *prefix, long timeout_ms, struct rp_err *err);

/* One round trip. For each request, reads the check's state; decides
 * whether it is due (forced, or poll_sec elapsed since the last evaluation)
 * and, unless dry, takes its lock atomically so that concurrent runs
 * evaluate it once. Returns 0 or -1 with err (then nothing is due). */
int rp_store_load(struct rp_store *s, struct rp_load *reqs, size_t n, time_t now, int dry,
    struct rp_err *err);

/* One round trip: replaces the records of the n checks, adds the alert
 * records and the run record (run may be NULL). Returns 0 or -1 with err. */
int rp_store_save(struct rp_store *s, const char *const *names,
    const struct rp_check_state *states, size_t n, const struct rp_alert_rec *alerts,
    size_t nalerts, const struct rp_run_rec *run, struct rp_err *err);

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

void rp_store_close(struct rp_store *s);

#endif
