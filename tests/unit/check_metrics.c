#define UNIT_NAME "metrics"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "metrics.h"
#include "testutil.h"
#include "unit.h"

START_TEST(text)
{
	static char odd[] = "we\"ird\\name";
	struct rp_metric_check v[2] = {
		{"orders", "batchy", 1, RP_CRITICAL, 1795000000, 1794990000, 1, 0},
		{odd, "ping", 0, RP_OK, 0, 0, 0, 1},
	};
	struct rp_metric_run run = {"rp-latency-check", 1795000060, 0.25, 1, 3, -1};
	char *t = rp_metrics_text(&run, v, 2);

	ck_assert_ptr_nonnull(strstr(t, "# HELP robopager_check_status Status of the check"));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE robopager_check_status gauge\n"
	    "robopager_check_status{check=\"orders\",type=\"batchy\"} 2\n"
	    "# HELP robopager_check_last_evaluation_timestamp_seconds"));
	/* A check never evaluated has no status, its times are 0. */
	ck_assert_ptr_null(strstr(t, "robopager_check_status{check=\"we"));
	ck_assert_ptr_nonnull(strstr(t, "robopager_check_last_evaluation_timestamp_seconds"
	    "{check=\"we\\\"ird\\\\name\",type=\"ping\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "robopager_check_last_success_timestamp_seconds"
	    "{check=\"orders\",type=\"batchy\"} 1794990000\n"));
	ck_assert_ptr_nonnull(strstr(t, "robopager_check_incident_open{check=\"orders\","
	    "type=\"batchy\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "robopager_check_silenced{check=\"we\\\"ird\\\\name\","
	    "type=\"ping\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "robopager_last_run_timestamp_seconds{program="
	    "\"rp-latency-check\"} 1795000060\n"));
	ck_assert_ptr_nonnull(strstr(t, "robopager_run_duration_seconds{program="
	    "\"rp-latency-check\"} 0.25\n"));
	ck_assert_ptr_nonnull(strstr(t, "robopager_outbox_events{program=\"rp-latency-check\"} 3\n"));
	ck_assert_ptr_null(strstr(t, "robopager_healthy"));
	free(t);
}
END_TEST

START_TEST(file)
{
	char dir[] = "/tmp/rp-metrics-XXXXXX", path[128], buf[256];
	struct rp_metric_run run = {"rp-heartbeat", 100, 0.5, 1, 0, 1};
	struct rp_err err;
	FILE *f;
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(rp_metrics_write(dir, &run, NULL, 0, &err), 0);
	snprintf(path, sizeof(path), "%s/robopager_rp-heartbeat.prom", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "# TYPE robopager_last_run_timestamp_seconds gauge\n"));
	unlink(path);
	ck_assert_int_eq(rmdir(dir), 0); /* no temporary file was left */
	ck_assert_int_eq(rp_metrics_write("/nonexistent", &run, NULL, 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "[robopager] metrics_dir: /nonexistent/"));
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, text);
	tcase_add_test(tc, file);
}
