#define UNIT_NAME "ping"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ping.h"
#include "unit.h"

/* Parses the operands v (NULL-terminated); returns rp_ping_parse's. */
static int
parse(const char *const *v, struct rp_ping_args *a, struct rp_err *err)
{
	int n = 0;

	while (v[n] != NULL)
		n++;
	return rp_ping_parse((char **)(uintptr_t)v, n, a, err);
}

START_TEST(grammar)
{
	static const char *const name[] = {"job", NULL};
	static const char *const start[] = {"job", "start", NULL};
	static const char *const success[] = {"job", "success", NULL};
	static const char *const fail[] = {"job", "fail", NULL};
	static const char *const zero[] = {"job", "0", NULL};
	static const char *const three[] = {"job", "3", NULL};
	static const char *const max[] = {"job", "255", NULL};
	static const char *const term[] = {"job", "TERM", NULL};
	static const char *const sigkill[] = {"job", "SIGKILL", NULL};
	static const char *const wrap[] = {"job", "--", "pg_dump", "-Fc", "--", "db", NULL};
	struct rp_ping_args a;
	struct rp_err err;

	ck_assert_int_eq(parse(name, &a, &err), 0);
	ck_assert_str_eq(a.name, "job");
	ck_assert_int_eq(a.ping.kind, RP_PING_SUCCESS);
	ck_assert_int_eq(a.ping.duration, -1);
	ck_assert_ptr_null(a.ping.tail);
	ck_assert_ptr_null(a.cmd);
	ck_assert_int_eq(parse(start, &a, &err), 0);
	ck_assert_int_eq(a.ping.kind, RP_PING_START);
	ck_assert_int_eq(parse(success, &a, &err), 0);
	ck_assert_int_eq(a.ping.kind, RP_PING_SUCCESS);
	ck_assert_int_eq(parse(fail, &a, &err), 0);
	ck_assert_int_eq(a.ping.kind, RP_PING_FAIL);
	ck_assert_int_eq(a.ping.status, 0);
	ck_assert_int_eq(parse(zero, &a, &err), 0);
	ck_assert_int_eq(a.ping.kind, RP_PING_SUCCESS);
	ck_assert_int_eq(parse(three, &a, &err), 0);
	ck_assert_int_eq(a.ping.kind, RP_PING_FAIL);
	ck_assert_int_eq(a.ping.status, 3);
	ck_assert_int_eq(parse(max, &a, &err), 0);
	ck_assert_int_eq(a.ping.status, 255);
	/* systemd's $EXIT_STATUS of a service killed by a signal. */
	ck_assert_int_eq(parse(term, &a, &err), 0);
	ck_assert_int_eq(a.ping.kind, RP_PING_FAIL);
	ck_assert_int_eq(a.ping.signal, SIGTERM);
	ck_assert_int_eq(a.ping.status, 0);
	ck_assert_int_eq(parse(sigkill, &a, &err), 0);
	ck_assert_int_eq(a.ping.signal, SIGKILL);
	/* The wrapper: everything after the first "--" is the command's. */
	ck_assert_int_eq(parse(wrap, &a, &err), 0);
	ck_assert_ptr_nonnull(a.cmd);
	ck_assert_str_eq(a.cmd[0], "pg_dump");
	ck_assert_str_eq(a.cmd[2], "--");
	ck_assert_str_eq(a.cmd[3], "db");
	ck_assert_ptr_null(a.cmd[4]);
}
END_TEST

/* The message of a usage error for v. */
static const char *
refused(const char *const *v)
{
	static struct rp_err err;
	struct rp_ping_args a;

	ck_assert_int_eq(parse(v, &a, &err), -1);
	ck_assert_int_eq(err.code, RP_EXIT_USAGE);
	return err.msg;
}

START_TEST(grammar_errors)
{
	static const char *const none[] = {NULL};
	static const char *const empty[] = {"", NULL};
	static const char *const word[] = {"job", "pg_dump", NULL};
	static const char *const big[] = {"job", "256", NULL};
	static const char *const neg[] = {"job", "-1", NULL};
	static const char *const plus[] = {"job", "+3", NULL};
	static const char *const padded[] = {"job", " 3", NULL};
	static const char *const long0[] = {"job", "0003", NULL};
	static const char *const lower[] = {"job", "term", NULL};
	static const char *const dash[] = {"job", "--", NULL};
	static const char *const opt[] = {"job", "-v", NULL};
	static const char *const more[] = {"job", "start", "now", NULL};
	static const char *const optafter[] = {"job", "3", "-q", NULL};
	static const char *const mixed[] = {"job", "start", "--", "true", NULL};

	ck_assert_str_eq(refused(none), "the name of a ping check is needed");
	ck_assert_str_eq(refused(empty), "the check name is empty");
	ck_assert_str_eq(refused(word), "\"pg_dump\" is not start, success, fail, an exit status "
	    "from 0 to 255 or a signal (to run a command, put -- before it)");
	ck_assert_str_eq(refused(big), "\"256\" is not start, success, fail, an exit status "
	    "from 0 to 255 or a signal (to run a command, put -- before it)");
	ck_assert_str_eq(refused(neg), "-1 after job: options go before the name");
	ck_assert_str_eq(refused(plus), "\"+3\" is not start, success, fail, an exit status "
	    "from 0 to 255 or a signal (to run a command, put -- before it)");
	ck_assert_str_eq(refused(padded), "\" 3\" is not start, success, fail, an exit status "
	    "from 0 to 255 or a signal (to run a command, put -- before it)");
	ck_assert_str_eq(refused(long0), "\"0003\" is not start, success, fail, an exit status "
	    "from 0 to 255 or a signal (to run a command, put -- before it)");
	ck_assert_str_eq(refused(lower), "\"term\" is not start, success, fail, an exit status "
	    "from 0 to 255 or a signal (to run a command, put -- before it)");
	ck_assert_str_eq(refused(dash), "-- needs a command after it");
	ck_assert_str_eq(refused(opt), "-v after job: options go before the name");
	ck_assert_str_eq(refused(more), "unexpected argument \"now\" after job start");
	ck_assert_str_eq(refused(optafter), "-q after job 3: options go before the name");
	ck_assert_str_eq(refused(mixed), "job start --: the wrapper is NAME -- COMMAND");
}
END_TEST

static char *
tail_of_chunks(const char *s, size_t n, const size_t *cuts, size_t ncuts)
{
	struct rp_ping_tail *t = rp_xcalloc(1, sizeof(*t));
	size_t at = 0, i;
	char *text;

	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : n;
		rp_ping_tail_feed(t, s + at, end - at);
		at = end;
	}
	text = rp_ping_tail_text(t);
	free(t);
	return text;
}

START_TEST(tail_lines)
{
	struct rp_buf b = {0};
	char *text;
	int i;

	/* The last RP_PING_TAIL_LINES lines, without the final newline. */
	for (i = 1; i <= 30; i++)
		rp_buf_printf(&b, "line %d\n", i);
	text = tail_of_chunks(b.data, b.len, NULL, 0);
	ck_assert_str_eq(text, "line 11\nline 12\nline 13\nline 14\nline 15\nline 16\nline 17\n"
	    "line 18\nline 19\nline 20\nline 21\nline 22\nline 23\nline 24\nline 25\nline 26\n"
	    "line 27\nline 28\nline 29\nline 30");
	free(text);
	/* A last line without its newline counts. */
	text = tail_of_chunks("a\nb\nno newline", 14, NULL, 0);
	ck_assert_str_eq(text, "a\nb\nno newline");
	free(text);
	/* Empty lines are lines; trailing ones are not kept. */
	text = tail_of_chunks("a\n\nb\n\n\n", 7, NULL, 0);
	ck_assert_str_eq(text, "a\n\nb");
	free(text);
	/* No output, or only newlines: no tail. */
	ck_assert_ptr_null(tail_of_chunks("", 0, NULL, 0));
	ck_assert_ptr_null(tail_of_chunks("\n\n", 2, NULL, 0));
	rp_buf_free(&b);
}
END_TEST

START_TEST(tail_clean)
{
	/* Control characters but newline and tab become spaces: C0 (NUL
	 * included), DEL, C1; bad UTF-8 becomes U+FFFD; good UTF-8 stays. */
	static const char in[] = "a\x00" "b\x1b[31mc\r\n\td\x7f" "e\xc2\x9b" "f\xff" "g \xc3\xa9\xe2\x82\xac";
	char *text = tail_of_chunks(in, sizeof(in) - 1, NULL, 0);

	ck_assert_str_eq(text, "a b [31mc \n\td e f\xef\xbf\xbdg \xc3\xa9\xe2\x82\xac");
	/* Stored as it is: cleaning again changes nothing. */
	{
		char *again = rp_ping_tail_of(text, strlen(text));
		ck_assert_str_eq(again, text);
		free(again);
	}
	free(text);
}
END_TEST

START_TEST(tail_chunks)
{
	/* Output split anywhere (mid-line, mid-character) gives the same tail
	 * as output in one piece. */
	struct rp_buf b = {0};
	size_t cuts[3], i, j;
	char *whole, *text;

	for (i = 0; i < 40; i++)
		rp_buf_printf(&b, "%zu: d\xc3\xa9j\xc3\xa0 vu \xe2\x82\xac \xf0\x9f\x98\x80\n", i);
	whole = tail_of_chunks(b.data, b.len, NULL, 0);
	for (i = 1; i < b.len; i += 7) {
		cuts[0] = i;
		text = tail_of_chunks(b.data, b.len, cuts, 1);
		ck_assert_str_eq(text, whole);
		free(text);
	}
	/* Every split point of a multi-byte character near the end. */
	for (i = b.len - 12; i < b.len; i++) {
		for (j = i; j < b.len; j++) {
			cuts[0] = i;
			cuts[1] = j;
			text = tail_of_chunks(b.data, b.len, cuts, 2);
			ck_assert_str_eq(text, whole);
			free(text);
		}
	}
	free(whole);
	rp_buf_free(&b);
}
END_TEST

START_TEST(tail_bounded)
{
	/* Megabytes of long lines: the ring stays its size, the tail is
	 * RP_PING_TAIL_MAX bytes at most and starts on a character. */
	struct rp_ping_tail *t = rp_xcalloc(1, sizeof(*t));
	char chunk[4000];
	char *text;
	size_t i, n;

	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = "\xe2\x82\xac"[i % 3];
	for (i = 0; i < 5000; i++) {
		/* Odd sizes, so characters are split across feeds. */
		n = 1 + (i * 7919) % sizeof(chunk);
		rp_ping_tail_feed(t, chunk, n);
		ck_assert_uint_le(t->len, RP_PING_RING);
	}
	text = rp_ping_tail_text(t);
	n = strlen(text);
	ck_assert_uint_le(n, RP_PING_TAIL_MAX);
	ck_assert_uint_ge(n, RP_PING_TAIL_MAX - 3);
	/* The ring may begin mid-character: what is kept is still whole
	 * characters or U+FFFD, never a broken sequence. */
	for (i = 0; i < n; i += 3)
		ck_assert(memcmp(text + i, "\xe2\x82\xac", 3) == 0 ||
		    memcmp(text + i, "\xef\xbf\xbd", 3) == 0);
	free(text);
	/* One feed larger than the ring. */
	{
		char *big = rp_xmalloc(3 * RP_PING_RING);
		memset(big, 'y', 3 * RP_PING_RING);
		memcpy(big + 3 * RP_PING_RING - 4, "\nend", 4);
		memset(t, 0, sizeof(*t));
		rp_ping_tail_feed(t, "first\n", 6);
		rp_ping_tail_feed(t, big, 3 * RP_PING_RING);
		ck_assert_int_eq(t->cut, 1);
		text = rp_ping_tail_text(t);
		ck_assert_uint_eq(strlen(text), RP_PING_TAIL_MAX);
		ck_assert(strcmp(text + RP_PING_TAIL_MAX - 4, "\nend") == 0);
		ck_assert_ptr_null(strstr(text, "first"));
		free(text);
		free(big);
	}
	free(t);
}
END_TEST

START_TEST(running)
{
	struct rp_ping_rec r;

	memset(&r, 0, sizeof(r));
	ck_assert(!rp_ping_running(&r));
	r.known = 1;
	r.start = 100;
	ck_assert(rp_ping_running(&r));
	r.success = 100; /* an end in the start's second took it */
	ck_assert(!rp_ping_running(&r));
	r.success = 50;
	r.fail = 150;
	ck_assert(!rp_ping_running(&r));
	r.start = 200;
	ck_assert(rp_ping_running(&r));
}
END_TEST

/* Runs v through the wrapper with stdout and stderr into one file; returns
 * what came out, in the order it came. */
static char **cmd; /* static: a child whose exec fails still holds it */

static char *
wrapped(const char *const *v, const char *tz, struct rp_ping_ran *r)
{
	size_t i, n = 0;
	char path[] = "/tmp/rp-unit-wrapXXXXXX";
	int fd = mkstemp(path), saved1 = dup(1), saved2 = dup(2);
	struct rp_buf b = {0};
	char buf[4096];
	ssize_t got;

	ck_assert(fd >= 0 && saved1 >= 0 && saved2 >= 0);
	while (v[n] != NULL)
		n++;
	cmd = rp_xcalloc(n + 1, sizeof(*cmd));
	for (i = 0; i < n; i++)
		cmd[i] = rp_xstrdup(v[i]);
	unlink(path);
	fflush(stdout);
	fflush(stderr);
	dup2(fd, 1);
	dup2(fd, 2);
	rp_ping_wrap(cmd, tz, r);
	dup2(saved1, 1);
	dup2(saved2, 2);
	close(saved1);
	close(saved2);
	for (i = 0; i < n; i++)
		free(cmd[i]);
	free(cmd);
	cmd = NULL;
	lseek(fd, 0, SEEK_SET);
	rp_buf_append(&b, "", 0);
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		rp_buf_append(&b, buf, (size_t)got);
	close(fd);
	return b.data;
}

/* The mask of a "SigBlk:" or "SigIgn:" line of /proc/<pid>/status as
 * text holds it (NULL: this process's own). */
static unsigned long long
sigmask_of(const char *text, const char *field)
{
	char own[4096];
	const char *p;

	if (text == NULL) {
		FILE *f = fopen("/proc/self/status", "r");
		size_t n;
		ck_assert_ptr_nonnull(f);
		n = fread(own, 1, sizeof(own) - 1, f);
		own[n] = '\0';
		fclose(f);
		text = own;
	}
	p = strstr(text, field);
	ck_assert_ptr_nonnull(p);
	return strtoull(p + strlen(field), NULL, 16);
}

START_TEST(wrap)
{
	static const char *const ok[] = {"sh", "-c", "printf 'one\\ntwo\\n'; printf 'err\\n' >&2", NULL};
	static const char *const three[] = {"sh", "-c", "echo bad; exit 3", NULL};
	static const char *const killed[] = {"sh", "-c", "kill -TERM $$; sleep 5", NULL};
	static const char *const missing[] = {"rp-no-such-command", NULL};
	static const char *const notexec[] = {"/etc/passwd", NULL};
	static const char *const tz[] = {"sh", "-c", "printf '%s' \"${TZ-unset}\"", NULL};
	static const char *const sigs[] = {"grep", "^Sig[IB]", "/proc/self/status", NULL};
	struct rp_ping_ran r;
	char *out;

	out = wrapped(ok, NULL, &r);
	ck_assert_int_eq(r.exit, 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.signal, 0);
	ck_assert_str_eq(r.why, "");
	ck_assert_str_eq(out, "one\ntwo\nerr\n");
	ck_assert_str_eq(r.tail, "one\ntwo\nerr");
	ck_assert_int_eq(r.duration, 0);
	free(r.tail);
	free(out);

	out = wrapped(three, NULL, &r);
	ck_assert_int_eq(r.exit, 3);
	ck_assert_int_eq(r.status, 3);
	ck_assert_str_eq(r.tail, "bad");
	free(r.tail);
	free(out);

	out = wrapped(killed, NULL, &r);
	ck_assert_int_eq(r.exit, 128 + SIGTERM);
	ck_assert_int_eq(r.signal, SIGTERM);
	ck_assert_int_eq(r.status, 0);
	free(r.tail);
	free(out);

	out = wrapped(missing, NULL, &r);
	ck_assert_int_eq(r.exit, 127);
	ck_assert_int_eq(r.status, 127);
	ck_assert_str_eq(r.why, "rp-no-such-command: command not found");
	ck_assert_str_eq(r.tail, "rp-no-such-command: command not found");
	ck_assert_str_eq(out, ""); /* the program says it, not the child */
	free(r.tail);
	free(out);

	out = wrapped(notexec, NULL, &r);
	ck_assert_int_eq(r.exit, 126);
	ck_assert_str_eq(r.why, "/etc/passwd: Permission denied");
	free(r.tail);
	free(out);

	/* The command gets the TZ rp-ping was given, not the configured one. */
	setenv("TZ", "America/New_York", 1);
	out = wrapped(tz, NULL, &r);
	ck_assert_str_eq(out, "unset");
	free(r.tail);
	free(out);
	out = wrapped(tz, "Asia/Tokyo", &r);
	ck_assert_str_eq(out, "Asia/Tokyo");
	ck_assert_str_eq(getenv("TZ"), "America/New_York"); /* ours unchanged */
	free(r.tail);
	free(out);

	/* The command's signals as they would be without us: blocked and
	 * ignored as ours were given to us, SIGPIPE the default though
	 * rp-ping ignores it. */
	signal(SIGPIPE, SIG_IGN);
	out = wrapped(sigs, NULL, &r);
	ck_assert_int_eq(r.exit, 0);
	ck_assert_uint_eq(sigmask_of(out, "SigBlk:"), sigmask_of(NULL, "SigBlk:"));
	ck_assert_uint_eq(sigmask_of(out, "SigIgn:"),
	    sigmask_of(NULL, "SigIgn:") & ~(1ULL << (SIGPIPE - 1)));
	free(r.tail);
	free(out);
}
END_TEST

/* nohup: a forwarded signal rp-ping was started with ignored stays
 * ignored in the command (and is not caught here). */
START_TEST(wrap_nohup)
{
	static const char *const sigs[] = {"grep", "^SigIgn", "/proc/self/status", NULL};
	struct rp_ping_ran r;
	struct sigaction now;
	char *out;

	signal(SIGHUP, SIG_IGN);
	out = wrapped(sigs, NULL, &r);
	ck_assert_int_eq(r.exit, 0);
	ck_assert(sigmask_of(out, "SigIgn:") & (1ULL << (SIGHUP - 1)));
	ck_assert(!(sigmask_of(out, "SigIgn:") & (1ULL << (SIGTERM - 1))));
	sigaction(SIGHUP, NULL, &now);
	ck_assert(now.sa_handler == SIG_IGN);
	free(r.tail);
	free(out);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, wrap_nohup);
	tcase_add_test(tc, grammar);
	tcase_add_test(tc, grammar_errors);
	tcase_add_test(tc, tail_lines);
	tcase_add_test(tc, tail_clean);
	tcase_add_test(tc, tail_chunks);
	tcase_add_test(tc, tail_bounded);
	tcase_add_test(tc, running);
	tcase_add_test(tc, wrap);
}
