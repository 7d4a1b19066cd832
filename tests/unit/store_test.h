/* What the unit tests of the store's modules share: a store on the test
 * redis-server (database 2), and helpers for the read and the write. */
#ifndef RP_STORE_TEST_H
#define RP_STORE_TEST_H

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "servers.h"
#include "state.h"

/* base and this process's id: a prefix no earlier run of the test left
 * keys under, so a test can be run again against the same server. */
static inline const char *
fresh_prefix(const char *base)
{
	static char b[4][64];
	static int next;
	char *p = b[next++ % 4];

	snprintf(p, 64, "%s-%ld", base, (long)getpid());
	return p;
}

static inline struct rp_store *
open_store(const char *prefix)
{
	struct rp_err err;
	struct rp_store *s = rp_store_open("127.0.0.1", test_port("RP_TEST_REDIS_PORT"), NULL, 2,
	    prefix, 2000, &err);

	ck_assert_msg(s != NULL, "%s", err.msg);
	return s;
}

/* Reads one check at now (dry or not); returns the clock used. */
static inline time_t
load1(struct rp_store *s, struct rp_load *l, const char *name, long poll, int force, time_t now,
    int dry)
{
	struct rp_err err;
	time_t clock;
	size_t waiting;

	memset(l, 0, sizeof(*l));
	l->name = name;
	l->poll_sec = poll;
	l->force = force;
	ck_assert_msg(rp_store_load(s, l, 1, &now, dry, &clock, &waiting, &err) == 0, "%s",
	    err.msg);
	return clock;
}

/* Writes st as the decision about name read with last_eval expect;
 * returns whether it was written. */
static inline int
commit1(struct rp_store *s, const char *name, const struct rp_check_state *st, time_t expect)
{
	struct rp_commit c;
	struct rp_err err;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.write = 1;
	c.expect_eval = expect;
	c.st = st;
	ck_assert_msg(rp_store_commit(s, &c, 1, NULL, NULL, &err) == 0, "%s", err.msg);
	return c.written;
}

/* One command on the test database, past the store (what the store
 * writes and has no reader for: alert records, TTLs); the caller frees
 * the reply. */
static inline redisReply *
redis_cmd(const char *fmt, ...)
{
	redisContext *c = redisConnect("127.0.0.1", test_port("RP_TEST_REDIS_PORT"));
	redisReply *r;
	va_list ap;

	ck_assert_msg(c != NULL && c->err == 0, "redis: %s", c ? c->errstr : "no context");
	r = redisCommand(c, "SELECT 2");
	ck_assert_ptr_nonnull(r);
	freeReplyObject(r);
	va_start(ap, fmt);
	r = redisvCommand(c, fmt, ap);
	va_end(ap);
	ck_assert_msg(r != NULL, "redis: %s", c->errstr);
	redisFree(c);
	return r;
}

/* The value of field in the hash key, or "" (static buffer). */
static inline const char *
redis_hget(const char *key, const char *field)
{
	static char b[1024];
	redisReply *r = redis_cmd("HGET %s %s", key, field);

	snprintf(b, sizeof(b), "%s", r->type == REDIS_REPLY_STRING ? r->str : "");
	freeReplyObject(r);
	return b;
}

#endif
