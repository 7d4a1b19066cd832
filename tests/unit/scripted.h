/* A scripted TCP peer for the unit tests that must see what a client puts
 * on the wire: how many round trips it makes and what each one carries.
 * It runs in a child process on a free loopback port. Each read it gets
 * from a connection is recorded whole (one read is one round trip: the
 * client waits for the answer before it sends more), then answered with
 * the next reply of the script; a NULL reply closes the connection instead
 * of answering. When the script is spent it goes on recording reads and
 * answers nothing, so a request nobody expected is still seen. */
#ifndef RP_SCRIPTED_H
#define RP_SCRIPTED_H

#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

struct scripted {
	pid_t pid;
	int port;
	int rfd;                 /* the child's record of its reads */
	char *reads[32];         /* after scripted_stop(): each read, in order */
	size_t nreads;
};

/* A socket listening on a free loopback port; *port receives the port. */
static inline int
listen_loopback(int *port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static inline void
scripted_child(int lfd, int wfd, const char *const *replies, size_t n, int close_each)
{
	static char buf[65536];
	size_t i = 0;
	int conn = -1, null = open("/dev/null", O_RDWR);

	/* Outlive no test: a test that fails before scripted_stop() leaves
	 * this process behind, and it must neither run on nor hold the
	 * output that tests/run-tests.sh reads to its end. */
	alarm(60);
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	for (;;) {
		uint32_t len;
		ssize_t got;

		if (conn < 0 && (conn = accept(lfd, NULL, NULL)) < 0)
			_exit(1);
		got = read(conn, buf, sizeof(buf));
		if (got <= 0) {
			close(conn);
			conn = -1;
			continue;
		}
		len = (uint32_t)got;
		if (write(wfd, &len, sizeof(len)) != sizeof(len) || write(wfd, buf, len) != got)
			_exit(1);
		if (i >= n)
			continue;
		if (replies[i] == NULL || write(conn, replies[i], strlen(replies[i])) < 0 || close_each) {
			close(conn);
			conn = -1;
		}
		i++;
	}
}

/* Starts the peer with n replies; close_each closes every connection after
 * its answer (an HTTP server saying "Connection: close"). */
static inline void
scripted_start(struct scripted *sc, const char *const *replies, size_t n, int close_each)
{
	int p[2], lfd;

	memset(sc, 0, sizeof(*sc));
	lfd = listen_loopback(&sc->port);
	ck_assert_int_eq(pipe(p), 0);
	sc->pid = fork();
	ck_assert_int_ge(sc->pid, 0);
	if (sc->pid == 0) {
		close(p[0]);
		scripted_child(lfd, p[1], replies, n, close_each);
	}
	close(p[1]);
	close(lfd);
	sc->rfd = p[0];
}

/* Ends the peer and collects its reads (NUL-terminated) into sc->reads.
 * Every read was recorded before it was answered, so once the client has
 * its answers nothing is missing. */
static inline void
scripted_stop(struct scripted *sc)
{
	uint32_t len;

	kill(sc->pid, SIGKILL);
	waitpid(sc->pid, NULL, 0);
	while (sc->nreads < sizeof(sc->reads) / sizeof(sc->reads[0]) &&
	    read(sc->rfd, &len, sizeof(len)) == sizeof(len)) {
		char *s = rp_xmalloc(len + 1);
		size_t have = 0;
		ssize_t got;

		while (have < len && (got = read(sc->rfd, s + have, len - have)) > 0)
			have += (size_t)got;
		s[have] = '\0';
		sc->reads[sc->nreads++] = s;
	}
	close(sc->rfd);
}

static inline void
scripted_free(struct scripted *sc)
{
	size_t i;

	for (i = 0; i < sc->nreads; i++)
		free(sc->reads[i]);
	sc->nreads = 0;
}

#endif
