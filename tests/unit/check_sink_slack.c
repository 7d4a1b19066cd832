#define UNIT_NAME "sink_slack"
#include <jansson.h>
#include <string.h>

#include "sink.h"
#include "sinkcfg.h"
#include "sinkev.h"
#include "unit.h"

static const char *
sget(json_t *o, const char *path0, const char *path1)
{
	json_t *v = json_object_get(o, path0);
	return json_string_value(path1 ? json_object_get(v, path1) : v);
}

START_TEST(message)
{
	struct rp_config cfg;
	const struct rp_sink *s = rp_sink_of("slack:team");
	struct rp_sink_event e = test_event(RP_EV_TRIGGER);
	json_t *m, *blocks, *b;
	char *body;
	size_t i;

	sink_cfg(&cfg, "http://127.0.0.1:9", NULL);
	body = s->encode(&cfg, "slack:team", &e);
	m = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(sget(m, "text", NULL), ":red_circle: CRITICAL nightly_orders_latency: "
	    "orders_intraday: no completion for 61 min (limit 60)");
	blocks = json_object_get(m, "blocks");
	ck_assert_uint_eq(json_array_size(blocks), 4);
	b = json_array_get(blocks, 0);
	ck_assert_str_eq(sget(b, "type", NULL), "header");
	ck_assert_str_eq(sget(json_object_get(b, "text"), "type", NULL), "plain_text");
	ck_assert_str_eq(sget(json_object_get(b, "text"), "text", NULL),
	    ":red_circle: CRITICAL: nightly_orders_latency");
	b = json_array_get(blocks, 1);
	ck_assert_str_eq(sget(json_object_get(b, "text"), "text", NULL),
	    "orders_intraday: no completion for 61 min (limit 60)\nintraday latency check for orders");
	b = json_array_get(blocks, 2);
	ck_assert_uint_eq(json_array_size(json_object_get(b, "fields")), 2);
	ck_assert_str_eq(sget(json_array_get(json_object_get(b, "fields"), 1), "text", NULL),
	    "*latency_min*\n61");
	b = json_array_get(blocks, 3);
	ck_assert_str_eq(sget(b, "type", NULL), "context");
	ck_assert_str_eq(sget(json_array_get(json_object_get(b, "elements"), 0), "text", NULL),
	    "batchy check `nightly_orders_latency` | trigger "
	    "`nightly_orders_latency/overdue@2026-11-26T14:30:00Z` | host1 | 2026-11-26T14:31:00Z");
	/* Nothing of PagerDuty's: no routing key in another sink's body. */
	ck_assert_ptr_null(strstr(body, "0123456789abcdef0123456789abcdef"));
	json_decref(m);
	free(body);

	/* A resolve, a warning. */
	e = test_event(RP_EV_RESOLVE);
	e.summary = "orders_intraday: completed 5 min ago (limit 60)";
	body = s->encode(&cfg, "slack:team", &e);
	ck_assert_ptr_nonnull(strstr(body, "\"text\":\":large_green_circle: RESOLVED "
	    "nightly_orders_latency: orders_intraday: completed 5 min ago (limit 60)\""));
	free(body);
	ck_assert_int_eq(s->takes(&cfg, "slack:team", RP_EV_WARNING), 1);
	ck_assert_int_eq(s->takes(&cfg, "slack:quiet", RP_EV_WARNING), 0);
	ck_assert_int_eq(s->takes(&cfg, "slack:quiet", RP_EV_RESOLVE), 1);

	/* What a server said cannot mention @channel or forge a link; a long
	 * check name stays within the header's 150 characters; a job's output
	 * is a code block. */
	e = test_event(RP_EV_TRIGGER);
	e.summary = "<!channel> & <https://evil.example|click>";
	e.check = "a_check_name_that_goes_on_and_on_and_on_and_on_and_on_and_on_and_on_and_on_and_"
	    "on_and_on_and_on_and_on_and_on_and_on_and_on_and_on_and_on_end";
	e.output = "line 1\nline 2";
	body = s->encode(&cfg, "slack:team", &e);
	m = json_loads(body, 0, NULL);
	ck_assert_ptr_null(strstr(body, "<!channel>"));
	ck_assert_ptr_nonnull(strstr(body, "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"));
	blocks = json_object_get(m, "blocks");
	ck_assert_uint_le(strlen(sget(json_object_get(json_array_get(blocks, 0), "text"), "text",
	    NULL)), 150);
	ck_assert_str_eq(sget(json_object_get(json_array_get(blocks, 3), "text"), "text", NULL),
	    "*output (last lines)*\n```line 1\nline 2```");
	for (i = 0; i < json_array_size(blocks); i++)
		ck_assert_ptr_nonnull(sget(json_array_get(blocks, i), "type", NULL));
	json_decref(m);
	free(body);
	rp_config_free(&cfg);
}
END_TEST

START_TEST(request)
{
	struct rp_config cfg;
	const struct rp_sink *s = rp_sink_of("slack:team");
	struct rp_http_req q = {0};
	struct rp_pd_result r;
	char *a, *b;

	sink_cfg(&cfg, "http://127.0.0.1:9", NULL);
	memset(&r, 0, sizeof(r));
	/* The URL is read from its file when the message is sent. */
	ck_assert_int_eq(s->request(&cfg, "slack:team", "{\"text\":\"x\"}", 0, &q, &r), 0);
	ck_assert_str_eq(q.url, "http://127.0.0.1:9" TEST_SLACK_URL_PATH);
	ck_assert_str_eq(q.body, "{\"text\":\"x\"}");
	ck_assert_int_eq(q.timeout_ms, 3000);
	rp_http_req_free(&q);
	ck_assert_int_eq(s->per_min(&cfg, "slack:team"), 60);
	ck_assert_int_eq(s->request(&cfg, "slack:gone", "{}", 0, &q, &r), -1);
	ck_assert_int_eq(r.outcome, RP_PD_REJECTED);
	rp_http_req_free(&q);
	/* The fingerprint changes with the URL and never holds it. */
	a = s->fingerprint(&cfg, "slack:team", "{}");
	ck_assert_uint_eq(strlen(a), 16);
	ck_assert_ptr_null(strstr(a, "5ec2e7"));
	rp_config_free(&cfg);
	sink_cfg(&cfg, "http://127.0.0.1:10", NULL);
	b = s->fingerprint(&cfg, "slack:team", "{}");
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
	rp_config_free(&cfg);
	/* A URL file that cannot be read: the message waits for the fix. */
	sink_cfg(&cfg, "http://127.0.0.1:9", NULL);
	free(cfg.slack[0].webhook_url_file);
	cfg.slack[0].webhook_url_file = rp_xstrdup("/nonexistent/slack.url");
	ck_assert_int_eq(s->request(&cfg, "slack:team", "{}", 0, &q, &r), -1);
	ck_assert_int_eq(r.outcome, RP_PD_FAILED);
	ck_assert_ptr_nonnull(strstr(r.message, "[slack team] webhook_url_file"));
	rp_http_req_free(&q);
	rp_config_free(&cfg);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, message);
	tcase_add_test(tc, request);
}
