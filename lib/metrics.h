/*
 * metrics: what a run tells Prometheus, through node_exporter's textfile
 * collector. With [robopager] metrics_dir, each checking program and
 * rp-heartbeat writes <dir>/robopager_<program>.prom on every run: written
 * whole to a temporary file in that directory and renamed, as the collector
 * requires, so that it never reads half a file.
 */
#ifndef RP_METRICS_H
#define RP_METRICS_H

#include <stddef.h>
#include <time.h>

#include "state.h"
#include "util.h"

/* One check's gauges, as its record says after the run. */
struct rp_metric_check {
	const char *check;
	const char *type;
	int known;               /* evaluated at least once */
	enum rp_status status;
	time_t last_eval;
	time_t last_done;        /* last completion or success, 0: none known */
	int incident_open;
	int silenced;
};

/* The program's own. */
struct rp_metric_run {
	const char *program;
	time_t last_run;         /* the run's clock */
	double duration_sec;
	size_t evaluated;
	long outbox;             /* events waiting in the outbox; -1 unknown */
	int healthy;             /* rp-heartbeat: 1, 0; -1 for the others */
};

/* Writes the file for run and its n checks into dir. Returns 0, or -1 with
 * err (the directory cannot be written: the run says so, nothing else). */
int rp_metrics_write(const char *dir, const struct rp_metric_run *run,
    const struct rp_metric_check *v, size_t n, struct rp_err *err);

/* The text of the file, for tests; the caller frees it. */
char *rp_metrics_text(const struct rp_metric_run *run, const struct rp_metric_check *v,
    size_t n);

#endif
