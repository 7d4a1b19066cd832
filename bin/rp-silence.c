/*
 * rp-silence: hold a check's pages for a while, list the silences, or end
 * one. A silenced check is still evaluated and recorded; when the silence
 * ends and the problem is still there, the next run pages.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "silence.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rp-silence [-f etl.cfg] [-y checklist.yaml] [--now TIME] NAME DURATION [REASON...]\n"
	    "       rp-silence [-f etl.cfg] [--now TIME] --list [--json]\n"
	    "       rp-silence [-f etl.cfg] --clear NAME\n"
	    "\n"
	    "Silences check NAME for DURATION (30m, 2h, 1d; at most 30d): it is still\n"
	    "evaluated and recorded, but sends no trigger; when the silence ends and\n"
	    "the problem is still there, the next run pages. Silences end by themselves.\n"
	    "\n"
	    "  -f, --config FILE     etl.cfg to read (default: ./etl.cfg, then\n"
	    "                        /etc/robopager/etl.cfg)\n"
	    "  -y, --checklist FILE  checklist.yaml, to check that NAME exists (default:\n"
	    "                        checklist.yaml beside the configuration file)\n"
	    "  -l, --list            list the silences in force\n"
	    "      --clear NAME      end the silence of NAME now\n"
	    "      --json            with --list: one JSON object per silence\n"
	    "      --now TIME        as if it were TIME (also $RP_NOW)\n"
	    "  -h, --help            print this help and exit\n"
	    "  -V, --version         print the version and exit\n"
	    "\n"
	    "Exit status: 0 done, 3 state store unreachable, 64 usage error,\n"
	    "78 configuration error.\n");
}

int
main(int argc, char **argv)
{
	enum { OPT_CLEAR = 256, OPT_JSON, OPT_NOW };
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'f'},
		{"checklist", required_argument, NULL, 'y'},
		{"list", no_argument, NULL, 'l'},
		{"clear", required_argument, NULL, OPT_CLEAR},
		{"json", no_argument, NULL, OPT_JSON},
		{"now", required_argument, NULL, OPT_NOW},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct rp_silence_opts o;
	char reason[512] = "";
	int ch, list = 0;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	memset(&o, 0, sizeof(o));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:y:lhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o.config = optarg;
			break;
		case 'y':
			o.checklist = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case OPT_CLEAR:
			o.name = optarg;
			o.cmd = RP_SILENCE_CLEAR;
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
			if (optopt != 0)
				fprintf(stderr, "rp-silence: unknown option -%c (rp-silence --help lists "
				    "the options)\n", optopt);
			else
				fprintf(stderr, "rp-silence: unknown option %s (rp-silence --help lists "
				    "the options)\n", argv[optind - 1]);
			return RP_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (list && o.cmd == RP_SILENCE_CLEAR) {
		fprintf(stderr, "rp-silence: --list and --clear do not go together\n");
		return RP_EXIT_USAGE;
	}
	if (list || o.cmd == RP_SILENCE_CLEAR) {
		if (argc != 0) {
			fprintf(stderr, "rp-silence: unexpected argument \"%s\"\n", argv[0]);
			return RP_EXIT_USAGE;
		}
		o.cmd = list ? RP_SILENCE_LIST : RP_SILENCE_CLEAR;
		return rp_silence_run(&o, stdout);
	}
	if (argc < 2) {
		fprintf(stderr, "rp-silence: give the check's NAME and a DURATION such as 2h "
		    "(rp-silence --help)\n");
		return RP_EXIT_USAGE;
	}
	o.cmd = RP_SILENCE_SET;
	o.name = argv[0];
	o.duration = argv[1];
	for (int i = 2; i < argc; i++) {
		size_t n = strlen(reason);
		if (snprintf(reason + n, sizeof(reason) - n, "%s%s", n ? " " : "", argv[i]) >=
		    (int)(sizeof(reason) - n)) {
			fprintf(stderr, "rp-silence: the reason is longer than %zu bytes\n",
			    sizeof(reason) - 1);
			return RP_EXIT_USAGE;
		}
	}
	o.reason = reason[0] ? reason : NULL;
	return rp_silence_run(&o, stdout);
}
