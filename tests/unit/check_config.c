#define UNIT_NAME "config"
#include <string.h>

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
	    ":2: [function_type] type: \"email, pigeon\" is not a list of email and batchy");
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

static void
add_tests(TCase *tc)
{
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
