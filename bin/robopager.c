/*
 * robopager: the earlier Python tool's command line, as one-shot runs.
 * With -c NAME it evaluates that check through the program of its type;
 * without, it runs every program that [function_type] enables, and exits
 * with the worst status. Its -p FILE and -cf NAME are accepted, so that an
 * existing cron line only loses "python3 -m robopager.".
 */
#include <stdio.h>

#include "cli.h"
#include "run.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: robopager [-nqv] [-f etl.cfg] [-y checklist.yaml] [-c NAME]\n"
	    "                 [--now TIME] [--json] [-p etl.cfg] [-cf NAME]\n"
	    "\n"
	    "Runs the checks of checklist.yaml once: with -c, that check now, through\n"
	    "rp-latency-check or rp-email-check as its type says; without, every due\n"
	    "check of each type that [function_type] type enables.\n"
	    "\n"
	    "%s"
	    "  -p FILE               the earlier tool's name for -f\n"
	    "  -cf NAME              the earlier tool's configuration reader (core):\n"
	    "                        accepted and ignored, with a note on stderr\n"
	    "\n"
	    "Exit status: the worst of the programs run: 0 OK, 1 WARNING, 2 CRITICAL,\n"
	    "3 UNKNOWN (also when Robopager could not do all of its job); 64 usage\n"
	    "error, 78 configuration error.\n",
	    rp_cli_common_help);
}

static int
body(const struct rp_opts *o)
{
	return rp_run_all(o);
}

int
main(int argc, char **argv)
{
	const char *cf;
	struct rp_err err;

	if (rp_cli_legacy_args(&argc, argv, &cf, &err) != 0) {
		fprintf(stderr, "robopager: %s (robopager --help lists the options)\n", err.msg);
		return RP_EXIT_USAGE;
	}
	if (cf != NULL)
		fprintf(stderr, "robopager: -cf %.64s ignored (the earlier tool's choice of "
		    "configuration reader; etl.cfg is read as a whole)\n", cf);
	return rp_cli_main(argc, argv, "robopager", usage, 0, body);
}
