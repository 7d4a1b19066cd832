#define UNIT_NAME "sink_alertmanager"
#include <jansson.h>
#include <string.h>

#include "sink.h"
#include "sinkcfg.h"
#include "sinkev.h"
#include "unit.h"

#define AM1 "alertmanager:http://127.0.0.1:1"

START_TEST(alerts)
{
	struct rp_config cfg;
	const struct rp_sink *s = rp_sink_of(AM1);
	struct rp_sink_event e = test_event(RP_EV_TRIGGER);
	struct rp_http_req q = {0};
	struct rp_pd_result r;
	char *body;

	sink_cfg(&cfg, "http://127.0.0.1:9", NULL);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(s->takes(&cfg, AM1, RP_EV_WARNING), 0);
	ck_assert_int_eq(s->refresh, 1);
	ck_assert_int_eq(s->per_min(&cfg, AM1), 0);
	body = s->encode(&cfg, AM1, &e);
	ck_assert_str_eq(body, "{\"hold\":540,\"alert\":{\"labels\":{\"alertname\":\"RobopagerCheck\","
	    "\"check\":\"nightly_orders_latency\",\"type\":\"batchy\",\"severity\":\"critical\","
	    "\"dedup_key\":\"nightly_orders_latency/overdue@2026-11-26T14:30:00Z\"},"
	    "\"annotations\":{\"summary\":\"orders_intraday: no completion for 61 min (limit 60)\","
	    "\"description\":\"intraday latency check for orders\",\"host\":\"host1\","
	    "\"last_completion\":\"2026-11-26T14:30:00Z\",\"latency_min\":\"61\"},"
	    "\"startsAt\":\"2026-11-26T14:30:00Z\"}}");
	/* Sent: a firing alert lasts hold_sec from when it is sent. */
	ck_assert_int_eq(s->request(&cfg, AM1, body, 1795703460 + 3600, &q, &r), 0);
	ck_assert_str_eq(q.url, "http://127.0.0.1:1/api/v2/alerts");
	ck_assert_ptr_nonnull(strstr(q.body, "\"startsAt\":\"2026-11-26T14:30:00Z\","
	    "\"endsAt\":\"2026-11-26T15:40:00Z\"}]"));
	ck_assert_int_eq(q.body[0], '[');
	rp_http_req_free(&q);
	free(body);

	/* A resolve: the same labels, endsAt when it was decided. */
	e = test_event(RP_EV_RESOLVE);
	body = s->encode(&cfg, AM1, &e);
	ck_assert_int_eq(s->request(&cfg, AM1, body, 1795703460 + 3600, &q, &r), 0);
	ck_assert_ptr_nonnull(strstr(q.body, "\"severity\":\"critical\""));
	ck_assert_ptr_nonnull(strstr(q.body, "\"endsAt\":\"2026-11-26T14:31:00Z\"}]"));
	ck_assert_ptr_null(strstr(q.body, "startsAt"));
	rp_http_req_free(&q);

	/* An instance no longer among urls: refused; a damaged entry too. */
	ck_assert_int_eq(s->request(&cfg, "alertmanager:http://127.0.0.1:3", body, 0, &q, &r), -1);
	ck_assert_int_eq(r.outcome, RP_PD_REJECTED);
	ck_assert_ptr_nonnull(strstr(r.message, "is not among [alertmanager] urls"));
	rp_http_req_free(&q);
	ck_assert_int_eq(s->request(&cfg, AM1, "[1]", 0, &q, &r), -1);
	ck_assert_str_eq(r.message, "unreadable outbox entry");
	rp_http_req_free(&q);
	free(body);
	rp_config_free(&cfg);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, alerts);
}
