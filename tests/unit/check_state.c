#define UNIT_NAME "state"
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "unit.h"

START_TEST(status_names)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN", "SKIPPED"};
	enum rp_status s;
	int i;

	ck_assert_int_eq(RP_OK, 0);
	for (i = RP_OK; i <= RP_SKIPPED; i++) {
		ck_assert_str_eq(rp_status_name((enum rp_status)i), names[i]);
		s = RP_OK;
		ck_assert_int_eq(rp_status_parse(names[i], &s), 0);
		ck_assert_int_eq(s, i);
	}
	s = RP_UNKNOWN;
	ck_assert_int_eq(rp_status_parse("warning", &s), -1);
	ck_assert_int_eq(rp_status_parse("OK ", &s), -1);
	ck_assert_int_eq(rp_status_parse("", &s), -1);
	ck_assert_int_eq(rp_status_parse("CRIT", &s), -1);
	ck_assert_int_eq(s, RP_UNKNOWN); /* untouched on failure */
}
END_TEST

static void
full_state(struct rp_check_state *st)
{
	memset(st, 0, sizeof(*st));
	st->known = 1;
	st->status = RP_CRITICAL;
	st->summary = rp_xstrdup("late: 73 min");
	st->last_eval = 1000;
	st->since = 900;
	st->open_key = rp_xstrdup("c/overdue@x");
	st->open_sent = 1;
	st->episode_start = 900;
	st->stale_key = rp_xstrdup("c/2026-11-25");
	st->unknown_count = 2;
	st->unknown_since = 950;
	st->unknown_key = rp_xstrdup("c/unknown@950");
	st->unknown_sent = 1;
	st->completion = 500;
	st->success_day = rp_xstrdup("2026-11-26");
}

START_TEST(copy_and_clear)
{
	struct rp_check_state a, b;

	full_state(&a);
	memset(&b, 0xff, sizeof(b)); /* overwritten, not freed */
	rp_state_copy(&b, &a);
	/* A deep copy: equal values, strings of its own. */
	ck_assert_int_eq(b.known, 1);
	ck_assert_int_eq(b.status, RP_CRITICAL);
	ck_assert_int_eq(b.last_eval, 1000);
	ck_assert_int_eq(b.since, 900);
	ck_assert_int_eq(b.open_sent, 1);
	ck_assert_int_eq(b.episode_start, 900);
	ck_assert_int_eq(b.unknown_count, 2);
	ck_assert_int_eq(b.unknown_since, 950);
	ck_assert_int_eq(b.unknown_sent, 1);
	ck_assert_int_eq(b.completion, 500);
	ck_assert_str_eq(b.summary, "late: 73 min");
	ck_assert_str_eq(b.open_key, "c/overdue@x");
	ck_assert_str_eq(b.stale_key, "c/2026-11-25");
	ck_assert_str_eq(b.unknown_key, "c/unknown@950");
	ck_assert_str_eq(b.success_day, "2026-11-26");
	ck_assert_ptr_ne(b.summary, a.summary);
	ck_assert_ptr_ne(b.open_key, a.open_key);
	ck_assert_ptr_ne(b.stale_key, a.stale_key);
	ck_assert_ptr_ne(b.unknown_key, a.unknown_key);
	ck_assert_ptr_ne(b.success_day, a.success_day);
	/* Clearing one leaves the other whole. */
	rp_state_clear(&a);
	ck_assert_int_eq(a.known, 0);
	ck_assert_int_eq(a.status, RP_OK);
	ck_assert_int_eq(a.last_eval, 0);
	ck_assert_ptr_null(a.summary);
	ck_assert_ptr_null(a.open_key);
	ck_assert_ptr_null(a.stale_key);
	ck_assert_ptr_null(a.unknown_key);
	ck_assert_ptr_null(a.success_day);
	ck_assert_str_eq(b.summary, "late: 73 min");
	ck_assert_str_eq(b.success_day, "2026-11-26");
	/* Absent strings are copied as absent; clearing twice is harmless. */
	rp_state_copy(&a, &(struct rp_check_state){.known = 1, .last_eval = 7});
	ck_assert_int_eq(a.last_eval, 7);
	ck_assert_ptr_null(a.summary);
	ck_assert_ptr_null(a.open_key);
	ck_assert_ptr_null(a.success_day);
	rp_state_clear(&a);
	rp_state_clear(&a);
	rp_state_clear(&b);
}
END_TEST

START_TEST(load_clear)
{
	struct rp_load l;

	memset(&l, 0, sizeof(l));
	l.name = "c";
	l.poll_sec = 60;
	l.due = 1;
	l.last_eval = 1000;
	l.refused = rp_xstrdup("{\"message\":\"invalid\"}");
	full_state(&l.st);
	rp_load_clear(&l);
	ck_assert_ptr_null(l.refused);
	ck_assert_ptr_null(l.st.summary);
	ck_assert_ptr_null(l.st.open_key);
	ck_assert_int_eq(l.st.known, 0);
	/* What the caller put in stays: the request can be read again. */
	ck_assert_str_eq(l.name, "c");
	ck_assert_int_eq(l.poll_sec, 60);
	rp_load_clear(&l);
}
END_TEST

static char *
xdup(const char *s)
{
	return rp_xstrdup(s);
}

static struct rp_ob_entry
entry(const char *id)
{
	struct rp_ob_entry e;

	memset(&e, 0, sizeof(e));
	e.id = xdup(id);
	e.check = xdup("c");
	e.label = xdup("rk-1");
	e.body = xdup("{\"routing_key\":\"secret\"}");
	e.error = xdup("HTTP 503");
	e.attempts = 2;
	return e;
}

START_TEST(ob_update_merge)
{
	struct rp_ob_update dst, src;

	memset(&dst, 0, sizeof(dst));
	memset(&src, 0, sizeof(src));
	dst.token = "run-a";
	dst.minute = 42;
	dst.done = rp_xcalloc(1, sizeof(char *));
	dst.done[dst.ndone++] = xdup("trigger a/1");
	src.done = rp_xcalloc(2, sizeof(char *));
	src.done[src.ndone++] = xdup("trigger b/1");
	src.done[src.ndone++] = xdup("resolve b/1");
	src.add = rp_xcalloc(1, sizeof(*src.add));
	src.add[src.nadd++] = entry("trigger c/1");
	src.retry = rp_xcalloc(1, sizeof(*src.retry));
	src.retry[src.nretry++] = entry("trigger d/1");
	src.rej = rp_xcalloc(1, sizeof(*src.rej));
	src.rej[0].id = xdup("trigger e/1");
	src.rej[0].message = xdup("HTTP 400: invalid");
	src.nrej = 1;
	src.sent = rp_xcalloc(1, sizeof(*src.sent));
	rp_strlcpy(src.sent[0].label, "rk-1", sizeof(src.sent[0].label));
	src.sent[0].count = 3;
	src.nsent = 1;
	src.token = "run-b";
	src.minute = 43;
	rp_ob_update_merge(&dst, &src);
	/* Appended in order; dst keeps its token and minute. */
	ck_assert_uint_eq(dst.ndone, 3);
	ck_assert_str_eq(dst.done[0], "trigger a/1");
	ck_assert_str_eq(dst.done[1], "trigger b/1");
	ck_assert_str_eq(dst.done[2], "resolve b/1");
	ck_assert_uint_eq(dst.nadd, 1);
	ck_assert_str_eq(dst.add[0].id, "trigger c/1");
	ck_assert_uint_eq(dst.nretry, 1);
	ck_assert_str_eq(dst.retry[0].id, "trigger d/1");
	ck_assert_int_eq(dst.retry[0].attempts, 2);
	ck_assert_uint_eq(dst.nrej, 1);
	ck_assert_str_eq(dst.rej[0].message, "HTTP 400: invalid");
	ck_assert_uint_eq(dst.nsent, 1);
	ck_assert_int_eq(dst.sent[0].count, 3);
	ck_assert_str_eq(dst.token, "run-a");
	ck_assert_int_eq(dst.minute, 42);
	/* src is left empty (and owns nothing: valgrind would say). */
	ck_assert_uint_eq(src.ndone + src.nadd + src.nretry + src.nrej + src.nsent, 0);
	ck_assert_ptr_null(src.done);
	ck_assert_ptr_null(src.add);
	ck_assert_ptr_null(src.token);
	/* An empty dst takes src's token and minute. */
	src.token = "run-c";
	src.minute = 44;
	src.done = rp_xcalloc(1, sizeof(char *));
	src.done[src.ndone++] = xdup("trigger f/1");
	rp_ob_update_free(&dst);
	ck_assert_ptr_null(dst.token);
	rp_ob_update_merge(&dst, &src);
	ck_assert_str_eq(dst.token, "run-c");
	ck_assert_int_eq(dst.minute, 44);
	ck_assert_uint_eq(dst.ndone, 1);
	ck_assert_str_eq(dst.done[0], "trigger f/1");
	rp_ob_update_free(&dst);
}
END_TEST

START_TEST(outbox_free)
{
	struct rp_outbox ob;
	struct rp_rejected *rej = rp_xcalloc(2, sizeof(*rej));

	memset(&ob, 0, sizeof(ob));
	ob.token = "run-a";
	ob.owned = 1;
	ob.v = rp_xcalloc(2, sizeof(*ob.v));
	ob.v[0] = entry("trigger a/1");
	ob.v[1] = entry("resolve a/1");
	ob.n = 2;
	ob.rates = rp_xcalloc(1, sizeof(*ob.rates));
	ob.nrates = 1;
	rp_outbox_free(&ob);
	ck_assert_ptr_null(ob.v);
	ck_assert_ptr_null(ob.rates);
	ck_assert_uint_eq(ob.n, 0);
	ck_assert_uint_eq(ob.nrates, 0);
	ck_assert_int_eq(ob.owned, 0);
	ck_assert_str_eq(ob.token, "run-a"); /* the caller's */
	rp_outbox_free(&ob);
	rej[0].id = xdup("trigger a/1");
	rej[0].fix = xdup("0123456789abcdef");
	rej[1].event = xdup("{}");
	rp_rejected_clear(&rej[1]);
	ck_assert_ptr_null(rej[1].event);
	rp_rejected_free(rej, 2);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, status_names);
	tcase_add_test(tc, copy_and_clear);
	tcase_add_test(tc, load_clear);
	tcase_add_test(tc, ob_update_merge);
	tcase_add_test(tc, outbox_free);
}
