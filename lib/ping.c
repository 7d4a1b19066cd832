/*
 * rp-ping: its grammar, the output tail, the wrapper (fork, exec, pipes,
 * poll, signals) and the program's body. See ping.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "ping.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "output.h"
#include "run.h"

/* The grammar. */

/* "$?" as a shell gives it: digits only, 0 to 255. */
static int
exit_status(const char *s, long *out)
{
	size_t n = strlen(s);

	if (n == 0 || n > 3 || strspn(s, "0123456789") != n)
		return -1;
	return rp_parse_long(s, 0, 255, out);
}

/* A signal as systemd's $EXIT_STATUS names one ("TERM"), or with "SIG". */
static int
signal_named(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {{"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL},
	    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT}, {"BUS", SIGBUS}, {"FPE", SIGFPE},
	    {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
	    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"XCPU", SIGXCPU},
	    {"XFSZ", SIGXFSZ}, {"SYS", SIGSYS}};
	size_t i;

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcmp(s, sigs[i].name) == 0)
			return sigs[i].sig;
	return 0;
}

/* Set when the wrapper has started its command. */
static int command_ran;

int
rp_ping_parse(char **args, int n, struct rp_ping_args *a, struct rp_err *err)
{
	const char *w;
	long st;

	memset(a, 0, sizeof(*a));
	a->ping.kind = RP_PING_SUCCESS;
	a->ping.duration = -1;
	if (n < 1)
		return rp_err_set(err, RP_EXIT_USAGE, "the name of a ping check is needed");
	a->name = args[0];
	if (*a->name == '\0')
		return rp_err_set(err, RP_EXIT_USAGE, "the check name is empty");
	if (n == 1)
		return 0;
	w = args[1];
	if (strcmp(w, "--") == 0) {
		if (n == 2)
			return rp_err_set(err, RP_EXIT_USAGE, "-- needs a command after it");
		a->cmd = args + 2;
		return 0;
	}
	if (strcmp(w, "start") == 0) {
		a->ping.kind = RP_PING_START;
	} else if (strcmp(w, "success") == 0) {
		a->ping.kind = RP_PING_SUCCESS;
	} else if (strcmp(w, "fail") == 0) {
		a->ping.kind = RP_PING_FAIL;
	} else if (exit_status(w, &st) == 0) {
		a->ping.kind = st == 0 ? RP_PING_SUCCESS : RP_PING_FAIL;
		a->ping.status = (int)st;
	} else if ((a->ping.signal = signal_named(w)) != 0) {
		a->ping.kind = RP_PING_FAIL;
	} else if (w[0] == '-') {
		return rp_err_set(err, RP_EXIT_USAGE, "%s after %s: options go before the name", w,
		    a->name);
	} else {
		return rp_err_set(err, RP_EXIT_USAGE, "\"%s\" is not start, success, fail, an exit "
		    "status from 0 to 255 or a signal (to run a command, put -- before it)", w);
	}
	if (n > 2 && strcmp(args[2], "--") == 0)
		return rp_err_set(err, RP_EXIT_USAGE, "%s %s --: the wrapper is NAME -- COMMAND",
		    a->name, w);
	if (n > 2 && args[2][0] == '-')
		return rp_err_set(err, RP_EXIT_USAGE, "%s after %s %s: options go before the name",
		    args[2], a->name, w);
	if (n > 2)
		return rp_err_set(err, RP_EXIT_USAGE, "unexpected argument \"%s\" after %s %s",
		    args[2], a->name, w);
	return 0;
}

/* The output tail. */

void
rp_ping_tail_feed(struct rp_ping_tail *t, const void *p, size_t n)
{
	const char *s = p;

	if (n >= RP_PING_RING) {
		t->cut |= n > RP_PING_RING || t->len > 0;
		memcpy(t->buf, s + n - RP_PING_RING, RP_PING_RING);
		t->len = RP_PING_RING;
		return;
	}
	if (t->len + n > RP_PING_RING) {
		size_t keep = RP_PING_RING - n;
		memmove(t->buf, t->buf + t->len - keep, keep);
		t->len = keep;
		t->cut = 1;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

char *
rp_ping_tail_text(const struct rp_ping_tail *t)
{
	const char *s = t->buf;
	size_t n = t->len;
	char *text;

	/* What was cut may have split a character: start on the next one. */
	while (t->cut && n > 0 && ((unsigned char)*s & 0xc0) == 0x80) {
		s++;
		n--;
	}
	if (n == 0)
		return NULL;
	text = rp_ping_tail_of(s, n);
	if (*text == '\0') {
		free(text);
		return NULL;
	}
	return text;
}

void
rp_ping_clean(struct rp_buf *b, const char *s, size_t n)
{
	char *c0 = rp_xmalloc(n + 1);
	struct rp_buf u = {0};
	size_t i, j;

	/* C0 and DEL first: bytes below 0x20 are never part of a multi-byte
	 * character, and NUL must go before the text is a C string. */
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		c0[i] = (char)((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f ? ' ' : ch);
	}
	c0[n] = '\0';
	rp_buf_utf8(&u, c0);
	free(c0);
	/* Then C1 (U+0080-U+009F, C2 80-C2 9F in valid UTF-8), which some
	 * terminals obey as they do ESC. */
	for (i = j = 0; i < u.len; i++, j++) {
		unsigned char ch = (unsigned char)u.data[i];
		if (ch == 0xc2 && i + 1 < u.len && (unsigned char)u.data[i + 1] <= 0x9f) {
			u.data[j] = ' ';
			i++;
		} else {
			u.data[j] = (char)ch;
		}
	}
	rp_buf_append(b, u.data, j);
	rp_buf_free(&u);
}

char *
rp_ping_tail_of(const char *s, size_t n)
{
	struct rp_buf b = {0};
	size_t len, start, lines = 0;
	char *out;

	rp_ping_clean(&b, s, n);
	len = b.len;
	while (len > 0 && b.data[len - 1] == '\n')
		len--;
	for (start = len; start > 0; start--)
		if (b.data[start - 1] == '\n' && ++lines == RP_PING_TAIL_LINES)
			break;
	if (len - start > RP_PING_TAIL_MAX) {
		start = len - RP_PING_TAIL_MAX;
		while (start < len && ((unsigned char)b.data[start] & 0xc0) == 0x80)
			start++;
	}
	out = rp_xstrndup(b.data + start, len - start);
	rp_buf_free(&b);
	return out;
}

int
rp_ping_running(const struct rp_ping_rec *r)
{
	/* As the store's script pairs them (store_ping.c): open while no end
	 * came after it; in the second of an end, taken. */
	return r->known && r->start > 0 && r->start > r->success && r->start > r->fail;
}

/* The wrapper. */

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

/* The handlers write each signal's number here; the copy loop reads them,
 * passes them on and reaps the command. Never closed: after the command
 * has ended, the signals are caught and dropped, so that recording its end
 * is not cut short. */
static int sigfd[2] = {-1, -1};
#define KERNEL_SENT 0x80 /* or'ed with a signal's number in sigfd */
/* Those of forwarded[] rp-ping was started with ignored (nohup's SIGHUP):
 * left ignored, here and in the command. */
static int ignored[NFORWARDED];

static void
on_signal(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	(void)ctx;
	/* A terminal's Ctrl-C, Ctrl-\ or hangup comes from the kernel to the
	 * whole foreground process group, the command included: passing it on
	 * would deliver it twice (so it is only noted, with KERNEL_SENT). What
	 * a process sends (kill, systemd) is passed on. */
	if (sig != SIGCHLD && si != NULL && si->si_code > 0)
		b |= KERNEL_SENT;
	if (write(sigfd[1], &b, 1) < 0) {
		/* Full: a burst of signals; those already there are enough. */
	}
	errno = saved;
}

/* fd moved to 3 or above, close-on-exec, so that it can never be taken for
 * the command's stdin, stdout or stderr (rp-ping may start with some of
 * them closed). -1 (fd closed) on failure. */
static int
high_fd(int fd)
{
	int h;

	if (fd > 2)
		return fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 ? fd : (close(fd), -1);
	h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return h;
}

static int
make_pipe(int p[2])
{
	int raw[2];

	if (pipe(raw) != 0)
		return -1;
	p[0] = high_fd(raw[0]);
	p[1] = high_fd(raw[1]);
	if (p[0] < 0 || p[1] < 0) {
		int e = errno;
		if (p[0] >= 0)
			close(p[0]);
		if (p[1] >= 0)
			close(p[1]);
		p[0] = p[1] = -1;
		errno = e;
		return -1;
	}
	return 0;
}

static int
signals_setup(void)
{
	struct sigaction sa;
	size_t i;

	if (sigfd[0] >= 0)
		return 0;
	if (make_pipe(sigfd) != 0)
		return -1;
	fcntl(sigfd[0], F_SETFL, O_NONBLOCK);
	fcntl(sigfd[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NFORWARDED; i++) {
		struct sigaction old;
		if (sigaction(forwarded[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			ignored[i] = 1;
		else
			sigaction(forwarded[i], &sa, NULL);
	}
	sa.sa_flags |= SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	return 0;
}

/* The child, from fork() to exec: the signals as they were (the handlers
 * default or ignored as rp-ping found them, SIGPIPE the default, the mask
 * as rp-ping was given it), the pipes as stdout and stderr, the TZ and core
 * limit rp-ping started with. If the
 * command cannot be run, its errno goes to the parent through ep (closed
 * on exec, so end-of-file there means it ran). */
static void
child(char *const *cmd, const char *tz, int out, int err, int ep, const sigset_t *mask)
{
	struct sigaction dfl;
	size_t i;
	int e;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (i = 0; i < NFORWARDED; i++) {
		struct sigaction ign = dfl;
		ign.sa_handler = SIG_IGN;
		sigaction(forwarded[i], ignored[i] ? &ign : &dfl, NULL);
	}
	sigaction(SIGCHLD, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0) {
		e = errno;
		goto fail;
	}
	if (tz != NULL)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	rp_cli_restore_core_limit();
	execvp(cmd[0], cmd);
	e = errno;
fail:
	if (write(ep, &e, sizeof(e)) < 0) {
		/* The exit status still says it could not run. */
	}
	_exit(e == ENOENT ? 127 : 126);
}

/* One of the command's outputs on its way to ours. */
struct stream {
	int from;                /* our end of the command's pipe, -1 at EOF */
	int to;                  /* STDOUT_FILENO or STDERR_FILENO */
	int dead;                /* to cannot be written: drop what comes */
	size_t len, off;         /* buf[off, len) waits to be written */
	char buf[65536];
};

struct copy {
	struct stream s[2];
	struct rp_ping_tail tail;
	int lost;
};

static void
stream_read(struct copy *c, struct stream *s)
{
	ssize_t n = read(s->from, s->buf, sizeof(s->buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(s->from);
		s->from = -1;
		return;
	}
	rp_ping_tail_feed(&c->tail, s->buf, (size_t)n);
	if (s->dead) {
		c->lost = 1;
		return;
	}
	s->len = (size_t)n;
	s->off = 0;
}

static void
stream_write(struct copy *c, struct stream *s)
{
	size_t n = s->len - s->off;
	ssize_t w;

	/* POLLOUT promises room for PIPE_BUF bytes: never more at once, so a
	 * reader that stalls cannot block us from passing on signals. */
	if (n > PIPE_BUF)
		n = PIPE_BUF;
	w = write(s->to, s->buf + s->off, n);
	if (w < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (w <= 0) {
		/* EPIPE (SIGPIPE is ignored), a closed descriptor, a full disk:
		 * keep draining the command, so it is never blocked on us. */
		s->dead = 1;
		c->lost = 1;
		s->len = s->off = 0;
		return;
	}
	s->off += (size_t)w;
	if (s->off == s->len)
		s->len = s->off = 0;
}

static int
reap(pid_t pid, int *status)
{
	pid_t w;

	do
		w = waitpid(pid, status, WNOHANG);
	while (w < 0 && errno == EINTR);
	return w == pid;
}

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Passes the outputs on and the signals to pid until it has exited and its
 * output is passed on (see rp_ping_wrap), then *status. Returns the
 * seconds from start to its exit. */
static double
copy_and_wait(struct copy *c, pid_t pid, int *status, const struct timespec *start,
    struct rp_ping_ran *r)
{
	struct timespec ended = {0, 0};
	double took = 0;
	int exited = 0, i;

	for (;;) {
		struct pollfd p[3];
		struct stream *who[3];
		int np = 1, n;

		p[0].fd = sigfd[0];
		p[0].events = POLLIN;
		who[0] = NULL;
		for (i = 0; i < 2; i++) {
			struct stream *s = &c->s[i];
			if (s->len > s->off) {
				p[np].fd = s->to;
				p[np].events = POLLOUT;
			} else if (s->from >= 0) {
				p[np].fd = s->from;
				p[np].events = POLLIN;
			} else {
				continue;
			}
			who[np++] = s;
		}
		if (exited && (np == 1 || since(&ended) >= 10))
			break;
		n = poll(p, (nfds_t)np, 1000);
		if (n < 0 && errno != EINTR)
			break; /* cannot wait for the pipes: wait for the command */
		if (n == 0 && exited)
			break; /* output idle a second after the end */
		if (n <= 0) {
			if (!exited && reap(pid, status)) {
				exited = 1;
				took = since(start);
				clock_gettime(CLOCK_MONOTONIC, &ended);
			}
			continue;
		}
		if (p[0].revents & POLLIN) {
			unsigned char sigs[64];
			ssize_t k = read(sigfd[0], sigs, sizeof(sigs));
			for (ssize_t j = 0; j < k; j++) {
				if (sigs[j] == SIGCHLD) {
					if (!exited && reap(pid, status)) {
						exited = 1;
						took = since(start);
						clock_gettime(CLOCK_MONOTONIC, &ended);
					}
				} else if (sigs[j] & KERNEL_SENT) {
					r->direct |= 1UL << (sigs[j] & ~KERNEL_SENT);
				} else if (!exited) {
					/* Not yet reaped, so pid is still the command's. */
					kill(pid, sigs[j]);
					r->passed |= 1UL << sigs[j];
				}
			}
		}
		for (i = 1; i < np; i++) {
			if (p[i].revents == 0)
				continue;
			if (p[i].events == POLLIN) {
				stream_read(c, who[i]);
			} else if (p[i].revents & POLLNVAL) {
				who[i]->dead = 1;
				who[i]->len = who[i]->off = 0;
				c->lost = 1;
			} else {
				stream_write(c, who[i]);
			}
		}
	}
	if (!exited) {
		/* poll() failed: stop reading, so that a command blocked on a
		 * full pipe gets EPIPE rather than waiting for us forever. */
		for (i = 0; i < 2; i++) {
			if (c->s[i].from >= 0)
				close(c->s[i].from);
			c->s[i].from = -1;
		}
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
		took = since(start);
	}
	return took;
}

static void
could_not_run(struct rp_ping_ran *r, const char *cmd, const char *step, int e)
{
	if (step != NULL)
		snprintf(r->why, sizeof(r->why), "cannot run %s: %s: %s", cmd, step, strerror(e));
	else if (e == ENOENT && strchr(cmd, '/') == NULL)
		snprintf(r->why, sizeof(r->why), "%s: command not found", cmd);
	else
		snprintf(r->why, sizeof(r->why), "%s: %s", cmd, strerror(e));
	if (r->exit == 0)
		r->exit = r->status = e == ENOENT && step == NULL ? 127 : 126;
}

void
rp_ping_wrap(char *const *cmd, const char *tz, struct rp_ping_ran *r)
{
	/* Allocated after fork(), in the parent: a child whose exec fails
	 * exits holding nothing that only a register pointed to (valgrind
	 * would count it lost, and exit 97 instead of 127). */
	struct copy *c = NULL;
	int out[2] = {-1, -1}, err[2] = {-1, -1}, ep[2] = {-1, -1};
	sigset_t block, old;
	struct timespec t0;
	int status = 0, e = 0;
	ssize_t k;
	size_t i;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->duration = 0;
	if (signals_setup() != 0 || make_pipe(out) != 0 || make_pipe(err) != 0 ||
	    make_pipe(ep) != 0) {
		could_not_run(r, cmd[0], "pipe", errno);
		goto out;
	}
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	/* Signals wait until the command exists, then are passed on. */
	sigemptyset(&block);
	for (i = 0; i < NFORWARDED; i++)
		sigaddset(&block, forwarded[i]);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0)
		child(cmd, tz, out[1], err[1], ep[1], &old);
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(out[1]);
	close(err[1]);
	close(ep[1]);
	out[1] = err[1] = ep[1] = -1;
	if (pid < 0) {
		could_not_run(r, cmd[0], "fork", e);
		goto out;
	}
	do
		k = read(ep[0], &e, sizeof(e));
	while (k < 0 && errno == EINTR);
	c = rp_xcalloc(1, sizeof(*c));
	c->s[0].from = out[0];
	c->s[0].to = STDOUT_FILENO;
	c->s[1].from = err[0];
	c->s[1].to = STDERR_FILENO;
	out[0] = err[0] = -1;
	r->duration = (long)(copy_and_wait(c, pid, &status, &t0, r) + 0.5);
	for (i = 0; i < 2; i++)
		if (c->s[i].from >= 0)
			close(c->s[i].from);
	if (WIFSIGNALED(status)) {
		r->signal = WTERMSIG(status);
		r->exit = 128 + r->signal;
	} else {
		r->status = r->exit = WIFEXITED(status) ? WEXITSTATUS(status) : 126;
	}
	r->lost = c->lost;
	if (k == (ssize_t)sizeof(e))
		could_not_run(r, cmd[0], NULL, e);
	r->tail = rp_ping_tail_text(&c->tail);
out:
	if (r->why[0] != '\0' && r->tail == NULL)
		r->tail = rp_xstrdup(r->why);
	for (i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	free(c);
}

/* The program. */

static const char *const kind_words[] = {"start", "success", "failure"};

/* Reads the configuration and the checklist; name must be a ping check of
 * it, and the state store enabled. On success cfg is loaded (the caller
 * frees it in any case) with its timeouts capped. Returns 0 or an exit
 * status with err. */
static int
prepare(const struct rp_opts *o, const char *name, struct rp_config *cfg, struct rp_err *err)
{
	const char *cfgpath = rp_default_config(o->config);
	struct rp_checklist cl = {0};
	const struct rp_check *c;
	char *clpath = NULL;
	int rc = 0;

	if (rp_config_load(cfgpath, cfg, err) != 0)
		return err->code;
	clpath = o->checklist ? rp_xstrdup(o->checklist) : rp_default_checklist(cfgpath);
	if (rp_checklist_load(clpath, &cl, err) != 0) {
		rc = err->code;
		goto out;
	}
	if ((c = rp_checklist_find(&cl, name)) == NULL) {
		rp_err_set(err, RP_EXIT_USAGE, "%s is not a check of %s", name, clpath);
		rc = RP_EXIT_USAGE;
		goto out;
	}
	if (c->type != RP_CHECK_PING) {
		rp_err_set(err, RP_EXIT_USAGE, "%s is not a ping check of %s (it is a%s %s check)",
		    name, clpath, c->type == RP_CHECK_EMAIL ? "n" : "", rp_check_type_name(c->type));
		rc = RP_EXIT_USAGE;
		goto out;
	}
	if (!cfg->redis_enabled) {
		rp_err_set(err, RP_EXIT_CONFIG, "%s: [enable_redis] enable is False: rp-ping "
		    "records in Redis and cannot work without it", cfg->path);
		rc = RP_EXIT_CONFIG;
		goto out;
	}
	rp_config_warn(cfg, clpath, o->quiet);
	/* A job waits for us: never longer than about two seconds. */
	if (cfg->redis_timeout_ms > RP_PING_TIMEOUT_MS)
		cfg->redis_timeout_ms = RP_PING_TIMEOUT_MS;
out:
	rp_checklist_free(&cl);
	free(clpath);
	return rc;
}

/* One round trip on a connection of its own (a wrapped job may run for
 * hours: no connection is kept across it). */
static int
record(const struct rp_config *cfg, const char *name, const struct rp_ping *p,
    const time_t *now, time_t *at, struct rp_err *err)
{
	struct rp_store *s = rp_config_store(cfg, err);
	int rc = -1;

	if (s != NULL) {
		rc = rp_store_ping(s, name, p, now, at, err);
		rp_store_close(s);
	}
	if (rc != 0)
		err->code = RP_EXIT_TEMPFAIL;
	return rc;
}

/* The clock of a what-if run (--now or $RP_NOW, already checked), read in
 * the configured zone and said on stderr; NULL for Redis's. */
static const time_t *
what_if_clock(const struct rp_opts *o, int what_if, time_t *now)
{
	char l[RP_LOCAL_LEN];
	struct rp_err err;

	if (!what_if || rp_clock_now(o->now, now, &err) != 0)
		return NULL;
	rp_clock_format_local(*now, l);
	rp_log(RP_LOG_INFO, "clock: %s from %s, not the real time", l,
	    o->now != NULL ? "--now" : "$RP_NOW");
	return now;
}

static void
say_recorded(const char *name, const struct rp_ping *p, time_t at)
{
	char l[RP_LOCAL_LEN];

	rp_clock_format_local(at, l);
	rp_log(RP_LOG_DEBUG, "%s: %s recorded at %s", name, kind_words[p->kind], l);
}

/* With -v: the signals passed on to the command, and those the kernel
 * sent it as well (a terminal's), left alone. */
static void
say_signals(const struct rp_ping_args *a, const struct rp_ping_ran *ran)
{
	struct rp_buf passed = {0}, direct = {0};
	int sig;

	for (sig = 1; sig < 64; sig++) {
		if (ran->passed & (1UL << sig))
			rp_buf_printf(&passed, " %s", strsignal(sig));
		if (ran->direct & (1UL << sig))
			rp_buf_printf(&direct, " %s", strsignal(sig));
	}
	if (passed.len > 0)
		rp_log(RP_LOG_DEBUG, "%s: passed on to %s:%s", a->name, a->cmd[0], passed.data);
	if (direct.len > 0)
		rp_log(RP_LOG_DEBUG, "%s: from the terminal, %s got it too, not passed on:%s",
		    a->name, a->cmd[0], direct.data);
	rp_buf_free(&passed);
	rp_buf_free(&direct);
}

static int
ping_once(const struct rp_opts *o, const struct rp_ping_args *a, int what_if)
{
	struct rp_config cfg;
	struct rp_err err;
	time_t at, clock;
	const time_t *now;
	int rc;

	if ((rc = prepare(o, a->name, &cfg, &err)) != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		goto out;
	}
	now = what_if_clock(o, what_if, &clock);
	if (record(&cfg, a->name, &a->ping, now, &at, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s: %s not recorded: %s", a->name, kind_words[a->ping.kind],
		    err.msg);
		rc = err.code;
		goto out;
	}
	say_recorded(a->name, &a->ping, at);
out:
	rp_config_free(&cfg);
	return rc;
}

/* Start, run, end. The exit status is the command's whatever becomes of
 * the records, and at most one line says what could not be recorded (the
 * rest with -v). */
static int
ping_wrapped(const struct rp_opts *o, const struct rp_ping_args *a, int what_if,
    const char *tz)
{
	struct rp_config cfg;
	struct rp_ping p = {RP_PING_START, 0, 0, -1, NULL};
	struct rp_ping_ran ran;
	struct rp_err err;
	time_t at, end, clock;
	const time_t *now = NULL;
	int recording, said = 0;

	recording = prepare(o, a->name, &cfg, &err) == 0;
	if (recording)
		now = what_if_clock(o, what_if, &clock);
	if (!recording) {
		rp_log(RP_LOG_ERR, "%s; running %s without recording it", err.msg, a->cmd[0]);
		said = 1;
	} else if (record(&cfg, a->name, &p, now, &at, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s: start not recorded: %s; running %s anyway", a->name, err.msg,
		    a->cmd[0]);
		said = 1;
	} else {
		say_recorded(a->name, &p, at);
	}
	command_ran = 1;
	rp_ping_wrap(a->cmd, tz, &ran);
	if (ran.why[0] != '\0')
		rp_log(RP_LOG_ERR, "%s", ran.why);
	say_signals(a, &ran);
	if (ran.lost)
		rp_log(RP_LOG_DEBUG, "%s: some of the output of %s could not be passed on "
		    "(stdout or stderr closed)", a->name, a->cmd[0]);
	if (recording) {
		p.kind = ran.exit == 0 ? RP_PING_SUCCESS : RP_PING_FAIL;
		p.status = ran.status;
		p.signal = ran.signal;
		p.duration = ran.duration;
		p.tail = ran.tail;
		end = now != NULL ? *now + ran.duration : 0;
		if (record(&cfg, a->name, &p, now != NULL ? &end : NULL, &at, &err) == 0)
			say_recorded(a->name, &p, at);
		else
			rp_log(RP_LOG_ERR, "%s: %s (exit status %d) not recorded%s: %s", a->name,
			    kind_words[p.kind], ran.exit, said ? " either" : "", err.msg);
	}
	free(ran.tail);
	rp_config_free(&cfg);
	return ran.exit;
}

int
rp_ping_command_ran(void)
{
	return command_ran;
}

static void
ignore_sigpipe(void)
{
	struct sigaction ign;

	/* A closed stdout or stderr is an error to live with, never a death:
	 * the job's exit status must come out. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, NULL);
}

int
rp_ping_run_unrecorded(char *const *cmd)
{
	struct rp_ping_ran ran;

	rp_log_init("rp-ping", 0);
	ignore_sigpipe();
	rp_log(RP_LOG_ERR, "running %s without recording it", cmd[0]);
	command_ran = 1;
	rp_ping_wrap(cmd, getenv("TZ"), &ran);
	if (ran.why[0] != '\0')
		rp_log(RP_LOG_ERR, "%s", ran.why);
	free(ran.tail);
	return ran.exit;
}

/* The TZ rp-ping was given, for the command (the configuration sets the
 * process's own). Static, so that the child holds it from a global. */
static char *given_tz;

int
rp_ping_run(const struct rp_opts *o)
{
	struct rp_ping_args a;
	struct rp_err err;
	time_t now;
	int what_if, rc;

	given_tz = rp_xstrdup_or_null(getenv("TZ"));
	rp_log_init("rp-ping", o->verbose);
	ignore_sigpipe();
	/* --now is read again once the configured zone is in force; a bad one
	 * is a usage error before anything runs. */
	if (o->after_dashdash)
		rp_err_set(&err, RP_EXIT_USAGE, "the check name is missing: rp-ping NAME -- COMMAND");
	if (o->after_dashdash || rp_ping_parse(o->args, o->nargs, &a, &err) != 0 ||
	    rp_clock_now(o->now, &now, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s; rp-ping --help lists the forms", err.msg);
		free(given_tz);
		given_tz = NULL;
		return RP_EXIT_USAGE;
	}
	what_if = o->now != NULL || (getenv("RP_NOW") != NULL && *getenv("RP_NOW") != '\0');
	if (a.cmd == NULL)
		rc = ping_once(o, &a, what_if);
	else
		rc = ping_wrapped(o, &a, what_if, given_tz);
	free(given_tz);
	given_tz = NULL;
	return rc;
}
