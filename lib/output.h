/*
 * output: what a program prints. stdout gets one line per check
 * ("STATUS name: summary", or a JSON object with --json); stderr gets
 * diagnostics, each line with its syslog priority prefix ("<3>") when
 * running under systemd (JOURNAL_STREAM set), so the journal files it right.
 */
#ifndef RP_OUTPUT_H
#define RP_OUTPUT_H

#include <stdio.h>
#include <time.h>

#include "eval.h"
#include "pagerduty.h"
#include "state.h"

/* Syslog priorities of the diagnostics. */
enum {
	RP_LOG_ERR = 3,
	RP_LOG_WARNING = 4,
	RP_LOG_INFO = 6,
	RP_LOG_DEBUG = 7
};

void rp_log_init(const char *program, int verbose);
/* One line on stderr: "program: message". Debug lines only with -v. */
void rp_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct rp_report {
	const char *check;
	const char *type;
	enum rp_status status;
	const char *summary;
	time_t now;
	const struct rp_action *acts;
	const struct rp_pd_result *sent; /* per action; NULL when nothing was sent */
	size_t nact;
	const struct rp_fact *facts;
	size_t nfacts;
	int evaluated;             /* this run evaluated the check */
	const char *incident;      /* evaluated: the dedup key of the incident
	                            * open after the run, or NULL */
	const char *perf;          /* labelled performance data (rp_out_perf) to
	                            * print after " | ", or NULL */
};

void rp_out_text(FILE *f, const struct rp_report *r);

/* Appends a check's performance data (eval.h: "latency=3660s;2880;3600;0
 * ...") to b with the monitoring-plugin labels that keep checks apart:
 * 'nightly_orders latency'=3660s;2880;3600;0. */
void rp_out_perf(struct rp_buf *b, const char *check, const char *perf);
void rp_out_json(FILE *f, const struct rp_report *r);

/* The worse of two statuses: OK < WARNING < UNKNOWN < CRITICAL. */
enum rp_status rp_status_worse(enum rp_status a, enum rp_status b);
/* The exit status of a run whose worst check was s. */
int rp_exit_for(enum rp_status s);

#endif
