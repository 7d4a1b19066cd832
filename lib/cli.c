#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#ifndef RP_VERSION
#define RP_VERSION "dev"
#endif

const char rp_cli_common_help[] =
    "  -f, --config FILE     etl.cfg to read (default: /etc/robopager/etl.cfg,\n"
    "                        never one in the working directory)\n"
    "  -y, --checklist FILE  checklist.yaml to read (default: checklist.yaml\n"
    "                        beside the configuration file)\n"
    "  -c, --check NAME      evaluate that check now, due or not\n"
    "  -n, --dry-run         decide and print; send nothing, write nothing\n"
    "      --now TIME        evaluate as if it were TIME: 2026-11-26T09:30[:00],\n"
    "                        local unless it ends in Z or +HH:MM (also $RP_NOW)\n"
    "      --json            one JSON object per check instead of text lines\n"
    "  -q, --quiet           print a check only when its status changed or an\n"
    "                        event was decided for it, and no warnings about\n"
    "                        the configuration (for cron, which mails any\n"
    "                        output); errors always\n"
    "  -v, --verbose         also print checks not due, and debug lines\n"
    "  -h, --help            print this help and exit\n"
    "  -V, --version         print the version and exit\n";

/* With operands, the options end at the first operand or at "--" (getopt's
 * "+"): what follows NAME belongs to rp-ping's grammar or to a command. */
static int
parse(int argc, char **argv, struct rp_opts *o, int operands, struct rp_err *err)
{
	enum { OPT_NOW = 256, OPT_JSON, OPT_PLUGIN };
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'f'},
		{"checklist", required_argument, NULL, 'y'},
		{"check", required_argument, NULL, 'c'},
		{"dry-run", no_argument, NULL, 'n'},
		{"now", required_argument, NULL, OPT_NOW},
		{"json", no_argument, NULL, OPT_JSON},
		{"plugin", no_argument, NULL, OPT_PLUGIN},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *last_value = NULL;
	int ch;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 0; /* glibc: start afresh, the ordering ("+") included */
	while ((ch = getopt_long(argc, argv, operands ? "+:f:y:c:nqvhV" : ":f:y:c:nqvhV", longopts,
	    NULL)) != -1) {
		last_value = optarg;
		switch (ch) {
		case 'f':
			o->config = optarg;
			break;
		case 'y':
			o->checklist = optarg;
			break;
		case 'c':
			o->check = optarg;
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case OPT_NOW:
			o->now = optarg;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_PLUGIN:
			o->plugin = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			o->help = 1;
			break;
		case 'V':
			o->version = 1;
			break;
		case ':':
			return rp_err_set(err, RP_EXIT_USAGE, "%s needs an argument",
			    argv[optind - 1]);
		default:
			if (optopt != 0)
				return rp_err_set(err, RP_EXIT_USAGE, "unknown option -%c", optopt);
			return rp_err_set(err, RP_EXIT_USAGE, "unknown option %s", argv[optind - 1]);
		}
	}
	if (operands) {
		o->args = argv + optind;
		o->nargs = argc - optind;
		/* getopt steps over the "--" that ends the options; a "--" that
		 * was an option's value (-f --) is not that one. */
		o->after_dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0 &&
		    argv[optind - 1] != last_value;
	} else if (optind < argc) {
		return rp_err_set(err, RP_EXIT_USAGE, "unexpected argument \"%s\"", argv[optind]);
	}
	return 0;
}

int
rp_cli_parse(int argc, char **argv, struct rp_opts *o, struct rp_err *err)
{
	return parse(argc, argv, o, 0, err);
}

/* Whether arg is an option whose value is the next argument. */
static int
takes_value(const char *arg)
{
	static const char *const with[] = {"-f", "-y", "-c", "-p", "--config", "--checklist",
	    "--check", "--now", NULL};

	for (size_t i = 0; with[i] != NULL; i++)
		if (strcmp(arg, with[i]) == 0)
			return 1;
	return 0;
}

int
rp_cli_legacy_args(int *argc, char **argv, const char **cf, struct rp_err *err)
{
	int i = 1, n = *argc;

	*cf = NULL;
	while (i < n) {
		char *a = argv[i];
		int drop = 0;

		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "-cf") == 0) {
			if (i + 1 >= n)
				return rp_err_set(err, RP_EXIT_USAGE, "-cf needs an argument (the earlier "
				    "tool's configuration reader, such as core)");
			*cf = argv[i + 1];
			drop = 2;
		} else if (strncmp(a, "-cf=", 4) == 0) {
			*cf = a + 4;
			drop = 1;
		} else if (a[0] == '-' && a[1] == 'p') {
			/* -p FILE or -pFILE, as argparse took them: -f's. */
			a[1] = 'f';
		}
		if (drop > 0) {
			/* Shift the rest down, NULL included. */
			memmove(&argv[i], &argv[i + drop], (size_t)(n - i - drop + 1) * sizeof(*argv));
			n -= drop;
			continue;
		}
		i += takes_value(a) && i + 1 < n ? 2 : 1;
	}
	*argc = n;
	return 0;
}

void
rp_cli_hoist_options(int argc, char **argv)
{
	int i = 1, first, end, j, k;

	/* The first operand, past the options (and their values) before it. */
	while (i < argc && strcmp(argv[i], "--") != 0 && argv[i][0] == '-' && argv[i][1] != '\0')
		i += takes_value(argv[i]) ? 2 : 1;
	if (i >= argc || strcmp(argv[i], "--") == 0)
		return;
	first = i;
	for (end = first; end < argc && strcmp(argv[end], "--") != 0; end++)
		;
	for (j = first + 1; j < end; j++) {
		int n = 1;
		char *moved[2];

		if (argv[j][0] != '-' || argv[j][1] == '\0')
			continue;
		if (takes_value(argv[j]) && j + 1 < end)
			n = 2;
		moved[0] = argv[j];
		moved[1] = n == 2 ? argv[j + 1] : NULL;
		/* Shift the operands before it up by n, and put it before them. */
		for (k = j - 1; k >= first; k--)
			argv[k + n] = argv[k];
		argv[first] = moved[0];
		if (n == 2)
			argv[first + 1] = moved[1];
		first += n;
		j += n - 1;
	}
}

int
rp_cli_close_out(FILE *out, const char *program, int rc)
{
	int bad = ferror(out), closed;

	/* fclose() flushes what is buffered and reports that write's error;
	 * an earlier failed write left only the error flag. */
	errno = 0;
	closed = fclose(out);
	if (closed != 0 || bad) {
		fprintf(stderr, "%s: cannot write the output: %s\n", program,
		    closed != 0 && errno != 0 ? strerror(errno) : "write error");
		return RP_EXIT_IOERR;
	}
	return rc;
}

/* The core file size limit the program started with. */
static struct rlimit core_limit;
static int core_limit_saved;

void
rp_cli_restore_core_limit(void)
{
	if (core_limit_saved)
		setrlimit(RLIMIT_CORE, &core_limit);
}

int
rp_cli_main(int argc, char **argv, const char *program, void (*usage)(FILE *),
    unsigned refuse, int (*body)(const struct rp_opts *o))
{
	struct rp_opts o;
	struct rp_err err;
	struct rlimit none = {0, 0};
	const char *bad = NULL;

	/* We hold a mailbox password and PagerDuty keys: no core files. The
	 * hard limit stays, so that rp-ping can give a command it runs the
	 * limit it would have had without us. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (getrlimit(RLIMIT_CORE, &core_limit) == 0) {
		core_limit_saved = 1;
		none.rlim_max = core_limit.rlim_max;
	}
	setrlimit(RLIMIT_CORE, &none);
	if (parse(argc, argv, &o, (refuse & RP_CLI_OPERANDS) != 0, &err) != 0)
		bad = err.msg;
	else if ((refuse & RP_CLI_NO_CHECK) && o.check != NULL)
		bad = "-c means nothing here";
	else if ((refuse & RP_CLI_NO_DRY_RUN) && o.dry_run)
		bad = "-n means nothing here";
	else if ((refuse & RP_CLI_NO_QUIET) && o.quiet)
		bad = "-q means nothing here";
	else if ((refuse & RP_CLI_NO_JSON) && o.json)
		bad = "--json means nothing here";
	else if (!(refuse & RP_CLI_PLUGIN) && o.plugin)
		bad = "unknown option --plugin";
	else if (o.plugin && (o.check == NULL || o.json || o.verbose))
		bad = "--plugin goes with -c NAME, without --json or -v";
	if (bad != NULL) {
		/* One line, as every error: the help is one option away. */
		fprintf(stderr, "%s: %s (%s --help lists the options)\n", program, bad, program);
		return RP_EXIT_USAGE;
	}
	if (o.help) {
		usage(stdout);
		return RP_EXIT_OK;
	}
	if (o.version) {
		printf("%s %s\n", program, RP_VERSION);
		return RP_EXIT_OK;
	}
	return body(&o);
}
