/*
 * rp-silence: hold the pages of some checks for a while, list the
 * silences, or end them. A silenced check is still evaluated and recorded;
 * when the silence ends and the problem is still there, the next run pages.
 *
 * Grammar of a silence: the checks (names and patterns, --type, --all),
 * then the DURATION, which is the first argument starting with a digit,
 * then the REASON, every word after it.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "cli.h"
#include "silence.h"
#include "util.h"

#define MAX_TYPES 8

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rp-silence [-f etl.cfg] [-y checklist.yaml] [--now TIME]\n"
	    "                  CHECKS DURATION [REASON...]\n"
	    "       rp-silence [-f etl.cfg] [-y checklist.yaml] --clear CHECKS\n"
	    "       rp-silence [-f etl.cfg] [--now TIME] --list [--json]\n"
	    "CHECKS: one or more NAMEs or PATTERNs ('orders_*'), and/or --type TYPE;\n"
	    "        or --all\n"
	    "\n"
	    "Silences the checks for DURATION (30m, 2h, 1d; at most 30d): they are still\n"
	    "evaluated and recorded, but send no trigger; when the silence ends and the\n"
	    "problem is still there, the next run pages. Silences end by themselves.\n"
	    "DURATION is the first argument that starts with a digit: the names come\n"
	    "before it, the reason after it (a check whose name starts with a digit is\n"
	    "written with a backslash: '\\9am_report'). A pattern is a shell glob (*, ?,\n"
	    "[...]) that must match a check. Silencing a silenced check again moves its\n"
	    "end and keeps its reason unless a new one is given.\n"
	    "\n"
	    "  -f, --config FILE     etl.cfg to read (default: /etc/robopager/etl.cfg,\n"
	    "                        never one in the working directory)\n"
	    "  -y, --checklist FILE  checklist.yaml, where names, patterns and types are\n"
	    "                        looked up (default: beside the configuration file)\n"
	    "  -t, --type TYPE       every check of that type (email, batchy, airflow,\n"
	    "                        http, ping)\n"
	    "  -a, --all             every check (with --clear: every silence)\n"
	    "  -l, --list            list the silences in force\n"
	    "      --clear           end the silences of CHECKS now\n"
	    "      --json            with --list: one JSON object per silence\n"
	    "      --now TIME        as if it were TIME (also $RP_NOW)\n"
	    "  -h, --help            print this help and exit\n"
	    "  -V, --version         print the version and exit\n"
	    "\n"
	    "Exit status: 0 done, 3 state store unreachable, 64 usage error (such as a\n"
	    "name or pattern that names no check), 74 the output could not be written\n"
	    "(a silence set or cleared is so all the same), 78 configuration error.\n");
}

static int
usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "rp-silence: %s%s%s%s (rp-silence --help lists the options)\n", what,
	    arg ? " \"" : "", arg ? arg : "", arg ? "\"" : "");
	return RP_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	enum { OPT_CLEAR = 256, OPT_JSON, OPT_NOW };
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'f'},
		{"checklist", required_argument, NULL, 'y'},
		{"type", required_argument, NULL, 't'},
		{"all", no_argument, NULL, 'a'},
		{"list", no_argument, NULL, 'l'},
		{"clear", no_argument, NULL, OPT_CLEAR},
		{"json", no_argument, NULL, OPT_JSON},
		{"now", required_argument, NULL, OPT_NOW},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct rp_silence_opts o;
	char *types[MAX_TYPES];
	char reason[512] = "";
	int ch, list = 0, clear = 0, i, nnames;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	memset(&o, 0, sizeof(o));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:y:t:alhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o.config = optarg;
			break;
		case 'y':
			o.checklist = optarg;
			break;
		case 't':
			if (o.sel.ntypes == MAX_TYPES)
				return usage_error("too many --type", NULL);
			types[o.sel.ntypes++] = optarg;
			break;
		case 'a':
			o.sel.all = 1;
			break;
		case 'l':
			list = 1;
			break;
		case OPT_CLEAR:
			clear = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_NOW:
			o.now = optarg;
			break;
		case 'h':
			usage(stdout);
			return RP_EXIT_OK;
		case 'V':
			printf("rp-silence %s\n", RP_VERSION);
			return RP_EXIT_OK;
		case ':':
			fprintf(stderr, "rp-silence: %s needs an argument (rp-silence --help lists the "
			    "options)\n", argv[optind - 1]);
			return RP_EXIT_USAGE;
		default:
			if (optopt != 0) {
				char opt[3] = {'-', (char)optopt, '\0'};
				return usage_error("unknown option", opt);
			}
			return usage_error("unknown option", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	o.sel.types = types;
	if (list + clear > 1)
		return usage_error("--list and --clear do not go together", NULL);
	if (list) {
		if (argc != 0 || o.sel.all || o.sel.ntypes > 0)
			return usage_error("--list takes no checks", NULL);
		o.cmd = RP_SILENCE_LIST;
		return rp_cli_close_out(stdout, "rp-silence", rp_silence_run(&o, stdout));
	}
	if (o.json)
		return usage_error("--json goes with --list", NULL);
	/* The checks are the arguments before the first that starts with a
	 * digit (the duration); with --clear, all of them. */
	for (nnames = 0; nnames < argc && !(clear == 0 && isdigit((unsigned char)argv[nnames][0]));
	    nnames++)
		;
	o.sel.names = argv;
	o.sel.nnames = (size_t)nnames;
	if (o.sel.all && (nnames > 0 || o.sel.ntypes > 0))
		return usage_error("--all goes without names, patterns or --type", NULL);
	if (nnames == 0 && o.sel.ntypes == 0 && !o.sel.all)
		return usage_error(clear ? "name the checks to clear (or --type, --all)" :
		    "name the checks to silence (or --type, --all), then a DURATION such as 2h",
		    NULL);
	if (clear) {
		o.cmd = RP_SILENCE_CLEAR;
		return rp_cli_close_out(stdout, "rp-silence", rp_silence_run(&o, stdout));
	}
	if (nnames == argc)
		return usage_error("give a DURATION such as 2h after the checks", NULL);
	o.cmd = RP_SILENCE_SET;
	o.duration = argv[nnames];
	for (i = nnames + 1; i < argc; i++) {
		size_t n = strlen(reason);
		if (snprintf(reason + n, sizeof(reason) - n, "%s%s", n ? " " : "", argv[i]) >=
		    (int)(sizeof(reason) - n)) {
			fprintf(stderr, "rp-silence: the reason is longer than %zu bytes\n",
			    sizeof(reason) - 1);
			return RP_EXIT_USAGE;
		}
	}
	o.reason = reason[0] ? reason : NULL;
	return rp_cli_close_out(stdout, "rp-silence", rp_silence_run(&o, stdout));
}
