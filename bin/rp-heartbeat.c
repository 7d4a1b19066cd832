/*
 * rp-heartbeat: watch the watcher. One evaluation of Robopager's own
 * health (configuration, state store, recent runs of each program,
 * undelivered events), then a signal to PagerDuty and, when healthy, a
 * call to an outside dead man's switch.
 */
#include <stdio.h>

#include "cli.h"
#include "heartbeat.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rp-heartbeat [-nqv] [-f etl.cfg] [-y checklist.yaml] [--now TIME] [--json]\n"
	    "\n"
	    "Checks Robopager's own health: etl.cfg and checklist.yaml valid, the state\n"
	    "store answering, each program that [function_type] enables run within\n"
	    "[robopager] stale_after_sec (default 3 x its largest poll_sec, at least\n"
	    "10 min), fewer than max_undelivered events (default 5) waiting for\n"
	    "PagerDuty. Unhealthy: one trigger on [robopager] heartbeat_service, keyed\n"
	    "per host, resolved when healthy again. Healthy: heartbeat_mode says what\n"
	    "is sent (change: a change event, the default; trigger: an info incident;\n"
	    "none), then heartbeat_url is called (GET, or POST with heartbeat_method).\n"
	    "\n"
	    "  -f, --config FILE     etl.cfg to read (default: /etc/robopager/etl.cfg,\n"
	    "                        never one in the working directory)\n"
	    "  -y, --checklist FILE  checklist.yaml to read (default: checklist.yaml\n"
	    "                        beside the configuration file)\n"
	    "  -n, --dry-run         decide and print; send nothing, write nothing\n"
	    "      --now TIME        as if it were TIME (also $RP_NOW)\n"
	    "      --json            a JSON object instead of the text line\n"
	    "  -q, --quiet           print nothing when healthy (for cron)\n"
	    "  -v, --verbose         debug lines\n"
	    "  -h, --help            print this help and exit\n"
	    "  -V, --version         print the version and exit\n"
	    "\n"
	    "Exit status: 0 healthy, 2 unhealthy, 3 healthy but the signal could not\n"
	    "be delivered, 64 usage error, 78 configuration error.\n");
}

static int
body(const struct rp_opts *o)
{
	return rp_heartbeat_run(o);
}

int
main(int argc, char **argv)
{
	return rp_cli_main(argc, argv, "rp-heartbeat", usage, RP_CLI_NO_CHECK, body);
}
