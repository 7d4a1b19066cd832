#define UNIT_NAME "store_redis"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scripted.h"
#include "store_redis.h"
#include "store_test.h"
#include "unit.h"

/* AUTH pw and SELECT 3 as hiredis puts them on the wire. */
#define HELLO "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"

static int
list(struct rp_store *s, struct rp_err *err)
{
	struct rp_silence *v;
	size_t n;
	int rc = rp_store_silence_list(s, &v, &n, err);

	if (rc == 0)
		rp_silences_free(v, n);
	return rc;
}

static int
runs(struct rp_store *s, struct rp_err *err)
{
	static const char *const programs[] = {"x"};
	struct rp_run_info info;

	return rp_store_runs(s, programs, 1, &info, err);
}

START_TEST(unreachable)
{
	struct rp_err err;
	struct rp_store *s = rp_store_open("127.0.0.1", 1, NULL, 0, "x", 500, &err);

	ck_assert_ptr_null(s);
	ck_assert_int_eq(err.code, RP_EXIT_UNKNOWN);
	ck_assert_str_eq(err.msg, "redis at 127.0.0.1:1: Connection refused");
}
END_TEST

/* AUTH goes with the first command: that one fails, without the password
 * in its message, and the store is unusable after it. The test server has
 * no password, so any AUTH is refused. */
START_TEST(wrong_password)
{
	struct rp_err err;
	struct rp_store *s;
	struct rp_load l;
	time_t now = 1000, clock;
	size_t w;
	int port = test_port("RP_TEST_REDIS_PORT");
	char head[64], gone[64];

	s = rp_store_open("127.0.0.1", port, "wrong-password", 2, "x", 500, &err);
	ck_assert_ptr_nonnull(s);
	memset(&l, 0, sizeof(l));
	l.name = "c";
	l.poll_sec = 60;
	ck_assert_int_eq(rp_store_load(s, &l, 1, &now, 0, &clock, &w, &err), -1);
	ck_assert_int_eq(err.code, RP_EXIT_UNKNOWN);
	snprintf(head, sizeof(head), "redis at 127.0.0.1:%d: ERR ", port);
	ck_assert_msg(strncmp(err.msg, head, strlen(head)) == 0, "%s", err.msg);
	ck_assert_ptr_null(strstr(err.msg, "wrong-password"));
	ck_assert_int_eq(rp_store_load(s, &l, 1, &now, 0, &clock, &w, &err), -1);
	snprintf(gone, sizeof(gone), "redis at 127.0.0.1:%d: not connected", port);
	ck_assert_str_eq(err.msg, gone);
	rp_load_clear(&l);
	rp_store_close(s);
}
END_TEST

/* A server that has a password refuses a wrong one with WRONGPASS, and the
 * commands after it with NOAUTH: the message is the first refusal. */
START_TEST(wrong_password_refused)
{
	static const char *const script[] = {
	    "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
	    "-NOAUTH Authentication required.\r\n"
	    "-NOAUTH Authentication required.\r\n"};
	struct scripted sc;
	struct rp_store *s;
	struct rp_err err;
	char want[160];

	scripted_start(&sc, script, 1, 0);
	s = rp_store_open("127.0.0.1", sc.port, "pw", 3, "p", 2000, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_int_eq(list(s, &err), -1);
	snprintf(want, sizeof(want), "redis at 127.0.0.1:%d: WRONGPASS invalid username-password "
	    "pair or user is disabled.", sc.port);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(runs(s, &err), -1);
	snprintf(want, sizeof(want), "redis at 127.0.0.1:%d: not connected", sc.port);
	ck_assert_str_eq(err.msg, want);
	rp_store_close(s);
	scripted_stop(&sc);
	/* One round trip, nothing sent after the refusal. */
	ck_assert_uint_eq(sc.nreads, 1);
	ck_assert_str_eq(sc.reads[0] + strlen(sc.reads[0]) - strlen("$11\r\np:silence:*\r\n"),
	    "$11\r\np:silence:*\r\n");
	scripted_free(&sc);
}
END_TEST

/* AUTH and SELECT go out in the first command's round trip, and only in
 * it; a connection made again sends them again. */
START_TEST(hello_rides_with_first_command)
{
	static const char *const script[] = {"+OK\r\n+OK\r\n*0\r\n", "*0\r\n",
	    "+OK\r\n+OK\r\n*0\r\n"};
	static const char hgetall[] = "*2\r\n$7\r\nHGETALL\r\n$7\r\np:run:x\r\n";
	struct scripted sc;
	struct rp_store *s;
	struct rp_err err;

	scripted_start(&sc, script, 3, 0);
	s = rp_store_open("127.0.0.1", sc.port, "pw", 3, "p", 2000, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_int_eq(rp_store_round_trips(s), 0);
	ck_assert_msg(list(s, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rp_store_round_trips(s), 1);
	ck_assert_msg(runs(s, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rp_store_round_trips(s), 2);
	ck_assert_int_eq(rp_store_reconnect(s, &err), 0);
	ck_assert_msg(runs(s, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rp_store_round_trips(s), 3);
	rp_store_close(s);
	scripted_stop(&sc);
	ck_assert_uint_eq(sc.nreads, 3);
	ck_assert_int_eq(strncmp(sc.reads[0], HELLO "*4\r\n$4\r\nEVAL\r\n", strlen(HELLO) + 14), 0);
	ck_assert_str_eq(sc.reads[1], hgetall);
	ck_assert_str_eq(sc.reads[2], HELLO "*2\r\n$7\r\nHGETALL\r\n$7\r\np:run:x\r\n");
	scripted_free(&sc);
	ck_assert_int_eq(rp_store_round_trips(NULL), 0);
}
END_TEST

/* On the real server: each command is one round trip, and SELECT applied
 * to the first one (its write landed in database 2). */
START_TEST(round_trips)
{
	const char *prefix = fresh_prefix("sr1");
	struct rp_store *s = open_store(prefix);
	struct rp_check_state st = {0};
	struct rp_load l;
	struct rp_err err;
	redisReply *r;

	ck_assert_int_eq(rp_store_round_trips(s), 0);
	st.known = 1;
	st.last_eval = 1000;
	ck_assert_int_eq(commit1(s, "c", &st, 0), 1);
	ck_assert_int_eq(rp_store_round_trips(s), 1);
	r = redis_cmd("HGET %s:check:c last_eval", prefix);
	ck_assert_int_eq(r->type, REDIS_REPLY_STRING);
	ck_assert_str_eq(r->str, "1000");
	freeReplyObject(r);
	load1(s, &l, "c", 60, 1, 1001, 0);
	ck_assert_int_eq(l.last_eval, 1000);
	rp_load_clear(&l);
	ck_assert_int_eq(rp_store_round_trips(s), 2);
	ck_assert_int_eq(runs(s, &err), 0);
	ck_assert_int_eq(rp_store_round_trips(s), 3);
	rp_store_close(s);
}
END_TEST

/* A Redis that does not answer in time is said so, not with the socket's
 * errno ("Resource temporarily unavailable"). A listening socket that
 * never accepts stands in for it: connecting works, answers never come. */
START_TEST(timeout_words)
{
	struct rp_err err;
	struct rp_store *s;
	struct rp_load l;
	time_t now = 1000, clock;
	size_t w;
	int port, fd = listen_loopback(&port);
	char want[128];

	s = rp_store_open("127.0.0.1", port, NULL, 0, "to", 300, &err);
	ck_assert_ptr_nonnull(s);
	memset(&l, 0, sizeof(l));
	l.name = "c";
	l.poll_sec = 60;
	ck_assert_int_eq(rp_store_load(s, &l, 1, &now, 0, &clock, &w, &err), -1);
	snprintf(want, sizeof(want), "redis at 127.0.0.1:%d: reading state: no answer within 300 ms",
	    port);
	ck_assert_str_eq(err.msg, want);
	ck_assert_str_eq(rp_redis_errstr(s), "no answer within 300 ms");
	rp_load_clear(&l);
	rp_store_close(s);
	close(fd);
}
END_TEST

START_TEST(closed_words)
{
	static const char *const script[] = {NULL};
	struct scripted sc;
	struct rp_store *s;
	struct rp_err err;
	char want[128];

	scripted_start(&sc, script, 1, 0);
	s = rp_store_open("127.0.0.1", sc.port, NULL, 0, "p", 2000, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_int_eq(list(s, &err), -1);
	snprintf(want, sizeof(want), "redis at 127.0.0.1:%d: listing silences: the server closed "
	    "the connection", sc.port);
	ck_assert_str_eq(err.msg, want);
	rp_store_close(s);
	scripted_stop(&sc);
	scripted_free(&sc);
}
END_TEST

START_TEST(helpers)
{
	struct rp_store *s = open_store("pfx");
	time_t t = 5;
	char *k;

	ck_assert_int_eq(rp_redis_parse_time("0", &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(rp_redis_parse_time("253402300799", &t), 0);
	ck_assert_int_eq(t, 253402300799L);
	t = 5;
	ck_assert_int_eq(rp_redis_parse_time("253402300800", &t), -1);
	ck_assert_int_eq(rp_redis_parse_time("-1", &t), -1);
	ck_assert_int_eq(rp_redis_parse_time("12x", &t), -1);
	ck_assert_int_eq(rp_redis_parse_time("", &t), -1);
	ck_assert_int_eq(t, 5);
	k = rp_redis_key(s, "check", "orders");
	ck_assert_str_eq(k, "pfx:check:orders");
	free(k);
	k = rp_redis_key(s, "outbox", NULL);
	ck_assert_str_eq(k, "pfx:outbox");
	free(k);
	/* Before anything went wrong there are no words of hiredis's. */
	ck_assert_str_eq(rp_redis_errstr(s), "no answer");
	rp_store_close(s);
}
END_TEST

/* RPUSH <key> and n words of 40 bytes: a command of many chunks. */
struct push {
	const char *key;
	size_t n;
	int extra;               /* words beyond those counted (a miscount) */
};

static void
push_words(struct rp_words *w, struct rp_store *s, const void *arg)
{
	const struct push *p = arg;
	char word[48];
	size_t i;

	(void)s;
	rp_words_add(w, "RPUSH");
	rp_words_add(w, p->key);
	for (i = 0; i < p->n; i++) {
		snprintf(word, sizeof(word), "%039zu", i);
		rp_words_add(w, word);
	}
	/* Only in the pass that writes: the count said fewer. */
	for (int k = 0; w->s != NULL && k < p->extra; k++)
		rp_words_add(w, "extra");
}

static int
push(struct rp_store *s, const struct push *p, long long *len, struct rp_err *err)
{
	redisReply *r;

	if (rp_redis_connected(s, err) != 0 || rp_words_send(s, push_words, p, err) != 0 ||
	    rp_redis_hello(s, err) != 0 || rp_redis_reply(s, &r, "pushing", err) != 0)
		return -1;
	*len = r->integer;
	freeReplyObject(r);
	return 0;
}

/* A command streamed in chunks arrives whole, as one. */
START_TEST(words_in_chunks)
{
	const char *prefix = fresh_prefix("sw1");
	struct rp_store *s = open_store(prefix);
	struct push p = {NULL, 20000, 0};
	struct rp_err err;
	char key[96];
	long long len = 0;
	redisReply *r;

	snprintf(key, sizeof(key), "%s:list", prefix);
	p.key = key;
	ck_assert_msg(push(s, &p, &len, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(len, 20000);
	r = redis_cmd("LINDEX %s 19999", key);
	ck_assert_str_eq(r->str, "000000000000000000000000000000000019999");
	freeReplyObject(r);
	/* The connection is in step after it. */
	ck_assert_int_eq(list(s, &err), 0);
	ck_assert_int_eq(rp_store_round_trips(s), 2);
	freeReplyObject(redis_cmd("DEL %s", key));
	rp_store_close(s);
}
END_TEST

/* A command that makes more words than it counted never runs, not even
 * in part: the connection is dropped with it. */
START_TEST(words_miscounted)
{
	const char *prefix = fresh_prefix("sw2");
	struct rp_store *s = open_store(prefix);
	struct push p = {NULL, 5000, 1};
	struct rp_err err;
	char key[96];
	long long len = 0;
	redisReply *r;

	snprintf(key, sizeof(key), "%s:list", prefix);
	p.key = key;
	ck_assert_int_eq(push(s, &p, &len, &err), -1);
	ck_assert_int_eq(err.code, RP_EXIT_SOFTWARE);
	r = redis_cmd("EXISTS %s", key);
	ck_assert_int_eq(r->integer, 0);
	freeReplyObject(r);
	rp_store_close(s);
}
END_TEST

/* A load whose reply stops halfway (the server goes quiet) fails with the
 * timeout's words; what the reader holds of it lives in the arena the
 * load freed, and closing the store after must not free it again. */
START_TEST(load_reply_cut)
{
	static const char *const script[] = {"*10\r\n:1000\r\n:0\r\n:1\r\n$0\r\n\r\n"};
	struct scripted sc;
	struct rp_store *s;
	struct rp_load l;
	struct rp_err err;
	time_t now = 1000, clock;
	size_t w;
	char want[128];

	scripted_start(&sc, script, 1, 0);
	s = rp_store_open("127.0.0.1", sc.port, NULL, 0, "p", 300, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	memset(&l, 0, sizeof(l));
	l.name = "c";
	l.poll_sec = 60;
	ck_assert_int_eq(rp_store_load(s, &l, 1, &now, 0, &clock, &w, &err), -1);
	snprintf(want, sizeof(want), "redis at 127.0.0.1:%d: reading state: no answer within 300 ms",
	    sc.port);
	ck_assert_str_eq(err.msg, want);
	rp_load_clear(&l);
	rp_store_close(s);
	scripted_stop(&sc);
	scripted_free(&sc);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, unreachable);
	tcase_add_test(tc, wrong_password);
	tcase_add_test(tc, wrong_password_refused);
	tcase_add_test(tc, hello_rides_with_first_command);
	tcase_add_test(tc, round_trips);
	tcase_add_test(tc, timeout_words);
	tcase_add_test(tc, closed_words);
	tcase_add_test(tc, helpers);
	tcase_add_test(tc, words_in_chunks);
	tcase_add_test(tc, words_miscounted);
	tcase_add_test(tc, load_reply_cut);
}
