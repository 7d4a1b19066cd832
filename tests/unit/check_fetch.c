#define UNIT_NAME "fetch"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "fetch.h"
#include "http.h"
#include "scripted.h"
#include "servers.h"
#include "unit.h"

/* PUT /_set/<wf> on the batchy stand-in: what it answers for wf. http.c
 * speaks GET and POST only, so this is said on a socket of its own. */
static void
batchy_set(const char *wf, const char *global)
{
	struct sockaddr_in a;
	char req[1024], resp[256];
	int fd = socket(AF_INET, SOCK_STREAM, 0), n;
	size_t have = 0;
	ssize_t got;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)test_port("RP_TEST_BATCHY_PORT"));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	n = snprintf(req, sizeof(req), "PUT /_set/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", wf, strlen(global), global);
	ck_assert(n > 0 && (size_t)n < sizeof(req));
	ck_assert_int_eq(write(fd, req, (size_t)n), n);
	while (have < sizeof(resp) - 1 && (got = read(fd, resp + have, sizeof(resp) - 1 - have)) > 0)
		have += (size_t)got;
	resp[have] = '\0';
	close(fd);
	ck_assert_msg(strncmp(resp, "HTTP/1.1 200", 12) == 0, "%s", resp);
}

/* POST /_mode/<wf> (ok, 500, slow:SECONDS...) or GET /_hits/<wf>. */
static long
batchy_control(const char *what, const char *wf, const char *body)
{
	struct rp_http_req r = {0};
	char path[128], url[256];
	const char *h;
	long hits = -1;

	snprintf(path, sizeof(path), "/_%s/%s", what, wf);
	snprintf(url, sizeof(url), "%s", test_url("RP_TEST_BATCHY_PORT", path));
	r.url = url;
	r.body = body;
	r.timeout_ms = 3000;
	r.max_bytes = 4096;
	rp_http_perform(&r, 1, 1);
	ck_assert_int_eq(r.status, 200);
	if ((h = strstr(r.resp.data, "\"hits\": ")) != NULL)
		hits = strtol(h + 8, NULL, 10);
	rp_http_req_reset(&r);
	return hits;
}

/* A workflow name of this process's own (the stand-in outlives tests). */
static char *
wf_name(const char *base)
{
	return rp_xasprintf("%s-%ld", base, (long)getpid());
}

static char host[] = "127.0.0.1";

static void
config(struct rp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->batchy_server = host;
	cfg->batchy_port = test_port("RP_TEST_BATCHY_PORT");
	cfg->batchy_timeout_sec = 5;
	cfg->batchy_tls_verify = 1;
	cfg->airflow_timeout_sec = 5;
	cfg->airflow_tls_verify = 1;
	cfg->max_parallel = 64;
}

static void
batchy_check(struct rp_check *c, char *name, char *wf)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->type = RP_CHECK_BATCHY;
	c->wf_name = wf;
	c->latency_min = 60;
	c->warn_pct = 80;
}

static const char *
utc(time_t t)
{
	static char b[4][RP_UTC_LEN];
	static int i;

	rp_clock_format_utc(t, b[i % 4]);
	return b[i++ % 4];
}

/* One run: every source prepared once, the checks of each asked, a check
 * of a type without a source and the checks of a source that could not be
 * made ready (Airflow's version probe answered 500) told why. */
START_TEST(one_run)
{
	static const char *const airflow[] = {
	    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"};
	static char n_ok[] = "orders", n_fail[] = "billing", n_none[] = "ghost", n_ping[] = "pinger",
	    n_a1[] = "dag_check_one", n_a2[] = "dag_check_two", d1[] = "dag_one", d2[] = "dag_two";
	char *w_ok = wf_name("fo-ok"), *w_fail = wf_name("fo-fail"), *w_none = wf_name("fo-none");
	char url[64], why[160];
	struct rp_check c[6];
	const struct rp_check *cs[6];
	struct rp_src_result out[6];
	struct rp_config cfg;
	struct scripted sc;
	size_t i;

	ck_assert_int_eq(rp_http_global(), 0);
	batchy_set(w_ok, "{\"status\": \"success\", \"batch_start\": \"2026-11-26T14:00:00\", "
	    "\"batch_end\": \"2026-11-26T14:30:00\"}");
	batchy_set(w_fail, "{\"status\": \"failure\", \"batch_start\": \"2026-11-26T15:00:00\", "
	    "\"batch_end\": null}");
	scripted_start(&sc, airflow, 1, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", sc.port);
	config(&cfg);
	cfg.airflow_url = url;
	batchy_check(&c[0], n_ok, w_ok);
	memset(&c[1], 0, sizeof(c[1]));
	c[1].name = n_a1;
	c[1].type = RP_CHECK_AIRFLOW;
	c[1].dag_id = d1;
	batchy_check(&c[2], n_fail, w_fail);
	memset(&c[3], 0, sizeof(c[3]));
	c[3].name = n_ping;
	c[3].type = RP_CHECK_PING;
	c[4] = c[1];
	c[4].name = n_a2;
	c[4].dag_id = d2;
	batchy_check(&c[5], n_none, w_none);
	for (i = 0; i < 6; i++)
		cs[i] = &c[i];
	memset(out, 0x5a, sizeof(out)); /* cleared by rp_fetch */
	rp_fetch(&cfg, cs, 6, 10000, 64, out);
	scripted_stop(&sc);

	ck_assert_msg(out[0].ok, "%s", out[0].why);
	ck_assert_str_eq(out[0].what, w_ok);
	ck_assert_str_eq(utc(out[0].completion), "2026-11-26T14:30:00Z");
	ck_assert_str_eq(utc(out[0].start), "2026-11-26T14:00:00Z");
	ck_assert_int_eq(out[0].failed, 0);
	ck_assert_uint_eq(out[0].nfacts, 4);
	ck_assert_str_eq(out[0].facts[0].name, "workflow");
	ck_assert_str_eq(out[0].facts[0].value, w_ok);
	ck_assert_str_eq(out[0].facts[1].name, "batchy_status");
	ck_assert_str_eq(out[0].facts[1].value, "success");

	ck_assert_msg(out[2].ok, "%s", out[2].why);
	ck_assert_int_eq(out[2].failed, 1);
	ck_assert_str_eq(utc(out[2].failed_start), "2026-11-26T15:00:00Z");
	ck_assert_int_eq(out[2].completion, 0);

	ck_assert_int_eq(out[5].ok, 0);
	ck_assert_str_eq(out[5].why, "batchy answered HTTP 404");
	ck_assert_str_eq(out[5].what, w_none);

	/* No source: said, nothing else filled. */
	ck_assert_int_eq(out[3].ok, 0);
	ck_assert_str_eq(out[3].why, "no source for checks of type ping");
	ck_assert_str_eq(out[3].what, "pinger");
	ck_assert_uint_eq(out[3].nfacts, 0);
	ck_assert_int_eq(out[3].completion, 0);
	ck_assert_int_eq(out[3].start, 0);

	/* Not ready: both airflow checks say why, each naming its DAG. */
	snprintf(why, sizeof(why), "Airflow at %s answered HTTP 500 at /api/v2/version", url);
	ck_assert_int_eq(out[1].ok, 0);
	ck_assert_str_eq(out[1].why, why);
	ck_assert_str_eq(out[1].what, "dag_one");
	ck_assert_int_eq(out[4].ok, 0);
	ck_assert_str_eq(out[4].why, why);
	ck_assert_str_eq(out[4].what, "dag_two");
	/* Prepared once for its two checks, and nothing asked after it. */
	ck_assert_uint_eq(sc.nreads, 1);
	ck_assert_msg(strncmp(sc.reads[0], "GET /api/v2/version HTTP/1.1\r\n", 30) == 0, "%s",
	    sc.reads[0]);
	scripted_free(&sc);

	/* Each batchy check asked once. */
	ck_assert_int_eq(batchy_control("hits", w_ok, NULL), 1);
	ck_assert_int_eq(batchy_control("hits", w_fail, NULL), 1);
	ck_assert_int_eq(batchy_control("hits", w_none, NULL), 1);

	/* No checks: nothing asked, nothing written. */
	rp_fetch(&cfg, NULL, 0, 1000, 64, NULL);
	free(w_ok);
	free(w_fail);
	free(w_none);
	rp_http_cleanup();
}
END_TEST

/* The checks' requests go out together: three answers that each take a
 * second all come within a run of 1.8 s, which one after another could
 * not. */
START_TEST(together)
{
	static char n0[] = "a", n1[] = "b", n2[] = "c";
	char *names[3] = {n0, n1, n2}, *wf[3];
	struct rp_check c[3];
	const struct rp_check *cs[3];
	struct rp_src_result out[3];
	struct rp_config cfg;
	size_t i;

	ck_assert_int_eq(rp_http_global(), 0);
	config(&cfg);
	for (i = 0; i < 3; i++) {
		char base[16];
		snprintf(base, sizeof(base), "ft-%zu", i);
		wf[i] = wf_name(base);
		batchy_set(wf[i], "{\"status\": \"open\", \"batch_start\": \"2026-11-26T14:00:00\"}");
		batchy_control("mode", wf[i], "slow:1");
		batchy_check(&c[i], names[i], wf[i]);
		cs[i] = &c[i];
	}
	rp_fetch(&cfg, cs, 3, 1800, 64, out);
	for (i = 0; i < 3; i++) {
		ck_assert_msg(out[i].ok, "%s: %s", wf[i], out[i].why);
		ck_assert_str_eq(utc(out[i].start), "2026-11-26T14:00:00Z");
		free(wf[i]);
	}
	rp_http_cleanup();
}
END_TEST

/* A request has its source's own timeout when that is shorter, else what
 * is left of the run's. */
START_TEST(timeouts)
{
	static char n0[] = "slow";
	char *wf = wf_name("fs"), want[160];
	struct rp_check c;
	const struct rp_check *cs[1] = {&c};
	struct rp_src_result out;
	struct rp_config cfg;
	const char *ms;
	long n;

	ck_assert_int_eq(rp_http_global(), 0);
	config(&cfg);
	batchy_set(wf, "{\"status\": \"new\"}");
	batchy_control("mode", wf, "slow:3");
	batchy_check(&c, n0, wf);
	cfg.batchy_timeout_sec = 1;
	rp_fetch(&cfg, cs, 1, 5000, 64, &out);
	snprintf(want, sizeof(want), "batchy at 127.0.0.1:%d did not answer: no answer within 1000 ms",
	    test_port("RP_TEST_BATCHY_PORT"));
	ck_assert_int_eq(out.ok, 0);
	ck_assert_str_eq(out.why, want);
	cfg.batchy_timeout_sec = 10;
	rp_fetch(&cfg, cs, 1, 700, 64, &out);
	ck_assert_int_eq(out.ok, 0);
	ms = strstr(out.why, "no answer within ");
	ck_assert_msg(ms != NULL, "%s", out.why);
	n = strtol(ms + 17, NULL, 10);
	ck_assert_int_gt(n, 500);
	ck_assert_int_le(n, 700);
	free(wf);
	rp_http_cleanup();
}
END_TEST

/* timeout_ms bounds the whole fetch, requests that wait for one of the
 * max_parallel slots included: with max_parallel 1, three answers of a
 * second each and 1.5 s, the third is not answered. Once each request got
 * the whole remainder from the moment its slot came, so a run with more
 * checks than max_parallel could outlast time_budget_sec. */
START_TEST(bounded_when_queued)
{
	static char n0[] = "a", n1[] = "b", n2[] = "c";
	char *names[3] = {n0, n1, n2}, *wf[3];
	struct rp_check c[3];
	const struct rp_check *cs[3];
	struct rp_src_result out[3];
	struct rp_config cfg;
	size_t i;

	ck_assert_int_eq(rp_http_global(), 0);
	config(&cfg);
	for (i = 0; i < 3; i++) {
		char base[16];
		snprintf(base, sizeof(base), "fq-%zu", i);
		wf[i] = wf_name(base);
		batchy_set(wf[i], "{\"status\": \"open\", \"batch_start\": \"2026-11-26T14:00:00\"}");
		batchy_control("mode", wf[i], "slow:1");
		batchy_check(&c[i], names[i], wf[i]);
		cs[i] = &c[i];
	}
	rp_fetch(&cfg, cs, 3, 1500, 1, out);
	ck_assert_msg(out[0].ok, "%s", out[0].why);
	ck_assert_msg(!out[2].ok, "the third check was answered after the run's 1500 ms");
	ck_assert_ptr_nonnull(strstr(out[2].why, "did not answer"));
	for (i = 0; i < 3; i++)
		free(wf[i]);
	rp_http_cleanup();
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, one_run);
	tcase_add_test(tc, together);
	tcase_add_test(tc, timeouts);
	tcase_add_test(tc, bounded_when_queued);
}
