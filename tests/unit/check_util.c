#define UNIT_NAME "util"
#include <string.h>

#include "util.h"
#include "unit.h"

START_TEST(numbers)
{
	long v;

	ck_assert_int_eq(rp_parse_long("42", 0, 100, &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(rp_parse_long("-7", -10, 10, &v), 0);
	ck_assert_int_eq(v, -7);
	ck_assert_int_eq(rp_parse_long("101", 0, 100, &v), -1);
	ck_assert_int_eq(rp_parse_long("4 2", 0, 100, &v), -1);
	ck_assert_int_eq(rp_parse_long(" 42", 0, 100, &v), -1);
	ck_assert_int_eq(rp_parse_long("42 ", 0, 100, &v), -1);
	ck_assert_int_eq(rp_parse_long("", 0, 100, &v), -1);
	ck_assert_int_eq(rp_parse_long("0x10", 0, 100, &v), -1);
	ck_assert_int_eq(rp_parse_long("99999999999999999999999", 0, 100, &v), -1);
	ck_assert_int_eq(rp_parse_long(NULL, 0, 100, &v), -1);
}
END_TEST

START_TEST(errors)
{
	struct rp_err err;
	char big[400];

	ck_assert_int_eq(rp_err_set(&err, RP_EXIT_CONFIG, "x: %d", 5), -1);
	ck_assert_int_eq(err.code, 78);
	ck_assert_str_eq(err.msg, "x: 5");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rp_err_set(&err, 1, "%s", big);
	ck_assert_uint_eq(strlen(err.msg), sizeof(err.msg) - 1);
	ck_assert_str_eq(err.msg + sizeof(err.msg) - 4, "...");
	ck_assert_int_eq(rp_err_set(NULL, 1, "ignored"), -1);
}
END_TEST

START_TEST(buffers)
{
	struct rp_buf b = {0};
	char small[4];

	for (int i = 0; i < 1000; i++)
		rp_buf_printf(&b, "%d,", i);
	ck_assert_uint_eq(b.len, strlen(b.data));
	ck_assert_int_eq(strncmp(b.data, "0,1,2,", 6), 0);
	rp_buf_free(&b);
	rp_buf_json_str(&b, "a\"b\\c\n\t\x01\x7f\xc3\xa9\xff\xed\xa0\x80z");
	ck_assert_str_eq(b.data, "a\\\"b\\\\c\\u000a\\u0009\\u0001\\u007f\xc3\xa9\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
	rp_buf_free(&b);
	rp_buf_utf8(&b, "ok \xc3\xa9 \xc3");
	ck_assert_str_eq(b.data, "ok \xc3\xa9 \xef\xbf\xbd");
	rp_buf_free(&b);
	ck_assert_int_eq(rp_strlcpy(small, "abc", sizeof(small)), 0);
	ck_assert_int_eq(rp_strlcpy(small, "abcd", sizeof(small)), -1);
	ck_assert_str_eq(small, "abc");
}
END_TEST

START_TEST(strings)
{
	char *s = rp_xasprintf("%s-%d", "a", 7);

	ck_assert_str_eq(s, "a-7");
	free(s);
	s = rp_xstrndup("abcdef", 3);
	ck_assert_str_eq(s, "abc");
	rp_free_secret(s);
	rp_free_secret(NULL);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, buffers);
	tcase_add_test(tc, strings);
}
