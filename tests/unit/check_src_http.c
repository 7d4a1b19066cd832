#define UNIT_NAME "src_http"
#include <stdio.h>
#include <string.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "src_http.h"
#include "testutil.h"
#include "unit.h"

static const char *
utc(time_t t)
{
	static char b[4][RP_UTC_LEN];
	static int i;

	if (t == 0)
		return "0";
	rp_clock_format_utc(t, b[i % 4]);
	return b[i++ % 4];
}

/* The time of a JSON value, or "-" when it is not one. */
static const char *
as_time(const char *json)
{
	json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
	time_t t = 0;
	int rc;

	ck_assert_ptr_nonnull(v);
	rc = rp_src_http_time(v, &t);
	json_decref(v);
	return rc == 0 ? utc(t) : "-";
}

START_TEST(times)
{
	ck_assert_str_eq(as_time("\"2026-11-26T14:30:00.123456+00:00\""), "2026-11-26T14:30:00Z");
	ck_assert_str_eq(as_time("\"2026-11-26T09:30:00-05:00\""), "2026-11-26T14:30:00Z");
	ck_assert_str_eq(as_time("\"2026-11-26T14:30:00Z\""), "2026-11-26T14:30:00Z");
	ck_assert_str_eq(as_time("\"2026-11-26 14:30\""), "2026-11-26T14:30:00Z"); /* naive: UTC */
	ck_assert_str_eq(as_time("1795703400"), "2026-11-26T14:30:00Z");
	ck_assert_str_eq(as_time("1795703400.999"), "2026-11-26T14:30:00Z");
	ck_assert_str_eq(as_time("1.7957034e9"), "2026-11-26T14:30:00Z");
	ck_assert_str_eq(as_time("\"1795703400\""), "2026-11-26T14:30:00Z");
	ck_assert_str_eq(as_time("\"1795703400.25\""), "2026-11-26T14:30:00Z");
	ck_assert_str_eq(as_time("86400"), "1970-01-02T00:00:00Z");
	ck_assert_str_eq(as_time("253402300799"), "9999-12-31T23:59:59Z");
	ck_assert_str_eq(as_time("86399"), "-");
	ck_assert_str_eq(as_time("0"), "-");
	ck_assert_str_eq(as_time("-5"), "-");
	ck_assert_str_eq(as_time("1795703400000"), "-");   /* milliseconds */
	ck_assert_str_eq(as_time("253402300800"), "-");
	ck_assert_str_eq(as_time("\"yesterday\""), "-");
	ck_assert_str_eq(as_time("\"\""), "-");
	ck_assert_str_eq(as_time("\"17957034x\""), "-");
	ck_assert_str_eq(as_time("\"1795703400.\""), "-");
	ck_assert_str_eq(as_time("\"-1795703400\""), "-");
	ck_assert_str_eq(as_time("\"1969-12-31T23:59:59Z\""), "-");
	ck_assert_str_eq(as_time("true"), "-");
	ck_assert_str_eq(as_time("null"), "-");
	ck_assert_str_eq(as_time("[1795703400]"), "-");
	ck_assert_str_eq(as_time("{\"t\": 1795703400}"), "-");
}
END_TEST

START_TEST(what)
{
	char b[96];

	rp_src_http_what("https://jobs.internal/api/exports/last?api_key=s3cret#frag", b, sizeof(b));
	ck_assert_str_eq(b, "jobs.internal/api/exports/last");
	rp_src_http_what("http://127.0.0.1:8080", b, sizeof(b));
	ck_assert_str_eq(b, "127.0.0.1:8080");
	rp_src_http_what("http://h/p#x", b, sizeof(b));
	ck_assert_str_eq(b, "h/p");
}
END_TEST

static char name[] = "exports_api", url[] = "https://jobs.internal/api/exports/last?k=v",
    completion[] = "/last_success/finished_at", state[] = "/last_run/state",
    started[] = "/last_run/started_at", failed_v[] = "failed", error_v[] = "error",
    auth[] = "exports", empty[] = "";
static char *failures[] = {failed_v, error_v};

static void
check(struct rp_check *c, int with_state, int with_started)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->type = RP_CHECK_HTTP;
	c->url = url;
	c->completion = completion;
	if (with_state) {
		c->state = state;
		c->failure_values = failures;
		c->nfailure_values = 2;
	}
	if (with_started)
		c->started = started;
	c->line = 3;
}

static int
parse(const struct rp_check *c, const char *body, struct rp_src_result *r)
{
	memset(r, 0, sizeof(*r));
	return rp_src_http_parse(c, body, strlen(body), r);
}

START_TEST(answers)
{
	struct rp_check c;
	struct rp_src_result r;

	check(&c, 1, 1);
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": \"2026-11-26T14:30:00Z\"}, "
	    "\"last_run\": {\"state\": \"running\", \"started_at\": 1795706000}}", &r), 0);
	ck_assert(r.ok && !r.failed);
	ck_assert_str_eq(utc(r.completion), "2026-11-26T14:30:00Z");
	ck_assert_str_eq(utc(r.start), "2026-11-26T15:13:20Z");
	ck_assert_int_eq(r.failed_start, 0);
	ck_assert_uint_eq(r.nfacts, 1);
	ck_assert_str_eq(r.facts[0].name, "state");
	ck_assert_str_eq(r.facts[0].value, "running");
	/* A failure value (in any case): failed, keyed by started. */
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": 1795703400}, "
	    "\"last_run\": {\"state\": \"ERROR\", \"started_at\": \"2026-11-26T15:00:00Z\"}}", &r), 0);
	ck_assert(r.ok && r.failed);
	ck_assert_str_eq(utc(r.failed_start), "2026-11-26T15:00:00Z");
	ck_assert_str_eq(utc(r.completion), "2026-11-26T14:30:00Z");
	/* Never succeeded (null), never started (null): known, and nothing. */
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": null}, "
	    "\"last_run\": {\"state\": null, \"started_at\": null}}", &r), 0);
	ck_assert(r.ok && !r.failed && r.completion == 0 && r.start == 0 && r.nfacts == 0);
	/* Just the completion. */
	check(&c, 0, 0);
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": 1795703400.5}, "
	    "\"last_run\": 5}", &r), 0);
	ck_assert(r.ok && !r.failed && r.start == 0);
	ck_assert_str_eq(utc(r.completion), "2026-11-26T14:30:00Z");
}
END_TEST

START_TEST(unusable)
{
	struct rp_check c;
	struct rp_src_result r;

	check(&c, 1, 1);
	ck_assert_int_eq(parse(&c, "<html>", &r), -1);
	ck_assert_str_eq(r.why, "answered something that is not JSON (invalid token near '<')");
	ck_assert_int_eq(parse(&c, "{\"last_success\": {}}", &r), -1);
	ck_assert_str_eq(r.why, "the answer has nothing at /last_success/finished_at (completion)");
	ck_assert_int_eq(parse(&c, "[]", &r), -1);
	ck_assert_str_eq(r.why, "the answer has nothing at /last_success/finished_at (completion)");
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": \"soon\"}}", &r), -1);
	ck_assert_str_eq(r.why, "the answer's /last_success/finished_at (completion) is not a time: "
	    "\"soon\"");
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": 1795703400000}}", &r), -1);
	ck_assert_str_eq(r.why, "the answer's /last_success/finished_at (completion) is not a time: "
	    "1795703400000");
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": {\"at\": 1}}}", &r), -1);
	ck_assert_str_eq(r.why, "the answer's /last_success/finished_at (completion) is not a time: "
	    "an object");
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": 1795703400}}", &r), -1);
	ck_assert_str_eq(r.why, "the answer has nothing at /last_run/state (state)");
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": 1795703400}, "
	    "\"last_run\": {\"state\": 3}}", &r), -1);
	ck_assert_str_eq(r.why, "the answer's /last_run/state (state) is not a string: 3");
	/* A start left out: no start known, unless the run failed. */
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": 1795703400}, "
	    "\"last_run\": {\"state\": \"ok\"}}", &r), 0);
	ck_assert(r.ok && !r.failed);
	ck_assert_int_eq(r.start, 0);
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": 1795703400}, "
	    "\"last_run\": {\"state\": \"failed\"}}", &r), -1);
	ck_assert_str_eq(r.why, "the answer has nothing at /last_run/started_at (started)");
	ck_assert_int_eq(parse(&c, "{\"last_success\": {\"finished_at\": 1795703400}, "
	    "\"last_run\": {\"state\": \"ok\", \"started_at\": true}}", &r), -1);
	ck_assert_str_eq(r.why, "the answer's /last_run/started_at (started) is not a time: true");
	/* The empty pointer is the whole answer, and said so. */
	check(&c, 0, 0);
	c.completion = empty;
	ck_assert_int_eq(parse(&c, "false", &r), -1);
	ck_assert_str_eq(r.why, "the answer (the whole of it, completion) is not a time: false");
	ck_assert_int_eq(parse(&c, "1795703400", &r), 0);
	ck_assert_str_eq(utc(r.completion), "2026-11-26T14:30:00Z");
	ck_assert_int_eq(parse(&c, "{\"last_success\": 1, \"last_success\": 2}", &r), -1);
	ck_assert(!r.ok);
}
END_TEST

/* Configuration with [http exports] as given. */
static struct rp_config cfg;

static void
load(const char *section)
{
	struct rp_err err;
	char *text = rp_xasprintf("[timezone]\ntimezone = UTC\n[http exports]\n%s", section);
	const char *path = tmpfile_with(text);

	ck_assert_msg(rp_config_load(path, &cfg, &err) == 0, "%s", err.msg);
	unlink(path);
	free(text);
}

/* requests() for c, then parse() with the status and body given; returns
 * the number of requests and fills hdr with the Authorization line. */
static size_t
ask(struct rp_src_ctx *x, const struct rp_check *c, long status, const char *body, char *hdr,
    struct rp_src_result *r)
{
	struct rp_http_req req[2];
	size_t n;

	memset(req, 0, sizeof(req));
	memset(r, 0, sizeof(*r));
	n = rp_src_http.requests(x, c, req, r);
	snprintf(hdr, 128, "%s", req[0].headers[0] ? req[0].headers[0] : "(none)");
	if (n == 1) {
		ck_assert_str_eq(req[0].url, url);
		ck_assert_int_eq(req[0].max_bytes, RP_SRC_HTTP_MAX_BYTES);
		req[0].status = status;
		snprintf(req[0].error, sizeof(req[0].error), "no answer within 3000 ms");
		if (body)
			rp_buf_append(&req[0].resp, body, strlen(body));
		rp_src_http.parse(x, c, req, 1, r);
	}
	rp_http_req_free(&req[0]);
	return n;
}

START_TEST(auth_and_statuses)
{
	struct rp_src_ctx x = {&cfg, 5000, NULL};
	struct rp_src_result r;
	struct rp_check c;
	char hdr[128], tokfile[64];
	static const char body[] = "{\"last_success\": {\"finished_at\": 1795703400}}";

	check(&c, 0, 0);
	/* No auth: no header, the system's TLS settings. */
	load("ca_file = /x\n");
	ck_assert_uint_eq(ask(&x, &c, 200, body, hdr, &r), 1);
	ck_assert_str_eq(hdr, "(none)");
	ck_assert(r.ok);
	ck_assert_str_eq(r.what, "jobs.internal/api/exports/last");
	ck_assert_uint_eq(ask(&x, &c, 0, NULL, hdr, &r), 1);
	ck_assert_str_eq(r.why, "did not answer: no answer within 3000 ms");
	ck_assert_uint_eq(ask(&x, &c, 401, "{}", hdr, &r), 1);
	ck_assert_str_eq(r.why, "refused the credentials (HTTP 401)");
	ck_assert_uint_eq(ask(&x, &c, 403, "{}", hdr, &r), 1);
	ck_assert_str_eq(r.why, "refused access (HTTP 403: the credentials may not read it)");
	ck_assert_uint_eq(ask(&x, &c, 503, "{}", hdr, &r), 1);
	ck_assert_str_eq(r.why, "answered HTTP 503");
	rp_src_http.end(&x);
	rp_config_free(&cfg);

	/* A bearer token from a file, read once for every check. */
	snprintf(tokfile, sizeof(tokfile), "%s", tmpfile_with("tok-5ec2e7\n"));
	{
		char *s = rp_xasprintf("bearer_token_file = %s\ntimeout_sec = 3\n", tokfile);
		load(s);
		free(s);
	}
	c.auth = auth;
	ck_assert_uint_eq(ask(&x, &c, 200, body, hdr, &r), 1);
	ck_assert_str_eq(hdr, "Authorization: Bearer tok-5ec2e7");
	ck_assert(r.ok);
	unlink(tokfile); /* read once per run: the second check does not read it again */
	ck_assert_uint_eq(ask(&x, &c, 200, body, hdr, &r), 1);
	ck_assert_str_eq(hdr, "Authorization: Bearer tok-5ec2e7");
	rp_src_http.end(&x);
	ck_assert_ptr_null(x.priv);
	/* ... and in the next run, when it is gone: UNKNOWN, no request. */
	ck_assert_uint_eq(ask(&x, &c, 200, body, hdr, &r), 0);
	ck_assert(!r.ok);
	ck_assert_ptr_nonnull(strstr(r.why, ": [http exports] bearer_token_file: "));
	ck_assert_ptr_nonnull(strstr(r.why, ": No such file or directory"));
	rp_src_http.end(&x);
	rp_config_free(&cfg);

	/* Basic auth from the environment. */
	setenv("RP_UNIT_HTTP_PW", "open sesame", 1);
	load("username = Aladdin\npassword_env = RP_UNIT_HTTP_PW\n");
	ck_assert_uint_eq(ask(&x, &c, 200, body, hdr, &r), 1);
	ck_assert_str_eq(hdr, "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	rp_src_http.end(&x);
	rp_config_free(&cfg);
	unsetenv("RP_UNIT_HTTP_PW");

	/* A token that would break the header line. */
	setenv("RP_UNIT_HTTP_TOK", "a\r\nX-Evil: 1", 1);
	load("bearer_token_env = RP_UNIT_HTTP_TOK\n");
	ck_assert_uint_eq(ask(&x, &c, 200, body, hdr, &r), 0);
	ck_assert_ptr_nonnull(strstr(r.why, ": [http exports] bearer_token_env: the token has spaces "
	    "or characters other than ASCII"));
	ck_assert_ptr_null(strstr(r.why, "Evil"));
	rp_src_http.end(&x);
	rp_config_free(&cfg);
	unsetenv("RP_UNIT_HTTP_TOK");
}
END_TEST

START_TEST(validate)
{
	struct rp_check c;
	struct rp_err err;
	static char other[] = "nosuch";

	load("ca_file = /x\n");
	check(&c, 0, 0);
	ck_assert_int_eq(rp_source_validate(&cfg, &c, "cl.yaml", &err), 0);
	c.auth = auth;
	ck_assert_int_eq(rp_source_validate(&cfg, &c, "cl.yaml", &err), 0);
	c.auth = other;
	c.auth_line = 9;
	ck_assert_int_eq(rp_source_validate(&cfg, &c, "cl.yaml", &err), -1);
	ck_assert_int_eq(err.code, RP_EXIT_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "cl.yaml:9: exports_api: auth: no [http nosuch] section "
	    "in /tmp/"));
	rp_config_free(&cfg);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, times);
	tcase_add_test(tc, what);
	tcase_add_test(tc, answers);
	tcase_add_test(tc, unusable);
	tcase_add_test(tc, auth_and_statuses);
	tcase_add_test(tc, validate);
}
