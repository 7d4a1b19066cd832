#define UNIT_NAME "cli"
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "unit.h"

/* A writable argv, as main() gets it; free with unargs(). */
static char **
args(const char *const *src)
{
	size_t n = 0, i;
	char **v;

	while (src[n])
		n++;
	v = rp_xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		v[i] = rp_xstrdup(src[i]);
	return v;
}

static void
unargs(char **v)
{
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

START_TEST(cli)
{
	static const char *const a1[] = {"p", "-f", "a.cfg", "-y", "b.yaml", "-c", "x", "-n", "--now",
	    "2026-11-26T09:00", "--json", "-q", "-v", NULL};
	static const char *const a2[] = {"p", "--bogus", NULL};
	static const char *const a3[] = {"p", "-c", NULL};
	static const char *const a4[] = {"p", "stray", NULL};
	static const char *const a5[] = {"p", "--config=z.cfg", "-hV", NULL};
	char **argv1 = args(a1), **argv2 = args(a2), **argv3 = args(a3), **argv4 = args(a4),
	     **argv5 = args(a5);
	struct rp_opts o;
	struct rp_err err;

	ck_assert_int_eq(rp_cli_parse(13, argv1, &o, &err), 0);
	ck_assert_str_eq(o.config, "a.cfg");
	ck_assert_str_eq(o.checklist, "b.yaml");
	ck_assert_str_eq(o.check, "x");
	ck_assert_str_eq(o.now, "2026-11-26T09:00");
	ck_assert(o.dry_run && o.json && o.quiet && o.verbose && !o.help);
	ck_assert_int_eq(rp_cli_parse(2, argv2, &o, &err), -1);
	ck_assert_int_eq(err.code, RP_EXIT_USAGE);
	ck_assert_str_eq(err.msg, "unknown option --bogus");
	ck_assert_int_eq(rp_cli_parse(2, argv3, &o, &err), -1);
	ck_assert_str_eq(err.msg, "-c needs an argument");
	ck_assert_int_eq(rp_cli_parse(2, argv4, &o, &err), -1);
	ck_assert_str_eq(err.msg, "unexpected argument \"stray\"");
	ck_assert_int_eq(rp_cli_parse(3, argv5, &o, &err), 0);
	ck_assert_str_eq(o.config, "z.cfg");
	ck_assert(o.help && o.version);
	unargs(argv1);
	unargs(argv2);
	unargs(argv3);
	unargs(argv4);
	unargs(argv5);
}
END_TEST

/* The earlier tool's line: -p FILE is -f FILE, -cf NAME goes, anywhere. */
START_TEST(legacy_args)
{
	static const char *const a1[] = {"robopager", "-c", "x", "-y", "c.yaml", "-cf", "core", "-p",
	    "etl.cfg", NULL};
	static const char *const a2[] = {"robopager", "-cf=core", "-pother.cfg", "-q", NULL};
	static const char *const a3[] = {"robopager", "-y", "-cf", "-c", "-p", "--", "-p", NULL};
	static const char *const a4[] = {"robopager", "-q", "-cf", NULL};
	char **argv1 = args(a1), **argv2 = args(a2), **argv3 = args(a3), **argv4 = args(a4);
	/* rp_cli_legacy_args drops words from argv: free what args() made. */
	char **own1 = args(a1), **own2 = args(a2), **own3 = args(a3), **own4 = args(a4);
	size_t k;

	for (k = 0; argv1[k]; k++) { free(own1[k]); own1[k] = argv1[k]; }
	for (k = 0; argv2[k]; k++) { free(own2[k]); own2[k] = argv2[k]; }
	for (k = 0; argv3[k]; k++) { free(own3[k]); own3[k] = argv3[k]; }
	for (k = 0; argv4[k]; k++) { free(own4[k]); own4[k] = argv4[k]; }
	struct rp_opts o;
	struct rp_err err;
	const char *cf;
	int argc;

	argc = 9;
	ck_assert_int_eq(rp_cli_legacy_args(&argc, argv1, &cf, &err), 0);
	ck_assert_int_eq(argc, 7);
	ck_assert_ptr_null(argv1[7]);
	ck_assert_str_eq(cf, "core");
	ck_assert_int_eq(rp_cli_parse(argc, argv1, &o, &err), 0);
	ck_assert_str_eq(o.config, "etl.cfg");
	ck_assert_str_eq(o.checklist, "c.yaml");
	ck_assert_str_eq(o.check, "x");

	argc = 4;
	ck_assert_int_eq(rp_cli_legacy_args(&argc, argv2, &cf, &err), 0);
	ck_assert_int_eq(argc, 3);
	ck_assert_str_eq(cf, "core");
	ck_assert_int_eq(rp_cli_parse(argc, argv2, &o, &err), 0);
	ck_assert_str_eq(o.config, "other.cfg");
	ck_assert(o.quiet);

	/* Values of options and what follows "--" are left alone. */
	argc = 7;
	ck_assert_int_eq(rp_cli_legacy_args(&argc, argv3, &cf, &err), 0);
	ck_assert_int_eq(argc, 7);
	ck_assert_ptr_null(cf);
	ck_assert_str_eq(argv3[2], "-cf");
	ck_assert_str_eq(argv3[4], "-p");
	ck_assert_str_eq(argv3[6], "-p");

	argc = 3;
	ck_assert_int_eq(rp_cli_legacy_args(&argc, argv4, &cf, &err), -1);
	ck_assert_int_eq(err.code, RP_EXIT_USAGE);
	ck_assert_str_eq(err.msg, "-cf needs an argument (the earlier tool's configuration "
	    "reader, such as core)");
	free(argv1);
	free(argv2);
	free(argv3);
	free(argv4);
	unargs(own1);
	unargs(own2);
	unargs(own3);
	unargs(own4);
}
END_TEST

/* Output that cannot be written is exit 74, whatever the run said. */
START_TEST(close_stdout_full)
{
	FILE *f = fopen("/dev/full", "w");

	ck_assert_ptr_nonnull(f);
	fputs("a line\n", f);
	ck_assert_int_eq(rp_cli_close_out(f, "test", 2), RP_EXIT_IOERR);
}
END_TEST

START_TEST(close_stdout_ok)
{
	FILE *f = fopen("/dev/null", "w");

	ck_assert_ptr_nonnull(f);
	fputs("a line\n", f);
	ck_assert_int_eq(rp_cli_close_out(f, "test", 2), 2);
}
END_TEST

/* Operands (rp-ping): the options end at the first operand or at "--";
 * the rest is the body's, "--" and dashes included. */
static struct rp_opts seen;

static int
keep(const struct rp_opts *o)
{
	seen = *o;
	return 42;
}

static void
no_usage(FILE *f)
{
	(void)f;
}

START_TEST(operands)
{
	static const char *const a1[] = {"p", "-v", "job", "--", "cmd", "-v", NULL};
	static const char *const a2[] = {"p", "-q", "--", "job", "-x", NULL};
	static const char *const a3[] = {"p", "--json", "job", NULL};
	static const char *const a4[] = {"p", "job", NULL};
	static const char *const a5[] = {"p", "-f", "--", "job", NULL};
	char **argv1 = args(a1), **argv2 = args(a2), **argv3 = args(a3), **argv4 = args(a4);
	char **argv5 = args(a5);
	unsigned flags = RP_CLI_OPERANDS | RP_CLI_NO_JSON;
	int null = open("/dev/null", O_WRONLY);

	dup2(null, 2); /* the refusals' lines */
	close(null);

	ck_assert_int_eq(rp_cli_main(6, argv1, "p", no_usage, flags, keep), 42);
	ck_assert(seen.verbose);
	ck_assert_int_eq(seen.nargs, 4);
	ck_assert_str_eq(seen.args[0], "job");
	ck_assert_str_eq(seen.args[1], "--");
	ck_assert_str_eq(seen.args[3], "-v");
	ck_assert(!seen.after_dashdash);
	/* "--" before the first operand: no NAME came before it. */
	ck_assert_int_eq(rp_cli_main(5, argv2, "p", no_usage, flags, keep), 42);
	ck_assert(seen.quiet);
	ck_assert_int_eq(seen.nargs, 2);
	ck_assert_str_eq(seen.args[1], "-x");
	ck_assert(seen.after_dashdash);
	/* A "--" that is an option's value is not the end of the options. */
	ck_assert_int_eq(rp_cli_main(4, argv5, "p", no_usage, flags, keep), 42);
	ck_assert_str_eq(seen.config, "--");
	ck_assert_int_eq(seen.nargs, 1);
	ck_assert(!seen.after_dashdash);
	ck_assert_int_eq(rp_cli_main(3, argv3, "p", no_usage, flags, keep), RP_EXIT_USAGE);
	/* Without RP_CLI_OPERANDS, an operand is still refused. */
	ck_assert_int_eq(rp_cli_main(2, argv4, "p", no_usage, 0, keep), RP_EXIT_USAGE);
	unargs(argv1);
	unargs(argv2);
	unargs(argv3);
	unargs(argv4);
	unargs(argv5);
}
END_TEST

/* Options after the name and before "--" are read as if before it. */
START_TEST(hoist)
{
	static const char *const a1[] = {"p", "-f", "x.cfg", "job", "-q", "--now", "T", "fail",
	    "-v", "--", "cmd", "-q", NULL};
	static const char *const a2[] = {"p", "job", "3", NULL};
	static const char *const a3[] = {"p", "-q", "--", "job", "-v", NULL};
	static const char *const a4[] = {"p", "job", "-fy.cfg", "--now=T", NULL};
	char **v1 = args(a1), **v2 = args(a2), **v3 = args(a3), **v4 = args(a4);
	const char *const want1[] = {"p", "-f", "x.cfg", "-q", "--now", "T", "-v", "job", "fail",
	    "--", "cmd", "-q"};
	const char *const want4[] = {"p", "-fy.cfg", "--now=T", "job"};
	size_t i;

	rp_cli_hoist_options(12, v1);
	for (i = 0; i < 12; i++)
		ck_assert_str_eq(v1[i], want1[i]);
	rp_cli_hoist_options(3, v2);
	ck_assert_str_eq(v2[1], "job");
	ck_assert_str_eq(v2[2], "3");
	rp_cli_hoist_options(5, v3);
	ck_assert_str_eq(v3[3], "job");
	ck_assert_str_eq(v3[4], "-v");
	rp_cli_hoist_options(4, v4);
	for (i = 0; i < 4; i++)
		ck_assert_str_eq(v4[i], want4[i]);
	unargs(v1);
	unargs(v2);
	unargs(v3);
	unargs(v4);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, operands);
	tcase_add_test(tc, hoist);
	tcase_add_test(tc, cli);
	tcase_add_test(tc, legacy_args);
	tcase_add_test(tc, close_stdout_full);
	tcase_add_test(tc, close_stdout_ok);
}
