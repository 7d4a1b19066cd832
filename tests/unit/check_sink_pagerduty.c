#define UNIT_NAME "sink_pagerduty"
#include <string.h>

#include "pagerduty.h"
#include "sink.h"
#include "sinkcfg.h"
#include "sinkev.h"
#include "unit.h"

START_TEST(as_before)
{
	struct rp_config cfg;
	const struct rp_sink *s = rp_sink_of("pagerduty");
	struct rp_sink_event e = test_event(RP_EV_TRIGGER);
	struct rp_http_req q = {0};
	struct rp_pd_result r;
	char label[RP_RATE_LABEL_LEN], want[RP_RATE_LABEL_LEN], *body, *kept, *fp;

	sink_cfg(&cfg, "http://127.0.0.1:9", NULL);
	memset(&r, 0, sizeof(r));
	/* The event as the earlier version queued it, routing key included. */
	body = rp_sink_encode(&cfg, "pagerduty", &e, label);
	ck_assert_ptr_nonnull(strstr(body, "{\"routing_key\":\"0123456789abcdef0123456789abcdef\","
	    "\"event_action\":\"trigger\",\"dedup_key\":\"nightly_orders_latency/overdue@"));
	ck_assert_ptr_nonnull(strstr(body, "\"class\":\"batchy\""));
	rp_rate_label("0123456789abcdef0123456789abcdef", want);
	ck_assert_str_eq(label, want); /* counted per routing key */
	ck_assert_int_eq(s->takes(&cfg, "pagerduty", RP_EV_WARNING), 0);
	ck_assert_int_eq(s->request(&cfg, "pagerduty", body, 0, &q, &r), 0);
	ck_assert_str_eq(q.url, "http://127.0.0.1:9/v2/enqueue");
	ck_assert_ptr_eq(q.body, body);
	ck_assert_int_eq(q.timeout_ms, 3000);
	rp_http_req_free(&q);
	kept = s->keep(body);
	ck_assert_ptr_null(strstr(kept, "0123456789abcdef0123456789abcdef"));
	fp = s->fingerprint(&cfg, "pagerduty", body);
	{
		char *direct = rp_pd_fingerprint(body);
		ck_assert_str_eq(fp, direct);
		free(direct);
	}
	ck_assert_int_eq(s->per_min(&cfg, "pagerduty"), 120);
	ck_assert_ptr_null(rp_sink_encode(&cfg, "pagerduty", &(struct rp_sink_event){
	    .action = RP_EV_WARNING}, label));
	free(kept);
	free(fp);
	rp_free_secret(body);
	rp_config_free(&cfg);
}
END_TEST

/* The whole event: the title names the check (not the heartbeat's, which
 * names itself); a resolve is routing key, action and dedup key. */
START_TEST(whole_event)
{
	struct rp_config cfg;
	struct rp_sink_event e = test_event(RP_EV_TRIGGER);
	char label[RP_RATE_LABEL_LEN], *body;

	sink_cfg(&cfg, "http://127.0.0.1:9", NULL);
	body = rp_sink_encode(&cfg, "pagerduty", &e, label);
	ck_assert_str_eq(body,
	    "{\"routing_key\":\"0123456789abcdef0123456789abcdef\",\"event_action\":\"trigger\","
	    "\"dedup_key\":\"nightly_orders_latency/overdue@2026-11-26T14:30:00Z\",\"payload\":{"
	    "\"summary\":\"nightly_orders_latency: orders_intraday: no completion for 61 min (limit 60)\","
	    "\"source\":\"host1\",\"severity\":\"critical\",\"timestamp\":\"2026-11-26T14:31:00Z\","
	    "\"component\":\"orders_intraday\",\"group\":\"nightly_orders_latency\",\"class\":\"batchy\","
	    "\"custom_details\":{\"check\":\"nightly_orders_latency\",\"description\":"
	    "\"intraday latency check for orders\",\"last_completion\":\"2026-11-26T14:30:00Z\","
	    "\"latency_min\":61}},\"client\":\"Robopager\"}");
	rp_free_secret(body);
	e.type = "heartbeat";
	e.check = "robopager-heartbeat/host1";
	e.summary = "robopager unhealthy on host1: rp-latency-check last ran 40 min ago";
	body = rp_sink_encode(&cfg, "pagerduty", &e, label);
	ck_assert_ptr_nonnull(strstr(body, "\"summary\":\"robopager unhealthy on host1: "));
	rp_free_secret(body);
	e = test_event(RP_EV_RESOLVE);
	body = rp_sink_encode(&cfg, "pagerduty", &e, label);
	ck_assert_str_eq(body,
	    "{\"routing_key\":\"0123456789abcdef0123456789abcdef\",\"event_action\":\"resolve\","
	    "\"dedup_key\":\"nightly_orders_latency/overdue@2026-11-26T14:30:00Z\"}");
	rp_free_secret(body);
	rp_config_free(&cfg);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, as_before);
	tcase_add_test(tc, whole_event);
}
