#define UNIT_NAME "sink_webhook"
#include <jansson.h>
#include <string.h>

#include "sink.h"
#include "sink_webhook.h"
#include "sinkcfg.h"
#include "sinkev.h"
#include "unit.h"

START_TEST(body)
{
	struct rp_sink_event e = test_event(RP_EV_TRIGGER);
	char *b = rp_webhook_body(&e);

	/* The documented body, version 1, keys in this order. */
	ck_assert_str_eq(b, "{\"version\":1,\"check\":\"nightly_orders_latency\",\"type\":\"batchy\","
	    "\"status\":\"CRITICAL\",\"action\":\"trigger\","
	    "\"dedup_key\":\"nightly_orders_latency/overdue@2026-11-26T14:30:00Z\","
	    "\"summary\":\"orders_intraday: no completion for 61 min (limit 60)\","
	    "\"description\":\"intraday latency check for orders\",\"host\":\"host1\","
	    "\"details\":{\"last_completion\":\"2026-11-26T14:30:00Z\",\"latency_min\":61},"
	    "\"time\":\"2026-11-26T14:31:00Z\"}");
	free(b);
	e = test_event(RP_EV_WARNING);
	e.status = RP_WARNING;
	e.description = NULL;
	e.summary = "bad \xff bytes";
	b = rp_webhook_body(&e);
	ck_assert_ptr_nonnull(strstr(b, "\"status\":\"WARNING\",\"action\":\"warning\""));
	ck_assert_ptr_nonnull(strstr(b, "\"description\":null"));
	{
		json_t *j = json_loads(b, 0, NULL); /* valid UTF-8 JSON */
		ck_assert_ptr_nonnull(j);
		json_decref(j);
	}
	free(b);
}
END_TEST

START_TEST(signature)
{
	char hex[65];

	/* RFC 4231, test case 2. */
	rp_webhook_sign("Jefe", 4, "what do ya want for nothing?", hex);
	ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

START_TEST(request)
{
	struct rp_config cfg;
	const struct rp_sink *s = rp_sink_of("webhook:ops");
	struct rp_http_req q = {0};
	struct rp_pd_result r;
	const char *sent = "{\"version\":1}";
	char hex[65], want[100], *a, *b;

	sink_cfg(&cfg, "http://127.0.0.1:9", NULL);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(s->request(&cfg, "webhook:ops", sent, 0, &q, &r), 0);
	ck_assert_str_eq(q.url, "http://127.0.0.1:9/hook");
	ck_assert_str_eq(q.body, sent);
	rp_webhook_sign(TEST_HOOK_SECRET, strlen(TEST_HOOK_SECRET), sent, hex);
	snprintf(want, sizeof(want), "X-Robopager-Signature: %s", hex);
	ck_assert_str_eq(q.headers[0], want);
	ck_assert_ptr_null(q.headers[1]);
	rp_http_req_free(&q);
	ck_assert_int_eq(s->takes(&cfg, "webhook:ops", RP_EV_WARNING), 0);
	ck_assert_int_eq(s->per_min(&cfg, "webhook:ops"), 120);
	/* The fingerprint never holds the secret, and changes with the URL. */
	a = s->fingerprint(&cfg, "webhook:ops", sent);
	ck_assert_ptr_null(strstr(a, "5ec2e7"));
	free(cfg.webhook[0].url);
	cfg.webhook[0].url = rp_xstrdup("http://127.0.0.1:9/hook2");
	b = s->fingerprint(&cfg, "webhook:ops", sent);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
	free(cfg.webhook[0].secret_file);
	cfg.webhook[0].secret_file = NULL;
	cfg.webhook[0].secret_env = rp_xstrdup("RP_TEST_NO_SUCH_VARIABLE");
	ck_assert_int_eq(s->request(&cfg, "webhook:ops", sent, 0, &q, &r), -1);
	ck_assert_int_eq(r.outcome, RP_PD_FAILED);
	ck_assert_ptr_nonnull(strstr(r.message, "$RP_TEST_NO_SUCH_VARIABLE is not set"));
	rp_http_req_free(&q);
	rp_config_free(&cfg);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, body);
	tcase_add_test(tc, signature);
	tcase_add_test(tc, request);
}
