/*
 * checklist: checklist.yaml, a mapping from unique check names to settings.
 *
 * Every key is validated: a missing key, a key of the wrong type or of the
 * other kind of check, a duplicate name or key, an alias, or any YAML error
 * is reported as "file:line: check: key: problem" (RP_EXIT_CONFIG).
 */
#ifndef RP_CHECKLIST_H
#define RP_CHECKLIST_H

#include <stddef.h>
#include <time.h>

#include "cron.h"
#include "util.h"

enum rp_check_type {
	RP_CHECK_EMAIL,
	RP_CHECK_BATCHY,
	RP_CHECK_AIRFLOW,
	RP_CHECK_HTTP,
	RP_CHECK_PING
};

/* The program that evaluates a type's checks: rp-email-check for email,
 * rp-latency-check for every freshness check (batchy, airflow, http, ping). */
enum rp_program {
	RP_PROG_LATENCY,
	RP_PROG_EMAIL
};
enum rp_program rp_check_program(enum rp_check_type t);


enum rp_match {
	RP_MATCH_EXACT,
	RP_MATCH_CONTAINS
};

#define RP_DEFAULT_WARN_PCT 80
#define RP_DEFAULT_EMAIL_POLL_SEC 60
#define RP_CHECK_NAME_MAX 128

struct rp_check {
	char *name;
	enum rp_check_type type;
	int line;                /* where the name stands in the file */
	char *pd_description;
	char *pd_service;        /* PagerDuty routing key: never print it; NULL
	                          * when the check notifies others only */
	char **notify;           /* [slack NAME] and [webhook NAME] sections of
	                          * etl.cfg it also goes to (rp_sink_validate) */
	size_t nnotify;
	int notify_line;         /* where notify: stands */
	int check_time;          /* minutes after local midnight */
	long poll_sec;           /* seconds between evaluations */
	long unknown_after;      /* 0: the configuration's default */

	/* batchy */
	char *wf_name;
	long latency_min;        /* and airflow, http */
	long warn_pct;           /* and airflow, http */

	/* airflow */
	char *dag_id;

	/* http */
	char *url;               /* GET, answering JSON */
	char *completion;        /* RFC 6901 pointers into the answer */
	char *state;             /* or NULL */
	char **failure_values;   /* states that are a failed run */
	size_t nfailure_values;
	char *started;           /* or NULL */
	char *auth;              /* the [http NAME] section of etl.cfg, or NULL */
	int auth_line;           /* where auth: stands */

	/* ping */
	struct rp_cron *schedule;  /* a success after each of these times, or
	                            * NULL: within period of the last success */
	long period;               /* seconds */
	long grace;                /* seconds a success may be late before it pages */
	long max_runtime;          /* seconds a started run may take; 0: no limit */

	/* the calendar, every type */
	unsigned days;             /* bit d: expected on local weekday d (0 Sunday) */
	long *skip_dates;          /* local dates not expected, as days since
	                            * 1970-01-01, sorted */
	size_t nskip_dates;
	int until;                 /* freshness checks: evaluated only before this
	                            * time of day (minutes), -1: until midnight */

	/* email */
	char **senders;
	size_t nsenders;
	char **subjects;
	size_t nsubjects;
	int delivery_time;       /* minutes after local midnight */
	enum rp_match subject_match;
};

struct rp_checklist {
	char *path;
	struct rp_check *checks; /* in file order */
	size_t n;
};

/* Reads and validates path. Returns 0, or -1 with err. Free cl with
 * rp_checklist_free() in both cases. */
int rp_checklist_load(const char *path, struct rp_checklist *cl, struct rp_err *err);

/* rp_checklist_load of text (len bytes, the content of the file at path,
 * which error messages name and may read again for a line's context). */
int rp_checklist_parse(const char *path, const char *text, size_t len, struct rp_checklist *cl,
    struct rp_err *err);

#define RP_DEFAULT_PING_POLL_SEC 60
#define RP_DEFAULT_GRACE_SEC 3600
#define RP_EVERY_DAY 0x7fu

/* Whether c is expected on the local day of t: one of its days, not one of
 * its skip_dates. */
int rp_check_on(const struct rp_check *c, time_t t);

/* Whether the local day of t is a day off for c: not evaluated, paging
 * nothing. Not for ping checks, evaluated every day: their calendar says
 * which scheduled runs are expected, so a run due before a day off that
 * did not come still pages on time. */
int rp_check_off(const struct rp_check *c, time_t t);

/* Whether t is within c's window of the day: from check_time (not for ping
 * checks, which have none) to until. */
int rp_check_in_window(const struct rp_check *c, time_t t);

/* The check called name, or NULL. */
const struct rp_check *rp_checklist_find(const struct rp_checklist *cl, const char *name);

/* The checks of cl that no program of run (bit 1 << enum rp_program) ever
 * evaluates: their count, and the first few names, comma-separated, in
 * names. */
size_t rp_checklist_left_out(const struct rp_checklist *cl, unsigned run, struct rp_buf *names);

/* "email", "batchy", "airflow", "http", "ping". */
const char *rp_check_type_name(enum rp_check_type t);

/* What a freshness check watches, for an event's component: batchy's
 * workflow, Airflow's DAG id; NULL for the others (an http check's URL may
 * hold a key in its query: its host and path are among the source's
 * facts). */
const char *rp_check_watched(const struct rp_check *c);

void rp_checklist_free(struct rp_checklist *cl);

#endif
