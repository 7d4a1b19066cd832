#define UNIT_NAME "state_redis"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scripted.h"
#include "store_test.h"
#include "unit.h"

static void
silence(struct rp_store *s, const char *name, const char *reason, const char *by, time_t until,
    long ttl)
{
	struct rp_silence si;
	struct rp_err err;
	char n[64], r[64], b[64];

	snprintf(n, sizeof(n), "%s", name);
	snprintf(r, sizeof(r), "%s", reason ? reason : "");
	snprintf(b, sizeof(b), "%s", by ? by : "");
	memset(&si, 0, sizeof(si));
	si.name = n;
	si.until = until;
	si.set_at = until - 3600;
	si.reason = reason ? r : NULL;
	si.by = by ? b : NULL;
	ck_assert_msg(rp_store_silence_set(s, &si, ttl, &err) == 0, "%s", err.msg);
}

START_TEST(silences)
{
	struct rp_store *s = open_store(fresh_prefix("sil1"));
	struct rp_silence *v;
	struct rp_load l;
	struct rp_err err;
	size_t n;

	silence(s, "c4", "deploy", "me@host", 20000, 60);
	/* The read of checks sees it. */
	load1(s, &l, "c4", 60, 1, 15000, 0);
	ck_assert_int_eq(l.silenced_until, 20000);
	rp_load_clear(&l);
	ck_assert_int_eq(rp_store_silence_list(s, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].name, "c4");
	ck_assert_str_eq(v[0].reason, "deploy");
	ck_assert_str_eq(v[0].by, "me@host");
	ck_assert_int_eq(v[0].until, 20000);
	ck_assert_int_eq(v[0].set_at, 16400);
	rp_silences_free(v, n);
	/* Cleared: 0; again, none was there: 1. */
	ck_assert_int_eq(rp_store_silence_clear(s, "c4", &err), 0);
	ck_assert_int_eq(rp_store_silence_clear(s, "c4", &err), 1);
	ck_assert_int_eq(rp_store_silence_clear(s, "never-set", &err), 1);
	load1(s, &l, "c4", 60, 1, 15000, 0);
	ck_assert_int_eq(l.silenced_until, 0);
	rp_load_clear(&l);
	ck_assert_int_eq(rp_store_silence_list(s, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	rp_silences_free(v, n);
	rp_store_close(s);
}
END_TEST

/* A silence set again replaces the earlier one whole: a field the new one
 * lacks is gone, and the key's TTL is the new one's. */
START_TEST(set_replaces)
{
	const char *prefix = fresh_prefix("sil2");
	struct rp_store *s = open_store(prefix);
	struct rp_silence *v;
	struct rp_err err;
	redisReply *r;
	size_t n;

	silence(s, "c", "deploy", "me@host", 20000, 3600);
	silence(s, "c", "longer", NULL, 30000, 100);
	ck_assert_int_eq(rp_store_silence_list(s, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].reason, "longer");
	ck_assert_ptr_null(v[0].by);
	ck_assert_int_eq(v[0].until, 30000);
	rp_silences_free(v, n);
	r = redis_cmd("TTL %s:silence:c", prefix);
	ck_assert_int_eq(r->type, REDIS_REPLY_INTEGER);
	ck_assert_int_ge(r->integer, 98);
	ck_assert_int_le(r->integer, 100);
	freeReplyObject(r);
	rp_store_close(s);
}
END_TEST

/* Every silence, sorted by name, in one round trip however many. */
START_TEST(list_one_round_trip)
{
	struct rp_store *s = open_store(fresh_prefix("sil3"));
	struct rp_silence *v;
	struct rp_err err;
	size_t n;
	long before;

	silence(s, "zeta", "z", NULL, 20000, 60);
	silence(s, "alpha", NULL, "a@host", 21000, 60);
	silence(s, "mid", "m", "m@host", 22000, 60);
	before = rp_store_round_trips(s);
	ck_assert_int_eq(rp_store_silence_list(s, &v, &n, &err), 0);
	ck_assert_int_eq(rp_store_round_trips(s), before + 1);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0].name, "alpha");
	ck_assert_ptr_null(v[0].reason);
	ck_assert_str_eq(v[0].by, "a@host");
	ck_assert_int_eq(v[0].until, 21000);
	ck_assert_str_eq(v[1].name, "mid");
	ck_assert_str_eq(v[1].reason, "m");
	ck_assert_int_eq(v[1].until, 22000);
	ck_assert_str_eq(v[2].name, "zeta");
	ck_assert_ptr_null(v[2].by);
	ck_assert_int_eq(v[2].until, 20000);
	rp_silences_free(v, n);
	rp_store_close(s);
}
END_TEST

/* Another prefix's silences are not ours. */
START_TEST(list_own_prefix)
{
	struct rp_store *a = open_store(fresh_prefix("sil4")), *b = open_store(fresh_prefix("sil4x"));
	struct rp_silence *v;
	struct rp_err err;
	size_t n;

	silence(a, "mine", "r", NULL, 20000, 60);
	silence(b, "theirs", "r", NULL, 20000, 60);
	ck_assert_int_eq(rp_store_silence_list(a, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].name, "mine");
	rp_silences_free(v, n);
	rp_store_close(a);
	rp_store_close(b);
}
END_TEST

/* A silence ends by itself: its key expires with the TTL given. */
START_TEST(expiry)
{
	struct rp_store *s = open_store(fresh_prefix("sil5"));
	struct timespec pause = {1, 200 * 1000000L};
	struct rp_silence *v;
	struct rp_load l;
	struct rp_err err;
	size_t n;

	silence(s, "brief", "r", NULL, 20000, 1);
	silence(s, "stays", "r", NULL, 20000, 60);
	ck_assert_int_eq(rp_store_silence_list(s, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	rp_silences_free(v, n);
	nanosleep(&pause, NULL);
	ck_assert_int_eq(rp_store_silence_list(s, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].name, "stays");
	rp_silences_free(v, n);
	load1(s, &l, "brief", 60, 1, 15000, 0);
	ck_assert_int_eq(l.silenced_until, 0);
	rp_load_clear(&l);
	ck_assert_int_eq(rp_store_silence_clear(s, "brief", &err), 1);
	rp_store_close(s);
}
END_TEST

/* rp_store_runs reads back what rp_store_commit wrote in its run record,
 * all programs in one round trip; a program that never ran reads as
 * zeros. */
START_TEST(run_records)
{
	static const char *const programs[] = {"rp-latency-check", "rp-email-check",
	    "rp-heartbeat"};
	struct rp_store *s = open_store(fresh_prefix("run1"));
	struct rp_run_rec run = {0};
	struct rp_run_info info[3];
	struct rp_check_state st = {0};
	struct rp_commit c;
	struct rp_err err;
	long before;

	st.known = 1;
	st.last_eval = 1000;
	memset(&c, 0, sizeof(c));
	c.name = "c";
	c.write = 1;
	c.st = &st;
	run.program = "rp-latency-check";
	run.host = "host1.example";
	run.start = 1795000000;
	run.end = 1795000004;
	run.exit_status = 2;
	run.evaluated = 3;
	ck_assert_msg(rp_store_commit(s, &c, 1, &run, NULL, &err) == 0, "%s", err.msg);
	run.program = "rp-heartbeat";
	run.host = "host2.example";
	run.exit_status = 0;
	run.evaluated = 0;
	ck_assert_msg(rp_store_commit(s, NULL, 0, &run, NULL, &err) == 0, "%s", err.msg);
	memset(info, 0x5a, sizeof(info));
	before = rp_store_round_trips(s);
	ck_assert_msg(rp_store_runs(s, programs, 3, info, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rp_store_round_trips(s), before + 1);
	ck_assert_int_eq(info[0].start, 1795000000);
	ck_assert_int_eq(info[0].end, 1795000004);
	ck_assert_int_eq(info[0].exit_status, 2);
	ck_assert_int_eq(info[0].evaluated, 3);
	ck_assert_str_eq(info[0].host, "host1.example");
	ck_assert_int_eq(info[1].start, 0);
	ck_assert_int_eq(info[1].end, 0);
	ck_assert_int_eq(info[1].exit_status, 0);
	ck_assert_int_eq(info[1].evaluated, 0);
	ck_assert_str_eq(info[1].host, "");
	ck_assert_str_eq(info[2].host, "host2.example");
	ck_assert_int_eq(info[2].exit_status, 0);
	ck_assert_int_eq(info[2].end, 1795000004);
	rp_store_close(s);
}
END_TEST

/* AUTH and SELECT ride with rp_store_silence_clear's DEL: one round trip.
 * Once they went alone, and the DEL in a second one. */
START_TEST(clear_one_round_trip)
{
	static const char *const script[] = {"+OK\r\n+OK\r\n:1\r\n"};
	struct scripted sc;
	struct rp_store *s;
	struct rp_err err;

	scripted_start(&sc, script, 1, 0);
	s = rp_store_open("127.0.0.1", sc.port, "pw", 3, "p", 2000, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_int_eq(rp_store_silence_clear(s, "c", &err), 0);
	ck_assert_int_eq(rp_store_round_trips(s), 1);
	rp_store_close(s);
	scripted_stop(&sc);
	ck_assert_uint_eq(sc.nreads, 1);
	ck_assert_str_eq(sc.reads[0], "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"
	    "*2\r\n$3\r\nDEL\r\n$11\r\np:silence:c\r\n");
	scripted_free(&sc);
}
END_TEST

/* A server that does not answer in time is said so, with its address, by
 * rp_store_silence_set and rp_store_runs as by every store command (once
 * they said "Resource temporarily unavailable"). */
START_TEST(timeout_words)
{
	static const char *const programs[] = {"x"};
	struct rp_run_info info;
	struct rp_silence si;
	struct rp_store *s;
	struct rp_err err;
	int port, fd = listen_loopback(&port);
	char want[128];
	static char name[] = "c";

	snprintf(want, sizeof(want), "redis at 127.0.0.1:%d: ", port);
	s = rp_store_open("127.0.0.1", port, NULL, 0, "to", 300, &err);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(rp_store_runs(s, programs, 1, &info, &err), -1);
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "no answer within 300 ms") != NULL, "%s", err.msg);
	rp_store_close(s);
	s = rp_store_open("127.0.0.1", port, NULL, 0, "to", 300, &err);
	ck_assert_ptr_nonnull(s);
	memset(&si, 0, sizeof(si));
	si.name = name;
	si.until = 2000;
	ck_assert_int_eq(rp_store_silence_set(s, &si, 60, &err), -1);
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "no answer within 300 ms") != NULL, "%s", err.msg);
	rp_store_close(s);
	close(fd);
}
END_TEST

/* The silences of a prefix holding glob characters ([, ], *, ?, \\) are its
 * own: the SCAN pattern escapes them (once "g[1]" listed "g1"'s). */
START_TEST(list_glob_prefix)
{
	char glob[64], plain[64];
	struct rp_store *a, *b;
	struct rp_silence *v;
	struct rp_err err;
	size_t n;

	snprintf(glob, sizeof(glob), "g[1]-%ld", (long)getpid());
	snprintf(plain, sizeof(plain), "g1-%ld", (long)getpid());
	a = open_store(glob);
	b = open_store(plain);
	silence(a, "mine", "r", NULL, 20000, 60);
	silence(b, "theirs", "r", NULL, 20000, 60);
	ck_assert_int_eq(rp_store_silence_list(a, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].name, "mine");
	rp_silences_free(v, n);
	rp_store_close(a);
	rp_store_close(b);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, silences);
	tcase_add_test(tc, set_replaces);
	tcase_add_test(tc, list_one_round_trip);
	tcase_add_test(tc, list_own_prefix);
	tcase_add_test(tc, expiry);
	tcase_add_test(tc, run_records);
	tcase_add_test(tc, clear_one_round_trip);
	tcase_add_test(tc, timeout_words);
	tcase_add_test(tc, list_glob_prefix);
}
