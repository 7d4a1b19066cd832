#define UNIT_NAME "sink"
#include <string.h>

#include "checklist.h"
#include "deliver.h"
#include "sink.h"
#include "sinkcfg.h"
#include "unit.h"

static struct rp_check
check(const char *rk, char **notify, size_t n)
{
	struct rp_check c;

	memset(&c, 0, sizeof(c));
	c.name = (char *)(uintptr_t)"orders";
	c.pd_service = (char *)(uintptr_t)rk;
	c.notify = notify;
	c.nnotify = n;
	c.notify_line = 7;
	return c;
}

START_TEST(table)
{
	char who[200];

	ck_assert_str_eq(rp_sink_of("pagerduty")->name, "pagerduty");
	ck_assert_str_eq(rp_sink_of("slack:team")->name, "slack");
	ck_assert_str_eq(rp_sink_of("webhook:ops")->name, "webhook");
	ck_assert_str_eq(rp_sink_of("alertmanager:http://am1:9093")->name, "alertmanager");
	ck_assert_ptr_null(rp_sink_of("slac:team"));
	ck_assert_ptr_null(rp_sink_of("email:x"));
	ck_assert_str_eq(rp_sink_dest_name("alertmanager:http://am1:9093"), "http://am1:9093");
	ck_assert_str_eq(rp_sink_dest_name("pagerduty"), "");
	rp_sink_who("pagerduty", who, sizeof(who));
	ck_assert_str_eq(who, "PagerDuty");
	rp_sink_who("slack:team", who, sizeof(who));
	ck_assert_str_eq(who, "Slack team");
	rp_sink_who("alertmanager:http://am1:9093", who, sizeof(who));
	ck_assert_str_eq(who, "Alertmanager http://am1:9093");
}
END_TEST

START_TEST(ids)
{
	char d[RP_DEST_MAX], a[16], *id;

	/* PagerDuty's keep the form of the earlier version, which is read as
	 * PagerDuty's. */
	id = rp_dl_dest_id("pagerduty", "trigger", "c/failed@2026-12-10T14:00:00Z");
	ck_assert_str_eq(id, "trigger c/failed@2026-12-10T14:00:00Z");
	rp_dl_id_dest(id, d, sizeof(d));
	ck_assert_str_eq(d, "pagerduty");
	rp_dl_id_action(id, a, sizeof(a));
	ck_assert_str_eq(a, "trigger");
	ck_assert_str_eq(rp_dl_id_key(id), "c/failed@2026-12-10T14:00:00Z");
	free(id);
	id = rp_dl_dest_id("alertmanager:http://am1:9093", "resolve", "c/overdue@2026-12-10T14:00:00Z");
	ck_assert_str_eq(id, "alertmanager:http://am1:9093 resolve c/overdue@2026-12-10T14:00:00Z");
	rp_dl_id_dest(id, d, sizeof(d));
	ck_assert_str_eq(d, "alertmanager:http://am1:9093");
	rp_dl_id_action(id, a, sizeof(a));
	ck_assert_str_eq(a, "resolve");
	ck_assert_str_eq(rp_dl_id_key(id), "c/overdue@2026-12-10T14:00:00Z");
	free(id);
	rp_dl_id_dest("slack:team warning c/warning@x", d, sizeof(d));
	ck_assert_str_eq(d, "slack:team");
	ck_assert_str_eq(rp_dl_id_key("slack:team warning c/warning@x"), "c/warning@x");
}
END_TEST

START_TEST(destinations)
{
	struct rp_config cfg;
	static char team[] = "team", ops[] = "ops", nosuch[] = "nosuch";
	char *both[] = {team, ops}, *bad[] = {team, nosuch};
	struct rp_check c = check("0123456789abcdef0123456789abcdef", both, 2);
	struct rp_err err;
	char **v;
	size_t n;

	sink_cfg(&cfg, "http://127.0.0.1:9", NULL);
	v = rp_sink_dests(&cfg, &c, 0, &n);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(v[0], "pagerduty");
	ck_assert_str_eq(v[1], "slack:team");
	ck_assert_str_eq(v[2], "webhook:ops");
	ck_assert_str_eq(v[3], "alertmanager:http://127.0.0.1:1");
	ck_assert_str_eq(v[4], "alertmanager:http://127.0.0.1:2");
	rp_sink_dests_free(v, n);
	/* Robopager's own health: heartbeat_service alone. */
	v = rp_sink_dests(&cfg, &c, 1, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0], "pagerduty");
	rp_sink_dests_free(v, n);
	c.pd_service = NULL;
	v = rp_sink_dests(&cfg, &c, 0, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(v[0], "slack:team");
	rp_sink_dests_free(v, n);

	ck_assert_int_eq(rp_sink_validate(&cfg, &c, "checklist.yaml", &err), 0);
	c.notify = bad;
	ck_assert_int_eq(rp_sink_validate(&cfg, &c, "checklist.yaml", &err), -1);
	ck_assert_int_eq(err.code, RP_EXIT_CONFIG);
	ck_assert_msg(strncmp(err.msg, "checklist.yaml:7: orders: notify: no [slack nosuch] or "
	    "[webhook nosuch] section in ", 76) == 0, "%s", err.msg);
	/* A Slack without the state would get every run's triggers. */
	c.notify = both;
	cfg.redis_enabled = 0;
	ck_assert_int_eq(rp_sink_validate(&cfg, &c, "checklist.yaml", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "notify: [slack team] needs the state in Redis"));
	rp_config_free(&cfg);
}
END_TEST

START_TEST(judge_http)
{
	struct rp_pd_result r;

	memset(&r, 0, sizeof(r));
	rp_sink_judge_http(200, "ok", NULL, &r);
	ck_assert_int_eq(r.outcome, RP_PD_DELIVERED);
	ck_assert_str_eq(r.message, "HTTP 200: ok");
	rp_sink_judge_http(204, NULL, NULL, &r);
	ck_assert_int_eq(r.outcome, RP_PD_DELIVERED);
	ck_assert_str_eq(r.message, "HTTP 204");
	rp_sink_judge_http(429, "rate_limited", NULL, &r);
	ck_assert_int_eq(r.outcome, RP_PD_FAILED);
	rp_sink_judge_http(503, "<html>\x1b[31mdown\nmore", NULL, &r);
	ck_assert_int_eq(r.outcome, RP_PD_FAILED);
	ck_assert_str_eq(r.message, "HTTP 503: <html>[31mdown"); /* one line, no control bytes */
	rp_sink_judge_http(404, "no_service", NULL, &r);
	ck_assert_int_eq(r.outcome, RP_PD_REJECTED);
	ck_assert_str_eq(r.message, "HTTP 404: no_service");
	rp_sink_judge_http(410, "channel_is_archived", NULL, &r);
	ck_assert_int_eq(r.outcome, RP_PD_REJECTED);
	rp_sink_judge_http(0, NULL, "Connection refused", &r);
	ck_assert_int_eq(r.outcome, RP_PD_FAILED);
	ck_assert_str_eq(r.message, "no answer: Connection refused");
}
END_TEST

START_TEST(hash_and_actions)
{
	const char *a[] = {"x", "y"}, *b[] = {"xy", ""}, *c[] = {"x", NULL};
	char *h1 = rp_sink_hash(a, 2), *h2 = rp_sink_hash(b, 2), *h3 = rp_sink_hash(c, 2);
	enum rp_ev_action act;

	ck_assert_uint_eq(strlen(h1), 16);
	ck_assert_str_ne(h1, h2); /* the parts are apart */
	ck_assert_str_ne(h1, h3);
	free(h1);
	free(h2);
	free(h3);
	ck_assert_int_eq(rp_ev_action_parse("warning", &act), 0);
	ck_assert_int_eq(act, RP_EV_WARNING);
	ck_assert_str_eq(rp_ev_action_name(RP_EV_RESOLVE), "resolve");
	ck_assert_int_eq(rp_ev_action_parse("change", &act), -1);
}
END_TEST

START_TEST(post_unknown_and_unreadable)
{
	struct rp_config cfg;
	struct rp_sink_msg m[3] = {{"email:x", "{}", -1}, {"slack:team", "", -1},
	    {"slack:gone", "{\"text\":\"x\"}", -1}};
	struct rp_sink_opts o = {0};
	struct rp_pd_result r[3];

	sink_cfg(&cfg, "http://127.0.0.1:9", NULL);
	o.max_attempts = 1;
	o.budget_ms = 1000;
	rp_sink_post(&cfg, 1795000000, &o, m, 3, r);
	ck_assert_int_eq(r[0].outcome, RP_PD_REJECTED);
	ck_assert_str_eq(r[0].message, "no such destination: email:x");
	ck_assert_int_eq(r[1].outcome, RP_PD_REJECTED);
	ck_assert_str_eq(r[1].message, "unreadable outbox entry");
	/* A destination no longer configured: refused, so that it shows. */
	ck_assert_int_eq(r[2].outcome, RP_PD_REJECTED);
	ck_assert_ptr_nonnull(strstr(r[2].message, "has no [slack gone] section"));
	rp_config_free(&cfg);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, table);
	tcase_add_test(tc, ids);
	tcase_add_test(tc, destinations);
	tcase_add_test(tc, judge_http);
	tcase_add_test(tc, hash_and_actions);
	tcase_add_test(tc, post_unknown_and_unreadable);
}
