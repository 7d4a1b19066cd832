/*
 * rp-latency-check: pages when a scheduled workflow has not finished within
 * its latency_min, or has failed. One evaluation of the due batchy checks of
 * checklist.yaml, then exit with the worst status.
 */
#include <stdio.h>

#include "cli.h"
#include "run.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rp-latency-check [-nqv] [-f etl.cfg] [-y checklist.yaml] [-c NAME]\n"
	    "                        [--now TIME] [--json]\n"
	    "\n"
	    "Evaluates the freshness checks that are due (batchy, airflow, http, ping):\n"
	    "a workflow whose last completion is latency_min or more ago, or whose\n"
	    "last run failed, is CRITICAL and pages PagerDuty once; warn_pct %% of the\n"
	    "limit is a WARNING. A ping check is judged on what rp-ping recorded.\n"
	    "\n"
	    "%s"
	    "\n"
	    "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the worst check);\n"
	    "3 also when Robopager could not do all of its job (state store,\n"
	    "PagerDuty); 64 usage error, 78 configuration error.\n",
	    rp_cli_common_help);
}

static int
body(const struct rp_opts *o)
{
	return rp_run("rp-latency-check", RP_PROG_LATENCY, o);
}

int
main(int argc, char **argv)
{
	return rp_cli_main(argc, argv, "rp-latency-check", usage, 0, body);
}
