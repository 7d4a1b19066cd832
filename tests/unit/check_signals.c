#define UNIT_NAME "signals"
/* Handlers and the module's flag cannot be undone: every test has a process
 * of its own, CK_FORK=no or not. */
#define UNIT_ALWAYS_FORK
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"
#include "unit.h"

/* Whether fd is readable now (poll with no wait). */
static int
readable(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	int rc = poll(&p, 1, 0);

	ck_assert_int_ge(rc, 0);
	return rc == 1 && (p.revents & POLLIN) != 0;
}

static void (*handler_of(int sig))(int)
{
	struct sigaction sa;

	ck_assert_int_eq(sigaction(sig, NULL, &sa), 0);
	return sa.sa_handler;
}

START_TEST(before_init)
{
	ck_assert_int_eq(rp_sig_fd(), -1);
	ck_assert_int_eq(rp_sig_stopped(), 0);
	ck_assert_ptr_eq(handler_of(SIGPIPE), SIG_DFL);
}
END_TEST

START_TEST(init_once)
{
	/* Check's own runner may have a SIGTERM handler: ours must replace
	 * whatever was there. */
	void (*term)(int) = handler_of(SIGTERM);
	int fd;

	rp_sig_init();
	fd = rp_sig_fd();
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_ne(handler_of(SIGTERM), term);
	ck_assert_ptr_ne(handler_of(SIGTERM), SIG_DFL);
	ck_assert_ptr_eq(handler_of(SIGINT), handler_of(SIGTERM));
	ck_assert_ptr_eq(handler_of(SIGPIPE), SIG_IGN);
	/* A second call keeps the pipe: no new descriptor, none leaked. */
	rp_sig_init();
	ck_assert_int_eq(rp_sig_fd(), fd);
	ck_assert_int_eq(rp_sig_stopped(), 0);
	ck_assert(!readable(fd));
}
END_TEST

START_TEST(sigterm_stops)
{
	rp_sig_init();
	ck_assert_int_eq(raise(SIGTERM), 0);
	ck_assert_int_eq(rp_sig_stopped(), SIGTERM);
	ck_assert_int_eq(rp_sig_stopped(), 15);
	ck_assert(readable(rp_sig_fd()));
	/* It stays readable (nobody reads it) and the first signal is the one
	 * remembered: a Ctrl-C after it does not change the exit status. */
	ck_assert(readable(rp_sig_fd()));
	ck_assert_int_eq(raise(SIGINT), 0);
	ck_assert_int_eq(rp_sig_stopped(), SIGTERM);
	ck_assert(readable(rp_sig_fd()));
}
END_TEST

START_TEST(sigint_stops)
{
	rp_sig_init();
	ck_assert(!readable(rp_sig_fd()));
	ck_assert_int_eq(raise(SIGINT), 0);
	ck_assert_int_eq(rp_sig_stopped(), SIGINT);
	ck_assert(readable(rp_sig_fd()));
}
END_TEST

START_TEST(sigpipe_ignored)
{
	int p[2];
	ssize_t n;

	rp_sig_init();
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	/* Without the handlers this write would kill the process. */
	errno = 0;
	n = write(p[1], "x", 1);
	ck_assert_int_eq(n, -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(rp_sig_stopped(), 0);
	close(p[1]);
}
END_TEST

/* What sigpipe_ignored relies on: without rp_sig_init() the same write
 * ends the process by SIGPIPE. */
START_TEST(sigpipe_kills_without_init)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	if (write(p[1], "x", 1) < 0) {
		/* Not reached: the signal ends the test first. */
	}
	ck_abort_msg("the write to a closed pipe did not raise SIGPIPE");
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, before_init);
	tcase_add_test(tc, init_once);
	tcase_add_test(tc, sigterm_stops);
	tcase_add_test(tc, sigint_stops);
	tcase_add_test(tc, sigpipe_ignored);
	tcase_add_test_raise_signal(tc, sigpipe_kills_without_init, SIGPIPE);
}
