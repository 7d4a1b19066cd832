#define UNIT_NAME "cli"
#include <string.h>

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

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, cli);
}
