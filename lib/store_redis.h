/*
 * store_redis: what the Redis modules of the state store share (private to
 * state_redis.c, store_checks.c and store_outbox.c; the contract of the
 * store is state.h). The connection, commands built as argument vectors,
 * AUTH and SELECT riding with the first command, and errors worded for a
 * person ("no answer within 2000 ms", not "Resource temporarily
 * unavailable").
 */
#ifndef RP_STORE_REDIS_H
#define RP_STORE_REDIS_H

#include <hiredis/hiredis.h>
#include <time.h>

#include "state.h"

struct rp_store {
	redisContext *c;
	char *prefix;
	/* To connect again (rp_store_reconnect). */
	char *host;
	long port;
	char *password;          /* secret: wiped when freed */
	long db;
	long timeout_ms;
	int fresh;               /* AUTH and SELECT not sent yet */
	int hello_n;             /* their replies still to read */
	long trips;              /* round trips made (rp_store_round_trips) */
};

/* A growing argv for one command: the words, NUL-separated, in one buffer. */
struct rp_argv {
	struct rp_buf buf;
	size_t *off;
	size_t n, cap;
};

void rp_argv_add(struct rp_argv *a, const char *s);
void rp_argv_addl(struct rp_argv *a, long v);
/* "<prefix>:<kind>[:<name>]" as the next word. */
void rp_argv_key(struct rp_argv *a, const struct rp_store *s, const char *kind,
    const char *name);
/* A hash field and its value, skipped when the value is NULL, "" or 0. */
void rp_argv_field(struct rp_argv *a, const char *name, const char *v);
void rp_argv_field_long(struct rp_argv *a, const char *name, long v);
/* Queues the command on the connection and frees (wipes) a. */
void rp_argv_send(struct rp_store *s, struct rp_argv *a);
void rp_argv_free(struct rp_argv *a);

/* "<prefix>:<kind>[:<name>]"; the caller frees it. */
char *rp_redis_key(const struct rp_store *s, const char *kind, const char *name);

/* Whether s has a connection; on a fresh one, queues AUTH and SELECT in
 * front of the caller's commands. */
int rp_redis_connected(struct rp_store *s, struct rp_err *err);
/* Sends what is queued and reads the replies of AUTH and SELECT, if any
 * were queued: the caller's replies come next. Counts the round trip. On
 * failure the connection is closed. */
int rp_redis_hello(struct rp_store *s, struct rp_err *err);
/* Reads the next reply into *r. -1 with err ("redis: <what>: ...") when none
 * came or it is an error reply (then *r is freed and NULL). */
int rp_redis_reply(struct rp_store *s, redisReply **r, const char *what, struct rp_err *err);
/* The reason the connection failed, in words ("no answer within N ms"). */
const char *rp_redis_errstr(const struct rp_store *s);

/* A time as stored ("%ld", 0 to year 9999). */
int rp_redis_parse_time(const char *v, time_t *out);

/* Every element of an array reply of field/value pairs: f(field, value). */
void rp_redis_pairs(const redisReply *h, void (*f)(void *arg, const char *k, const char *v),
    void *arg);

#endif
