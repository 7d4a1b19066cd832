/*
 * rp-ping: a cron job or a service reports in to its ping check: a start,
 * a success, a failure, or all three around a command it runs. One round
 * trip to the state store; the next rp-latency-check run decides.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ping.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rp-ping [-qv] [-f etl.cfg] [-y checklist.yaml] [--now TIME] NAME\n"
	    "               [start | success | fail | STATUS | SIGNAL]\n"
	    "       rp-ping [-qv] [-f etl.cfg] [-y checklist.yaml] [--now TIME] NAME -- COMMAND [ARG...]\n"
	    "\n"
	    "Records a signal of the job of the ping check NAME in the state store:\n"
	    "  NAME                  a success\n"
	    "  NAME start            a run began\n"
	    "  NAME success          a success\n"
	    "  NAME fail             a failure\n"
	    "  NAME STATUS           an exit status (\"$?\"): 0 a success, 1-255 a failure\n"
	    "  NAME SIGNAL           a failure by that signal (TERM, as systemd's\n"
	    "                        $EXIT_STATUS gives it)\n"
	    "  NAME -- COMMAND ...   records the start, runs COMMAND (its output passed\n"
	    "                        through, signals passed on), then its success or\n"
	    "                        failure with its exit status, duration and the\n"
	    "                        last %d lines of its output\n"
	    "Nothing is paged from here: rp-latency-check evaluates the check.\n"
	    "\n"
	    "  -f, --config FILE     etl.cfg to read (default: /etc/robopager/etl.cfg)\n"
	    "  -y, --checklist FILE  checklist.yaml to read (default: checklist.yaml\n"
	    "                        beside the configuration file)\n"
	    "      --now TIME        record at TIME instead of Redis's clock:\n"
	    "                        2026-11-26T09:30[:00][Z|+HH:MM] (also $RP_NOW)\n"
	    "  -q, --quiet           no warnings about the configuration\n"
	    "  -v, --verbose         say what was recorded, and when, and the signals\n"
	    "                        passed on to the command\n"
	    "  -h, --help            print this help and exit\n"
	    "  -V, --version         print the version and exit\n"
	    "\n"
	    "Exit status: 0 recorded; 64 usage error, or NAME is not a ping check;\n"
	    "75 the state store could not be reached within about 2 seconds (6\n"
	    "with sentinels during a failover);\n"
	    "78 configuration error. With a COMMAND, always the command's status\n"
	    "(128 + the signal that killed it; 126 found but not runnable, 127 not\n"
	    "found): a ping that cannot be recorded costs a line on stderr, never\n"
	    "the job.\n",
	    RP_PING_TAIL_LINES);
}

static int
body(const struct rp_opts *o)
{
	return rp_ping_run(o);
}

int
main(int argc, char **argv)
{
	int rc, i;

	rp_cli_hoist_options(argc, argv);
	rc = rp_cli_main(argc, argv, "rp-ping", usage,
	    RP_CLI_NO_CHECK | RP_CLI_NO_DRY_RUN | RP_CLI_NO_JSON | RP_CLI_OPERANDS, body);
	if (rc != RP_EXIT_USAGE || rp_ping_command_ran())
		return rc;
	/* A wrong command line never costs the job. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	if (i + 1 < argc)
		rc = rp_ping_run_unrecorded(argv + i + 1);
	return rc;
}
