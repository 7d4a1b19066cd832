#define UNIT_NAME "store_ping"
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ping.h"
#include "store_ping.h"
#include "store_test.h"
#include "unit.h"

/* A plain connection to the test database, to look behind the store. */
static redisContext *
raw(void)
{
	redisContext *c = redisConnect("127.0.0.1", test_port("RP_TEST_REDIS_PORT"));
	redisReply *r;

	ck_assert(c != NULL && c->err == 0);
	r = redisCommand(c, "SELECT 2");
	ck_assert(r != NULL && r->type == REDIS_REPLY_STATUS);
	freeReplyObject(r);
	return c;
}

/* A store on a prefix of its own, emptied first (the test server outlives
 * one run of the tests). */
static struct rp_store *
fresh_store(const char *prefix)
{
	redisContext *c = raw();
	redisReply *keys = redisCommand(c, "KEYS %s:*", prefix);
	size_t i;

	ck_assert(keys != NULL && keys->type == REDIS_REPLY_ARRAY);
	for (i = 0; i < keys->elements; i++)
		freeReplyObject(redisCommand(c, "DEL %s", keys->element[i]->str));
	freeReplyObject(keys);
	redisFree(c);
	return open_store(prefix);
}

static time_t
ping_at(struct rp_store *s, const char *name, enum rp_ping_kind kind, int status, int sig,
    long duration, const char *tail, time_t now)
{
	struct rp_ping p = {kind, status, sig, duration, tail};
	struct rp_err err;
	time_t at = 0;

	ck_assert_msg(rp_store_ping(s, name, &p, &now, &at, &err) == 0, "%s", err.msg);
	return at;
}

static void
read1(struct rp_store *s, const char *name, struct rp_ping_rec *r)
{
	struct rp_err err;

	ck_assert_msg(rp_store_ping_read(s, &name, 1, r, &err) == 0, "%s", err.msg);
}

START_TEST(records)
{
	struct rp_store *s = fresh_store("sp1");
	struct rp_ping_rec r;

	read1(s, "job", &r);
	ck_assert_int_eq(r.known, 0);
	ck_assert_int_eq(r.duration, -1);
	ck_assert_int_eq(ping_at(s, "job", RP_PING_START, 0, 0, -1, NULL, 1000), 1000);
	read1(s, "job", &r);
	ck_assert_int_eq(r.known, 1);
	ck_assert_int_eq(r.start, 1000);
	ck_assert_int_eq(r.success, 0);
	ck_assert_int_eq(r.fail, 0);
	ck_assert_int_eq(r.duration, -1);
	ck_assert_ptr_null(r.tail);
	ck_assert(rp_ping_running(&r));
	rp_ping_rec_clear(&r);
	/* The end of a wrapped run: its start, duration and tail. */
	ping_at(s, "job", RP_PING_SUCCESS, 0, 0, 100, "line 1\nline 2", 1100);
	read1(s, "job", &r);
	ck_assert_int_eq(r.start, 1000);
	ck_assert_int_eq(r.success, 1100);
	ck_assert_int_eq(r.success_start, 1000);
	ck_assert_int_eq(r.duration, 100);
	ck_assert_str_eq(r.tail, "line 1\nline 2");
	ck_assert(!rp_ping_running(&r));
	rp_ping_rec_clear(&r);
	/* A failure with a status; then one killed by a signal. */
	ping_at(s, "job", RP_PING_START, 0, 0, -1, NULL, 1300);
	ping_at(s, "job", RP_PING_FAIL, 3, 0, 50, "boom", 1350);
	read1(s, "job", &r);
	ck_assert_int_eq(r.fail, 1350);
	ck_assert_int_eq(r.fail_start, 1300);
	ck_assert_int_eq(r.fail_status, 3);
	ck_assert_int_eq(r.fail_signal, 0);
	ck_assert_int_eq(r.success, 1100); /* the success stays */
	ck_assert_str_eq(r.tail, "boom");
	rp_ping_rec_clear(&r);
	ping_at(s, "job", RP_PING_START, 0, 0, -1, NULL, 1400);
	read1(s, "job", &r);
	ck_assert(rp_ping_running(&r));
	ck_assert_str_eq(r.tail, "boom"); /* a start leaves the last run's output */
	rp_ping_rec_clear(&r);
	ping_at(s, "job", RP_PING_FAIL, 0, 15, 7, NULL, 1410);
	read1(s, "job", &r);
	ck_assert_int_eq(r.fail_status, 0);
	ck_assert_int_eq(r.fail_signal, 15);
	ck_assert_int_eq(r.fail_start, 1400);
	ck_assert_int_eq(r.duration, 7);
	ck_assert_ptr_null(r.tail); /* the end replaces the tail: it had none */
	rp_ping_rec_clear(&r);
	/* A bare "fail" after a signal: the signal is gone. */
	ping_at(s, "job", RP_PING_FAIL, 0, 0, -1, NULL, 1420);
	read1(s, "job", &r);
	ck_assert_int_eq(r.fail_signal, 0);
	ck_assert_int_eq(r.fail_status, 0);
	ck_assert_int_eq(r.duration, -1);
	rp_ping_rec_clear(&r);
	rp_store_close(s);
}
END_TEST

START_TEST(pairing)
{
	struct rp_store *s = fresh_store("sp2");
	struct rp_ping_rec r;

	/* An end without a start before it: its start is unknown. */
	ping_at(s, "p", RP_PING_SUCCESS, 0, 0, -1, NULL, 500);
	read1(s, "p", &r);
	ck_assert_int_eq(r.success_start, 0);
	rp_ping_rec_clear(&r);
	/* A start, an end: paired; a second end: its start is unknown (the
	 * start was taken). */
	ping_at(s, "p", RP_PING_START, 0, 0, -1, NULL, 600);
	ping_at(s, "p", RP_PING_FAIL, 2, 0, -1, NULL, 650);
	ping_at(s, "p", RP_PING_SUCCESS, 0, 0, -1, NULL, 700);
	read1(s, "p", &r);
	ck_assert_int_eq(r.fail_start, 600);
	ck_assert_int_eq(r.success_start, 0);
	ck_assert(!rp_ping_running(&r));
	rp_ping_rec_clear(&r);
	/* A job of less than a second: start and end in one second pair. */
	ping_at(s, "p", RP_PING_START, 0, 0, -1, NULL, 800);
	ping_at(s, "p", RP_PING_SUCCESS, 0, 0, 0, NULL, 800);
	read1(s, "p", &r);
	ck_assert_int_eq(r.success_start, 800);
	ck_assert(!rp_ping_running(&r));
	rp_ping_rec_clear(&r);
	/* A start in the second of the last end cannot be told from one before
	 * it: it counts as taken (not running, its end's start unknown), never
	 * as a run that is not there. */
	ping_at(s, "p", RP_PING_START, 0, 0, -1, NULL, 800);
	read1(s, "p", &r);
	ck_assert(!rp_ping_running(&r));
	rp_ping_rec_clear(&r);
	ping_at(s, "p", RP_PING_SUCCESS, 0, 0, -1, NULL, 801);
	read1(s, "p", &r);
	ck_assert_int_eq(r.success_start, 0);
	ck_assert(!rp_ping_running(&r));
	rp_ping_rec_clear(&r);
	/* An end on a clock behind the start does not take it. */
	ping_at(s, "p", RP_PING_START, 0, 0, -1, NULL, 900);
	ping_at(s, "p", RP_PING_SUCCESS, 0, 0, -1, NULL, 890);
	read1(s, "p", &r);
	ck_assert_int_eq(r.success_start, 0);
	ck_assert(rp_ping_running(&r)); /* no end after the start yet */
	rp_ping_rec_clear(&r);
	/* Checks do not share records: p's end takes p's start, not q's. */
	ping_at(s, "q", RP_PING_START, 0, 0, -1, NULL, 1000);
	ping_at(s, "p", RP_PING_SUCCESS, 0, 0, -1, NULL, 1001);
	read1(s, "p", &r);
	ck_assert_int_eq(r.success_start, 900);
	rp_ping_rec_clear(&r);
	read1(s, "q", &r);
	ck_assert(rp_ping_running(&r));
	rp_ping_rec_clear(&r);
	/* A success and a failure in one second: which came last is kept. */
	ping_at(s, "p", RP_PING_SUCCESS, 0, 0, -1, NULL, 1100);
	ping_at(s, "p", RP_PING_FAIL, 3, 0, -1, NULL, 1100);
	read1(s, "p", &r);
	ck_assert_int_eq(r.success, r.fail);
	ck_assert_int_eq(r.last_failed, 1);
	rp_ping_rec_clear(&r);
	ping_at(s, "p", RP_PING_SUCCESS, 0, 0, -1, NULL, 1100);
	read1(s, "p", &r);
	ck_assert_int_eq(r.last_failed, 0);
	rp_ping_rec_clear(&r);
	rp_store_close(s);
}
END_TEST

START_TEST(ttl_and_clock)
{
	struct rp_store *s = fresh_store("sp3");
	struct rp_ping p = {RP_PING_START, 0, 0, -1, NULL};
	redisContext *c = raw();
	redisReply *r;
	struct rp_err err;
	time_t at = 0, before = time(NULL);
	long trips = rp_store_round_trips(s);

	/* Without --now, Redis's own TIME. */
	ck_assert_msg(rp_store_ping(s, "t", &p, NULL, &at, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rp_store_round_trips(s), trips + 1);
	ck_assert(at >= before - 2 && at <= time(NULL) + 2);
	r = redisCommand(c, "TTL sp3:ping:t");
	ck_assert(r != NULL && r->type == REDIS_REPLY_INTEGER);
	ck_assert(r->integer > RP_TTL_CHECK - 10 && r->integer <= RP_TTL_CHECK);
	freeReplyObject(r);
	/* Every write sets the TTL again. */
	r = redisCommand(c, "EXPIRE sp3:ping:t 100");
	freeReplyObject(r);
	p.kind = RP_PING_SUCCESS;
	ck_assert(rp_store_ping(s, "t", &p, NULL, &at, &err) == 0);
	r = redisCommand(c, "TTL sp3:ping:t");
	ck_assert(r->integer > RP_TTL_CHECK - 10);
	freeReplyObject(r);
	/* With --now, that time. */
	at = 0;
	ck_assert_int_eq(ping_at(s, "t", RP_PING_START, 0, 0, -1, NULL, 1234567), 1234567);
	redisFree(c);
	rp_store_close(s);
}
END_TEST

START_TEST(read_many)
{
	struct rp_store *s = fresh_store("sp4");
	const char *names[] = {"a", "missing", "b"};
	struct rp_ping_rec r[3];
	struct rp_err err;
	long trips;
	size_t i;

	ping_at(s, "a", RP_PING_START, 0, 0, -1, NULL, 10);
	ping_at(s, "b", RP_PING_FAIL, 9, 0, -1, NULL, 20);
	trips = rp_store_round_trips(s);
	ck_assert(rp_store_ping_read(s, names, 3, r, &err) == 0);
	ck_assert_int_eq(rp_store_round_trips(s), trips + 1);
	ck_assert_int_eq(r[0].known, 1);
	ck_assert_int_eq(r[0].start, 10);
	ck_assert_int_eq(r[1].known, 0);
	ck_assert_int_eq(r[1].duration, -1);
	ck_assert_int_eq(r[2].fail_status, 9);
	for (i = 0; i < 3; i++)
		rp_ping_rec_clear(&r[i]);
	/* Nothing to read: no round trip. */
	ck_assert(rp_store_ping_read(s, names, 0, r, &err) == 0);
	ck_assert_int_eq(rp_store_round_trips(s), trips + 1);
	rp_store_close(s);
}
END_TEST

START_TEST(bad_fields_ignored)
{
	struct rp_store *s = fresh_store("sp5");
	redisContext *c = raw();
	redisReply *r;
	struct rp_ping_rec rec;
	char *big = rp_xmalloc(RP_PING_TAIL_MAX + 2);

	memset(big, 'x', RP_PING_TAIL_MAX + 1);
	big[RP_PING_TAIL_MAX + 1] = '\0';
	r = redisCommand(c, "HSET sp5:ping:bad start abc success -5 success_start 1234 fail 99x "
	    "fail_status 300 fail_signal x duration 12abc zzz 1 tail %s", big);
	ck_assert(r != NULL && r->type == REDIS_REPLY_INTEGER);
	freeReplyObject(r);
	read1(s, "bad", &rec);
	ck_assert_int_eq(rec.known, 1);
	ck_assert_int_eq(rec.start, 0);
	ck_assert_int_eq(rec.success, 0);
	ck_assert_int_eq(rec.success_start, 1234);
	ck_assert_int_eq(rec.fail, 0);
	ck_assert_int_eq(rec.fail_status, 0);
	ck_assert_int_eq(rec.fail_signal, 0);
	ck_assert_int_eq(rec.duration, -1);
	ck_assert_ptr_null(rec.tail); /* longer than a tail can be */
	rp_ping_rec_clear(&rec);
	/* rp_ping_rec_fill on a reply of its own: an HGETALL, and not one. */
	r = redisCommand(c, "HGETALL sp5:ping:bad");
	rp_ping_rec_fill(&rec, r);
	ck_assert_int_eq(rec.known, 1);
	ck_assert_int_eq(rec.success_start, 1234);
	rp_ping_rec_clear(&rec);
	freeReplyObject(r);
	r = redisCommand(c, "PING");
	rp_ping_rec_fill(&rec, r);
	ck_assert_int_eq(rec.known, 0);
	ck_assert_int_eq(rec.duration, -1);
	freeReplyObject(r);
	rp_ping_rec_fill(&rec, NULL);
	ck_assert_int_eq(rec.known, 0);
	free(big);
	redisFree(c);
	rp_store_close(s);
}
END_TEST

START_TEST(tail_bounded_and_clean)
{
	struct rp_store *s = fresh_store("sp6");
	struct rp_buf b = {0};
	struct rp_ping_rec r;
	char *want;
	int i;

	/* Whoever calls the store, the tail it keeps is bounded and clean. */
	for (i = 0; i < 300; i++)
		rp_buf_printf(&b, "line %d \x1b[31mred\x1b[0m \xff\r\n", i);
	ping_at(s, "tl", RP_PING_FAIL, 1, 0, 3, b.data, 100);
	read1(s, "tl", &r);
	ck_assert_ptr_nonnull(r.tail);
	ck_assert_uint_le(strlen(r.tail), RP_PING_TAIL_MAX);
	ck_assert_ptr_null(strchr(r.tail, '\x1b'));
	ck_assert_ptr_null(strchr(r.tail, '\r'));
	want = rp_ping_tail_of(b.data, b.len);
	ck_assert_str_eq(r.tail, want);
	ck_assert(strstr(r.tail, "line 299  [31mred [0m \xef\xbf\xbd ") != NULL);
	free(want);
	rp_ping_rec_clear(&r);
	/* A tail that is nothing once cleaned is no tail. */
	ping_at(s, "tl", RP_PING_SUCCESS, 0, 0, 3, "\n\n", 200);
	read1(s, "tl", &r);
	ck_assert_ptr_null(r.tail);
	rp_ping_rec_clear(&r);
	rp_buf_free(&b);
	rp_store_close(s);
}
END_TEST

START_TEST(unreachable)
{
	struct rp_err err;

	/* Nobody listens on port 1: refused at once, said with the address. */
	ck_assert_ptr_null(rp_store_open("127.0.0.1", 1, NULL, 0, "sp7", 500, &err));
	ck_assert_msg(strstr(err.msg, "redis at 127.0.0.1:1: ") != NULL, "%s", err.msg);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, records);
	tcase_add_test(tc, pairing);
	tcase_add_test(tc, ttl_and_clock);
	tcase_add_test(tc, read_many);
	tcase_add_test(tc, bad_fields_ignored);
	tcase_add_test(tc, tail_bounded_and_clean);
	tcase_add_test(tc, unreachable);
}
