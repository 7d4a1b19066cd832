/*
 * rp-status: one row per check from the checklist and the state store:
 * status, since when, last evaluation, last completion or success, silence,
 * open incident. Read-only; its exit status is the worst stored status, so
 * that "rp-status -c NAME --plugin" is a monitoring plugin.
 */
#include <stdio.h>

#include "cli.h"
#include "status.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rp-status [-f etl.cfg] [-y checklist.yaml] [-c NAME] [--json] [--now TIME] [-v]\n"
	    "       rp-status [-f etl.cfg] [-y checklist.yaml] -c NAME --plugin [--now TIME]\n"
	    "\n"
	    "Prints one row per check: name, type, status (NEVER if not evaluated yet,\n"
	    "OFF on a day off with no incident open), since when, last evaluation,\n"
	    "last completion (latency) or last day of success (email), silenced\n"
	    "until, open incident. Reads the state store only: nothing is evaluated,\n"
	    "sent or written.\n"
	    "\n"
	    "  -f, --config FILE     etl.cfg to read (default: /etc/robopager/etl.cfg,\n"
	    "                        never one in the working directory)\n"
	    "  -y, --checklist FILE  checklist.yaml to read (default: checklist.yaml\n"
	    "                        beside the configuration file)\n"
	    "  -c, --check NAME      only that check\n"
	    "      --json            one JSON object per line: checks (\"kind\":\"check\"),\n"
	    "                        then waiting (\"outbox\") and refused events\n"
	    "      --plugin          with -c NAME, as a Nagios or Icinga plugin: one line,\n"
	    "                        STATUS NAME: summary (OK for a check not evaluated\n"
	    "                        yet; a silenced check keeps its status), also when\n"
	    "                        the state store cannot be read (UNKNOWN)\n"
	    "      --now TIME        as if it were TIME (also $RP_NOW)\n"
	    "  -v, --verbose         below a ping check's row, what rp-ping recorded:\n"
	    "                        last success and failure, a run in progress,\n"
	    "                        the last run's output tail\n"
	    "  -h, --help            print this help and exit\n"
	    "  -V, --version         print the version and exit\n"
	    "\n"
	    "Exit status, as a monitoring plugin (Nagios, Icinga): the worst stored\n"
	    "status of the checks shown, 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (order\n"
	    "OK < WARNING < UNKNOWN < CRITICAL; never evaluated counts as OK); 3 when\n"
	    "the state store cannot be read; 64 usage error; 74 the output could not\n"
	    "be written; 78 configuration error.\n");
}

static int
body(const struct rp_opts *o)
{
	return rp_cli_close_out(stdout, "rp-status", rp_status_run(o, stdout));
}

int
main(int argc, char **argv)
{
	return rp_cli_main(argc, argv, "rp-status", usage,
	    RP_CLI_NO_DRY_RUN | RP_CLI_NO_QUIET | RP_CLI_PLUGIN, body);
}
