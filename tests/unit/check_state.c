#define UNIT_NAME "state"
#include <string.h>

#include "store_test.h"
#include "unit.h"

START_TEST(status_names)
{
	enum rp_status s;

	ck_assert_str_eq(rp_status_name(RP_CRITICAL), "CRITICAL");
	ck_assert_int_eq(rp_status_parse("WARNING", &s), 0);
	ck_assert_int_eq(s, RP_WARNING);
	ck_assert_int_eq(rp_status_parse("warning", &s), -1);
}
END_TEST

START_TEST(silences)
{
	struct rp_store *s = open_store("unit4");
	struct rp_silence si = {0}, *v;
	struct rp_load l;
	struct rp_err err;
	size_t n;
	static char name[] = "c4", reason[] = "deploy", by[] = "me@host";

	si.name = name;
	si.until = 20000;
	si.set_at = 10000;
	si.reason = reason;
	si.by = by;
	ck_assert_msg(rp_store_silence_set(s, &si, 60, &err) == 0, "%s", err.msg);
	load1(s, &l, "c4", 60, 1, 15000, 0);
	ck_assert_int_eq(l.silenced_until, 20000);
	rp_load_clear(&l);
	ck_assert_int_eq(rp_store_silence_list(s, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].name, "c4");
	ck_assert_str_eq(v[0].reason, "deploy");
	ck_assert_str_eq(v[0].by, "me@host");
	ck_assert_int_eq(v[0].until, 20000);
	rp_silences_free(v, n);
	ck_assert_int_eq(rp_store_silence_clear(s, "c4", &err), 0);
	ck_assert_int_eq(rp_store_silence_clear(s, "c4", &err), 1);
	load1(s, &l, "c4", 60, 1, 15000, 0);
	ck_assert_int_eq(l.silenced_until, 0);
	rp_load_clear(&l);
	rp_store_close(s);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, silences);
	tcase_add_test(tc, status_names);
}
