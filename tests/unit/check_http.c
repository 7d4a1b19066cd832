#define UNIT_NAME "http"
#include <string.h>

#include "http.h"
#include "servers.h"
#include "unit.h"

/* Sets how the fake batchy answers for one workflow (POST /_mode/<wf>). */
static void
mode(const char *wf, const char *how)
{
	struct rp_http_req r = {0};
	char path[128], url[256];

	snprintf(path, sizeof(path), "/_mode/%s", wf);
	snprintf(url, sizeof(url), "%s", test_url("RP_TEST_BATCHY_PORT", path));
	r.url = url;
	r.body = how;
	r.timeout_ms = 3000;
	r.max_bytes = 4096;
	rp_http_perform(&r, 1, 1);
	ck_assert_int_eq(r.status, 200);
	rp_http_req_reset(&r);
}

static void
get(struct rp_http_req *r, const char *path, long timeout_ms, size_t max)
{
	static char urls[8][256];
	static int n;
	char *u = urls[n++ % 8];

	memset(r, 0, sizeof(*r));
	snprintf(u, 256, "%s", test_url("RP_TEST_BATCHY_PORT", path));
	r->url = u;
	r->timeout_ms = timeout_ms;
	r->max_bytes = max;
}

static void
setup(void)
{
	ck_assert_int_eq(rp_http_global(), 0);
}

static void
teardown(void)
{
	rp_http_cleanup();
}

START_TEST(escape)
{
	struct rp_buf b = {0};

	rp_http_escape_segment(&b, "a-b_c.d~e f/g?h%i\xc3\xa9");
	ck_assert_str_eq(b.data, "a-b_c.d~e%20f%2Fg%3Fh%25i%C3%A9");
	rp_buf_free(&b);
}
END_TEST

START_TEST(basic_auth)
{
	char *h;

	/* RFC 7617's example, and every padding length. */
	h = rp_http_basic_auth("Aladdin", "open sesame");
	ck_assert_str_eq(h, "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	rp_free_secret(h);
	h = rp_http_basic_auth("a", "b");
	ck_assert_str_eq(h, "Authorization: Basic YTpi");
	rp_free_secret(h);
	h = rp_http_basic_auth("ab", "c");
	ck_assert_str_eq(h, "Authorization: Basic YWI6Yw==");
	rp_free_secret(h);
	h = rp_http_basic_auth("ab", "cd");
	ck_assert_str_eq(h, "Authorization: Basic YWI6Y2Q=");
	rp_free_secret(h);
	h = rp_http_basic_auth("robot", "p\xc3\xa4ss \"w:rd\"\n");
	ck_assert_str_eq(h, "Authorization: Basic cm9ib3Q6cMOkc3MgInc6cmQiCg==");
	rp_free_secret(h);
}
END_TEST

START_TEST(faults)
{
	struct rp_http_req r[5];
	size_t i;

	mode("h-slow", "slow:3");
	mode("h-huge", "huge");
	mode("h-500", "500");
	mode("h-close", "close");
	get(&r[0], "/get_status/h-slow", 500, 4096);
	get(&r[1], "/get_status/h-huge", 3000, 1024 * 1024);
	get(&r[2], "/get_status/h-500", 3000, 4096);
	get(&r[3], "/get_status/h-close", 3000, 4096);
	get(&r[4], "/get_status/unknown-wf", 3000, 4096);
	rp_http_perform(r, 5, 64);
	ck_assert_int_eq(r[0].status, 0);
	ck_assert_str_eq(r[0].error, "no answer within 500 ms");
	ck_assert_int_eq(r[1].status, 0);
	ck_assert_str_eq(r[1].error, "answer larger than 1048576 bytes");
	ck_assert_int_eq(r[2].status, 500);
	ck_assert_str_eq(r[2].resp.data, "Internal Server Error");
	ck_assert_int_eq(r[3].status, 0);
	ck_assert_str_ne(r[3].error, "");
	ck_assert_int_eq(r[4].status, 404);
	for (i = 0; i < 5; i++)
		rp_http_req_reset(&r[i]);
}
END_TEST

START_TEST(refused_and_bad_urls)
{
	struct rp_http_req r[3];
	size_t i;

	memset(r, 0, sizeof(r));
	r[0].url = "http://127.0.0.1:1/x";
	r[1].url = "ftp://127.0.0.1/x";
	r[2].url = "file:///etc/passwd";
	for (i = 0; i < 3; i++) {
		r[i].timeout_ms = 2000;
		r[i].max_bytes = 100;
	}
	rp_http_perform(r, 3, 2);
	ck_assert_int_eq(r[0].status, 0);
	ck_assert_ptr_nonnull(strstr(r[0].error, "Couldn't connect to server"));
	ck_assert_int_eq(r[1].status, 0);
	ck_assert_int_eq(r[2].status, 0);
	ck_assert_ptr_null(strstr(r[2].resp.data, "root"));
	for (i = 0; i < 3; i++)
		rp_http_req_reset(&r[i]);
}
END_TEST

START_TEST(concurrent)
{
	struct rp_http_req r[8];
	size_t i;

	mode("h-slow1", "slow:1");
	for (i = 0; i < 8; i++)
		get(&r[i], "/get_status/h-slow1", 5000, 4096);
	/* Eight requests in flight at once all complete, each with its own
	 * answer (timings belong in make bench, not here). */
	rp_http_perform(r, 8, 64);
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(r[i].status, 404);
		rp_http_req_reset(&r[i]);
	}
}
END_TEST

/* rp_http_perform_each's done: each request once, ended when told. */
struct each {
	struct rp_http_req *r;
	int calls[10];
};

static void
ended_one(void *arg, size_t i)
{
	struct each *e = arg;

	e->calls[i]++;
	/* Ended: its answer or error is there, and may be freed now. */
	ck_assert(e->r[i].status != 0 || e->r[i].error[0] != '\0');
	rp_http_req_reset(&e->r[i]);
}

START_TEST(each_as_it_ends)
{
	struct rp_http_req r[10];
	struct each e = {r, {0}};
	size_t i;

	memset(r, 0, sizeof(r));
	for (i = 0; i < 8; i++)
		get(&r[i], "/get_status/h-each", 5000, 4096);
	r[8].url = "http://127.0.0.1:1/x";
	r[9].url = "ftp://127.0.0.1/x";
	for (i = 8; i < 10; i++) {
		r[i].timeout_ms = 2000;
		r[i].max_bytes = 100;
	}
	/* More requests than slots: the slots are used again. */
	rp_http_perform_each(r, 10, 3, 10000, ended_one, &e);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(e.calls[i], 1);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, escape);
	tcase_add_test(tc, each_as_it_ends);
	tcase_add_test(tc, basic_auth);
	tcase_add_test(tc, faults);
	tcase_add_test(tc, refused_and_bad_urls);
	tcase_add_test(tc, concurrent);
}
