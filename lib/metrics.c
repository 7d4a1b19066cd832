#define _POSIX_C_SOURCE 200809L
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A label value as the text format wants it: \ " and newline escaped. */
static void
label(struct rp_buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			rp_buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			rp_buf_append(b, "\\n", 2);
		else
			rp_buf_append(b, v, 1);
	}
}

static void
head(struct rp_buf *b, const char *name, const char *help)
{
	rp_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* One check's sample of a gauge. */
static void
check_sample(struct rp_buf *b, const char *name, const struct rp_metric_check *c, double v)
{
	rp_buf_printf(b, "%s{check=\"", name);
	label(b, c->check);
	rp_buf_append(b, "\",type=\"", 8);
	label(b, c->type);
	rp_buf_printf(b, "\"} %.17g\n", v);
}

static void
run_sample(struct rp_buf *b, const char *name, const char *program, double v)
{
	rp_buf_printf(b, "%s{program=\"", name);
	label(b, program);
	rp_buf_printf(b, "\"} %.17g\n", v);
}

static int
status_value(enum rp_status s)
{
	switch (s) {
	case RP_WARNING:
		return 1;
	case RP_CRITICAL:
		return 2;
	case RP_UNKNOWN:
		return 3;
	default:
		return 0;
	}
}

static void
checks_text(struct rp_buf *b, const struct rp_metric_check *v, size_t n)
{
	size_t i;

	head(b, "robopager_check_status", "Status of the check at its last evaluation: 0 OK, "
	    "1 WARNING, 2 CRITICAL, 3 UNKNOWN (absent before its first).");
	for (i = 0; i < n; i++)
		if (v[i].known)
			check_sample(b, "robopager_check_status", &v[i], status_value(v[i].status));
	head(b, "robopager_check_last_evaluation_timestamp_seconds", "When the check was last "
	    "evaluated (0: never).");
	for (i = 0; i < n; i++)
		check_sample(b, "robopager_check_last_evaluation_timestamp_seconds", &v[i],
		    (double)v[i].last_eval);
	head(b, "robopager_check_last_success_timestamp_seconds", "The last completion of a "
	    "workflow, success of a job, or day an email check passed (0: none known).");
	for (i = 0; i < n; i++)
		check_sample(b, "robopager_check_last_success_timestamp_seconds", &v[i],
		    (double)v[i].last_done);
	head(b, "robopager_check_incident_open", "1 while the check has an incident open.");
	for (i = 0; i < n; i++)
		check_sample(b, "robopager_check_incident_open", &v[i], v[i].incident_open);
	head(b, "robopager_check_silenced", "1 while the check is silenced (rp-silence).");
	for (i = 0; i < n; i++)
		check_sample(b, "robopager_check_silenced", &v[i], v[i].silenced);
}

char *
rp_metrics_text(const struct rp_metric_run *run, const struct rp_metric_check *v, size_t n)
{
	struct rp_buf b = {0};

	rp_buf_append(&b, "", 0);
	head(&b, "robopager_last_run_timestamp_seconds", "When the program last ran.");
	run_sample(&b, "robopager_last_run_timestamp_seconds", run->program,
	    (double)run->last_run);
	head(&b, "robopager_run_duration_seconds", "How long the program's last run took.");
	run_sample(&b, "robopager_run_duration_seconds", run->program, run->duration_sec);
	head(&b, "robopager_checks_evaluated", "Checks the program's last run evaluated.");
	run_sample(&b, "robopager_checks_evaluated", run->program, (double)run->evaluated);
	if (run->outbox >= 0) {
		head(&b, "robopager_outbox_events", "Events waiting in the outbox for delivery.");
		run_sample(&b, "robopager_outbox_events", run->program, (double)run->outbox);
	}
	if (run->healthy >= 0) {
		head(&b, "robopager_healthy", "1 when rp-heartbeat found Robopager healthy.");
		run_sample(&b, "robopager_healthy", run->program, run->healthy);
	}
	if (n > 0)
		checks_text(&b, v, n);
	return b.data;
}

int
rp_metrics_write(const char *dir, const struct rp_metric_run *run,
    const struct rp_metric_check *v, size_t n, struct rp_err *err)
{
	char *text = rp_metrics_text(run, v, n);
	char *path = rp_xasprintf("%s/robopager_%s.prom", dir, run->program);
	char *tmp = rp_xasprintf("%s/.robopager_%s.prom.%ld", dir, run->program, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int rc = -1;

	if (f == NULL) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "[robopager] metrics_dir: %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fputs(text, f) == EOF || fclose(f) != 0) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "[robopager] metrics_dir: %s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	/* Whole or not at all: the collector reads the new file or the old. */
	if (rename(tmp, path) != 0) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "[robopager] metrics_dir: %s: %s", path,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(text);
	free(path);
	free(tmp);
	return rc;
}
