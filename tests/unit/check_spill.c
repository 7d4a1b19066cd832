#define UNIT_NAME "spill"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spill.h"
#include "store_test.h"
#include "testutil.h"
#include "unit.h"

static const char good[] =
    "robopager unrecorded triggers 1\n"
    "store 127.0.0.1:6379/1 rp\n"
    "1796000000\torders\torders/failed@2026-12-10T14:00:00Z\n"
    "1796000060\trobopager-heartbeat/vm\trobopager-heartbeat/vm\n"
    "end\n";

static int
parse(const char *text, struct rp_spill *sp)
{
	return rp_spill_parse(text, strlen(text), sp);
}

/* Only a whole, well-formed file parses: every cut, a line without its
 * tab, anything after the end, a NUL. */
START_TEST(parse_strict)
{
	struct rp_spill sp;
	char bad[sizeof(good) + 8];
	size_t n = strlen(good), i;

	ck_assert_int_eq(rp_spill_parse(good, n, &sp), 0);
	ck_assert_str_eq(sp.store, "127.0.0.1:6379/1 rp");
	ck_assert_uint_eq(sp.n, 2);
	ck_assert_int_eq((long)sp.v[0].now, 1796000000L);
	ck_assert_int_eq((long)sp.v[1].now, 1796000060L);
	ck_assert_str_eq(sp.v[0].name, "orders");
	ck_assert_str_eq(sp.v[0].dedup_key, "orders/failed@2026-12-10T14:00:00Z");
	ck_assert_str_eq(sp.v[1].name, "robopager-heartbeat/vm");
	rp_spill_free(&sp);
	for (i = 0; i < n; i++)
		ck_assert_msg(rp_spill_parse(good, i, &sp) != 0, "cut at %zu parsed", i);
	snprintf(bad, sizeof(bad), "%sx", good);
	ck_assert_int_ne(rp_spill_parse(bad, strlen(bad), &sp), 0);
	memcpy(bad, good, n);
	bad[strlen(good) - 20] = '\0';
	ck_assert_int_ne(rp_spill_parse(bad, n, &sp), 0);
	ck_assert_int_ne(parse("robopager unrecorded triggers 1\nstore s\n0\ta\tb\nend\n", &sp), 0);
	ck_assert_int_ne(parse("robopager unrecorded triggers 1\nstore s\n5\ta b\nend\n", &sp), 0);
	ck_assert_int_ne(parse("robopager unrecorded triggers 1\nstore s\n5\ta\tb\tc\nend\n", &sp),
	    0);
	ck_assert_int_ne(parse("robopager unrecorded triggers 1\nstore s\n5x\ta\tb\nend\n", &sp), 0);
	ck_assert_int_eq(parse("robopager unrecorded triggers 1\nstore s\nend\n", &sp), 0);
	ck_assert_uint_eq(sp.n, 0);
	rp_spill_free(&sp);
}
END_TEST

static char dir[64];

static int
files(const char *pattern)
{
	char cmd[160];
	int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s | grep -c '%s'", dir, pattern);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/* Written for one store, recorded by a run of that store only, into the
 * records as a late record would (open incident, delivered), then gone. */
START_TEST(write_then_merge)
{
	const char *prefix = fresh_prefix("spill");
	struct rp_store *s = open_store(prefix);
	struct rp_sent v[3] = {{"s1", "s1/failed@x"}, {"s\t2", "s2/k"}, {"s3", "s3/late@y"}};
	struct rp_load l;
	char why[512] = "", id[128];
	const char *d = tmpdir_make(dir);

	snprintf(id, sizeof(id), "127.0.0.1:1/2 %s", prefix);
	ck_assert_msg(rp_spill_write(d, id, 1796000000, v, 3, why, sizeof(why)) == 0, "%s", why);
	ck_assert_int_eq(files("^unrecorded-.*\\.spill$"), 1);
	/* Another store's run leaves it alone. */
	ck_assert_int_eq(rp_spill_merge(d, "127.0.0.1:2/2 other", s, NULL, why, sizeof(why)), 0);
	ck_assert_int_eq(files("^unrecorded-"), 1);
	/* Its own records both it can write (the one with a tab is not kept). */
	ck_assert_int_eq(rp_spill_merge(d, id, s, NULL, why, sizeof(why)), 2);
	ck_assert_int_eq(files("^unrecorded-"), 0);
	load1(s, &l, "s1", 60, 1, 1796000060, 1);
	ck_assert_str_eq(l.st.open_key, "s1/failed@x");
	ck_assert_int_eq(l.st.open_sent, 1);
	ck_assert_int_eq((long)l.st.episode_start, 1796000000L);
	rp_state_clear(&l.st);
	load1(s, &l, "s3", 60, 1, 1796000060, 1);
	ck_assert_str_eq(l.st.open_key, "s3/late@y");
	rp_state_clear(&l.st);
	/* Nothing left: nothing recorded again. */
	ck_assert_int_eq(rp_spill_merge(d, id, s, NULL, why, sizeof(why)), 0);
	rp_store_close(s);
	tmpdir_remove(dir);
}
END_TEST

/* A store's earlier files are folded into the new one (a trigger kept
 * twice once, with its first time); another store's are left alone. */
START_TEST(folded)
{
	struct rp_sent a[2] = {{"s1", "s1/k"}, {"s2", "s2/k"}}, b[2] = {{"s2", "s2/k"}, {"s3", "s3/k"}};
	struct rp_spill sp;
	char why[512] = "", cmd[160], path[128];
	const char *d = tmpdir_make(dir);
	FILE *p;
	char *text;
	size_t len;

	ck_assert_int_eq(rp_spill_write(d, "one", 100, a, 2, why, sizeof(why)), 0);
	ck_assert_int_eq(rp_spill_write(d, "two", 150, a, 1, why, sizeof(why)), 0);
	ck_assert_int_eq(rp_spill_write(d, "one", 200, b, 2, why, sizeof(why)), 0);
	ck_assert_int_eq(files("^unrecorded-"), 2);
	snprintf(cmd, sizeof(cmd), "grep -l '^store one$' %s/unrecorded-*", d);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(path, sizeof(path), p));
	pclose(p);
	path[strcspn(path, "\n")] = '\0';
	{
		FILE *f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		text = calloc(1, 4096);
		len = fread(text, 1, 4095, f);
		fclose(f);
	}
	ck_assert_int_eq(rp_spill_parse(text, len, &sp), 0);
	ck_assert_uint_eq(sp.n, 3);
	ck_assert_str_eq(sp.v[0].name, "s1");
	ck_assert_int_eq((long)sp.v[0].now, 100L);
	ck_assert_str_eq(sp.v[1].name, "s2");
	ck_assert_int_eq((long)sp.v[1].now, 100L);
	ck_assert_str_eq(sp.v[2].name, "s3");
	ck_assert_int_eq((long)sp.v[2].now, 200L);
	rp_spill_free(&sp);
	free(text);
	tmpdir_remove(dir);
}
END_TEST

/* A directory others can write is refused; a damaged file is set aside
 * once, said, and never read again. */
START_TEST(refused_and_damaged)
{
	struct rp_store *s = open_store(fresh_prefix("spill2"));
	struct rp_sent v[1] = {{"s1", "s1/k"}};
	char why[512] = "", path[128];
	const char *d = tmpdir_make(dir);
	int fd;

	ck_assert_int_eq(chmod(d, 0770), 0);
	ck_assert_int_ne(rp_spill_write(d, "id", 1, v, 1, why, sizeof(why)), 0);
	ck_assert_msg(strstr(why, "its group") != NULL, "%s", why);
	ck_assert_int_ne(rp_spill_write(NULL, "id", 1, v, 1, why, sizeof(why)), 0);
	ck_assert_int_eq(chmod(d, 0700), 0);
	snprintf(path, sizeof(path), "%s/unrecorded-1-1.spill", d);
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT, 0600), 0);
	ck_assert_int_eq(write(fd, "robopager unrecorded triggers 1\nstore id\n", 41), 41);
	close(fd);
	ck_assert_int_eq(rp_spill_merge(d, "id", s, NULL, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "damaged") != NULL, "%s", why);
	ck_assert_int_eq(files("\\.damaged$"), 1);
	ck_assert_int_eq(rp_spill_merge(d, "id", s, NULL, why, sizeof(why)), 0);
	ck_assert_int_eq(rp_spill_merge(NULL, "id", s, NULL, why, sizeof(why)), 0);
	rp_store_close(s);
	tmpdir_remove(dir);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, parse_strict);
	tcase_add_test(tc, write_then_merge);
	tcase_add_test(tc, refused_and_damaged);
	tcase_add_test(tc, folded);
}
