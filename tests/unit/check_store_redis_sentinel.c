/* The store through Redis Sentinel, against the test set tests/lib.sh
 * starts (a primary, a replica, three sentinels, all with passwords): the
 * primary found, a dead or stale sentinel passed over, no sentinel or a
 * wrong password said in one line that never quotes it, WAIT after a write,
 * and each write repeated after its answer was lost (a proxy that drops
 * the first connection's answers) taking effect once. */
#define UNIT_NAME "store_redis_sentinel"
#define _DEFAULT_SOURCE /* kill */
#include <arpa/inet.h>
#include <errno.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "servers.h"
#include "state.h"
#include "unit.h"

#define MAX_PORTS 8

static struct rp_buf notes; /* what the store said (its notice lines) */

static void
note(const char *line)
{
	rp_buf_printf(&notes, "%s\n", line);
}

static const char *
env(const char *var)
{
	const char *v = getenv(var);

	if (v == NULL || *v == '\0')
		ck_abort_msg("%s is not set: run the unit tests through make check", var);
	return v;
}

/* The ports of a variable holding "p1 p2 ..."; returns how many. */
static size_t
ports_of(const char *var, long *out)
{
	char buf[256], *p, *end;
	size_t n = 0;

	rp_strlcpy(buf, env(var), sizeof(buf));
	for (p = buf; *p && n < MAX_PORTS; p = end) {
		out[n++] = strtol(p, &end, 10);
		ck_assert(end != p);
		while (*end == ' ')
			end++;
	}
	return n;
}

/* A connection to a data server of the set, on database 2. */
static redisContext *
data(long port)
{
	redisContext *c = redisConnect("127.0.0.1", (int)port);
	redisReply *r;

	ck_assert(c != NULL && c->err == 0);
	r = redisCommand(c, "AUTH %s", env("RP_TEST_SENTINEL_REDIS_PASSWORD"));
	ck_assert(r != NULL && r->type == REDIS_REPLY_STATUS);
	freeReplyObject(r);
	r = redisCommand(c, "SELECT 2");
	ck_assert(r != NULL && r->type == REDIS_REPLY_STATUS);
	freeReplyObject(r);
	return c;
}

/* The data server that is (role 1) or is not (0) the primary. */
static long
data_port(int primary)
{
	long p[MAX_PORTS];
	size_t n = ports_of("RP_TEST_SENTINEL_DATA_PORTS", p), i;

	for (i = 0; i < n; i++) {
		redisContext *c = data(p[i]);
		redisReply *r = redisCommand(c, "ROLE");
		int is = r != NULL && r->type == REDIS_REPLY_ARRAY &&
		    strcmp(r->element[0]->str, "master") == 0;
		freeReplyObject(r);
		redisFree(c);
		if (is == primary)
			return p[i];
	}
	ck_abort_msg("no %s in the set", primary ? "primary" : "replica");
	return 0;
}

/* A store through the given sentinels. */
static struct rp_store *
open_via(const long *ports, size_t n, const char *master, const char *spw, const char *pw,
    long timeout_ms, const char *prefix, struct rp_err *err)
{
	const char *hosts[MAX_PORTS];
	struct rp_store_where w;
	size_t i;

	for (i = 0; i < n; i++)
		hosts[i] = "127.0.0.1";
	memset(&w, 0, sizeof(w));
	w.sentinel_host = hosts;
	w.sentinel_port = ports;
	w.nsentinels = n;
	w.master_name = master;
	w.sentinel_password = spw;
	w.notice = note;
	rp_buf_free(&notes);
	rp_buf_append(&notes, "", 0);
	return rp_store_open_at(&w, pw, 2, prefix, timeout_ms, err);
}

/* The store through the test set's three sentinels, after those of
 * first (n of them) if any. */
static struct rp_store *
open_set(const long *first, size_t n, const char *prefix)
{
	long p[MAX_PORTS];
	size_t k = ports_of("RP_TEST_SENTINEL_PORTS", p + n);
	struct rp_err err;
	struct rp_store *s;

	if (n > 0)
		memcpy(p, first, n * sizeof(long));
	s = open_via(p, n + k, env("RP_TEST_SENTINEL_MASTER"), env("RP_TEST_SENTINEL_PASSWORD"),
	    env("RP_TEST_SENTINEL_REDIS_PASSWORD"), 2000, prefix, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	return s;
}

/* A port nothing listens on. */
static long
dead_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Stand-ins, each a child process serving one connection at a time: a
 * sentinel that names 127.0.0.1:target as the primary (with no replica),
 * and a proxy to target that, with drop, closes its first connection as
 * soon as the server has answered it, so the client never reads the
 * answer of commands that were done. */
struct fake {
	pid_t pid;
	long port;
};

static int
listener(long *port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void
put(int fd, const char *s)
{
	size_t n = strlen(s), off = 0;

	while (off < n) {
		ssize_t w = write(fd, s + off, n - off);
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/* The name of the next whole command (RESP array) in b[*off..len), its
 * second word in sub; 0 when the command is not all there yet. */
static int
next_command(const char *b, size_t len, size_t *off, char *name, char *sub)
{
	size_t i = *off, k, words;
	char *end;

	if (i >= len || b[i] != '*' || memchr(b + i, '\n', len - i) == NULL)
		return 0;
	words = strtoul(b + i + 1, &end, 10);
	i = (size_t)(strchr(end, '\n') - b) + 1;
	name[0] = sub[0] = '\0';
	for (k = 0; k < words; k++) {
		size_t w;
		if (i >= len || b[i] != '$' || memchr(b + i, '\n', len - i) == NULL)
			return 0;
		w = strtoul(b + i + 1, &end, 10);
		i = (size_t)(strchr(end, '\n') - b) + 1;
		if (i + w + 2 > len)
			return 0;
		if (k < 2 && w < 64) {
			memcpy(k == 0 ? name : sub, b + i, w);
			(k == 0 ? name : sub)[w] = '\0';
		}
		i += w + 2;
	}
	*off = i;
	return 1;
}

static void
serve_sentinel(int fd, long target)
{
	char addr[128], name[64], sub[64];

	snprintf(addr, sizeof(addr), "*2\r\n$9\r\n127.0.0.1\r\n$%d\r\n%ld\r\n",
	    (int)snprintf(NULL, 0, "%ld", target), target);
	for (;;) {
		char b[4096];
		size_t len = 0, off = 0;
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		for (;;) {
			ssize_t r = read(c, b + len, sizeof(b) - len);
			if (r <= 0)
				break;
			len += (size_t)r;
			while (next_command(b, len, &off, name, sub)) {
				if (strcasecmp(name, "AUTH") == 0)
					put(c, "+OK\r\n");
				else if (strcasecmp(sub, "get-master-addr-by-name") == 0)
					put(c, addr);
				else if (strcasecmp(sub, "replicas") == 0)
					put(c, "*0\r\n");
				else
					put(c, "-ERR not a command of this stand-in\r\n");
			}
			memmove(b, b + off, len - off);
			len -= off;
			off = 0;
		}
		close(c);
	}
}

static void
serve_proxy(int fd, long target, int drop)
{
	struct sockaddr_in a;
	int k;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)target);
	for (k = 1;; k++) {
		int c = accept(fd, NULL, NULL), u = socket(AF_INET, SOCK_STREAM, 0);
		struct pollfd p[2] = {{c, POLLIN, 0}, {u, POLLIN, 0}};
		if (c < 0 || connect(u, (struct sockaddr *)&a, sizeof(a)) != 0)
			_exit(1);
		while (poll(p, 2, -1) > 0) {
			char b[65536];
			ssize_t r;
			if (p[1].revents && k == 1 && drop) {
				/* The server answers: what it was asked is done. */
				struct timespec t = {0, 100 * 1000000L};
				nanosleep(&t, NULL);
				break;
			}
			if (p[0].revents) {
				if ((r = read(c, b, sizeof(b))) <= 0)
					break;
				if (write(u, b, (size_t)r) != r)
					break;
			}
			if (p[1].revents) {
				if ((r = read(u, b, sizeof(b))) <= 0)
					break;
				if (write(c, b, (size_t)r) != r)
					break;
			}
		}
		close(c);
		close(u);
	}
}

static struct fake
fake_start(int proxy, long target, int drop)
{
	struct fake f;
	int fd = listener(&f.port);

	f.pid = fork();
	ck_assert(f.pid >= 0);
	if (f.pid == 0) {
		alarm(25); /* never outlives the test */
		if (proxy)
			serve_proxy(fd, target, drop);
		else
			serve_sentinel(fd, target);
		_exit(0);
	}
	close(fd);
	return f;
}

static void
fake_stop(struct fake *f)
{
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
}

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* One check's decision, written as the record read with last_eval expect. */
static int
commit1(struct rp_store *s, const char *name, time_t last_eval, time_t expect,
    const struct rp_ob_entry *ev, size_t nev)
{
	struct rp_check_state st;
	struct rp_alert_rec al[2];
	struct rp_commit c;
	struct rp_err err;
	int rc;

	memset(&st, 0, sizeof(st));
	st.known = 1;
	st.status = RP_CRITICAL;
	st.last_eval = last_eval;
	memset(al, 0, sizeof(al));
	al[0].dedup_key = al[1].dedup_key = name;
	al[0].check = al[1].check = name;
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.write = 1;
	c.expect_eval = expect;
	c.st = &st;
	c.events = ev;
	c.alerts = al;
	c.nevents = nev;
	rc = rp_store_commit(s, &c, 1, NULL, NULL, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	return c.written;
}

static long
hget_long(redisContext *c, const char *key, const char *field)
{
	redisReply *r = redisCommand(c, "HGET %s %s", key, field);
	long v = r != NULL && r->type == REDIS_REPLY_STRING ? strtol(r->str, NULL, 10) : -1;

	freeReplyObject(r);
	return v;
}

static long
integer(redisContext *c, const char *fmt, const char *arg)
{
	redisReply *r = redisCommand(c, fmt, arg);
	long v = r != NULL && r->type == REDIS_REPLY_INTEGER ? (long)r->integer : -1;

	freeReplyObject(r);
	return v;
}

/* The primary found; the first command's round trip holds AUTH, SELECT and
 * ROLE; a write comes back only once the replica has it (WAIT). */
START_TEST(discovery)
{
	struct rp_store *s = open_set(NULL, 0, "sen1");
	long primary = data_port(1);
	char want[128];
	redisContext *rep;

	snprintf(want, sizeof(want), "names 127.0.0.1:%ld the primary of %s", primary,
	    env("RP_TEST_SENTINEL_MASTER"));
	ck_assert_msg(strstr(notes.data, want) != NULL, "%s", notes.data);
	ck_assert_int_eq(rp_store_round_trips(s), 0);
	ck_assert_int_eq(commit1(s, "d1", 1000, 0, NULL, 0), 1);
	ck_assert_int_eq(rp_store_round_trips(s), 1);
	rep = data(data_port(0));
	ck_assert_int_eq(hget_long(rep, "sen1:check:d1", "last_eval"), 1000);
	ck_assert_int_eq(commit1(s, "d1", 2000, 1000, NULL, 0), 1);
	ck_assert_int_eq(hget_long(rep, "sen1:check:d1", "last_eval"), 2000);
	ck_assert_int_eq(rp_store_round_trips(s), 2);
	ck_assert_ptr_null(strstr(notes.data, "no replica"));
	redisFree(rep);
	rp_store_close(s);
}
END_TEST

/* A sentinel that cannot be reached is passed over. */
START_TEST(first_sentinel_dead)
{
	long dead = dead_port();
	struct rp_store *s = open_set(&dead, 1, "sen2");
	long p[MAX_PORTS];
	char want[64];

	ports_of("RP_TEST_SENTINEL_PORTS", p);
	snprintf(want, sizeof(want), "sentinel 127.0.0.1:%ld names", p[0]);
	ck_assert_msg(strstr(notes.data, want) != NULL, "%s", notes.data);
	ck_assert_int_eq(commit1(s, "d2", 1000, 0, NULL, 0), 1);
	rp_store_close(s);
}
END_TEST

/* A sentinel whose answer is stale names the replica: ROLE tells, the
 * write is not done there, and the next sentinel's answer is taken. */
START_TEST(stale_answer)
{
	long replica = data_port(0);
	struct fake f = fake_start(0, replica, 0);
	struct rp_store *s = open_set(&f.port, 1, "sen3");
	redisContext *c;
	char want[128];

	snprintf(want, sizeof(want), "names 127.0.0.1:%ld the primary", replica);
	ck_assert_msg(strstr(notes.data, want) != NULL, "%s", notes.data);
	ck_assert_int_eq(commit1(s, "d3", 1000, 0, NULL, 0), 1);
	snprintf(want, sizeof(want), "redis at 127.0.0.1:%ld: a slave, not the primary", replica);
	ck_assert_msg(strstr(notes.data, want) != NULL, "%s", notes.data);
	c = data(data_port(1));
	ck_assert_int_eq(hget_long(c, "sen3:check:d3", "last_eval"), 1000);
	redisFree(c);
	rp_store_close(s);
	fake_stop(&f);
}
END_TEST

/* No sentinel answers: one line says why for each, within the bound. */
START_TEST(no_sentinel)
{
	long p[3] = {dead_port(), dead_port(), dead_port()};
	struct timespec t0;
	struct rp_err err;
	char want[64];
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_ptr_null(open_via(p, 3, "m", NULL, NULL, 300, "sen4", &err));
	ck_assert_int_lt(elapsed_ms(&t0), 3 * 300 + 500);
	ck_assert_int_eq(err.code, RP_EXIT_UNKNOWN);
	ck_assert_msg(strncmp(err.msg, "redis: no primary of m found: ", 30) == 0, "%s", err.msg);
	for (i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "sentinel 127.0.0.1:%ld: Connection refused", p[i]);
		ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
	}
	/* Tried again, a few times. */
	ck_assert_msg(strstr(notes.data, "attempt 4 of at most 4") != NULL, "%s", notes.data);
}
END_TEST

/* Sentinels that take the connection and never answer: the whole, retries
 * included, within 3 timeouts and one command's. */
START_TEST(silent_sentinels)
{
	long p[3];
	int fd[3], i;
	struct timespec t0;
	struct rp_err err;

	for (i = 0; i < 3; i++)
		fd[i] = listener(&p[i]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_ptr_null(open_via(p, 3, "m", NULL, NULL, 300, "sen4b", &err));
	ck_assert_int_lt(elapsed_ms(&t0), 4 * 300 + 200);
	ck_assert_msg(strstr(err.msg, "no primary of m found: sentinel 127.0.0.1:") != NULL, "%s",
	    err.msg);
	for (i = 0; i < 3; i++)
		close(fd[i]);
}
END_TEST

/* A wrong sentinel password: said by the sentinels' words, never quoted,
 * and not tried again (it will not get better). */
START_TEST(wrong_sentinel_password)
{
	long p[MAX_PORTS];
	size_t n = ports_of("RP_TEST_SENTINEL_PORTS", p);
	struct timespec t0;
	struct rp_err err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_ptr_null(open_via(p, n, env("RP_TEST_SENTINEL_MASTER"), "wrong-sen-5ec2e7",
	    env("RP_TEST_SENTINEL_REDIS_PASSWORD"), 2000, "sen5", &err));
	ck_assert_int_lt(elapsed_ms(&t0), 1000);
	ck_assert_msg(strstr(err.msg, "WRONGPASS") != NULL, "%s", err.msg);
	ck_assert_ptr_null(strstr(err.msg, "wrong-sen-5ec2e7"));
	ck_assert_ptr_null(strstr(notes.data, "wrong-sen-5ec2e7"));
	ck_assert_ptr_null(strstr(notes.data, "asking the sentinels again"));
	/* No password for sentinels that want one. */
	ck_assert_ptr_null(open_via(p, n, env("RP_TEST_SENTINEL_MASTER"), NULL, NULL, 2000, "sen5",
	    &err));
	ck_assert_msg(strstr(err.msg, "NOAUTH") != NULL, "%s", err.msg);
}
END_TEST

/* A name no sentinel monitors; the data servers' password wrong. */
START_TEST(unknown_name_and_wrong_password)
{
	long p[MAX_PORTS];
	size_t n = ports_of("RP_TEST_SENTINEL_PORTS", p);
	struct rp_store *s;
	struct rp_load l;
	struct rp_err err;
	time_t now = 1000, clock;
	size_t w;

	ck_assert_ptr_null(open_via(p, n, "no-such-primary", env("RP_TEST_SENTINEL_PASSWORD"),
	    NULL, 300, "sen6", &err));
	ck_assert_msg(strstr(err.msg, "No such master with that name") != NULL, "%s", err.msg);
	s = open_via(p, n, env("RP_TEST_SENTINEL_MASTER"), env("RP_TEST_SENTINEL_PASSWORD"),
	    "wrong-redis-5ec2e7", 2000, "sen6", &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	memset(&l, 0, sizeof(l));
	l.name = "c";
	l.poll_sec = 60;
	ck_assert_int_eq(rp_store_load(s, &l, 1, &now, 0, &clock, &w, &err), -1);
	ck_assert_msg(strstr(err.msg, "WRONGPASS") != NULL, "%s", err.msg);
	ck_assert_ptr_null(strstr(err.msg, "wrong-redis-5ec2e7"));
	ck_assert_ptr_null(strstr(notes.data, "wrong-redis-5ec2e7"));
	rp_store_close(s);
}
END_TEST

/* The replica stopped: the write waits for it no longer than
 * RP_STORE_WAIT_MS, and says so in one notice; it is on the primary. */
START_TEST(no_replica_acknowledges)
{
	struct rp_store *s = open_set(NULL, 0, "sen7");
	redisContext *c = data(data_port(0));
	redisReply *r = redisCommand(c, "INFO server");
	const char *pid = r != NULL && r->str ? strstr(r->str, "process_id:") : NULL;
	struct timespec t0;
	pid_t rep;

	ck_assert_ptr_nonnull(pid);
	rep = (pid_t)strtol(pid + 11, NULL, 10);
	freeReplyObject(r);
	redisFree(c);
	ck_assert_int_eq(commit1(s, "d7", 1000, 0, NULL, 0), 1); /* ROLE read: it has one */
	ck_assert_int_eq(kill(rep, SIGSTOP), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(commit1(s, "d7", 2000, 1000, NULL, 0), 1);
	ck_assert_int_ge(elapsed_ms(&t0), RP_STORE_WAIT_MS - 50);
	kill(rep, SIGCONT);
	ck_assert_msg(strstr(notes.data, "no replica acknowledged the write within 500 ms") != NULL,
	    "%s", notes.data);
	c = data(data_port(1));
	ck_assert_int_eq(hget_long(c, "sen7:check:d7", "last_eval"), 2000);
	redisFree(c);
	rp_store_close(s);
}
END_TEST

/* A store whose first connection loses its answers (after the server did
 * what it was asked): every write is then repeated on the next one. */
struct lossy {
	struct fake proxy, sentinel;
	struct rp_store *s;
};

static void
lossy_open(struct lossy *l, const char *prefix)
{
	struct rp_err err;

	l->proxy = fake_start(1, data_port(1), 1);
	l->sentinel = fake_start(0, l->proxy.port, 0);
	l->s = open_via(&l->sentinel.port, 1, "m", NULL, env("RP_TEST_SENTINEL_REDIS_PASSWORD"),
	    600, prefix, &err);
	ck_assert_msg(l->s != NULL, "%s", err.msg);
}

static void
lossy_close(struct lossy *l)
{
	/* Each write below was tried twice. */
	ck_assert_msg(strstr(notes.data, "asking the sentinels again (attempt 2") != NULL, "%s",
	    notes.data);
	rp_store_close(l->s);
	fake_stop(&l->proxy);
	fake_stop(&l->sentinel);
}

static redisContext *
primary(void)
{
	return data(data_port(1));
}

START_TEST(repeat_commit)
{
	struct rp_ob_entry ev = {0};
	struct lossy l;
	redisContext *c;
	redisReply *r;
	static char id[] = "trigger r1/1", chk[] = "r1", body[] = "{}";

	ev.id = id;
	ev.check = chk;
	ev.body = body;
	lossy_open(&l, "sen8");
	/* Done the first time, answered the second: written, once. */
	ck_assert_int_eq(commit1(l.s, "r1", 1000, 0, &ev, 1), 1);
	c = primary();
	ck_assert_int_eq(hget_long(c, "sen8:check:r1", "last_eval"), 1000);
	ck_assert_int_eq(integer(c, "ZCARD %s", "sen8:outbox"), 1);
	r = redisCommand(c, "GET sen8:outbox:seq");
	ck_assert_str_eq(r->str, "1"); /* queued once */
	freeReplyObject(r);
	redisFree(c);
	lossy_close(&l);
}
END_TEST

START_TEST(repeat_ping)
{
	struct rp_ping start = {RP_PING_START, 0, 0, -1, NULL};
	struct rp_ping ok = {RP_PING_SUCCESS, 0, 0, 5, NULL};
	struct rp_store *s = open_set(NULL, 0, "sen9");
	time_t t1 = 1000, t2 = 1005, at = 0;
	struct rp_err err;
	struct lossy l;
	redisContext *c;

	ck_assert_msg(rp_store_ping(s, "p", &start, &t1, &at, &err) == 0, "%s", err.msg);
	rp_store_close(s);
	lossy_open(&l, "sen9");
	/* The success's repeat finds itself: the run's start is kept (a second
	 * success would find no open start). */
	ck_assert_msg(rp_store_ping(l.s, "p", &ok, &t2, &at, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(at, 1005);
	c = primary();
	ck_assert_int_eq(hget_long(c, "sen9:ping:p", "success"), 1005);
	ck_assert_int_eq(hget_long(c, "sen9:ping:p", "success_start"), 1000);
	redisFree(c);
	lossy_close(&l);
}
END_TEST

START_TEST(repeat_settle)
{
	struct rp_ob_update u;
	struct lossy l;
	struct rp_err err;
	redisContext *c;

	lossy_open(&l, "sen10");
	memset(&u, 0, sizeof(u));
	u.sent = rp_xcalloc(1, sizeof(*u.sent));
	rp_strlcpy(u.sent[0].label, "rk-1", sizeof(u.sent[0].label));
	u.sent[0].count = 3;
	u.nsent = 1;
	u.minute = 7;
	u.token = "run-sen10";
	ck_assert_msg(rp_store_settle(l.s, &u, NULL, 0, NULL, &err) == 0, "%s", err.msg);
	c = primary();
	/* Counted once. */
	ck_assert_int_eq(hget_long(c, "sen10:rate:7", "rk-1"), 3);
	redisFree(c);
	rp_ob_update_free(&u);
	lossy_close(&l);
}
END_TEST

START_TEST(repeat_silence_clear)
{
	struct rp_silence si = {0};
	struct rp_store *s = open_set(NULL, 0, "sen11");
	struct rp_err err;
	struct lossy l;
	static char name[] = "c11";

	si.name = name;
	si.until = 5000;
	si.set_at = 1000;
	ck_assert_msg(rp_store_silence_set(s, &si, 60, &err) == 0, "%s", err.msg);
	rp_store_close(s);
	lossy_open(&l, "sen11");
	/* The first DEL cleared it, the repeat found none: cleared. */
	ck_assert_int_eq(rp_store_silence_clear(l.s, "c11", &err), 0);
	ck_assert_int_eq(rp_store_silence_clear(l.s, "c11", &err), 1);
	lossy_close(&l);
}
END_TEST

START_TEST(repeat_record_sent)
{
	struct rp_sent v = {"c12", "c12/a"};
	struct rp_err err;
	struct lossy l;
	redisContext *c;
	redisReply *r;

	lossy_open(&l, "sen12");
	ck_assert_msg(rp_store_record_sent(l.s, &v, 1, 1000, NULL, &err) == 0, "%s", err.msg);
	c = primary();
	r = redisCommand(c, "HGET sen12:check:c12 open_key");
	ck_assert_str_eq(r->str, "c12/a");
	freeReplyObject(r);
	/* Not taken for another incident to resolve. */
	r = redisCommand(c, "HEXISTS sen12:check:c12 stale_key");
	ck_assert_int_eq(r->integer, 0);
	freeReplyObject(r);
	redisFree(c);
	lossy_close(&l);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, discovery);
	tcase_add_test(tc, first_sentinel_dead);
	tcase_add_test(tc, stale_answer);
	tcase_add_test(tc, no_sentinel);
	tcase_add_test(tc, silent_sentinels);
	tcase_add_test(tc, wrong_sentinel_password);
	tcase_add_test(tc, unknown_name_and_wrong_password);
	tcase_add_test(tc, no_replica_acknowledges);
	tcase_add_test(tc, repeat_commit);
	tcase_add_test(tc, repeat_ping);
	tcase_add_test(tc, repeat_settle);
	tcase_add_test(tc, repeat_silence_clear);
	tcase_add_test(tc, repeat_record_sent);
}
