#define UNIT_NAME "silence"
#include <string.h>

#include "silence.h"
#include "unit.h"

static const struct rp_silence_cand cands[] = {
	{"orders_a", "batchy"}, {"orders_b", "batchy"}, {"nightly_backup", "batchy"},
	{"vendor_mail", "email"}, {"9am_report", "batchy"}, {"gone_check", NULL},
};
#define NC (sizeof(cands) / sizeof(cands[0]))

/* The names sel picks, space separated ("" for none), or the error. */
static const char *
picked(char **names, size_t nnames, char **types, size_t ntypes, int all)
{
	static char buf[512];
	struct rp_silence_sel sel = {names, nnames, types, ntypes, all};
	unsigned char pick[NC] = {0};
	struct rp_err err;
	size_t i;

	if (rp_silence_select(cands, NC, &sel, pick, &err) != 0) {
		ck_assert_int_eq(err.code, RP_EXIT_USAGE);
		snprintf(buf, sizeof(buf), "error: %s", err.msg);
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < NC; i++) {
		if (!pick[i])
			continue;
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "%s%s%s", n ? " " : "", cands[i].name,
		    pick[i] & RP_PICKED_BY_NAME ? "!" : "");
	}
	return buf;
}

START_TEST(select)
{
	char p1[] = "orders_*", n1[] = "nightly_backup", p2[] = "nomatch_*", n2[] = "nosuch";
	char q[] = "\\9am_report", t1[] = "email", t2[] = "pigeon", br[] = "orders_[b]";
	char *a[] = {p1, n1}, *b[] = {p1, p2}, *c[] = {n2}, *d[] = {q}, *e[] = {br};
	char *te[] = {t1}, *tp[] = {t2};

	ck_assert_str_eq(picked(a, 2, NULL, 0, 0), "orders_a orders_b nightly_backup!");
	ck_assert_str_eq(picked(b, 2, NULL, 0, 0), "error: \"nomatch_*\" matches no check");
	ck_assert_str_eq(picked(c, 1, NULL, 0, 0), "error: no check named \"nosuch\"");
	ck_assert_str_eq(picked(d, 1, NULL, 0, 0), "9am_report");
	ck_assert_str_eq(picked(e, 1, NULL, 0, 0), "orders_b");
	ck_assert_str_eq(picked(NULL, 0, te, 1, 0), "vendor_mail");
	ck_assert_str_eq(picked(NULL, 0, tp, 1, 0),
	    "error: no check of type \"pigeon\" (here: batchy, email)");
	ck_assert_str_eq(picked(NULL, 0, NULL, 0, 1),
	    "orders_a orders_b nightly_backup vendor_mail 9am_report gone_check");
	/* Names and a type together: the union, each check once. */
	ck_assert_str_eq(picked(a, 2, te, 1, 0), "orders_a orders_b nightly_backup! vendor_mail");
}
END_TEST

static const char *
escaped(const char *s)
{
	static char out[256];
	struct rp_buf b = {0};

	rp_silence_escape(&b, s);
	rp_strlcpy(out, b.data ? b.data : "", sizeof(out));
	rp_buf_free(&b);
	return out;
}

START_TEST(escape)
{
	ck_assert_str_eq(escaped("deploy of the orders pipeline"), "deploy of the orders pipeline");
	ck_assert_str_eq(escaped("red \x1b[31malert\nforged\r\tline"),
	    "red \\x1b[31malert\\nforged\\r\\tline");
	ck_assert_str_eq(escaped("a\\b \x7f"), "a\\\\b \\x7f");
	/* C1 controls (CSI as U+009B) escaped; other UTF-8 kept; bad bytes
	 * replaced. */
	ck_assert_str_eq(escaped("\xc2\x9b" "31m caf\xc3\xa9 \xff"), "\\u009b31m caf\xc3\xa9 \xef\xbf\xbd");
	ck_assert_str_eq(escaped(""), "");
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, select);
	tcase_add_test(tc, escape);
}
