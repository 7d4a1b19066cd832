/*
 * rp-email-check: pages when an email expected every day has not arrived
 * by its check_time. One evaluation of the due email checks of
 * checklist.yaml, sharing one IMAP login, then exit with the worst status.
 */
#include <stdio.h>

#include "cli.h"
#include "run.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rp-email-check [-nqv] [-f etl.cfg] [-y checklist.yaml] [-c NAME]\n"
	    "                      [--now TIME] [--json]\n"
	    "\n"
	    "Evaluates the email checks that are due: from check_time on, every subject\n"
	    "in subjects must have arrived from one of senders after today's\n"
	    "delivery_time, or the check is CRITICAL and pages PagerDuty once for the\n"
	    "day. The mailbox is only read, never changed.\n"
	    "\n"
	    "%s"
	    "\n"
	    "Exit status: 0 OK, 2 CRITICAL, 3 UNKNOWN (the worst check); 3 also when\n"
	    "Robopager could not do all of its job (state store, PagerDuty); 64 usage\n"
	    "error, 78 configuration error.\n",
	    rp_cli_common_help);
}

static int
body(const struct rp_opts *o)
{
	return rp_run("rp-email-check", RP_PROG_EMAIL, o);
}

int
main(int argc, char **argv)
{
	return rp_cli_main(argc, argv, "rp-email-check", usage, 0, body);
}
