#define UNIT_NAME "checklist"
#include <string.h>

#include "checklist.h"
#include "clock.h"
#include "testutil.h"
#include "unit.h"

static const char good[] =
    "nightly_orders_latency:\n"
    "    type: batchy\n"
    "    pd_description: \"intraday latency check for orders\"\n"
    "    pd_service: \"0123456789abcdef0123456789abcdef\"\n"
    "    wf_name: \"orders_intraday\"\n"
    "    check_time: \"09:00\"\n"
    "    poll_sec: 180\n"
    "    latency_min: 60\n"
    "unique_email_check_job_name:\n"
    "    type: email\n"
    "    pd_description: \"Check whether you are OK\"\n"
    "    pd_service: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n"
    "    senders: ['email_address@gmail.com']\n"
    "    delivery_time: 03:00\n"
    "    check_time: 03:15\n"
    "    subjects:\n"
    "        - \"Great - You look awesome!\"\n"
    "        - \"Good - You look OK!\"\n";

static const char *
load_fail(const char *text)
{
	static struct rp_err err;
	struct rp_checklist cl;
	const char *path = tmpfile_with(text);
	int rc = rp_checklist_load(path, &cl, &err);

	rp_checklist_free(&cl);
	unlink(path);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err.code, RP_EXIT_CONFIG);
	ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0, "no file name: %s", err.msg);
	return err.msg + strlen(path);
}

/* One batchy check with the key line replaced (or added). */
static const char *
batchy_with(const char *key_line)
{
	static char buf[1024];
	snprintf(buf, sizeof(buf),
	    "c:\n"
	    "    type: batchy\n"
	    "    pd_description: d\n"
	    "    pd_service: 0123456789abcdef0123456789abcdef\n"
	    "    wf_name: w\n"
	    "    check_time: '09:00'\n"
	    "    latency_min: 60\n"
	    "%s\n", key_line);
	return load_fail(buf);
}

START_TEST(readme_examples)
{
	struct rp_checklist cl;
	struct rp_err err;
	const char *path = tmpfile_with(good);
	const struct rp_check *c;

	ck_assert_msg(rp_checklist_load(path, &cl, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(cl.n, 2);
	c = rp_checklist_find(&cl, "nightly_orders_latency");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->type, RP_CHECK_BATCHY);
	ck_assert_int_eq(c->line, 1);
	ck_assert_str_eq(c->wf_name, "orders_intraday");
	ck_assert_int_eq(c->check_time, 540);
	ck_assert_int_eq(c->poll_sec, 180);
	ck_assert_int_eq(c->latency_min, 60);
	ck_assert_int_eq(c->warn_pct, 80);
	c = rp_checklist_find(&cl, "unique_email_check_job_name");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->type, RP_CHECK_EMAIL);
	ck_assert_int_eq(c->line, 9);
	ck_assert_uint_eq(c->nsenders, 1);
	ck_assert_str_eq(c->senders[0], "email_address@gmail.com");
	ck_assert_uint_eq(c->nsubjects, 2);
	ck_assert_str_eq(c->subjects[1], "Good - You look OK!");
	ck_assert_int_eq(c->delivery_time, 180);
	ck_assert_int_eq(c->check_time, 195);
	ck_assert_int_eq(c->poll_sec, 60);
	ck_assert_int_eq(c->subject_match, RP_MATCH_EXACT);
	ck_assert_ptr_null(rp_checklist_find(&cl, "nope"));
	rp_checklist_free(&cl);
	unlink(path);
}
END_TEST

START_TEST(errors)
{
	ck_assert_str_eq(batchy_with("    poll_sec: abc"),
	    ":8: c: poll_sec: \"abc\" is not a whole number of seconds from 1 to 86400");
	ck_assert_str_eq(batchy_with("    poll_sec: -5"),
	    ":8: c: poll_sec: \"-5\" is not a whole number of seconds from 1 to 86400");
	ck_assert_str_eq(batchy_with("    poll_sec: [1, 2]"),
	    ":8: c: poll_sec: expected a single value, found a list");
	ck_assert_str_eq(batchy_with("    poll_sec: {a: 1}"),
	    ":8: c: poll_sec: expected a value or a list, found a mapping");
	ck_assert_str_eq(batchy_with("    poll_sec: 60\n    warn_pct: 101"),
	    ":9: c: warn_pct: \"101\" is not a whole number of percent from 1 to 100");
	ck_assert_str_eq(batchy_with("    poll_sec: 60\n    colour: blue"),
	    ":9: c: colour: unknown key");
	ck_assert_str_eq(batchy_with("    poll_sec: 60\n    senders: [a@b]"),
	    ":9: c: senders: not a key of batchy checks");
	ck_assert_str_eq(batchy_with("    poll_sec: 60\n    latency_min: 5"),
	    ":9: c: latency_min: set twice (first on line 7)");
	ck_assert_str_eq(batchy_with("    poll_sec: 60\n    check_time: 24:00"),
	    ":9: c: check_time: set twice (first on line 6)");
	ck_assert_str_eq(batchy_with(""), ":1: c: poll_sec: missing");
	ck_assert_str_eq(load_fail("c:\n  type: batchy\n  check_time: 7:5\n"),
	    ":3: c: check_time: \"7:5\" is not a time HH:MM from 00:00 to 23:59");
	ck_assert_str_eq(load_fail("c:\n  type: batchy\n  pd_service: short\n"),
	    ":3: c: pd_service: not a 32-character PagerDuty integration key");
	ck_assert_str_eq(load_fail("c:\n  type: webhook\n"),
	    ":2: c: type: not email, batchy, airflow, http or ping");
	ck_assert_str_eq(load_fail("c:\n  type: [http]\n"),
	    ":2: c: type: not email, batchy, airflow, http or ping");
	ck_assert_str_eq(load_fail("c:\n  pd_description: x\n"),
	    ":1: c: type: missing (email, batchy, airflow, http or ping)");
	ck_assert_str_eq(load_fail("c:\n  type: batchy\n  pd_description: ''\n"),
	    ":3: c: pd_description: empty");
}
END_TEST

START_TEST(structure)
{
	char *twice = rp_xasprintf("%s%s", good, "nightly_orders_latency:\n  type: batchy\n");

	ck_assert_str_eq(load_fail(twice),
	    ":19: nightly_orders_latency: duplicate check name (first on line 1)");
	free(twice);
	ck_assert_str_eq(load_fail(""), ":1: no checks (the file is empty)");
	ck_assert_str_eq(load_fail("# only a comment\n"), ":1: no checks (the file is empty)");
	ck_assert_str_eq(load_fail("- a\n- b\n"), ":1: expected a mapping of check names to their settings");
	ck_assert_str_eq(load_fail("c: 5\n"),
	    ":1: c: expected the check's settings (key: value lines), found a single value");
	ck_assert_str_eq(load_fail("c:\n  type: [batchy\n"),
	    ":3: YAML: did not find expected ',' or ']' while parsing a flow sequence");
	ck_assert_str_eq(load_fail("c:\n  type: &t batchy\n  pd_description: *t\n"),
	    ":3: YAML aliases (*name) are not supported; write the value out");
	ck_assert_str_eq(load_fail("c:\n  type: email\n  senders: [[a]]\n"),
	    ":3: c: senders: list items must be single values, found a list");
	ck_assert_str_eq(load_fail("a: {type: batchy}\n---\nb: {type: batchy}\n"),
	    ":1: a: pd_description: missing");
	/* A tab where indentation goes, after a wide character too. */
	ck_assert_str_eq(load_fail("c:\n  pd_description: \"\xc3\xa9\xe2\x82\xac\"\n\ttype: batchy\n"),
	    ":3: YAML: a tab character (column 1): indent with spaces");
	ck_assert_str_eq(load_fail("c:\n\ttype: batchy\n"),
	    ":2: YAML: a tab character (column 1): indent with spaces");
	ck_assert_str_eq(load_fail("\"two words\":\n  type: batchy\n"),
	    ":1: \"two words\": a check name is 1 to 128 printable characters without spaces");
	ck_assert_str_eq(load_fail("c:\n  type: email\n  pd_description: d\n"
	                           "  pd_service: 0123456789abcdef0123456789abcdef\n"
	                           "  check_time: 03:15\n  delivery_time: 03:00\n"
	                           "  senders: []\n  subjects: [x]\n"),
	    ":7: c: senders: empty list");
	ck_assert_str_eq(load_fail("c:\n  type: email\n  subject_match: regex\n"),
	    ":3: c: subject_match: \"regex\" is not exact or contains");
	ck_assert_str_eq(load_fail("c:\n  type: \xc3\x28\n"),
	    ":2: YAML: invalid trailing UTF-8 octet");
}
END_TEST

/* One email check whose senders line is given. */
static const char *
email_with_senders(const char *senders)
{
	static char buf[1024];
	snprintf(buf, sizeof(buf),
	    "c:\n  type: email\n  pd_description: d\n"
	    "  pd_service: 0123456789abcdef0123456789abcdef\n"
	    "  check_time: 03:15\n  delivery_time: 03:00\n"
	    "  senders: %s\n  subjects: [x]\n", senders);
	return buf;
}

/* "@domain" is anyone at that domain; a bare domain is a mistake whose
 * message says what to write. */
START_TEST(domain_senders)
{
	struct rp_checklist cl;
	struct rp_err err;
	const char *path = tmpfile_with(email_with_senders("['@vendor.example', 'a@b.example']"));

	ck_assert_msg(rp_checklist_load(path, &cl, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(cl.checks[0].nsenders, 2);
	ck_assert_str_eq(cl.checks[0].senders[0], "@vendor.example");
	rp_checklist_free(&cl);
	unlink(path);
	ck_assert_str_eq(load_fail(email_with_senders("[vendor.example]")),
	    ":7: c: senders: \"vendor.example\" is not an email address (for anyone at that "
	    "domain, write \"@vendor.example\")");
	ck_assert_str_eq(load_fail(email_with_senders("['@']")),
	    ":7: c: senders: \"@\" is not an email address");
	ck_assert_str_eq(load_fail(email_with_senders("['@a@vendor.example']")),
	    ":7: c: senders: \"@a@vendor.example\" is not an email address");
	ck_assert_str_eq(load_fail(email_with_senders("['@vendor example']")),
	    ":7: c: senders: \"@vendor example\" is not an email address");
	ck_assert_str_eq(load_fail(email_with_senders("[reports]")),
	    ":7: c: senders: \"reports\" is not an email address");
}
END_TEST

START_TEST(documents)
{
	ck_assert_str_eq(load_fail("a:\n  type: batchy\n  pd_description: d\n"
	                           "  pd_service: 0123456789abcdef0123456789abcdef\n"
	                           "  wf_name: w\n  check_time: '09:00'\n  poll_sec: 1\n"
	                           "  latency_min: 1\n---\nb: 1\n"),
	    ":9: only one YAML document is allowed");
}
END_TEST

START_TEST(example_file)
{
	struct rp_checklist cl;
	struct rp_err err;

	ck_assert_msg(rp_checklist_load("examples/checklist.yaml", &cl, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(cl.n, 5);
	ck_assert_int_eq(cl.checks[4].type, RP_CHECK_PING);
	ck_assert_uint_eq(cl.checks[3].days, 0x3e);
	rp_checklist_free(&cl);
}
END_TEST

START_TEST(unreadable)
{
	struct rp_checklist cl;
	struct rp_err err;

	ck_assert_int_eq(rp_checklist_load("/nonexistent/checklist.yaml", &cl, &err), -1);
	ck_assert_str_eq(err.msg, "/nonexistent/checklist.yaml: cannot read: No such file or directory");
	rp_checklist_free(&cl);
}
END_TEST

static const char sources[] =
    "orders_dag:\n"
    "    type: airflow\n"
    "    dag_id: orders_daily\n"
    "    pd_description: \"orders DAG\"\n"
    "    pd_service: \"0123456789abcdef0123456789abcdef\"\n"
    "    check_time: \"06:00\"\n"
    "    poll_sec: 300\n"
    "    latency_min: 1500\n"
    "exports_api:\n"
    "    type: http\n"
    "    url: \"https://jobs.internal/api/exports/last?x=1\"\n"
    "    completion: \"/last_success/finished_at\"\n"
    "    state: \"/last_run/state\"\n"
    "    failure_values: [\"failed\", \"error\"]\n"
    "    started: \"/last_run/started_at\"\n"
    "    auth: exports\n"
    "    pd_description: \"exports API\"\n"
    "    pd_service: \"0123456789abcdef0123456789abcdef\"\n"
    "    check_time: \"00:05\"\n"
    "    poll_sec: 120\n"
    "    latency_min: 90\n"
    "    warn_pct: 50\n";

START_TEST(source_checks)
{
	struct rp_checklist cl;
	struct rp_err err;
	const char *path = tmpfile_with(sources);
	const struct rp_check *c;

	ck_assert_msg(rp_checklist_load(path, &cl, &err) == 0, "%s", err.msg);
	unlink(path);
	ck_assert_uint_eq(cl.n, 2);
	c = rp_checklist_find(&cl, "orders_dag");
	ck_assert_int_eq(c->type, RP_CHECK_AIRFLOW);
	ck_assert_str_eq(rp_check_type_name(c->type), "airflow");
	ck_assert_int_eq(rp_check_program(c->type), RP_PROG_LATENCY);
	ck_assert_str_eq(c->dag_id, "orders_daily");
	ck_assert_int_eq(c->latency_min, 1500);
	ck_assert_int_eq(c->warn_pct, 80);
	ck_assert_int_eq(c->poll_sec, 300);
	ck_assert_int_eq(c->check_time, 360);
	c = rp_checklist_find(&cl, "exports_api");
	ck_assert_int_eq(c->type, RP_CHECK_HTTP);
	ck_assert_str_eq(c->url, "https://jobs.internal/api/exports/last?x=1");
	ck_assert_str_eq(c->completion, "/last_success/finished_at");
	ck_assert_str_eq(c->state, "/last_run/state");
	ck_assert_uint_eq(c->nfailure_values, 2);
	ck_assert_str_eq(c->failure_values[1], "error");
	ck_assert_str_eq(c->started, "/last_run/started_at");
	ck_assert_str_eq(c->auth, "exports");
	ck_assert_int_eq(c->auth_line, 16);
	ck_assert_int_eq(c->warn_pct, 50);
	rp_checklist_free(&cl);
}
END_TEST

/* One check of type type with the given lines. */
static const char *
source_with(const char *type, const char *lines)
{
	static char buf[1024];
	snprintf(buf, sizeof(buf),
	    "c:\n"
	    "    type: %s\n"
	    "    pd_description: d\n"
	    "    pd_service: 0123456789abcdef0123456789abcdef\n"
	    "    check_time: '09:00'\n"
	    "    poll_sec: 60\n"
	    "    latency_min: 60\n"
	    "%s", type, lines);
	return load_fail(buf);
}

START_TEST(source_errors)
{
	ck_assert_str_eq(source_with("airflow", ""), ":1: c: dag_id: missing");
	ck_assert_str_eq(source_with("airflow", "    dag_id: 'orders daily'\n"),
	    ":8: c: dag_id: \"orders daily\" is not 1 to 250 letters, digits, \"_\", \".\" or \"-\"");
	ck_assert_str_eq(source_with("airflow", "    dag_id: d\n    wf_name: w\n"),
	    ":9: c: wf_name: not a key of airflow checks");
	ck_assert_str_eq(source_with("airflow", "    dag_id: d\n    url: http://x\n"),
	    ":9: c: url: not a key of airflow checks");
	ck_assert_str_eq(source_with("http", "    completion: /a\n"), ":1: c: url: missing");
	ck_assert_str_eq(source_with("http", "    url: http://x/\n"), ":1: c: completion: missing");
	ck_assert_str_eq(source_with("http", "    url: ftp://x/\n"),
	    ":8: c: url: \"ftp://x/\" is not an http:// or https:// URL");
	ck_assert_str_eq(source_with("http", "    url: 'https:///a'\n"),
	    ":8: c: url: \"https:///a\" has no host");
	ck_assert_str_eq(source_with("http", "    url: 'https://u:pw@jobs/a'\n"),
	    ":8: c: url: holds a user or password; put them in an "
	    "[http NAME] section of etl.cfg and name it with auth:");
	ck_assert_str_eq(source_with("http", "    url: 'https://jobs/a b'\n"),
	    ":8: c: url: \"https://jobs/a b\" has spaces or characters other than ASCII "
	    "(percent-encode them)");
	ck_assert_str_eq(source_with("http", "    url: http://x/\n    completion: a/b\n"),
	    ":9: c: completion: \"a/b\" is not a JSON pointer (RFC 6901: \"/a/0/b\", \"~0\" for "
	    "\"~\" and \"~1\" for \"/\")");
	ck_assert_str_eq(source_with("http", "    url: http://x/\n    completion: /a\n"
	    "    state: /a~2\n"),
	    ":10: c: state: \"/a~2\" is not a JSON pointer (RFC 6901: \"/a/0/b\", \"~0\" for "
	    "\"~\" and \"~1\" for \"/\")");
	ck_assert_str_eq(source_with("http", "    url: http://x/\n    completion: /a\n"
	    "    failure_values: [failed]\n"),
	    ":10: c: failure_values: needs state (the pointer to the run's state they are "
	    "compared with)");
	ck_assert_str_eq(source_with("http", "    url: http://x/\n    completion: /a\n"
	    "    state: /s\n"),
	    ":10: c: state: needs failure_values (the states that page at once, for example "
	    "[failed, error])");
	ck_assert_str_eq(source_with("http", "    url: http://x/\n    completion: /a\n"
	    "    state: /s\n    failure_values: 'failed, error'\n"),
	    ":11: c: failure_values: \"failed, error\" is one value; for several, write a list: "
	    "[failed, error]");
	ck_assert_str_eq(source_with("http", "    url: http://x/\n    completion: /a\n"
	    "    state: /s\n    failure_values: []\n"),
	    ":11: c: failure_values: empty list");
	ck_assert_str_eq(source_with("http", "    url: http://x/\n    completion: /a\n"
	    "    auth: 'my section'\n"),
	    ":10: c: auth: \"my section\" is not 1 to 64 letters, digits, \"_\", \".\" or \"-\"");
	ck_assert_str_eq(source_with("http", "    url: http://x/\n    completion: /a\n"
	    "    dag_id: d\n"),
	    ":10: c: dag_id: not a key of http checks");
	ck_assert_str_eq(source_with("email", ""), ":7: c: latency_min: not a key of email checks");
}
END_TEST

START_TEST(source_pointer_forms)
{
	struct rp_checklist cl;
	struct rp_err err;
	/* The empty pointer (the whole answer) and escapes are pointers. */
	const char *path = tmpfile_with("c:\n  type: http\n  url: http://h\n  completion: ''\n"
	    "  started: '/a~1b/~0c/0'\n  pd_description: d\n"
	    "  pd_service: 0123456789abcdef0123456789abcdef\n  check_time: '00:00'\n"
	    "  poll_sec: 60\n  latency_min: 5\n");

	ck_assert_msg(rp_checklist_load(path, &cl, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(cl.checks[0].completion, "");
	ck_assert_str_eq(cl.checks[0].started, "/a~1b/~0c/0");
	ck_assert_ptr_null(cl.checks[0].auth);
	rp_checklist_free(&cl);
	unlink(path);
}
END_TEST

/* A loaded checklist of text, freed by the caller. */
static void
load_ok(const char *text, struct rp_checklist *cl)
{
	struct rp_err err;
	const char *path = tmpfile_with(text);

	ck_assert_msg(rp_checklist_load(path, cl, &err) == 0, "%s", err.msg);
	unlink(path);
}

static const char ping_head[] =
    "b:\n"
    "    type: ping\n"
    "    pd_description: backup\n"
    "    pd_service: 0123456789abcdef0123456789abcdef\n";

static const char *
ping_with(const char *lines)
{
	static char buf[1024];
	snprintf(buf, sizeof(buf), "%s%s\n", ping_head, lines);
	return buf;
}

START_TEST(ping_checks)
{
	struct rp_checklist cl;
	const struct rp_check *c;

	load_ok(ping_with("    schedule: \"30 2 * * *\"\n    grace: 30m\n    max_runtime: 2h"), &cl);
	c = &cl.checks[0];
	ck_assert_int_eq(c->type, RP_CHECK_PING);
	ck_assert_ptr_nonnull(c->schedule);
	ck_assert_str_eq(c->schedule->expr, "30 2 * * *");
	ck_assert_int_eq(c->grace, 1800);
	ck_assert_int_eq(c->max_runtime, 7200);
	ck_assert_int_eq(c->poll_sec, RP_DEFAULT_PING_POLL_SEC);
	ck_assert_int_eq(c->check_time, 0);
	rp_checklist_free(&cl);
	/* period; grace defaults to an hour, at most half the period. */
	load_ok(ping_with("    period: 1d"), &cl);
	ck_assert_int_eq(cl.checks[0].period, 86400);
	ck_assert_int_eq(cl.checks[0].grace, 3600);
	rp_checklist_free(&cl);
	load_ok(ping_with("    period: 30m"), &cl);
	ck_assert_int_eq(cl.checks[0].grace, 900);
	rp_checklist_free(&cl);
	load_ok(ping_with("    period: 1h30m\n    grace: 1m"), &cl);
	ck_assert_int_eq(cl.checks[0].period, 5400);
	ck_assert_int_eq(cl.checks[0].grace, 60);
	rp_checklist_free(&cl);
	ck_assert_str_eq(load_fail(ping_with("    grace: 30m")),
	    ":1: b: schedule: missing (a cron expression such as \"30 2 * * *\", or period: 1d)");
	ck_assert_str_eq(load_fail(ping_with("    period: 1d\n    schedule: \"* * * * *\"")),
	    ":1: b: schedule and period: give one of them");
	ck_assert_str_eq(load_fail(ping_with("    schedule: \"30 25 * * *\"")),
	    ":5: b: schedule: \"30 25 * * *\": hour: \"25\" is not from 0 to 23");
	ck_assert_str_eq(load_fail(ping_with("    period: 10s")),
	    ":5: b: period: \"10s\" is not a duration like 30m, 6h, 1d, 1w or 1h30m from 60s to "
	    "366d");
	ck_assert_str_eq(load_fail(ping_with("    period: 1d\n    check_time: '09:00'")),
	    ":6: b: check_time: not a key of ping checks");
	ck_assert_str_eq(load_fail(ping_with("    period: 1d\n    latency_min: 5")),
	    ":6: b: latency_min: not a key of ping checks");
}
END_TEST

START_TEST(calendars)
{
	struct rp_checklist cl;
	const struct rp_check *c;
	struct rp_err err;
	time_t sat, mon, xmas;

	ck_assert_int_eq(rp_clock_set_zone("America/New_York", &err), 0);
	ck_assert_int_eq(rp_clock_parse_iso("2026-12-19T12:00:00", 1, &sat), 0);
	ck_assert_int_eq(rp_clock_parse_iso("2026-12-21T12:00:00", 1, &mon), 0);
	ck_assert_int_eq(rp_clock_parse_iso("2026-12-25T12:00:00", 1, &xmas), 0);
	load_ok("c:\n    type: batchy\n    pd_description: d\n"
	    "    pd_service: 0123456789abcdef0123456789abcdef\n    wf_name: w\n"
	    "    check_time: '09:00'\n    until: '18:00'\n    latency_min: 60\n    poll_sec: 60\n"
	    "    days: [mon-fri]\n    skip_dates: [2026-12-25, 2027-01-01]\n", &cl);
	c = &cl.checks[0];
	ck_assert_uint_eq(c->days, 0x3e);
	ck_assert_int_eq(c->until, 18 * 60);
	ck_assert_int_eq(rp_check_on(c, sat), 0);
	ck_assert_int_eq(rp_check_on(c, mon), 1);
	ck_assert_int_eq(rp_check_on(c, xmas), 0);
	ck_assert_int_eq(rp_check_in_window(c, mon), 1);
	ck_assert_int_eq(rp_check_in_window(c, mon - 4 * 3600), 0);  /* 08:00 */
	ck_assert_int_eq(rp_check_in_window(c, mon + 6 * 3600), 0);  /* 18:00 */
	rp_checklist_free(&cl);
	/* Every day unless said; days by name, in any case, with a range over
	 * the week's end. */
	load_ok(good, &cl);
	ck_assert_uint_eq(cl.checks[0].days, RP_EVERY_DAY);
	ck_assert_int_eq(cl.checks[0].until, -1);
	rp_checklist_free(&cl);
	load_ok(ping_with("    period: 1d\n    days: [Saturday, sun]"), &cl);
	ck_assert_uint_eq(cl.checks[0].days, 0x41);
	rp_checklist_free(&cl);
	load_ok(ping_with("    period: 1d\n    days: [fri-mon]"), &cl);
	ck_assert_uint_eq(cl.checks[0].days, 0x63);
	rp_checklist_free(&cl);
	ck_assert_str_eq(batchy_with("    days: [funday]"),
	    ":8: c: days: \"funday\" is not a weekday (mon, tue, ... sun) or a range of them "
	    "(mon-fri)");
	ck_assert_str_eq(batchy_with("    skip_dates: [2026-02-30]"),
	    ":8: c: skip_dates: \"2026-02-30\" is not a date YYYY-MM-DD");
	ck_assert_str_eq(batchy_with("    poll_sec: 60\n    until: '08:00'"),
	    ":1: c: until 08:00 is not after check_time 09:00");
	ck_assert_str_eq(batchy_with("    days: []"), ":8: c: days: empty list");
}
END_TEST

START_TEST(notify)
{
	struct rp_checklist cl;
	const char *both =
	    "c:\n"
	    "    type: batchy\n"
	    "    pd_description: d\n"
	    "    notify: [data-team, ops]\n"
	    "    wf_name: w\n"
	    "    check_time: '09:00'\n"
	    "    poll_sec: 60\n"
	    "    latency_min: 60\n";

	/* pd_service is optional once notify is given. */
	load_ok(both, &cl);
	ck_assert_ptr_null(cl.checks[0].pd_service);
	ck_assert_uint_eq(cl.checks[0].nnotify, 2);
	ck_assert_str_eq(cl.checks[0].notify[0], "data-team");
	ck_assert_str_eq(cl.checks[0].notify[1], "ops");
	ck_assert_int_eq(cl.checks[0].notify_line, 4);
	rp_checklist_free(&cl);
	load_ok(good, &cl);
	ck_assert_uint_eq(cl.checks[0].nnotify, 0);
	rp_checklist_free(&cl);
	ck_assert_str_eq(load_fail(
	    "c:\n"
	    "    type: batchy\n"
	    "    pd_description: d\n"
	    "    wf_name: w\n"
	    "    check_time: '09:00'\n"
	    "    poll_sec: 60\n"
	    "    latency_min: 60\n"),
	    ":1: c: pd_service: missing (a PagerDuty integration key; or notify: a list of "
	    "[slack NAME] and [webhook NAME] sections of etl.cfg)");
	ck_assert_str_eq(batchy_with("    notify: [a b]"),
	    ":8: c: notify: \"a b\" is not 1 to 64 letters, digits, \"_\", \".\" or \"-\" (the NAME "
	    "of a [slack NAME] or [webhook NAME] section)");
	ck_assert_str_eq(batchy_with("    notify: [ops, ops]"), ":8: c: notify: \"ops\" twice");
	ck_assert_str_eq(batchy_with("    notify: []"), ":8: c: notify: empty list");
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, notify);
	tcase_add_test(tc, ping_checks);
	tcase_add_test(tc, calendars);
	tcase_add_test(tc, source_checks);
	tcase_add_test(tc, source_errors);
	tcase_add_test(tc, source_pointer_forms);
	tcase_add_test(tc, readme_examples);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, domain_senders);
	tcase_add_test(tc, structure);
	tcase_add_test(tc, documents);
	tcase_add_test(tc, example_file);
	tcase_add_test(tc, unreadable);
}
