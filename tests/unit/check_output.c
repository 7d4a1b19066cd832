#define UNIT_NAME "output"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "unit.h"

/* Runs f on a report and returns what it printed (static buffer). */
static const char *
render(void (*f)(FILE *, const struct rp_report *), const struct rp_report *r)
{
	static char buf[4096];
	FILE *m = fmemopen(buf, sizeof(buf), "w");

	ck_assert_ptr_nonnull(m);
	f(m, r);
	fclose(m);
	return buf;
}

static struct rp_action act[2];
static struct rp_pd_result sent[2];
static struct rp_fact facts[1] = {{"workflow", "orders \"intraday\"", 0}};

static struct rp_report
report(void)
{
	struct rp_report r = {0};

	memset(act, 0, sizeof(act));
	act[0].act = RP_ACT_TRIGGER;
	snprintf(act[0].dedup_key, sizeof(act[0].dedup_key), "orders/overdue@X");
	sent[0].outcome = RP_PD_DELIVERED;
	snprintf(sent[0].message, sizeof(sent[0].message), "HTTP 202: Event processed");
	r.check = "orders";
	r.type = "batchy";
	r.status = RP_CRITICAL;
	r.summary = "no completion for 73 min\n(limit 60)";
	r.now = 1795000000;
	r.acts = act;
	r.sent = sent;
	r.nact = 1;
	r.facts = facts;
	r.nfacts = 1;
	return r;
}

START_TEST(text)
{
	struct rp_report r = report();

	ck_assert_str_eq(render(rp_out_text, &r),
	    "CRITICAL orders: no completion for 73 min (limit 60) [trigger orders/overdue@X sent]\n");
	r.sent = NULL;
	ck_assert_str_eq(render(rp_out_text, &r),
	    "CRITICAL orders: no completion for 73 min (limit 60) [would trigger orders/overdue@X]\n");
	r.nact = 0;
	r.status = RP_OK;
	r.summary = "fine";
	ck_assert_str_eq(render(rp_out_text, &r), "OK orders: fine\n");
}
END_TEST

START_TEST(json)
{
	struct rp_report r = report();

	ck_assert_str_eq(render(rp_out_json, &r),
	    "{\"check\":\"orders\",\"type\":\"batchy\",\"status\":\"CRITICAL\","
	    "\"summary\":\"no completion for 73 min\\u000a(limit 60)\",\"time\":\"2026-11-18T11:06:40Z\","
	    "\"action\":\"trigger\",\"dedup_key\":\"orders/overdue@X\",\"actions\":[{\"action\":\"trigger\","
	    "\"dedup_key\":\"orders/overdue@X\",\"page\":\"episode\",\"delivery\":\"sent\","
	    "\"answer\":\"HTTP 202: Event processed\"}],\"details\":{\"workflow\":\"orders \\\"intraday\\\"\"}}\n");
	r.nact = 0;
	r.nfacts = 0;
	r.status = RP_SKIPPED;
	r.summary = "not due before 09:00";
	ck_assert_str_eq(render(rp_out_json, &r),
	    "{\"check\":\"orders\",\"type\":\"batchy\",\"status\":\"SKIPPED\","
	    "\"summary\":\"not due before 09:00\",\"time\":\"2026-11-18T11:06:40Z\","
	    "\"action\":\"none\",\"actions\":[],\"details\":{}}\n");
}
END_TEST

/* Labels name the check; a quote doubles, '=' and '|' are not kept. */
START_TEST(perf_labels)
{
	struct rp_buf b = {0};

	rp_out_perf(&b, "vendor", "missing=1;;0;0 expected=2;;;0");
	ck_assert_str_eq(b.data, "'vendor missing'=1;;0;0 'vendor expected'=2;;;0");
	rp_out_perf(&b, "it's=a|b", "late=60s;0;1800;0");
	ck_assert_str_eq(b.data, "'vendor missing'=1;;0;0 'vendor expected'=2;;;0 "
	    "'it''s_a_b late'=60s;0;1800;0");
	rp_buf_free(&b);
	rp_out_perf(&b, "x", "");
	rp_out_perf(&b, "x", NULL);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(worst_and_exit)
{
	ck_assert_int_eq(rp_status_worse(RP_OK, RP_WARNING), RP_WARNING);
	ck_assert_int_eq(rp_status_worse(RP_WARNING, RP_UNKNOWN), RP_UNKNOWN);
	ck_assert_int_eq(rp_status_worse(RP_UNKNOWN, RP_CRITICAL), RP_CRITICAL);
	ck_assert_int_eq(rp_status_worse(RP_CRITICAL, RP_UNKNOWN), RP_CRITICAL);
	ck_assert_int_eq(rp_status_worse(RP_OK, RP_SKIPPED), RP_OK);
	ck_assert_int_eq(rp_exit_for(RP_OK), 0);
	ck_assert_int_eq(rp_exit_for(RP_WARNING), 1);
	ck_assert_int_eq(rp_exit_for(RP_CRITICAL), 2);
	ck_assert_int_eq(rp_exit_for(RP_UNKNOWN), 3);
	ck_assert_int_eq(rp_exit_for(RP_SKIPPED), 0);
}
END_TEST

static const char *
log_line(const char *journal)
{
	static char buf[512];
	FILE *saved = stderr, *m = fmemopen(buf, sizeof(buf), "w");

	if (journal)
		setenv("JOURNAL_STREAM", journal, 1);
	else
		unsetenv("JOURNAL_STREAM");
	stderr = m;
	rp_log_init("rp-test", 0);
	rp_log(RP_LOG_ERR, "redis: %s", "down\nforged line");
	rp_log(RP_LOG_DEBUG, "not shown without -v");
	stderr = saved;
	fclose(m);
	return buf;
}

START_TEST(log_lines)
{
	ck_assert_str_eq(log_line(NULL), "rp-test: redis: down forged line\n");
	ck_assert_str_eq(log_line("8:1234"), "<3>rp-test: redis: down forged line\n");
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, text);
	tcase_add_test(tc, json);
	tcase_add_test(tc, worst_and_exit);
	tcase_add_test(tc, perf_labels);
	tcase_add_test(tc, log_lines);
}
