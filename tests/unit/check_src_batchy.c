#define UNIT_NAME "src_batchy"
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "src_batchy.h"
#include "unit.h"

static int
parse(const char *body, struct rp_src_result *wf, char *why)
{
	int rc;

	memset(wf, 0, sizeof(*wf));
	rc = rp_batchy_parse(body, strlen(body), wf);
	snprintf(why, RP_SRC_WHY_MAX, "%s", wf->why);
	return rc;
}

START_TEST(url)
{
	char *u;

	u = rp_batchy_url("batchy.internal", 8050, "orders_intraday");
	ck_assert_str_eq(u, "http://batchy.internal:8050/get_status/orders_intraday");
	free(u);
	u = rp_batchy_url("127.0.0.1", 1, "a b/c?d#e%f");
	ck_assert_str_eq(u, "http://127.0.0.1:1/get_status/a%20b%2Fc%3Fd%23e%25f");
	free(u);
	u = rp_batchy_url("::1", 8050, "w");
	ck_assert_str_eq(u, "http://[::1]:8050/get_status/w");
	free(u);
	u = rp_batchy_url("https://proxy.example/batchy/", 8050, "w");
	ck_assert_str_eq(u, "https://proxy.example/batchy/get_status/w");
	free(u);
	u = rp_batchy_url("h", 1, "caf\xc3\xa9");
	ck_assert_str_eq(u, "http://h:1/get_status/caf%C3%A9");
	free(u);
}
END_TEST

START_TEST(answers)
{
	struct rp_src_result wf;
	char why[RP_SRC_WHY_MAX], b[RP_UTC_LEN];

	ck_assert_int_eq(parse("{\"global\":{\"status\":\"success\",\"batch_start\":\"2026-11-26T14:00:00\","
	                       "\"batch_end\":\"2026-11-26T14:30:00.5\"}}", &wf, why), 0);
	ck_assert(wf.ok && !wf.failed);
	rp_clock_format_utc(wf.completion, b);
	ck_assert_str_eq(b, "2026-11-26T14:30:00Z");
	rp_clock_format_utc(wf.start, b);
	ck_assert_str_eq(b, "2026-11-26T14:00:00Z");
	ck_assert_str_eq(wf.facts[0].name, "batchy_status");
	ck_assert_str_eq(wf.facts[0].value, "success");
	ck_assert_int_eq(parse("{\"global\":{\"status\":\"open\",\"batch_start\":\"2026-11-26 14:00:00\","
	                       "\"batch_end\":null},\"other\":[1,2]}", &wf, why), 0);
	ck_assert(wf.ok && !wf.failed && wf.start != 0 && wf.completion == 0);
	ck_assert_int_eq(parse("{\"global\":{\"status\":\"NEW\"}}", &wf, why), 0);
	ck_assert(wf.ok && wf.start == 0 && wf.completion == 0);
	ck_assert_str_eq(wf.facts[0].value, "new");
	ck_assert_int_eq(parse("{\"global\":{\"status\":\"failure\",\"batch_start\":\"2026-11-26T14:00:00Z\"}}",
	                     &wf, why), 0);
	ck_assert(wf.ok && wf.failed && wf.failed_start == wf.start && wf.start != 0);
	/* A success without its end is no completion. */
	ck_assert_int_eq(parse("{\"global\":{\"status\":\"success\",\"batch_start\":\"2026-11-26T14:00:00\"}}",
	                     &wf, why), 0);
	ck_assert(wf.ok && wf.completion == 0);
}
END_TEST

START_TEST(unusable)
{
	struct rp_src_result wf;
	char why[RP_SRC_WHY_MAX];

	ck_assert_int_eq(parse("<html>502</html>", &wf, why), -1);
	ck_assert_str_eq(why, "batchy answered something that is not JSON ('[' or '{' expected near '<')");
	ck_assert_int_eq(parse("{\"status\":\"success\"}", &wf, why), -1);
	ck_assert_str_eq(why, "batchy's answer has no \"global\" object");
	ck_assert_int_eq(parse("{\"global\":{\"batch_end\":null}}", &wf, why), -1);
	ck_assert_str_eq(why, "batchy's answer has no global.status");
	ck_assert_int_eq(parse("{\"global\":{\"status\":\"paused\"}}", &wf, why), -1);
	ck_assert_str_eq(why, "batchy answered an unknown status \"paused\"");
	ck_assert_int_eq(parse("{\"global\":{\"status\":\"open\",\"batch_start\":\"yesterday\"}}", &wf, why), -1);
	ck_assert_str_eq(why, "batchy answered an unreadable batch_start \"yesterday\"");
	ck_assert_int_eq(parse("{\"global\":{\"status\":\"open\",\"batch_start\":5}}", &wf, why), -1);
	ck_assert_str_eq(why, "batchy answered an unreadable batch_start");
	ck_assert_int_eq(parse("{\"global\":{\"status\":\"open\"},\"global\":{}}", &wf, why), -1);
	memset(&wf, 0, sizeof(wf));
	ck_assert_int_eq(rp_batchy_parse("{\"global\":{\"status\":\"open\"}}", 10, &wf), -1);
	ck_assert(!wf.ok);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, url);
	tcase_add_test(tc, answers);
	tcase_add_test(tc, unusable);
}
