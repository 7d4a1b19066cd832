#define UNIT_NAME "config"
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "testutil.h"
#include "unit.h"

/* The file of existing installations, as the issue gives it. */
static const char base[] =
    "[robopager]\n"
    "heartbeat_service = 0123456789abcdef0123456789abcdef\n"
    "[pager_duty]\n"
    "subdomain = example\n"
    "api_access_key = xxxxxxxx\n"
    "[google_apps]\n"
    "email = reports@example.com\n"
    "password = cGFzc3dvcmQ=\n"
    "[function_type]\n"
    "type = email, batchy\n"
    "[batchy]\n"
    "server = batchy.internal\n"
    "port = 8050\n"
    "[timezone]\n"
    "timezone = America/New_York\n"
    "[enable_redis]\n"
    "enable = True\n"
    "[redis]\n"
    "server = 127.0.0.1\n"
    "db = 1\n";

/* Loads base with extra appended; expects failure and returns the message
 * with the file name cut off (it is a random temporary path). */
static const char *
load_fail(const char *text)
{
	static struct rp_err err;
	struct rp_config cfg;
	const char *path = tmpfile_with(text);
	int rc = rp_config_load(path, &cfg, &err);

	rp_config_free(&cfg);
	unlink(path);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err.code, RP_EXIT_CONFIG);
	ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0, "no file name: %s", err.msg);
	return err.msg + strlen(path);
}

static char *
with(const char *extra)
{
	return rp_xasprintf("%s%s", base, extra);
}

START_TEST(existing_file)
{
	struct rp_config cfg;
	struct rp_err err;
	const char *path = tmpfile_with(base);

	ck_assert_msg(rp_config_load(path, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(cfg.heartbeat_service, "0123456789abcdef0123456789abcdef");
	ck_assert_str_eq(cfg.email, "reports@example.com");
	ck_assert_str_eq(cfg.password, "cGFzc3dvcmQ=");
	ck_assert_uint_eq(cfg.functions, RP_FN_EMAIL | RP_FN_BATCHY);
	ck_assert_str_eq(cfg.batchy_server, "batchy.internal");
	ck_assert_int_eq(cfg.batchy_port, 8050);
	ck_assert_str_eq(cfg.timezone, "America/New_York");
	ck_assert_int_eq(cfg.redis_enabled, 1);
	ck_assert_int_eq(cfg.redis_db, 1);
	/* Defaults of the new keys. */
	ck_assert_int_eq(cfg.redis_port, 6379);
	ck_assert_str_eq(cfg.redis_prefix, "rp");
	ck_assert_ptr_null(cfg.redis_password);
	ck_assert_str_eq(cfg.events_url, "https://events.pagerduty.com/v2/enqueue");
	ck_assert_int_eq(cfg.batchy_timeout_sec, 10);
	ck_assert_int_eq(cfg.unknown_after, 3);
	rp_config_free(&cfg);
	unlink(path);
}
END_TEST

START_TEST(new_keys)
{
	struct rp_config cfg;
	struct rp_err err;
	char *text = with("port = 6380\npassword = s3cret\nprefix = robo\n"
	                  "[pager_duty]\nevents_url = https://events.eu.pagerduty.com/v2/enqueue\n");
	const char *path;

	/* [pager_duty] appears twice: keys of a section may be split. */
	path = tmpfile_with(text);
	ck_assert_msg(rp_config_load(path, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(cfg.redis_port, 6380);
	ck_assert_str_eq(cfg.redis_password, "s3cret");
	ck_assert_str_eq(cfg.redis_prefix, "robo");
	ck_assert_str_eq(cfg.events_url, "https://events.eu.pagerduty.com/v2/enqueue");
	rp_config_free(&cfg);
	unlink(path);
	free(text);
}
END_TEST

/* Loads base plus extra; returns the mailbox it ends up with (static). */
static const char *
mailbox_with(const char *extra)
{
	static char box[64];
	struct rp_config cfg;
	struct rp_err err;
	char *text = with(extra);
	const char *path = tmpfile_with(text);

	ck_assert_msg(rp_config_load(path, &cfg, &err) == 0, "%s", err.msg);
	rp_strlcpy(box, cfg.mailbox, sizeof(box));
	rp_config_free(&cfg);
	unlink(path);
	free(text);
	return box;
}

/* The earlier tool searched Gmail's All Mail: so does an unset mailbox on
 * Gmail; any other server's default is INBOX; a mailbox set is kept. */
START_TEST(mailbox_default)
{
	ck_assert_str_eq(mailbox_with(""), "[Gmail]/All Mail");
	ck_assert_str_eq(mailbox_with("[google_apps]\nimap_url = imaps://imap.gmail.com\n"),
	    "[Gmail]/All Mail");
	ck_assert_str_eq(mailbox_with("[google_apps]\nimap_url = imaps://IMAP.Gmail.com:993/\n"),
	    "[Gmail]/All Mail");
	ck_assert_str_eq(mailbox_with("[google_apps]\nimap_url = imaps://mail.example.com:993\n"),
	    "INBOX");
	ck_assert_str_eq(mailbox_with("[google_apps]\nimap_url = imaps://imap.gmail.com.example\n"),
	    "INBOX");
	ck_assert_str_eq(mailbox_with("[google_apps]\nimap_url = imap://127.0.0.1:1143\n"), "INBOX");
	ck_assert_str_eq(mailbox_with("[google_apps]\nmailbox = INBOX\n"), "INBOX");
	ck_assert_str_eq(mailbox_with("[google_apps]\nimap_url = imaps://mail.example.com\n"
	                              "mailbox = Reports\n"), "Reports");
}
END_TEST

START_TEST(python_style)
{
	struct rp_config cfg;
	struct rp_err err;
	const char *path = tmpfile_with(
	    "# a comment\n; another\n[timezone]\ntimezone: Europe/London\n"
	    "[function_type]\ntype=batchy\n[batchy]\nserver: b\nport: 1\ntimeout_sec = 5\n"
	    "[enable_redis]\nenable = false\n");

	ck_assert_msg(rp_config_load(path, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(cfg.functions, RP_FN_BATCHY);
	ck_assert_int_eq(cfg.redis_enabled, 0);
	ck_assert_int_eq(cfg.batchy_timeout_sec, 5);
	rp_config_free(&cfg);
	unlink(path);
}
END_TEST

#define FAILS(extra, want)                          \
	do {                                            \
		char *t_ = with(extra);                     \
		ck_assert_str_eq(load_fail(t_), want);      \
		free(t_);                                   \
	} while (0)

START_TEST(errors)
{
	FAILS("port = 63x9\n", ":21: [redis] port: \"63x9\" is not a number from 1 to 65535");
	FAILS("port = 0\n", ":21: [redis] port: \"0\" is not a number from 1 to 65535");
	FAILS("port = 65536\n", ":21: [redis] port: \"65536\" is not a number from 1 to 65535");
	FAILS("port = -1\n", ":21: [redis] port: \"-1\" is not a number from 1 to 65535");
	FAILS("port = 99999999999999999999\n",
	    ":21: [redis] port: \"99999999999999999999\" is not a number from 1 to 65535");
	FAILS("colour = blue\n", ":21: [redis] colour: unknown key");
	FAILS("[nosuch]\nkey = 1\n", ":22: [nosuch] key: unknown section");
	FAILS("db = 2\n", ":21: [redis] db: set twice (first on line 20)");
}
END_TEST

/* A key the earlier tool's files carried: accepted, one notice naming file,
 * line, section and key, never its value; not kept. */
START_TEST(legacy_keys)
{
	struct rp_config cfg;
	struct rp_err err;
	char *text = with("[pager_duty]\ntest_pd_service = 5ec2e75ec2e75ec2e75ec2e75ec2e7aa\n");
	const char *path = tmpfile_with(text);
	char *want = rp_xasprintf("%s:22: [pager_duty] test_pd_service: not used by this "
	    "Robopager; ignored", path);

	ck_assert_msg(rp_config_load(path, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(cfg.nnotices, 1);
	ck_assert_str_eq(cfg.notices[0], want);
	ck_assert_ptr_null(strstr(cfg.notices[0], "5ec2e7"));
	rp_config_free(&cfg);
	ck_assert_ptr_null(cfg.notices);
	unlink(path);
	free(want);
	free(text);

	/* A file without one has no notice. */
	path = tmpfile_with(base);
	ck_assert_msg(rp_config_load(path, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(cfg.nnotices, 0);
	rp_config_free(&cfg);
	unlink(path);

	/* Only in its own section; a key nobody ever had stays an error. */
	FAILS("[redis]\ntest_pd_service = x\n", ":22: [redis] test_pd_service: unknown key");
	FAILS("[pager_duty]\nprod_pd_service = x\n",
	    ":22: [pager_duty] prod_pd_service: unknown key");
}
END_TEST

START_TEST(errors_values)
{
	ck_assert_str_eq(load_fail("[timezone]\ntimezone = Mars/Olympus\n"),
	    ":2: [timezone] timezone: \"Mars/Olympus\" is not a time zone of the tz database "
	    "(like America/New_York)");
	ck_assert_str_eq(load_fail("[robopager]\nheartbeat_service = 42\n"),
	    ":2: [robopager] heartbeat_service: not a 32-character integration key (2 characters; the value is a secret and is not shown)");
	ck_assert_str_eq(load_fail("[enable_redis]\nenable = maybe\n"),
	    ":2: [enable_redis] enable: \"maybe\" is not True or False");
	ck_assert_str_eq(load_fail("[function_type]\ntype = email, pigeon\n"),
	    ":2: [function_type] type: \"email, pigeon\" is not a list of email, batchy, airflow, "
	    "http and ping");
	ck_assert_str_eq(load_fail("[pager_duty]\nevents_url = ftp://x\n"),
	    ":2: [pager_duty] events_url: \"ftp://x\" is not an http:// or https:// URL");
	ck_assert_str_eq(load_fail("[redis]\njust some words\n"),
	    ":2: not a \"[section]\" or \"key = value\" line");
	ck_assert_str_eq(load_fail("[redis]\nserver = x\n"),
	    ": [timezone] timezone: missing (an IANA zone such as America/New_York)");
	ck_assert_str_eq(load_fail("[timezone]\ntimezone = UTC\n[function_type]\ntype = batchy\n"),
	    ": [batchy] server: missing ([function_type] type has batchy)");
	ck_assert_str_eq(load_fail("[timezone]\ntimezone = UTC\n[redis]\nprefix =\n"),
	    ":4: [redis] prefix: empty");
}
END_TEST

START_TEST(long_line)
{
	struct rp_buf b = {0};

	rp_buf_printf(&b, "[timezone]\ntimezone = UTC\n[google_apps]\nemail = ");
	for (int i = 0; i < 300; i++)
		rp_buf_append(&b, "a", 1);
	rp_buf_append(&b, "\n", 1);
	ck_assert_str_eq(load_fail(b.data), ":4: line longer than 198 characters");
	rp_buf_free(&b);
}
END_TEST

START_TEST(secret_never_quoted)
{
	/* A bad line after the password: the message names the line only. */
	const char *m = load_fail("[google_apps]\npassword = hunter2\nemail\n");
	ck_assert_ptr_null(strstr(m, "hunter2"));
}
END_TEST

START_TEST(example_file)
{
	struct rp_config cfg;
	struct rp_err err;

	/* The example a new user copies must load as it is. */
	ck_assert_msg(rp_config_load("examples/etl.cfg", &cfg, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(cfg.timezone, "America/New_York");
	rp_config_free(&cfg);
}
END_TEST

START_TEST(unreadable)
{
	struct rp_config cfg;
	struct rp_err err;

	ck_assert_int_eq(rp_config_load("/nonexistent/etl.cfg", &cfg, &err), -1);
	ck_assert_int_eq(err.code, RP_EXIT_CONFIG);
	ck_assert_str_eq(err.msg, "/nonexistent/etl.cfg: cannot read: No such file or directory");
	rp_config_free(&cfg);
}
END_TEST

/* Loads text (complete: no base) and expects success. */
static void
load_ok(const char *text, struct rp_config *cfg)
{
	struct rp_err err;
	const char *path = tmpfile_with(text);

	ck_assert_msg(rp_config_load(path, cfg, &err) == 0, "%s", err.msg);
	unlink(path);
}

#define TZ "[timezone]\ntimezone = UTC\n"

START_TEST(function_types)
{
	struct rp_config cfg;

	/* Any freshness source enables rp-latency-check; only batchy needs
	 * [batchy]. */
	load_ok(TZ "[function_type]\ntype = airflow\n", &cfg);
	ck_assert_uint_eq(cfg.functions, RP_FN_AIRFLOW);
	ck_assert(cfg.functions & RP_FN_LATENCY);
	ck_assert(!(cfg.functions & RP_FN_EMAIL));
	rp_config_free(&cfg);
	load_ok(TZ "[function_type]\ntype = http,ping , Email\n", &cfg);
	ck_assert_uint_eq(cfg.functions, RP_FN_HTTP | RP_FN_PING | RP_FN_EMAIL);
	rp_config_free(&cfg);
	load_ok(TZ "[function_type]\ntype = email\n", &cfg);
	ck_assert(!(cfg.functions & RP_FN_LATENCY));
	rp_config_free(&cfg);
	ck_assert_str_eq(load_fail(TZ "[function_type]\ntype = airflow, batchy\n"),
	    ": [batchy] server: missing ([function_type] type has batchy)");
}
END_TEST

START_TEST(airflow_section)
{
	struct rp_config cfg;

	load_ok(TZ "[airflow]\nurl = https://airflow.internal:8080/\nusername = robopager\n"
	    "password_file = /etc/robopager/airflow.pw\n", &cfg);
	ck_assert_str_eq(cfg.airflow_url, "https://airflow.internal:8080/");
	ck_assert_str_eq(cfg.airflow_api_version, "auto");
	ck_assert_str_eq(cfg.airflow_username, "robopager");
	ck_assert_str_eq(cfg.airflow_password_file, "/etc/robopager/airflow.pw");
	ck_assert_int_eq(cfg.airflow_timeout_sec, 10);
	ck_assert_int_eq(cfg.airflow_tls_verify, 1);
	ck_assert_ptr_null(cfg.airflow_ca_file);
	rp_config_free(&cfg);
	load_ok(TZ "[airflow]\nurl = http://127.0.0.1:1\napi_version = 2\ntoken_env = AF_TOKEN\n"
	    "timeout_sec = 3\nca_file = /x.pem\ntls_verify = False\n", &cfg);
	ck_assert_str_eq(cfg.airflow_api_version, "2");
	ck_assert_str_eq(cfg.airflow_token_env, "AF_TOKEN");
	ck_assert_int_eq(cfg.airflow_timeout_sec, 3);
	ck_assert_int_eq(cfg.airflow_tls_verify, 0);
	rp_config_free(&cfg);
	load_ok(TZ "[airflow]\nurl = http://af\n", &cfg); /* no credentials: allowed */
	rp_config_free(&cfg);

	ck_assert_str_eq(load_fail(TZ "[airflow]\nurl = http://af\napi_version = 3\n"),
	    ":5: [airflow] api_version: \"3\" is not one of auto, 1, 2");
	ck_assert_str_eq(load_fail(TZ "[airflow]\nurl = af.internal\n"),
	    ":4: [airflow] url: \"af.internal\" is not an http:// or https:// URL");
	ck_assert_str_eq(load_fail(TZ "[airflow]\nurl = https://u:pw@af/\n"),
	    ":4: [airflow] url: holds a user or password; set username and password_file (or "
	    "password_env) instead");
	ck_assert_str_eq(load_fail(TZ "[airflow]\nurl = http://af\nusername = u\n"
	    "password_file = /p\ntoken_env = T\n"),
	    ": [airflow]: set one of password_file, password_env, token_file and token_env");
	ck_assert_str_eq(load_fail(TZ "[airflow]\nurl = http://af\nusername = u\n"
	    "password_file = /p\npassword_env = P\n"),
	    ": [airflow]: set one of password_file, password_env, token_file and token_env");
	ck_assert_str_eq(load_fail(TZ "[airflow]\nurl = http://af\npassword_env = P\n"),
	    ": [airflow] username: missing (a password is set)");
	ck_assert_str_eq(load_fail(TZ "[airflow]\nurl = http://af\nusername = u\n"),
	    ": [airflow] password_file: missing (or password_env: username is set)");
	ck_assert_str_eq(load_fail(TZ "[airflow]\nurl = http://af\nusername = u\ntoken_env = T\n"),
	    ":5: [airflow] username: not used with a token (token_file, token_env); remove one");
	ck_assert_str_eq(load_fail(TZ "[airflow]\ntoken_env = T\n"),
	    ": [airflow] url: missing (the section sets credentials)");
	ck_assert_str_eq(load_fail(TZ "[airflow]\nurl = http://a\nurl = http://b\n"),
	    ":5: [airflow] url: set twice (first on line 4)");
	ck_assert_str_eq(load_fail(TZ "[airflow]\npassword = x\n"),
	    ":4: [airflow] password: unknown key");
}
END_TEST

START_TEST(http_sections)
{
	struct rp_config cfg;
	const struct rp_http_auth *h;

	load_ok(TZ "[http exports]\nbearer_token_file = /etc/robopager/exports.token\n"
	    "[http  jobs-2.eu ]\nusername = robot\npassword_env = JOBS_PW\ntimeout_sec = 4\n"
	    "ca_file = /ca.pem\ntls_verify = no\n[http tlsonly]\nca_file = /ca.pem\n"
	    "[http exports]\ntimeout_sec = 7\n", &cfg);
	ck_assert_uint_eq(cfg.nhttp, 3);
	h = rp_config_http(&cfg, "exports");
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h->bearer_token_file, "/etc/robopager/exports.token");
	ck_assert_int_eq(h->timeout_sec, 7); /* a section may be split, as others */
	ck_assert_int_eq(h->tls_verify, 1);
	ck_assert_int_eq(h->line, 4);
	h = rp_config_http(&cfg, "jobs-2.eu");
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h->username, "robot");
	ck_assert_str_eq(h->password_env, "JOBS_PW");
	ck_assert_str_eq(h->ca_file, "/ca.pem");
	ck_assert_int_eq(h->timeout_sec, 4);
	ck_assert_int_eq(h->tls_verify, 0);
	h = rp_config_http(&cfg, "tlsonly");
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(h->timeout_sec, 10);
	ck_assert_ptr_null(rp_config_http(&cfg, "nosuch"));
	ck_assert_ptr_null(rp_config_http(&cfg, "export"));
	rp_config_free(&cfg);

	ck_assert_str_eq(load_fail(TZ "[http]\nusername = u\n"),
	    ":4: [http] username: the section needs a name: [http NAME], as the checks' auth: "
	    "names it");
	ck_assert_str_eq(load_fail(TZ "[http a/b]\nusername = u\n"),
	    ":4: [http a/b] username: a section name is 1 to 64 letters, digits, \"_\", \".\" or "
	    "\"-\"");
	ck_assert_str_eq(load_fail(TZ "[https x]\nusername = u\n"),
	    ":4: [https x] username: unknown section");
	ck_assert_str_eq(load_fail(TZ "[http x]\ncolour = blue\n"),
	    ":4: [http x] colour: unknown key");
	ck_assert_str_eq(load_fail(TZ "[http x]\ntimeout_sec = 0\n"),
	    ":4: [http x] timeout_sec: \"0\" is not a number from 1 to 300");
	ck_assert_str_eq(load_fail(TZ "[http x]\nca_file = a\n[http y]\nca_file = b\n"
	    "[http x]\nca_file = c\n"),
	    ":8: [http x] ca_file: set twice (first on line 4)");
	ck_assert_str_eq(load_fail(TZ "[http x]\nbearer_token_env = T\nusername = u\n"
	    "password_env = P\n"),
	    ":4: [http x]: set either bearer_token_file (or bearer_token_env), or username with "
	    "password_file (or password_env)");
	ck_assert_str_eq(load_fail(TZ "[http x]\nbearer_token_env = T\nbearer_token_file = /t\n"),
	    ":4: [http x]: set either bearer_token_file (or bearer_token_env), or username with "
	    "password_file (or password_env)");
	ck_assert_str_eq(load_fail(TZ "[http x]\nusername = u\n"),
	    ":4: [http x] password_file: missing (or password_env: username is set)");
	ck_assert_str_eq(load_fail(TZ "[http x]\npassword_file = /p\n"),
	    ":4: [http x] username: missing (a password is set)");
}
END_TEST

START_TEST(sink_sections)
{
	struct rp_config cfg;
	const struct rp_slack *k;
	const struct rp_webhook *w;

	load_ok(TZ "[slack data-team]\nwebhook_url_file = /etc/robopager/slack.url\n"
	    "warnings = True\n[slack ops-chat]\nwebhook_url_env = SLACK_URL\nrate_per_min = 10\n"
	    "[webhook ops]\nurl = https://ops.internal/hooks/robopager\n"
	    "secret_file = /etc/robopager/ops.secret\ntimeout_sec = 3\n"
	    "[alertmanager]\nurls = http://am1:9093/, http://am2:9093\ntimeout_sec = 4\n", &cfg);
	ck_assert_uint_eq(cfg.nslack, 2);
	k = rp_config_slack(&cfg, "data-team");
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->webhook_url_file, "/etc/robopager/slack.url");
	ck_assert_int_eq(k->warnings, 1);
	ck_assert_int_eq(k->rate_per_min, 60);
	ck_assert_int_eq(k->timeout_sec, 10);
	ck_assert_int_eq(k->tls_verify, 1);
	k = rp_config_slack(&cfg, "ops-chat");
	ck_assert_str_eq(k->webhook_url_env, "SLACK_URL");
	ck_assert_int_eq(k->warnings, 0);
	ck_assert_int_eq(k->rate_per_min, 10);
	ck_assert_ptr_null(rp_config_slack(&cfg, "ops"));
	w = rp_config_webhook(&cfg, "ops");
	ck_assert_ptr_nonnull(w);
	ck_assert_str_eq(w->url, "https://ops.internal/hooks/robopager");
	ck_assert_str_eq(w->secret_file, "/etc/robopager/ops.secret");
	ck_assert_int_eq(w->timeout_sec, 3);
	ck_assert_int_eq(w->rate_per_min, 120);
	ck_assert_uint_eq(cfg.nam_urls, 2);
	ck_assert_str_eq(cfg.am_urls[0], "http://am1:9093"); /* without its "/" */
	ck_assert_str_eq(cfg.am_urls[1], "http://am2:9093");
	ck_assert_int_eq(cfg.am_timeout_sec, 4);
	rp_config_free(&cfg);

	ck_assert_str_eq(load_fail(TZ "[slack]\nwarnings = True\n"),
	    ":4: [slack] warnings: the section needs a name: [slack NAME], as the checks' notify: "
	    "names it");
	ck_assert_str_eq(load_fail(TZ "[slack x]\nwebhook_url = https://hooks.slack.com/x\n"),
	    ":4: [slack x] webhook_url: unknown key");
	ck_assert_str_eq(load_fail(TZ "[slack x]\nwarnings = True\n"),
	    ":4: [slack x] webhook_url_file: missing (or webhook_url_env: the webhook's URL is a "
	    "secret)");
	ck_assert_str_eq(load_fail(TZ "[slack x]\nwebhook_url_file = /a\nwebhook_url_env = B\n"),
	    ":4: [slack x] set one of webhook_url_file and webhook_url_env");
	ck_assert_str_eq(load_fail(TZ "[webhook x]\nsecret_env = S\n"),
	    ":4: [webhook x] url: missing");
	ck_assert_str_eq(load_fail(TZ "[webhook x]\nurl = ftp://x\n"),
	    ":4: [webhook x] url: \"ftp://x\" is not an http:// or https:// URL");
	ck_assert_str_eq(load_fail(TZ "[webhook x]\nurl = https://u:p@x/h\nsecret_env = S\n"),
	    ":4: [webhook x] url: holds a user or password");
	ck_assert_str_eq(load_fail(TZ "[webhook x]\nurl = https://x/h\n"),
	    ":4: [webhook x] secret_file: missing (or secret_env: the key the receiver checks the "
	    "signature with)");
	ck_assert_str_eq(load_fail(TZ "[slack ops]\nwebhook_url_env = A\n[webhook ops]\n"
	    "url = https://x/h\nsecret_env = S\n"),
	    ":6: [webhook ops]: [slack ops] has that name (line 4); a check's notify: must tell "
	    "them apart");
	ck_assert_str_eq(load_fail(TZ "[alertmanager]\nurls = http://am1:9093, am2:9093\n"),
	    ":4: [alertmanager] urls: \"am2:9093\" is not an http:// or https:// URL");
	ck_assert_str_eq(load_fail(TZ "[alertmanager]\nurls = http://a:1, http://a:1/\n"),
	    ":4: [alertmanager] urls: \"http://a:1\" twice");
	ck_assert_str_eq(load_fail(TZ "[alertmanager]\nurls = , ,\n"),
	    ":4: [alertmanager] urls: empty");
	ck_assert_str_eq(load_fail(TZ "[alertmanager]\ntimeout_sec = 3\n"),
	    ": [alertmanager] urls: missing (http://am1:9093, http://am2:9093: every instance of "
	    "an HA pair)");
}
END_TEST

START_TEST(secrets)
{
	struct rp_config cfg;
	struct rp_err err;
	const char *f;
	char *s;

	load_ok(TZ, &cfg);
	f = tmpfile_with("t0k3n-value\n");
	s = rp_config_secret(&cfg, "[http x] bearer_token", f, NULL, &err);
	ck_assert_str_eq(s, "t0k3n-value");
	rp_free_secret(s);
	unlink(f);
	f = tmpfile_with("");
	ck_assert_ptr_null(rp_config_secret(&cfg, "[airflow] password", f, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, ": [airflow] password_file: "));
	ck_assert_ptr_nonnull(strstr(err.msg, ": empty or binary"));
	unlink(f);
	ck_assert_ptr_null(rp_config_secret(&cfg, "[airflow] token", "/nonexistent/t", NULL, &err));
	ck_assert_str_eq(err.msg + strlen(cfg.path),
	    ": [airflow] token_file: /nonexistent/t: No such file or directory");
	setenv("RP_UNIT_SECRET", "from-env", 1);
	s = rp_config_secret(&cfg, "[airflow] token", NULL, "RP_UNIT_SECRET", &err);
	ck_assert_str_eq(s, "from-env");
	rp_free_secret(s);
	unsetenv("RP_UNIT_SECRET");
	ck_assert_ptr_null(rp_config_secret(&cfg, "[airflow] token", NULL, "RP_UNIT_SECRET", &err));
	ck_assert_str_eq(err.msg + strlen(cfg.path),
	    ": [airflow] token_env: $RP_UNIT_SECRET is not set");
	ck_assert_ptr_null(rp_config_secret(&cfg, "[airflow] token", NULL, NULL, &err));
	ck_assert_str_eq(err.msg + strlen(cfg.path),
	    ": [airflow] token_file: missing (or [airflow] token_env)");
	rp_config_free(&cfg);
}
END_TEST

START_TEST(source_warnings)
{
	struct rp_config cfg;
	char msg[8][RP_WARNING_LEN];
	const char *pw = tmpfile_with("pw\n");
	char *text;
	size_t n;

	chmod(pw, 0644);
	text = rp_xasprintf(TZ "[airflow]\nurl = http://airflow.internal\nusername = u\n"
	    "password_file = %s\ntls_verify = False\n[http x]\ntls_verify = False\n", pw);
	load_ok(text, &cfg);
	n = rp_config_warnings(&cfg, msg, 8);
	ck_assert_uint_eq(n, 4);
	ck_assert_ptr_nonnull(strstr(msg[0], "[airflow] tls_verify = False: Airflow's certificate "
	    "is not checked"));
	ck_assert_ptr_nonnull(strstr(msg[1], "[airflow] url is http://, plain text to another host"));
	ck_assert_ptr_nonnull(strstr(msg[2], "([airflow] password_file) is readable by others; "
	    "run: chmod 600"));
	ck_assert_ptr_nonnull(strstr(msg[3], "[http x] tls_verify = False"));
	rp_config_free(&cfg);
	free(text);
	chmod(pw, 0600);
	text = rp_xasprintf(TZ "[airflow]\nurl = http://127.0.0.1:8080\nusername = u\n"
	    "password_file = %s\n", pw);
	load_ok(text, &cfg);
	ck_assert_uint_eq(rp_config_warnings(&cfg, msg, 8), 0);
	rp_config_free(&cfg);
	free(text);
	unlink(pw);
}
END_TEST

/* [redis] sentinels with master_name (and sentinel_password): parsed in
 * order; server and port then unused, which every run says. */
START_TEST(sentinel_keys)
{
	struct rp_config cfg;
	struct rp_err err;
	char *text = with("sentinels = 10.0.0.1:26379, 10.0.0.2:26379 [::1]:26380\n"
	    "master_name = robopager\nsentinel_password = sen-5ec2e7\n");
	const char *path = tmpfile_with(text);

	ck_assert_msg(rp_config_load(path, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(cfg.redis_nsentinels, 3);
	ck_assert_str_eq(cfg.redis_sentinel_hosts[0], "10.0.0.1");
	ck_assert_str_eq(cfg.redis_sentinel_hosts[1], "10.0.0.2");
	ck_assert_str_eq(cfg.redis_sentinel_hosts[2], "::1");
	ck_assert_int_eq(cfg.redis_sentinel_ports[0], 26379);
	ck_assert_int_eq(cfg.redis_sentinel_ports[2], 26380);
	ck_assert_str_eq(cfg.redis_master_name, "robopager");
	ck_assert_str_eq(cfg.redis_sentinel_password, "sen-5ec2e7");
	ck_assert_uint_eq(cfg.nnotices, 1);
	ck_assert_str_eq(cfg.notices[0] + strlen(path),
	    ":19: [redis] server: not used with sentinels (they name the primary); ignored");
	rp_config_free(&cfg);
	unlink(path);
	free(text);
	/* Without sentinels, nothing of them. */
	path = tmpfile_with(base);
	ck_assert_msg(rp_config_load(path, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(cfg.redis_nsentinels, 0);
	ck_assert_uint_eq(cfg.nnotices, 0);
	rp_config_free(&cfg);
	unlink(path);
}
END_TEST

START_TEST(sentinel_errors)
{
	static const char *const cases[][2] = {
		{"sentinels = 10.0.0.1\nmaster_name = m\n", ":21: [redis] sentinels: \"10.0.0.1\" is "
		    "not host:port (a port from 1 to 65535; [address]:port for IPv6)"},
		{"sentinels = a:1, b:0\nmaster_name = m\n", ":21: [redis] sentinels: \"b:0\" is not "
		    "host:port (a port from 1 to 65535; [address]:port for IPv6)"},
		{"sentinels = ::1:26379\nmaster_name = m\n", ":21: [redis] sentinels: \"::1:26379\" "
		    "is not host:port (a port from 1 to 65535; [address]:port for IPv6)"},
		{"sentinels = :26379\nmaster_name = m\n", ":21: [redis] sentinels: \":26379\" is not "
		    "host:port (a port from 1 to 65535; [address]:port for IPv6)"},
		{"sentinels = , ,\nmaster_name = m\n", ":21: [redis] sentinels: empty (host:port, "
		    "host:port, ...)"},
		{"sentinels = a:1\n", ": [redis] master_name: missing (the name the sentinels monitor "
		    "the primary by: sentinels is set)"},
		{"master_name = m\n", ":21: [redis] master_name: set without sentinels"},
		{"sentinel_password = sen-5ec2e7\n", ":21: [redis] sentinel_password: set without "
		    "sentinels"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = with(cases[i][0]);
		ck_assert_str_eq(load_fail(text), cases[i][1]);
		free(text);
	}
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, sentinel_keys);
	tcase_add_test(tc, sentinel_errors);
	tcase_add_test(tc, function_types);
	tcase_add_test(tc, airflow_section);
	tcase_add_test(tc, http_sections);
	tcase_add_test(tc, sink_sections);
	tcase_add_test(tc, secrets);
	tcase_add_test(tc, source_warnings);
	tcase_add_test(tc, existing_file);
	tcase_add_test(tc, new_keys);
	tcase_add_test(tc, mailbox_default);
	tcase_add_test(tc, legacy_keys);
	tcase_add_test(tc, python_style);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, errors_values);
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, secret_never_quoted);
	tcase_add_test(tc, example_file);
	tcase_add_test(tc, unreadable);
}
