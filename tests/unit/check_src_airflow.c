#define UNIT_NAME "src_airflow"
#include <stdio.h>
#include <string.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "src_airflow.h"
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

static int
runs(const char *body, struct rp_src_result *r)
{
	memset(r, 0, sizeof(*r));
	return rp_airflow_parse_runs(body, strlen(body), r);
}

/* A run as Airflow 2's v1 writes one. */
#define RUN1(id, state, start, end) \
	"{\"dag_run_id\": \"" id "\", \"dag_id\": \"orders_daily\", \"execution_date\": \"" id "\", " \
	"\"logical_date\": \"" id "\", \"start_date\": " start ", \"end_date\": " end ", " \
	"\"state\": \"" state "\", \"external_trigger\": false, \"conf\": {}, \"note\": null}"

START_TEST(urls)
{
	char *u;

	u = rp_airflow_url("https://airflow.internal:8080", 1, "orders_daily", 1);
	ck_assert_str_eq(u, "https://airflow.internal:8080/api/v1/dags/orders_daily/dagRuns"
	    "?order_by=-execution_date&limit=25");
	free(u);
	u = rp_airflow_url("https://airflow.internal:8080//", 2, "orders_daily", 1);
	ck_assert_str_eq(u, "https://airflow.internal:8080/api/v2/dags/orders_daily/dagRuns"
	    "?order_by=-logical_date&limit=25");
	free(u);
	u = rp_airflow_url("http://h/airflow/", 2, "a.b-c_d", 0);
	ck_assert_str_eq(u, "http://h/airflow/api/v2/dags/a.b-c_d");
	free(u);
	u = rp_airflow_url("http://h", 1, "x y/z", 0);
	ck_assert_str_eq(u, "http://h/api/v1/dags/x%20y%2Fz");
	free(u);
}
END_TEST

START_TEST(newest_success)
{
	struct rp_src_result r;

	/* Newest first, as order_by asks; the newest run succeeded. */
	ck_assert_int_eq(runs("{\"dag_runs\": ["
	    RUN1("2026-11-26T11:00:00+00:00", "success", "\"2026-11-26T11:00:05.123456+00:00\"",
	        "\"2026-11-26T11:40:00.5+00:00\"") ", "
	    RUN1("2026-11-25T11:00:00+00:00", "failed", "\"2026-11-25T11:00:04+00:00\"",
	        "\"2026-11-25T11:20:00+00:00\"")
	    "], \"total_entries\": 2}", &r), 0);
	ck_assert(r.ok && !r.failed);
	ck_assert_str_eq(utc(r.completion), "2026-11-26T11:40:00Z");
	ck_assert_str_eq(utc(r.start), "2026-11-26T11:00:05Z");
	ck_assert_uint_eq(r.nfacts, 2);
	ck_assert_str_eq(r.facts[0].name, "dag_run_id");
	ck_assert_str_eq(r.facts[0].value, "2026-11-26T11:00:00+00:00");
	ck_assert_str_eq(r.facts[1].name, "airflow_state");
	ck_assert_str_eq(r.facts[1].value, "success");
}
END_TEST

START_TEST(newest_failed)
{
	struct rp_src_result r;

	/* The newest finished run failed: its start keys the episode; the
	 * older success is still the last completion. A run retrying after it
	 * keeps it failed (one episode) until it succeeds. */
	ck_assert_int_eq(runs("{\"dag_runs\": ["
	    RUN1("2026-11-27T11:00:00Z", "running", "\"2026-11-27T11:00:02Z\"", "null") ", "
	    RUN1("2026-11-26T11:00:00Z", "failed", "\"2026-11-26T11:00:03Z\"",
	        "\"2026-11-26T11:10:00Z\"") ", "
	    RUN1("2026-11-25T11:00:00Z", "success", "\"2026-11-25T11:00:01Z\"",
	        "\"2026-11-25T11:30:00Z\"")
	    "], \"total_entries\": 40}", &r), 0);
	ck_assert(r.ok && r.failed);
	ck_assert_str_eq(utc(r.failed_start), "2026-11-26T11:00:03Z");
	ck_assert_str_eq(utc(r.completion), "2026-11-25T11:30:00Z");
	ck_assert_str_eq(utc(r.start), "2026-11-27T11:00:02Z");
	ck_assert_str_eq(r.facts[0].value, "2026-11-27T11:00:00Z");
	ck_assert_str_eq(r.facts[1].value, "running");
}
END_TEST

START_TEST(unfinished_and_order)
{
	struct rp_src_result r;

	/* Only queued and running runs: no completion, the start of the
	 * newest one that started is the basis; the answer's order does not
	 * matter (oldest first here). */
	ck_assert_int_eq(runs("{\"dag_runs\": ["
	    RUN1("2026-11-25T11:00:00Z", "running", "\"2026-11-25T11:00:09Z\"", "null") ", "
	    RUN1("2026-11-26T11:00:00Z", "queued", "null", "null")
	    "], \"total_entries\": 2}", &r), 0);
	ck_assert(r.ok && !r.failed);
	ck_assert_int_eq(r.completion, 0);
	ck_assert_str_eq(utc(r.start), "2026-11-25T11:00:09Z");
	ck_assert_str_eq(r.facts[1].value, "queued");
	/* Oldest first, success newest by logical date. */
	ck_assert_int_eq(runs("{\"dag_runs\": ["
	    RUN1("2026-11-25T11:00:00Z", "failed", "\"2026-11-25T11:00:00Z\"",
	        "\"2026-11-25T12:00:00Z\"") ", "
	    RUN1("2026-11-26T11:00:00Z", "success", "\"2026-11-26T11:00:00Z\"",
	        "\"2026-11-26T11:05:00Z\"")
	    "], \"total_entries\": 2}", &r), 0);
	ck_assert(r.ok && !r.failed);
	ck_assert_str_eq(utc(r.completion), "2026-11-26T11:05:00Z");
	/* No runs at all: an answer, with nothing in it. */
	ck_assert_int_eq(runs("{\"dag_runs\": [], \"total_entries\": 0}", &r), 0);
	ck_assert(r.ok && !r.failed && r.completion == 0 && r.start == 0 && r.nfacts == 0);
	/* A success without its end_date is no completion. */
	ck_assert_int_eq(runs("{\"dag_runs\": [" RUN1("2026-11-26T11:00:00Z", "success",
	    "\"2026-11-26T11:00:00Z\"", "null") "]}", &r), 0);
	ck_assert(r.ok && r.completion == 0 && r.start != 0);
}
END_TEST

START_TEST(airflow3_shapes)
{
	struct rp_src_result r;

	/* v2: no execution_date; a run triggered without a logical date sorts
	 * by run_after, and Z times with microseconds. */
	ck_assert_int_eq(runs("{\"dag_runs\": ["
	    "{\"dag_run_id\": \"manual__x\", \"dag_id\": \"d\", \"logical_date\": null, "
	    "\"run_after\": \"2026-11-20T10:00:00Z\", \"queued_at\": \"2026-11-20T10:00:00Z\", "
	    "\"start_date\": \"2026-11-20T10:00:01Z\", \"end_date\": \"2026-11-20T10:09:00Z\", "
	    "\"state\": \"failed\", \"run_type\": \"manual\", \"triggered_by\": \"rest_api\", "
	    "\"conf\": {}, \"note\": null, \"dag_versions\": []}, "
	    "{\"dag_run_id\": \"scheduled__2026-11-26T11:00:00+00:00\", \"dag_id\": \"d\", "
	    "\"logical_date\": \"2026-11-26T11:00:00Z\", \"run_after\": \"2026-11-26T11:00:00Z\", "
	    "\"start_date\": \"2026-11-26T11:00:00.000123Z\", "
	    "\"end_date\": \"2026-11-26T11:30:00.999999Z\", \"state\": \"success\"}"
	    "], \"total_entries\": 2}", &r), 0);
	ck_assert(r.ok && !r.failed);
	ck_assert_str_eq(utc(r.completion), "2026-11-26T11:30:00Z");
	ck_assert_str_eq(r.facts[0].value, "scheduled__2026-11-26T11:00:00+00:00");
}
END_TEST

START_TEST(unusable)
{
	struct rp_src_result r;

	ck_assert_int_eq(runs("<html>502 Bad Gateway</html>", &r), -1);
	ck_assert_str_eq(r.why, "Airflow answered something that is not JSON ('[' or '{' expected "
	    "near '<')");
	ck_assert_int_eq(runs("{\"runs\": []}", &r), -1);
	ck_assert_str_eq(r.why, "Airflow's answer has no dag_runs list");
	ck_assert_int_eq(runs("{\"dag_runs\": {}}", &r), -1);
	ck_assert_str_eq(r.why, "Airflow's answer has no dag_runs list");
	ck_assert_int_eq(runs("{\"dag_runs\": [5]}", &r), -1);
	ck_assert_str_eq(r.why, "Airflow's dag_runs holds something that is not a run");
	ck_assert_int_eq(runs("{\"dag_runs\": [" RUN1("r1", "success", "\"yesterday\"", "null")
	    "]}", &r), -1);
	ck_assert_str_eq(r.why, "Airflow answered an unreadable start_date \"yesterday\" (run r1)");
	ck_assert_int_eq(runs("{\"dag_runs\": [{\"dag_run_id\": \"r2\", \"state\": \"success\", "
	    "\"end_date\": 1764156600}]}", &r), -1);
	ck_assert_str_eq(r.why, "Airflow answered an unreadable end_date (run r2)");
	ck_assert_int_eq(runs("{\"dag_runs\": [], \"dag_runs\": []}", &r), -1);
	ck_assert(!r.ok);
}
END_TEST

/* A literal and its length. */
#define S(lit) lit, sizeof(lit) - 1

START_TEST(dag_and_token)
{
	struct rp_src_result r;
	int paused;
	char *t;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(rp_airflow_parse_dag(S("{\"dag_id\": \"d\", \"is_paused\": true}"), &paused,
	    &r), 0);
	ck_assert_int_eq(paused, 1);
	ck_assert_int_eq(rp_airflow_parse_dag(S("{\"dag_id\": \"d\", \"is_paused\": false}"), &paused,
	    &r), 0);
	ck_assert_int_eq(paused, 0);
	ck_assert_int_eq(rp_airflow_parse_dag(S("{\"dag_id\": \"d\"}"), &paused, &r), 0);
	ck_assert_int_eq(paused, 0);
	ck_assert_int_eq(rp_airflow_parse_dag(S("[]"), &paused, &r), -1);
	ck_assert_str_eq(r.why, "Airflow's answer about the DAG is not a JSON object");

	t = rp_airflow_token(S("{\"access_token\": \"eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiIxIn0.c2ln\"}"));
	ck_assert_str_eq(t, "eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiIxIn0.c2ln");
	rp_free_secret(t);
	ck_assert_ptr_null(rp_airflow_token(S("{\"access_token\": \"a b\"}")));
	ck_assert_ptr_null(rp_airflow_token(S("{\"access_token\": \"a\\r\\nX-Evil: 1\"}")));
	ck_assert_ptr_null(rp_airflow_token(S("{\"access_token\": \"\"}")));
	ck_assert_ptr_null(rp_airflow_token(S("{\"token\": \"abc\"}")));
	ck_assert_ptr_null(rp_airflow_token(S("not json")));
}
END_TEST

/* A configuration with [airflow] url and the lines given. */
static struct rp_config cfg;

static void
load(const char *airflow)
{
	struct rp_err err;
	char *text;
	const char *path;

	text = rp_xasprintf("[timezone]\ntimezone = UTC\n[airflow]\nurl = http://af.test:8080/\n%s",
	    airflow);
	path = tmpfile_with(text);
	ck_assert_msg(rp_config_load(path, &cfg, &err) == 0, "%s", err.msg);
	unlink(path);
	free(text);
}

static char dag[] = "orders_daily", name[] = "orders_dag";

/* Runs prepare as fetch does, with the answers given (status and body,
 * one per step), then builds a check's requests; returns 0 when it could,
 * -1 when the check cannot be asked, and fills why and the first
 * request's URL and Authorization header. */
static int
drive(const long *status, const char *const *body, char *why, char *url, char *auth)
{
	struct rp_src_ctx x = {&cfg, 5000, NULL};
	struct rp_http_req req, prev, reqs[2];
	struct rp_src_result out;
	struct rp_check c;
	int rc, step = 0;

	memset(&prev, 0, sizeof(prev));
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.dag_id = dag;
	c.type = RP_CHECK_AIRFLOW;
	url[0] = auth[0] = why[0] = '\0';
	for (;;) {
		memset(&req, 0, sizeof(req));
		rc = rp_src_airflow.prepare(&x, step ? &prev : NULL, &req, why, RP_SRC_WHY_MAX);
		rp_http_req_free(&prev);
		if (rc != 1)
			break;
		/* What the login or probe asked, as the next answer's URL. */
		snprintf(url, 256, "%s %s%s%s", req.body ? "POST" : "GET", req.url,
		    req.body ? " " : "", req.body ? req.body : "");
		ck_assert_int_eq(req.timeout_ms, 10000);
		prev = req;
		prev.status = status[step];
		if (body[step] != NULL)
			rp_buf_append(&prev.resp, body[step], strlen(body[step]));
		step++;
	}
	rp_http_req_free(&req);
	/* A failed login is ready, and every check says why. */
	ck_assert_int_eq(rc, 0);
	memset(reqs, 0, sizeof(reqs));
	memset(&out, 0, sizeof(out));
	if (rp_src_airflow.requests(&x, &c, reqs, &out) == 0) {
		ck_assert(!out.ok);
		ck_assert_str_eq(out.what, "orders_daily");
		snprintf(why, RP_SRC_WHY_MAX, "%s", out.why);
		rc = -1;
	} else {
		snprintf(url, 256, "%s", reqs[0].url);
		snprintf(auth, 256, "%s", reqs[0].headers[0] ? reqs[0].headers[0] : "(none)");
		ck_assert_ptr_eq(reqs[0].headers[0], reqs[1].headers[0]);
		ck_assert_int_eq(reqs[1].max_bytes, RP_AIRFLOW_MAX_BYTES);
		rp_http_req_free(&reqs[0]);
		rp_http_req_free(&reqs[1]);
	}
	rp_src_airflow.end(&x);
	ck_assert_ptr_null(x.priv);
	return rc;
}

START_TEST(versions_and_logins)
{
	char why[RP_SRC_WHY_MAX], url[256], auth[256], *t;
	static const long none[] = {0};
	static const char *const nobody[] = {NULL};
	static const long created[] = {201}, notfound[] = {404}, refused[] = {401}, down[] = {0},
	    failing[] = {500}, ok[] = {200};
	static const char *const jwt[] = {"{\"access_token\": \"eyJ0.eyJ1.c2ln\"}"};
	static const char *const empty[] = {"{}"};
	char pw[64], tok[64];

	snprintf(pw, sizeof(pw), "%s", tmpfile_with("pa\"ss\n"));
	snprintf(tok, sizeof(tok), "%s", tmpfile_with("tok-123\n"));

	/* auto with a password: v2 login (JSON body, quotes escaped), then
	 * the JWT as bearer. */
	t = rp_xasprintf("username = robo\npassword_file = %s\n", pw);
	load(t);
	free(t);
	ck_assert_int_eq(drive(created, jwt, why, url, auth), 0);
	ck_assert_str_eq(url, "http://af.test:8080/api/v2/dags/orders_daily/dagRuns"
	    "?order_by=-logical_date&limit=25");
	ck_assert_str_eq(auth, "Authorization: Bearer eyJ0.eyJ1.c2ln");
	/* ... a 2.x server has no /auth/token: basic auth on v1. */
	ck_assert_int_eq(drive(notfound, nobody, why, url, auth), 0);
	ck_assert_str_eq(url, "http://af.test:8080/api/v1/dags/orders_daily/dagRuns"
	    "?order_by=-execution_date&limit=25");
	ck_assert_str_eq(auth, "Authorization: Basic cm9ibzpwYSJzcw==");
	/* ... the login refused, down, failing, or without a token. */
	ck_assert_int_eq(drive(refused, nobody, why, url, auth), -1);
	ck_assert_str_eq(why, "Airflow at http://af.test:8080/ refused the credentials (HTTP 401)");
	ck_assert_int_eq(drive(down, nobody, why, url, auth), -1);
	ck_assert_str_eq(why, "Airflow at http://af.test:8080/ did not answer at /auth/token: ");
	ck_assert_int_eq(drive(failing, nobody, why, url, auth), -1);
	ck_assert_str_eq(why, "Airflow at http://af.test:8080/ answered HTTP 500 at /auth/token");
	ck_assert_int_eq(drive(created, empty, why, url, auth), -1);
	ck_assert_str_eq(why, "Airflow at http://af.test:8080/ answered /auth/token without a "
	    "usable access_token");
	ck_assert_ptr_null(strstr(why, "pa\"ss"));
	rp_config_free(&cfg);

	/* api_version = 1: basic auth at once, no login. */
	t = rp_xasprintf("api_version = 1\nusername = robo\npassword_file = %s\n", pw);
	load(t);
	free(t);
	ck_assert_int_eq(drive(none, nobody, why, url, auth), 0);
	ck_assert_str_eq(auth, "Authorization: Basic cm9ibzpwYSJzcw==");
	ck_assert_ptr_nonnull(strstr(url, "/api/v1/"));
	rp_config_free(&cfg);

	/* api_version = 2 with a server that has no v2: said, not guessed. */
	t = rp_xasprintf("api_version = 2\nusername = robo\npassword_file = %s\n", pw);
	load(t);
	free(t);
	ck_assert_int_eq(drive(notfound, nobody, why, url, auth), -1);
	ck_assert_str_eq(why, "Airflow at http://af.test:8080/ has no /auth/token (api_version = 2 "
	    "is for Airflow 3; set 1 or auto for Airflow 2)");
	rp_config_free(&cfg);

	/* A token: auto probes /api/v2/version once. */
	t = rp_xasprintf("token_file = %s\n", tok);
	load(t);
	free(t);
	ck_assert_int_eq(drive(ok, nobody, why, url, auth), 0);
	ck_assert_str_eq(auth, "Authorization: Bearer tok-123");
	ck_assert_ptr_nonnull(strstr(url, "/api/v2/"));
	ck_assert_int_eq(drive(notfound, nobody, why, url, auth), 0);
	ck_assert_ptr_nonnull(strstr(url, "/api/v1/"));
	ck_assert_str_eq(auth, "Authorization: Bearer tok-123");
	rp_config_free(&cfg);

	/* A password file that cannot be read, a token with a newline in it. */
	load("username = robo\npassword_file = /nonexistent/pw\n");
	ck_assert_int_eq(drive(none, nobody, why, url, auth), -1);
	ck_assert_ptr_nonnull(strstr(why, ": [airflow] password_file: /nonexistent/pw: No such file "
	    "or directory"));
	rp_config_free(&cfg);
	setenv("RP_UNIT_AF_TOKEN", "two\nlines", 1);
	load("token_env = RP_UNIT_AF_TOKEN\napi_version = 1\n");
	ck_assert_int_eq(drive(none, nobody, why, url, auth), -1);
	ck_assert_ptr_nonnull(strstr(why, ": [airflow] token_env: the token has spaces or characters "
	    "other than ASCII"));
	ck_assert_ptr_null(strstr(why, "two"));
	rp_config_free(&cfg);
	unsetenv("RP_UNIT_AF_TOKEN");

	/* No credentials at all, v1: no Authorization header. */
	load("api_version = 1\n");
	ck_assert_int_eq(drive(none, nobody, why, url, auth), 0);
	ck_assert_str_eq(auth, "(none)");
	rp_config_free(&cfg);
	unlink(pw);
	unlink(tok);
}
END_TEST

/* Parses the two answers of a check as airflow_parse would get them. */
static void
answered(long st_runs, const char *runs_body, long st_dag, const char *dag_body,
    struct rp_src_result *out)
{
	struct rp_src_ctx x = {&cfg, 5000, NULL};
	struct rp_http_req reqs[2];
	struct rp_check c;

	memset(reqs, 0, sizeof(reqs));
	memset(&c, 0, sizeof(c));
	memset(out, 0, sizeof(*out));
	c.name = name;
	c.dag_id = dag;
	c.type = RP_CHECK_AIRFLOW;
	reqs[0].url = "http://af.test:8080/api/v1/dags/orders_daily/dagRuns?x";
	reqs[1].url = "http://af.test:8080/api/v1/dags/orders_daily";
	reqs[0].status = st_runs;
	reqs[1].status = st_dag;
	snprintf(reqs[0].error, sizeof(reqs[0].error), "Connection refused");
	snprintf(reqs[1].error, sizeof(reqs[1].error), "Connection refused");
	if (runs_body)
		rp_buf_append(&reqs[0].resp, runs_body, strlen(runs_body));
	if (dag_body)
		rp_buf_append(&reqs[1].resp, dag_body, strlen(dag_body));
	rp_src_airflow.parse(&x, &c, reqs, 2, out);
	rp_http_req_reset(&reqs[0]);
	rp_http_req_reset(&reqs[1]);
}

START_TEST(answers)
{
	struct rp_src_result r;
	static const char runs_ok[] = "{\"dag_runs\": [" RUN1("2026-11-26T11:00:00Z", "success",
	    "\"2026-11-26T11:00:00Z\"", "\"2026-11-26T11:30:00Z\"") "], \"total_entries\": 1}";

	load("");
	answered(200, runs_ok, 200, "{\"dag_id\": \"orders_daily\", \"is_paused\": false}", &r);
	ck_assert(r.ok);
	ck_assert_str_eq(r.what, "orders_daily");
	ck_assert_str_eq(r.facts[0].name, "dag_id");
	ck_assert_str_eq(utc(r.completion), "2026-11-26T11:30:00Z");
	answered(200, runs_ok, 200, "{\"dag_id\": \"orders_daily\", \"is_paused\": true}", &r);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "Airflow at http://af.test:8080/: DAG orders_daily is paused");
	/* v1's dagRuns of an unknown DAG is an empty list; the DAG says 404. */
	answered(200, "{\"dag_runs\": [], \"total_entries\": 0}", 404,
	    "{\"detail\": \"The DAG with dag_id: orders_daily was not found\", \"status\": 404, "
	    "\"title\": \"DAG not found\", \"type\": \"https://airflow.apache.org/docs/apache-airflow/"
	    "2.10.5/stable-rest-api-ref.html#section/Errors/NotFound\"}", &r);
	ck_assert_str_eq(r.why, "Airflow at http://af.test:8080/ has no DAG orders_daily");
	answered(404, "{\"detail\": \"The DAG with dag_id: `orders_daily` was not found\"}", 404,
	    "{\"detail\": \"Dag with id orders_daily was not found\"}", &r);
	ck_assert_str_eq(r.why, "Airflow at http://af.test:8080/ has no DAG orders_daily");
	/* A 404 that names no DAG: the URL's base is wrong. */
	answered(404, "{\"detail\": \"Not Found\"}", 404, "{\"detail\": \"Not Found\"}", &r);
	ck_assert_str_eq(r.why, "Airflow at http://af.test:8080/ answered HTTP 404 for "
	    "/api/v1/dags/orders_daily (is url its base, without /api?)");
	answered(401, "{\"detail\": null, \"status\": 401, \"title\": \"Unauthorized\"}", 401, NULL,
	    &r);
	ck_assert_str_eq(r.why, "Airflow at http://af.test:8080/ refused the credentials (HTTP 401)");
	answered(403, NULL, 200, "{}", &r);
	ck_assert_str_eq(r.why, "Airflow at http://af.test:8080/ refused access (HTTP 403: the user "
	    "may not read this DAG's runs; the Viewer role may)");
	answered(0, NULL, 0, NULL, &r);
	ck_assert_str_eq(r.why, "Airflow at http://af.test:8080/ did not answer: Connection refused");
	answered(500, "{\"title\": \"Internal Server Error\", \"detail\": \"db\\nlocked\"}", 200, "{}",
	    &r);
	ck_assert_str_eq(r.why, "Airflow at http://af.test:8080/ answered HTTP 500: Internal Server "
	    "Error: db locked");
	answered(502, "<html>bad gateway</html>", 200, "{}", &r);
	ck_assert_str_eq(r.why, "Airflow at http://af.test:8080/ answered HTTP 502");
	rp_config_free(&cfg);
}
END_TEST

START_TEST(validate)
{
	struct rp_check c;
	struct rp_err err;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.dag_id = dag;
	c.type = RP_CHECK_AIRFLOW;
	c.line = 7;
	load("");
	ck_assert_int_eq(rp_source_validate(&cfg, &c, "cl.yaml", &err), 0);
	rp_config_free(&cfg);
	{
		const char *path = tmpfile_with("[timezone]\ntimezone = UTC\n");
		ck_assert_int_eq(rp_config_load(path, &cfg, &err), 0);
		ck_assert_int_eq(rp_source_validate(&cfg, &c, "cl.yaml", &err), -1);
		ck_assert_int_eq(err.code, RP_EXIT_CONFIG);
		ck_assert_str_eq(err.msg + strlen(path), ": [airflow] url: missing (cl.yaml:7: "
		    "orders_dag is an airflow check)");
		unlink(path);
		rp_config_free(&cfg);
	}
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, urls);
	tcase_add_test(tc, newest_success);
	tcase_add_test(tc, newest_failed);
	tcase_add_test(tc, unfinished_and_order);
	tcase_add_test(tc, airflow3_shapes);
	tcase_add_test(tc, unusable);
	tcase_add_test(tc, dag_and_token);
	tcase_add_test(tc, versions_and_logins);
	tcase_add_test(tc, answers);
	tcase_add_test(tc, validate);
}
