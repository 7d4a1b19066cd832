#define _POSIX_C_SOURCE 200809L
#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stopped;
static int pipefd[2] = {-1, -1};

static void
on_stop(int sig)
{
	int saved = errno;

	if (stopped == 0) {
		stopped = sig;
		if (pipefd[1] >= 0 && write(pipefd[1], "x", 1) < 0) {
			/* Nothing to do: the flag alone still stops the run at its
			 * next check. */
		}
	}
	errno = saved;
}

void
rp_sig_init(void)
{
	struct sigaction sa;

	if (pipefd[0] >= 0)
		return;
	if (pipe(pipefd) == 0) {
		fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
		fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
		fcntl(pipefd[1], F_SETFL, O_NONBLOCK);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	rp_sig_ignore_pipe();
}

void
rp_sig_ignore_pipe(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

int
rp_sig_stopped(void)
{
	return (int)stopped;
}

int
rp_sig_fd(void)
{
	return pipefd[0];
}
