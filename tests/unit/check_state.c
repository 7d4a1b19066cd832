#define UNIT_NAME "state"
#include <string.h>

#include "servers.h"
#include "state.h"
#include "unit.h"

static struct rp_store *
open_store(const char *prefix)
{
	struct rp_err err;
	struct rp_store *s = rp_store_open("127.0.0.1", test_port("RP_TEST_REDIS_PORT"), NULL, 2,
	    prefix, 2000, &err);

	ck_assert_msg(s != NULL, "%s", err.msg);
	return s;
}

static void
load1(struct rp_store *s, struct rp_load *l, const char *name, long poll, int force, time_t now,
    int dry)
{
	struct rp_err err;

	memset(l, 0, sizeof(*l));
	l->name = name;
	l->poll_sec = poll;
	l->force = force;
	ck_assert_msg(rp_store_load(s, l, 1, now, dry, NULL, &err) == 0, "%s", err.msg);
}

START_TEST(roundtrip)
{
	struct rp_store *s = open_store("unit1");
	struct rp_check_state st = {0};
	struct rp_alert_rec al = {0};
	struct rp_run_rec run = {0};
	struct rp_load l;
	struct rp_err err;
	const char *name = "c1";

	load1(s, &l, "c1", 180, 0, 1000, 0);
	ck_assert_int_eq(l.due, 1);
	ck_assert_int_eq(l.st.known, 0);
	st.known = 1;
	st.status = RP_CRITICAL;
	st.summary = rp_xstrdup("late: 73 min");
	st.last_eval = 1000;
	st.since = 900;
	st.open_key = rp_xstrdup("c1/overdue@x");
	st.open_sent = 1;
	st.episode_start = 900;
	st.unknown_count = 2;
	st.unknown_since = 950;
	st.completion = 500;
	al.dedup_key = "c1/overdue@x";
	al.check = "c1";
	al.action = "trigger";
	al.severity = "critical";
	al.summary = "late";
	al.sent_at = 1000;
	al.http_status = 202;
	al.answer = "HTTP 202: Event processed";
	run.program = "rp-test";
	run.host = "h";
	run.start = 1;
	run.end = 2;
	run.exit_status = 2;
	run.evaluated = 1;
	ck_assert_msg(rp_store_save(s, &name, &st, 1, &al, 1, &run, NULL, &err) == 0, "%s", err.msg);
	rp_state_clear(&l.st);
	/* Forced: read back exactly. */
	load1(s, &l, "c1", 180, 1, 1001, 0);
	ck_assert_int_eq(l.due, 1);
	ck_assert_int_eq(l.st.known, 1);
	ck_assert_int_eq(l.st.status, RP_CRITICAL);
	ck_assert_str_eq(l.st.summary, "late: 73 min");
	ck_assert_int_eq(l.st.last_eval, 1000);
	ck_assert_int_eq(l.st.since, 900);
	ck_assert_str_eq(l.st.open_key, "c1/overdue@x");
	ck_assert_int_eq(l.st.open_sent, 1);
	ck_assert_int_eq(l.st.episode_start, 900);
	ck_assert_int_eq(l.st.unknown_count, 2);
	ck_assert_int_eq(l.st.unknown_since, 950);
	ck_assert_ptr_null(l.st.unknown_key);
	ck_assert_int_eq(l.st.completion, 500);
	rp_state_clear(&l.st);
	/* Cleared fields are gone after a save (the record is replaced). */
	free(st.open_key);
	st.open_key = NULL;
	st.open_sent = 0;
	ck_assert(rp_store_save(s, &name, &st, 1, NULL, 0, NULL, NULL, &err) == 0);
	load1(s, &l, "c1", 180, 1, 1001, 0);
	ck_assert_ptr_null(l.st.open_key);
	ck_assert_int_eq(l.st.open_sent, 0);
	rp_state_clear(&l.st);
	rp_state_clear(&st);
	rp_store_close(s);
}
END_TEST

START_TEST(due_and_lock)
{
	struct rp_store *a = open_store("unit2"), *b = open_store("unit2");
	struct rp_check_state st = {0};
	struct rp_load l;
	struct rp_err err;
	const char *name = "c2";

	/* Two runs at the same moment: only the first gets it. */
	load1(a, &l, "c2", 180, 0, 10000, 0);
	ck_assert_int_eq(l.due, 1);
	load1(b, &l, "c2", 180, 0, 10000, 0);
	ck_assert_int_eq(l.due, 0);
	/* A dry run neither takes nor needs the lock. */
	load1(b, &l, "c2", 180, 0, 10000, 1);
	ck_assert_int_eq(l.due, 0);
	/* The first records its evaluation. */
	st.known = 1;
	st.last_eval = 10000;
	ck_assert(rp_store_save(a, &name, &st, 1, NULL, 0, NULL, NULL, &err) == 0);
	/* 170 s later: not due (poll 180 less 5 % is 171). 171 s: due. */
	load1(b, &l, "c2", 180, 0, 10170, 0);
	ck_assert_int_eq(l.due, 0);
	rp_state_clear(&l.st);
	load1(b, &l, "c2", 180, 0, 10171, 0);
	ck_assert_int_eq(l.due, 1);
	rp_state_clear(&l.st);
	load1(a, &l, "c2", 180, 0, 10172, 0);
	ck_assert_int_eq(l.due, 0); /* b holds this window */
	rp_state_clear(&l.st);
	/* Forced ignores both. */
	load1(a, &l, "c2", 180, 1, 10172, 0);
	ck_assert_int_eq(l.due, 1);
	rp_state_clear(&l.st);
	/* A last evaluation far in the future (a wrong clock) counts as none. */
	st.last_eval = 99999999;
	ck_assert(rp_store_save(a, &name, &st, 1, NULL, 0, NULL, NULL, &err) == 0);
	load1(a, &l, "c2", 180, 0, 10400, 0);
	ck_assert_int_eq(l.due, 1);
	rp_state_clear(&l.st);
	rp_store_close(a);
	rp_store_close(b);
}
END_TEST

START_TEST(many_in_one_round_trip)
{
	struct rp_store *s = open_store("unit3");
	struct rp_load l[300];
	struct rp_err err;
	char names[300][16];
	size_t i;

	memset(l, 0, sizeof(l));
	for (i = 0; i < 300; i++) {
		snprintf(names[i], sizeof(names[i]), "m%zu", i);
		l[i].name = names[i];
		l[i].poll_sec = 60;
	}
	ck_assert(rp_store_load(s, l, 300, 5000, 0, NULL, &err) == 0);
	for (i = 0; i < 300; i++)
		ck_assert_int_eq(l[i].due, 1);
	ck_assert(rp_store_load(s, l, 300, 5001, 0, NULL, &err) == 0);
	for (i = 0; i < 300; i++)
		ck_assert_int_eq(l[i].due, 0);
	rp_store_close(s);
}
END_TEST

START_TEST(unreachable)
{
	struct rp_err err;
	struct rp_store *s = rp_store_open("127.0.0.1", 1, NULL, 0, "x", 500, &err);

	ck_assert_ptr_null(s);
	ck_assert_int_eq(err.code, RP_EXIT_UNKNOWN);
	ck_assert_str_eq(err.msg, "redis at 127.0.0.1:1: Connection refused");
	/* AUTH goes with the first command: that one fails, without the
	 * password in its message, and the store is unusable after it. */
	s = rp_store_open("127.0.0.1", test_port("RP_TEST_REDIS_PORT"), "wrong-password", 0, "x",
	    500, &err);
	ck_assert_ptr_nonnull(s);
	{
		struct rp_load l;
		memset(&l, 0, sizeof(l));
		l.name = "c";
		l.poll_sec = 60;
		ck_assert_int_eq(rp_store_load(s, &l, 1, 1000, 0, NULL, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "redis at 127.0.0.1:"));
		ck_assert_ptr_null(strstr(err.msg, "wrong-password"));
		ck_assert_int_eq(rp_store_load(s, &l, 1, 1000, 0, NULL, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "not connected"));
	}
	rp_store_close(s);
}
END_TEST

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
	rp_state_clear(&l.st);
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
	rp_state_clear(&l.st);
	rp_store_close(s);
}
END_TEST

START_TEST(outbox)
{
	struct rp_store *s = open_store("unit-ob");
	struct rp_ob_update up = {0};
	struct rp_outbox a = {0}, b = {0}, c = {0};
	struct rp_rejected *rej;
	size_t nrej;
	struct rp_err err;

	/* Queue two events (the second twice: kept once, in its place). */
	up.add = rp_xcalloc(3, sizeof(*up.add));
	up.add[0].id = rp_xstrdup("trigger k/1");
	up.add[0].check = rp_xstrdup("c1");
	up.add[0].label = rp_xstrdup("rk-1");
	up.add[0].body = rp_xstrdup("{\"routing_key\":\"x\",\"dedup_key\":\"k/1\"}");
	up.add[0].queued = 1000;
	up.add[0].attempts = 2;
	up.add[0].error = rp_xstrdup("HTTP 500");
	up.add[1].id = rp_xstrdup("resolve k/1");
	up.add[1].body = rp_xstrdup("{}");
	up.add[2].id = rp_xstrdup("trigger k/1");
	up.add[2].body = rp_xstrdup("{\"other\":1}");
	up.nadd = 3;
	up.sent = rp_xcalloc(1, sizeof(*up.sent));
	rp_strlcpy(up.sent[0].label, "rk-1", sizeof(up.sent[0].label));
	up.sent[0].count = 5;
	up.nsent = 1;
	up.minute = 42;
	ck_assert_msg(rp_store_save(s, NULL, NULL, 0, NULL, 0, NULL, &up, &err) == 0, "%s", err.msg);
	rp_ob_update_free(&up);

	/* The first reader takes the outbox lock and the entries, in order. */
	a.token = "run-a";
	a.lock_ms = 10000;
	a.minute = 42;
	ck_assert_msg(rp_store_load(s, NULL, 0, 5000, 0, &a, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(a.owned, 1);
	ck_assert_int_eq(a.n, 2);
	ck_assert_str_eq(a.v[0].id, "trigger k/1");
	ck_assert_str_eq(a.v[0].body, "{\"routing_key\":\"x\",\"dedup_key\":\"k/1\"}");
	ck_assert_str_eq(a.v[0].check, "c1");
	ck_assert_int_eq(a.v[0].attempts, 2);
	ck_assert_int_eq(a.v[0].queued, 1000);
	ck_assert_str_eq(a.v[1].id, "resolve k/1");
	ck_assert_int_eq(a.nrates, 1);
	ck_assert_int_eq(a.rates[0].count, 5);
	/* A second reader meanwhile sees the ids only, and owns nothing. */
	b.token = "run-b";
	b.lock_ms = 10000;
	b.minute = 42;
	ck_assert(rp_store_load(s, NULL, 0, 5000, 0, &b, &err) == 0);
	ck_assert_int_eq(b.owned, 0);
	ck_assert_int_eq(b.n, 2);
	ck_assert_ptr_null(b.v[0].body);
	/* A dry run takes nothing. */
	c.token = "run-c";
	ck_assert(rp_store_load(s, NULL, 0, 5000, 1, &c, &err) == 0);
	ck_assert_int_eq(c.n, 0);

	/* The owner delivered the trigger, the resolve failed again; refused
	 * events are kept for rp-status. */
	memset(&up, 0, sizeof(up));
	up.done = rp_xcalloc(1, sizeof(*up.done));
	up.done[0] = rp_xstrdup("trigger k/1");
	up.ndone = 1;
	up.retry = rp_xcalloc(1, sizeof(*up.retry));
	up.retry[0].id = rp_xstrdup("resolve k/1");
	up.retry[0].body = rp_xstrdup("{}");
	up.retry[0].attempts = 4;
	up.retry[0].error = rp_xstrdup("HTTP 503");
	up.nretry = 1;
	up.rej = rp_xcalloc(1, sizeof(*up.rej));
	up.rej[0].id = rp_xstrdup("trigger bad/1");
	up.rej[0].message = rp_xstrdup("HTTP 400: invalid");
	up.rej[0].event = rp_xstrdup("{}");
	up.rej[0].at = 5000;
	up.rej[0].http_status = 400;
	up.nrej = 1;
	up.token = "run-a";
	up.minute = 42;
	ck_assert(rp_store_save(s, NULL, NULL, 0, NULL, 0, NULL, &up, &err) == 0);
	rp_ob_update_free(&up);
	rp_outbox_free(&a);
	rp_outbox_free(&b);

	/* The lock is free again; one entry is left with its new attempts. */
	ck_assert(rp_store_load(s, NULL, 0, 5001, 0, &b, &err) == 0);
	ck_assert_int_eq(b.owned, 1);
	ck_assert_int_eq(b.n, 1);
	ck_assert_str_eq(b.v[0].id, "resolve k/1");
	ck_assert_int_eq(b.v[0].attempts, 4);
	ck_assert_str_eq(b.v[0].error, "HTTP 503");
	rp_outbox_free(&b);
	ck_assert(rp_store_outbox_read(s, &a, &rej, &nrej, &err) == 0);
	ck_assert_int_eq(a.n, 1);
	ck_assert_int_eq(nrej, 1);
	ck_assert_str_eq(rej[0].id, "trigger bad/1");
	ck_assert_str_eq(rej[0].message, "HTTP 400: invalid");
	ck_assert_int_eq(rej[0].http_status, 400);
	rp_outbox_free(&a);
	rp_rejected_free(rej, nrej);

	/* Delivering the last one empties the outbox (its keys go). */
	memset(&up, 0, sizeof(up));
	up.done = rp_xcalloc(1, sizeof(*up.done));
	up.done[0] = rp_xstrdup("resolve k/1");
	up.ndone = 1;
	up.token = "run-b";
	ck_assert(rp_store_save(s, NULL, NULL, 0, NULL, 0, NULL, &up, &err) == 0);
	rp_ob_update_free(&up);
	ck_assert(rp_store_outbox_read(s, &a, &rej, &nrej, &err) == 0);
	ck_assert_int_eq(a.n, 0);
	rp_outbox_free(&a);
	rp_rejected_free(rej, nrej);
	rp_store_close(s);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, outbox);
	tcase_add_test(tc, silences);
	tcase_add_test(tc, roundtrip);
	tcase_add_test(tc, due_and_lock);
	tcase_add_test(tc, many_in_one_round_trip);
	tcase_add_test(tc, unreachable);
	tcase_add_test(tc, status_names);
}
