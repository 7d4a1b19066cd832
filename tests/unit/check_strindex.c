#define UNIT_NAME "strindex"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strindex.h"
#include "unit.h"

START_TEST(empty)
{
	struct rp_strindex x = {0};
	size_t first, count;

	rp_strindex_sort(&x);
	ck_assert_int_eq(rp_strindex_find(&x, "a"), -1);
	rp_strindex_each(&x, "a", &first, &count);
	ck_assert_uint_eq(count, 0);
	rp_strindex_free(&x);
}
END_TEST

START_TEST(finds_smallest_position)
{
	struct rp_strindex x = {0};
	const char *keys[] = {"trigger b/1", "trigger a/1", "resolve a/1", "trigger a/1", NULL,
	    "slack:t trigger a/1"};
	size_t i, first, count;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		rp_strindex_add(&x, keys[i], i);
	rp_strindex_sort(&x);
	ck_assert_uint_eq(x.n, 5); /* NULL skipped */
	ck_assert_int_eq(rp_strindex_find(&x, "trigger a/1"), 1);
	ck_assert_int_eq(rp_strindex_find(&x, "trigger b/1"), 0);
	ck_assert_int_eq(rp_strindex_find(&x, "slack:t trigger a/1"), 5);
	ck_assert_int_eq(rp_strindex_find(&x, "trigger a/"), -1);
	ck_assert_int_eq(rp_strindex_find(&x, "trigger a/10"), -1);
	ck_assert_int_eq(rp_strindex_find(&x, ""), -1);
	rp_strindex_each(&x, "trigger a/1", &first, &count);
	ck_assert_uint_eq(count, 2);
	ck_assert_uint_eq(x.v[first].pos, 1);
	ck_assert_uint_eq(x.v[first + 1].pos, 3);
	rp_strindex_free(&x);
	ck_assert_ptr_null(x.v);
}
END_TEST

/* Many keys, added in reverse, each twice: every lookup finds the first. */
START_TEST(many)
{
	enum { N = 5000 };
	struct rp_strindex x = {0};
	char (*k)[32] = calloc(N, sizeof(*k));
	size_t i, first, count;

	for (i = 0; i < N; i++)
		snprintf(k[i], sizeof(k[i]), "trigger c%zu/overdue", i % (N / 2));
	for (i = N; i-- > 0;)
		rp_strindex_add(&x, k[i], i);
	rp_strindex_sort(&x);
	for (i = 0; i < N / 2; i++) {
		ck_assert_int_eq(rp_strindex_find(&x, k[i]), (long)i);
		rp_strindex_each(&x, k[i], &first, &count);
		ck_assert_uint_eq(count, 2);
		ck_assert_uint_eq(x.v[first + 1].pos, i + N / 2);
	}
	rp_strindex_free(&x);
	free(k);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, empty);
	tcase_add_test(tc, finds_smallest_position);
	tcase_add_test(tc, many);
}
