#define UNIT_NAME "pagerduty"
#include <string.h>

#include "clock.h"
#include "http.h"
#include "pagerduty.h"
#include "servers.h"
#include "unit.h"

static const char key[] = "0123456789abcdef0123456789abcdef";

static struct rp_pd_event
trigger(void)
{
	static struct rp_fact facts[2] = {{"workflow", "orders_intraday", 0}, {"limit_min", "60", 1}};
	struct rp_pd_event e = {0};

	e.action = RP_ACT_TRIGGER;
	e.routing_key = key;
	e.dedup_key = "orders/overdue@2026-11-26T14:30:00Z";
	e.summary = "orders_intraday: no completion for 73 min (limit 60)";
	e.source = "host1";
	e.severity = "critical";
	e.component = "orders_intraday";
	e.group = "orders";
	e.class_name = "batchy";
	e.description = "intraday latency check";
	e.timestamp = 1795000000;
	e.facts = facts;
	e.nfacts = 2;
	return e;
}

START_TEST(event_json)
{
	struct rp_pd_event e = trigger();
	char *j = rp_pd_event_json(&e);

	ck_assert_str_eq(j,
	    "{\"routing_key\":\"0123456789abcdef0123456789abcdef\",\"event_action\":\"trigger\","
	    "\"dedup_key\":\"orders/overdue@2026-11-26T14:30:00Z\",\"payload\":{"
	    "\"summary\":\"orders_intraday: no completion for 73 min (limit 60)\",\"source\":\"host1\","
	    "\"severity\":\"critical\",\"timestamp\":\"2026-11-18T11:06:40Z\","
	    "\"component\":\"orders_intraday\",\"group\":\"orders\",\"class\":\"batchy\","
	    "\"custom_details\":{\"check\":\"orders\",\"description\":\"intraday latency check\","
	    "\"workflow\":\"orders_intraday\",\"limit_min\":60}},\"client\":\"Robopager\"}");
	free(j);
	e.action = RP_ACT_RESOLVE;
	j = rp_pd_event_json(&e);
	ck_assert_str_eq(j,
	    "{\"routing_key\":\"0123456789abcdef0123456789abcdef\",\"event_action\":\"resolve\","
	    "\"dedup_key\":\"orders/overdue@2026-11-26T14:30:00Z\"}");
	free(j);
}
END_TEST

START_TEST(event_json_limits)
{
	struct rp_pd_event e = trigger();
	char big[3000], *j, *p;

	/* A summary over 1024 bytes is cut on a character boundary; bytes that
	 * are not UTF-8 become U+FFFD. */
	memset(big, 'a', sizeof(big));
	memcpy(big + 1022, "\xc3\xa9", 2);
	memcpy(big + 1023 + 2, "\xff", 1);
	big[sizeof(big) - 1] = '\0';
	e.summary = big;
	j = rp_pd_event_json(&e);
	p = strstr(j, "\"summary\":\"");
	ck_assert_ptr_nonnull(p);
	p += 11;
	ck_assert_int_eq(strchr(p, '"') - p, 1024);
	free(j);
	big[1022] = 'a';
	big[1023] = '\xc3'; /* é split by the limit: dropped whole */
	big[1024] = '\xa9';
	j = rp_pd_event_json(&e);
	p = strstr(j, "\"summary\":\"") + 11;
	ck_assert_int_eq(strchr(p, '"') - p, 1023);
	free(j);
	e.summary = "bad \xff byte";
	j = rp_pd_event_json(&e);
	ck_assert_ptr_nonnull(strstr(j, "\"summary\":\"bad \xef\xbf\xbd byte\""));
	free(j);
}
END_TEST

START_TEST(classify)
{
	struct rp_pd_result r;

	rp_pd_classify(202, "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"k\"}", "", &r);
	ck_assert_int_eq(r.outcome, RP_PD_DELIVERED);
	ck_assert_str_eq(r.message, "HTTP 202: Event processed");
	rp_pd_classify(400, "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\","
	                    "\"errors\":[\"'routing_key' is invalid\"]}", "", &r);
	ck_assert_int_eq(r.outcome, RP_PD_REJECTED);
	ck_assert_str_eq(r.message, "HTTP 400: Event object is invalid: 'routing_key' is invalid");
	rp_pd_classify(429, "", "", &r);
	ck_assert_int_eq(r.outcome, RP_PD_FAILED);
	rp_pd_classify(503, "<html>", "", &r);
	ck_assert_int_eq(r.outcome, RP_PD_FAILED);
	ck_assert_str_eq(r.message, "HTTP 503");
	rp_pd_classify(0, NULL, "Connection refused", &r);
	ck_assert_int_eq(r.outcome, RP_PD_FAILED);
	ck_assert_str_eq(r.message, "no answer: Connection refused");
}
END_TEST

static struct rp_pd_opts
opts(void)
{
	static char url[256];
	struct rp_pd_opts o = {0};

	snprintf(url, sizeof(url), "%s", test_url("RP_TEST_PD_PORT", "/v2/enqueue"));
	o.url = url;
	o.timeout_ms = 3000;
	o.max_attempts = 4;
	o.backoff_ms = 50;
	o.budget_ms = 20000;
	return o;
}

START_TEST(send_retries)
{
	struct rp_pd_opts o = opts();
	struct rp_pd_event e[2] = {trigger(), trigger()};
	struct rp_pd_result r[2];

	ck_assert_int_eq(rp_http_global(), 0);
	pd_control("/_reset", "");
	e[1].dedup_key = "second";
	/* 429 (Retry-After: 1) and 500 for the first two answers, then 202. */
	pd_control("/_fail", "429 500");
	rp_pd_send(&o, e, 2, r);
	ck_assert_int_eq(r[0].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(r[1].outcome, RP_PD_DELIVERED);
	ck_assert_int_eq(r[0].attempts + r[1].attempts, 4);
	/* 400: not retried. */
	e[0].severity = "fatal";
	rp_pd_send(&o, e, 1, r);
	ck_assert_int_eq(r[0].outcome, RP_PD_REJECTED);
	ck_assert_int_eq(r[0].attempts, 1);
	ck_assert_str_eq(r[0].message, "HTTP 400: Event object is invalid: 'payload.severity' is invalid");
	/* Failing past the attempts: reported as not delivered. */
	e[0].severity = "critical";
	o.max_attempts = 2;
	pd_control("/_fail", "500 500 500");
	rp_pd_send(&o, e, 1, r);
	ck_assert_int_eq(r[0].outcome, RP_PD_FAILED);
	ck_assert_int_eq(r[0].attempts, 2);
	ck_assert_str_eq(r[0].message, "HTTP 500: injected 500");
	pd_control("/_reset", "");
	rp_http_cleanup();
}
END_TEST

START_TEST(send_timeout_budget)
{
	struct rp_pd_opts o = opts();
	struct rp_pd_event e = trigger();
	struct rp_pd_result r;

	ck_assert_int_eq(rp_http_global(), 0);
	pd_control("/_reset", "");
	pd_control("/_fail", "slow:2 slow:2 slow:2");
	o.timeout_ms = 300;
	o.max_attempts = 10;
	o.budget_ms = 700; /* room for one attempt and its backoff only */
	rp_pd_send(&o, &e, 1, &r);
	ck_assert_int_eq(r.outcome, RP_PD_FAILED);
	ck_assert_int_le(r.attempts, 2);
	ck_assert_str_eq(r.message, "no answer: no answer within 300 ms");
	rp_http_cleanup();
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, event_json);
	tcase_add_test(tc, event_json_limits);
	tcase_add_test(tc, classify);
	tcase_add_test(tc, send_retries);
	tcase_add_test(tc, send_timeout_budget);
}
