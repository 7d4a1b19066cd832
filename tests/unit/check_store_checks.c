#define UNIT_NAME "store_checks"
#include <stdio.h>
#include <string.h>

#include "store_test.h"
#include "unit.h"

START_TEST(roundtrip)
{
	struct rp_store *s = open_store("sc1");
	struct rp_check_state st = {0};
	struct rp_load l;

	load1(s, &l, "c1", 180, 0, 1000, 0);
	ck_assert_int_eq(l.due, 1);
	ck_assert_int_eq(l.st.known, 0);
	ck_assert_int_eq(l.lock, 1000);
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
	ck_assert_int_eq(commit1(s, "c1", &st, 0), 1);
	rp_load_clear(&l);
	/* Forced: read back exactly. */
	load1(s, &l, "c1", 180, 1, 1001, 0);
	ck_assert_int_eq(l.due, 1);
	ck_assert_int_eq(l.lock, 0); /* a forced run takes no lock */
	ck_assert_int_eq(l.last_eval, 1000);
	ck_assert_int_eq(l.st.known, 1);
	ck_assert_int_eq(l.st.status, RP_CRITICAL);
	ck_assert_str_eq(l.st.summary, "late: 73 min");
	ck_assert_int_eq(l.st.since, 900);
	ck_assert_str_eq(l.st.open_key, "c1/overdue@x");
	ck_assert_int_eq(l.st.open_sent, 1);
	ck_assert_int_eq(l.st.episode_start, 900);
	ck_assert_int_eq(l.st.unknown_count, 2);
	ck_assert_int_eq(l.st.unknown_since, 950);
	ck_assert_ptr_null(l.st.unknown_key);
	ck_assert_int_eq(l.st.completion, 500);
	rp_load_clear(&l);
	/* Cleared fields are gone after a write (the record is replaced). */
	free(st.open_key);
	st.open_key = NULL;
	st.open_sent = 0;
	st.last_eval = 1001;
	ck_assert_int_eq(commit1(s, "c1", &st, 1000), 1);
	load1(s, &l, "c1", 180, 1, 1001, 0);
	ck_assert_ptr_null(l.st.open_key);
	ck_assert_int_eq(l.st.open_sent, 0);
	rp_load_clear(&l);
	rp_state_clear(&st);
	rp_store_close(s);
}
END_TEST

START_TEST(due_and_lock)
{
	struct rp_store *a = open_store("sc2"), *b = open_store("sc2");
	struct rp_check_state st = {0};
	struct rp_load l;

	/* Two runs at the same moment: only the first gets it. */
	load1(a, &l, "c2", 180, 0, 10000, 0);
	ck_assert_int_eq(l.due, 1);
	load1(b, &l, "c2", 180, 0, 10000, 0);
	ck_assert_int_eq(l.due, 0);
	ck_assert_int_eq(l.skip, RP_SKIP_RECENT);
	/* A dry run neither takes nor needs the lock. */
	load1(b, &l, "c2", 180, 0, 10000, 1);
	ck_assert_int_eq(l.due, 0);
	/* The first records its evaluation. */
	st.known = 1;
	st.last_eval = 10000;
	ck_assert_int_eq(commit1(a, "c2", &st, 0), 1);
	/* 170 s later: not due (poll 180 less 5 % is 171). 171 s: due. */
	load1(b, &l, "c2", 180, 0, 10170, 0);
	ck_assert_int_eq(l.due, 0);
	load1(b, &l, "c2", 180, 0, 10171, 0);
	ck_assert_int_eq(l.due, 1);
	rp_load_clear(&l);
	load1(a, &l, "c2", 180, 0, 10172, 0);
	ck_assert_int_eq(l.due, 0); /* b holds this window */
	/* Forced ignores both. */
	load1(a, &l, "c2", 180, 1, 10172, 0);
	ck_assert_int_eq(l.due, 1);
	rp_load_clear(&l);
	/* Before its check_at: not due, and no lock taken. */
	memset(&l, 0, sizeof(l));
	l.name = "c2b";
	l.poll_sec = 60;
	l.check_at = 20000;
	{
		struct rp_err err;
		time_t now = 19999, clock;
		size_t w;
		ck_assert(rp_store_load(a, &l, 1, &now, 0, &clock, &w, &err) == 0);
		ck_assert_int_eq(l.due, 0);
		ck_assert_int_eq(l.skip, RP_SKIP_EARLY);
		now = 20000;
		ck_assert(rp_store_load(a, &l, 1, &now, 0, &clock, &w, &err) == 0);
		ck_assert_int_eq(l.due, 1);
	}
	rp_load_clear(&l);
	rp_store_close(a);
	rp_store_close(b);
}
END_TEST

/* A run whose clock is behind the record must not evaluate, forced or not;
 * a write that finds the record changed since it was read is dropped. */
START_TEST(clock_behind_and_cas)
{
	struct rp_store *s = open_store("sc3");
	struct rp_check_state st = {0};
	struct rp_load l;

	st.known = 1;
	st.last_eval = 5000;
	st.open_key = rp_xstrdup("c3/overdue@a");
	st.open_sent = 1;
	ck_assert_int_eq(commit1(s, "c3", &st, 0), 1);
	load1(s, &l, "c3", 60, 0, 4000, 0);
	ck_assert_int_eq(l.due, 0);
	ck_assert_int_eq(l.skip, RP_SKIP_AHEAD);
	ck_assert_int_eq(l.last_eval, 5000);
	rp_load_clear(&l);
	load1(s, &l, "c3", 60, 1, 4000, 0);
	ck_assert_int_eq(l.due, 0);
	ck_assert_int_eq(l.skip, RP_SKIP_AHEAD);
	rp_load_clear(&l); /* forced: the record is read all the same */
	/* A run read 5000, another wrote 5100 meanwhile: the first's
	 * decision is dropped. */
	st.last_eval = 5100;
	ck_assert_int_eq(commit1(s, "c3", &st, 5000), 1);
	st.last_eval = 5090;
	ck_assert_int_eq(commit1(s, "c3", &st, 5000), 0);
	load1(s, &l, "c3", 60, 1, 6000, 0);
	ck_assert_int_eq(l.st.last_eval, 5100);
	rp_load_clear(&l);
	rp_state_clear(&st);
	rp_store_close(s);
}
END_TEST

/* Without --now the clock is Redis's: runs on hosts whose clocks are apart
 * still agree on due-ness and locks. */
START_TEST(redis_clock)
{
	struct rp_store *s = open_store("sc4");
	struct rp_load l;
	struct rp_err err;
	time_t clock, before = time(NULL);
	size_t w;

	memset(&l, 0, sizeof(l));
	l.name = "c4";
	l.poll_sec = 60;
	ck_assert(rp_store_load(s, &l, 1, NULL, 0, &clock, &w, &err) == 0);
	ck_assert(clock >= before - 1 && clock <= time(NULL) + 1);
	ck_assert_int_eq(l.due, 1);
	ck_assert_int_eq(l.lock, clock);
	ck_assert(rp_store_load(s, &l, 1, NULL, 0, &clock, &w, &err) == 0);
	ck_assert_int_eq(l.due, 0);
	rp_store_close(s);
}
END_TEST

/* The decision and its events go in together; an id already waiting keeps
 * its place; an id refused earlier is forgotten when decided again; the
 * outbox is claimed by one run at a time. */
START_TEST(commit_with_events)
{
	struct rp_store *s = open_store("sc5");
	struct rp_check_state st = {0};
	struct rp_ob_entry ev[2];
	struct rp_alert_rec al[2];
	struct rp_commit c;
	struct rp_outbox a = {0}, b = {0};
	struct rp_run_rec run = {"rp-test", "h", 1, 2, 2, 1};
	struct rp_run_info info;
	struct rp_rejected *rej;
	size_t nrej;
	struct rp_err err;
	const char *prog = "rp-test";
	static char id0[] = "trigger k/1", id1[] = "resolve j/0", check[] = "c5", lost[] =
	    "trigger lost/1", body0[] = "{\"routing_key\":\"x\",\"dedup_key\":\"k/1\"}",
	    body1[] = "{}", other[] = "{\"other\":1}";

	/* A refused trigger of k/1 is on record. */
	{
		struct rp_ob_update up = {0};
		up.rej = rp_xcalloc(1, sizeof(*up.rej));
		up.rej[0].id = rp_xstrdup("trigger k/1");
		up.rej[0].message = rp_xstrdup("HTTP 400");
		up.nrej = 1;
		ck_assert(rp_store_settle(s, &up, NULL, 0, NULL, &err) == 0);
		rp_ob_update_free(&up);
	}
	memset(ev, 0, sizeof(ev));
	memset(al, 0, sizeof(al));
	ev[0].id = id0;
	ev[0].check = check;
	ev[0].body = body0;
	ev[0].queued = 100;
	ev[1].id = id1;
	ev[1].body = body1;
	al[0].dedup_key = "k/1";
	al[0].check = "c5";
	al[0].action = "trigger";
	al[1].dedup_key = "j/0";
	al[1].check = "c5";
	al[1].action = "resolve";
	st.known = 1;
	st.last_eval = 100;
	memset(&c, 0, sizeof(c));
	c.name = "c5";
	c.write = 1;
	c.st = &st;
	c.events = ev;
	c.alerts = al;
	c.nevents = 2;
	a.token = "run-a";
	a.lock_ms = 10000;
	a.minute = 1;
	ck_assert_msg(rp_store_commit(s, &c, 1, &run, &a, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(c.written, 1);
	ck_assert_int_eq(a.owned, 1);
	ck_assert_int_eq(a.n, 2);
	ck_assert_str_eq(a.v[0].id, "trigger k/1");
	ck_assert_str_eq(a.v[0].check, "c5");
	ck_assert_str_eq(a.v[0].body, "{\"routing_key\":\"x\",\"dedup_key\":\"k/1\"}");
	ck_assert_str_eq(a.v[1].id, "resolve j/0");
	ck_assert(rp_store_runs(s, &prog, 1, &info, &err) == 0);
	ck_assert_int_eq(info.exit_status, 2);
	ck_assert(rp_store_outbox_read(s, &b, &rej, &nrej, &err) == 0);
	ck_assert_int_eq(nrej, 0); /* decided again: no longer refused */
	rp_outbox_free(&b);
	rp_rejected_free(rej, nrej);
	/* Another run meanwhile: its decision is written, the outbox is not
	 * its to deliver; its copy of a waiting event keeps the first's place. */
	st.last_eval = 200;
	ev[0].body = other;
	c.expect_eval = 100;
	c.nevents = 1;
	b.token = "run-b";
	b.lock_ms = 10000;
	ck_assert(rp_store_commit(s, &c, 1, NULL, &b, &err) == 0);
	ck_assert_int_eq(c.written, 1);
	ck_assert_int_eq(b.owned, 0);
	ck_assert_int_eq(b.n, 0);
	rp_outbox_free(&b);
	rp_outbox_free(&a);
	ck_assert(rp_store_outbox_read(s, &a, &rej, &nrej, &err) == 0);
	ck_assert_int_eq(a.n, 2);
	ck_assert_str_eq(a.v[0].body, "{\"routing_key\":\"x\",\"dedup_key\":\"k/1\"}");
	rp_outbox_free(&a);
	rp_rejected_free(rej, nrej);
	/* The same decision again (an attempt whose answer was lost, repeated
	 * after a failover): written, and nothing added twice. */
	ck_assert(rp_store_commit(s, &c, 1, NULL, NULL, &err) == 0);
	ck_assert_int_eq(c.written, 1);
	/* A decision dropped by the CAS adds no event. */
	ev[0].id = lost;
	c.expect_eval = 100;
	st.last_eval = 300;
	ck_assert(rp_store_commit(s, &c, 1, NULL, NULL, &err) == 0);
	ck_assert_int_eq(c.written, 0);
	ck_assert(rp_store_outbox_read(s, &a, &rej, &nrej, &err) == 0);
	ck_assert_int_eq(a.n, 2);
	rp_outbox_free(&a);
	rp_rejected_free(rej, nrej);
	rp_state_clear(&st);
	rp_store_close(s);
}
END_TEST

/* Events sent straight (the store refused the decision, then took it):
 * each is queued again only behind an entry of its key and destination
 * that waits, so that the outbox ends with what the run decided. */
START_TEST(sent_straight)
{
	struct rp_store *s = open_store("sc9");
	struct rp_check_state st = {0};
	struct rp_ob_entry q, sent[3];
	struct rp_alert_rec al = {0};
	struct rp_commit c;
	struct rp_outbox a = {0};
	struct rp_rejected *rej;
	size_t nrej;
	struct rp_err err;
	static char tk[] = "trigger k/1", rk[] = "resolve k/1", rj[] = "resolve j/1",
	    sk[] = "slack:ops resolve k/1", body[] = "{}", check[] = "c9";

	/* A trigger of k/1 waits (its delivery failed). */
	memset(&q, 0, sizeof(q));
	q.id = tk;
	q.check = check;
	q.body = body;
	al.dedup_key = "k/1";
	al.check = "c9";
	al.action = "trigger";
	st.known = 1;
	st.last_eval = 100;
	memset(&c, 0, sizeof(c));
	c.name = "c9";
	c.write = 1;
	c.st = &st;
	c.events = &q;
	c.alerts = &al;
	c.nevents = 1;
	ck_assert(rp_store_commit(s, &c, 1, NULL, NULL, &err) == 0);
	/* The resolve of k/1 to PagerDuty, one to Slack, and one of j/1 went
	 * straight: only the first has something of its own waiting. */
	memset(sent, 0, sizeof(sent));
	sent[0].id = rk;
	sent[1].id = sk;
	sent[2].id = rj;
	sent[0].check = sent[1].check = sent[2].check = check;
	sent[0].body = sent[1].body = sent[2].body = body;
	st.last_eval = 200;
	c.expect_eval = 100;
	c.nevents = 0;
	c.sent = sent;
	c.nsent = 3;
	ck_assert(rp_store_commit(s, &c, 1, NULL, NULL, &err) == 0);
	ck_assert_int_eq(c.written, 1);
	ck_assert(rp_store_outbox_read(s, &a, &rej, &nrej, &err) == 0);
	ck_assert_int_eq(a.n, 2);
	ck_assert_str_eq(a.v[0].id, "trigger k/1");
	ck_assert_str_eq(a.v[1].id, "resolve k/1");
	rp_outbox_free(&a);
	rp_rejected_free(rej, nrej);
	/* Repeated (an answer lost): nothing added twice. A decision dropped
	 * by the CAS queues nothing. */
	ck_assert(rp_store_commit(s, &c, 1, NULL, NULL, &err) == 0);
	ck_assert_int_eq(c.written, 1);
	c.expect_eval = 100;
	st.last_eval = 300;
	sent[0].id = rj;
	ck_assert(rp_store_commit(s, &c, 1, NULL, NULL, &err) == 0);
	ck_assert_int_eq(c.written, 0);
	ck_assert(rp_store_outbox_read(s, &a, &rej, &nrej, &err) == 0);
	ck_assert_int_eq(a.n, 2);
	rp_outbox_free(&a);
	rp_rejected_free(rej, nrej);
	rp_store_close(s);
}
END_TEST

/* A decision not evaluated after all (a stop) releases only its own lock. */
START_TEST(release_lock)
{
	struct rp_store *s = open_store("sc6");
	struct rp_load l;
	struct rp_commit c;
	struct rp_err err;

	load1(s, &l, "c6", 60, 0, 7000, 0);
	ck_assert_int_eq(l.lock, 7000);
	memset(&c, 0, sizeof(c));
	c.name = "c6";
	c.lock = 6999; /* not ours */
	ck_assert(rp_store_commit(s, &c, 1, NULL, NULL, &err) == 0);
	load1(s, &l, "c6", 60, 0, 7001, 0);
	ck_assert_int_eq(l.due, 0);
	c.lock = 7000;
	ck_assert(rp_store_commit(s, &c, 1, NULL, NULL, &err) == 0);
	ck_assert_int_eq(c.written, 0);
	load1(s, &l, "c6", 60, 0, 7001, 0);
	ck_assert_int_eq(l.due, 1);
	rp_load_clear(&l);
	rp_store_close(s);
}
END_TEST

/* What a run without state sent is merged, never overwriting. */
START_TEST(record_sent)
{
	struct rp_store *s = open_store("sc7");
	struct rp_check_state st = {0};
	struct rp_sent v[2] = {{"c7a", "c7a/failed@1"}, {"c7b", "c7b/failed@2"}};
	struct rp_load l;
	struct rp_err err;

	st.known = 1;
	st.status = RP_CRITICAL;
	st.last_eval = 900;
	st.open_key = rp_xstrdup("c7b/overdue@0");
	st.open_sent = 1;
	ck_assert_int_eq(commit1(s, "c7b", &st, 0), 1);
	ck_assert_msg(rp_store_record_sent(s, v, 2, 1000, NULL, &err) == 0, "%s", err.msg);
	load1(s, &l, "c7a", 60, 1, 2000, 0);
	ck_assert_str_eq(l.st.open_key, "c7a/failed@1");
	ck_assert_int_eq(l.st.open_sent, 1);
	ck_assert_int_eq(l.st.episode_start, 1000);
	ck_assert_int_eq(l.st.last_eval, 0); /* evaluated again by the next run */
	rp_load_clear(&l);
	load1(s, &l, "c7b", 60, 1, 2000, 0);
	ck_assert_str_eq(l.st.open_key, "c7b/overdue@0");
	ck_assert_str_eq(l.st.stale_key, "c7b/failed@2");
	ck_assert_int_eq(l.st.last_eval, 900);
	rp_load_clear(&l);
	rp_state_clear(&st);
	rp_store_close(s);
}
END_TEST

START_TEST(many_in_one_round_trip)
{
	struct rp_store *s = open_store("sc8");
	struct rp_load l[300];
	struct rp_err err;
	char names[300][16];
	time_t now = 5000, clock;
	size_t i, w;
	long trips;

	memset(l, 0, sizeof(l));
	for (i = 0; i < 300; i++) {
		snprintf(names[i], sizeof(names[i]), "m%zu", i);
		l[i].name = names[i];
		l[i].poll_sec = 60;
	}
	trips = rp_store_round_trips(s);
	ck_assert(rp_store_load(s, l, 300, &now, 0, &clock, &w, &err) == 0);
	ck_assert_int_eq(rp_store_round_trips(s), trips + 1);
	for (i = 0; i < 300; i++)
		ck_assert_int_eq(l[i].due, 1);
	now = 5001;
	ck_assert(rp_store_load(s, l, 300, &now, 0, &clock, &w, &err) == 0);
	for (i = 0; i < 300; i++)
		ck_assert_int_eq(l[i].due, 0);
	rp_store_close(s);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, roundtrip);
	tcase_add_test(tc, due_and_lock);
	tcase_add_test(tc, clock_behind_and_cas);
	tcase_add_test(tc, redis_clock);
	tcase_add_test(tc, commit_with_events);
	tcase_add_test(tc, release_lock);
	tcase_add_test(tc, record_sent);
	tcase_add_test(tc, many_in_one_round_trip);
	tcase_add_test(tc, sent_straight);
}
