/*
 * store_redis: what the Redis modules of the state store share (private to
 * state_redis.c, store_checks.c, store_outbox.c and store_ping.c; the
 * contract of the store is state.h). The connection, found through Redis
 * Sentinel when sentinels are configured, commands built as argument
 * vectors, AUTH, SELECT and ROLE riding with the first command, the retry
 * of an operation after a failover (rp_redis_run), and errors worded for a
 * person ("no answer within 2000 ms", not "Resource temporarily
 * unavailable").
 */
#ifndef RP_STORE_REDIS_H
#define RP_STORE_REDIS_H

#include <hiredis/hiredis.h>
#include <time.h>

#include "state.h"

/* Why the last command failed, as far as a retry cares. */
enum rp_redis_fault {
	RP_FAULT_NONE,           /* it did not, or for a reason a retry won't fix */
	RP_FAULT_LOST,           /* no connection, or it broke: nothing or all done */
	RP_FAULT_READONLY,       /* a replica refused the write: nothing done */
	RP_FAULT_REPLICA         /* ROLE: not the primary (a stale sentinel) */
};

struct rp_store {
	redisContext *c;
	char *prefix;
	/* To connect again (rp_store_reconnect). */
	char *host;
	long port;
	char *password;          /* secret: wiped when freed */
	long db;
	long timeout_ms;
	int fresh;               /* AUTH, SELECT (and ROLE) not sent yet */
	int hello_n;             /* replies of AUTH and SELECT still to read */
	int role_n;              /* ROLE's reply still to read (sentinels only) */
	long trips;              /* round trips made (rp_store_round_trips) */

	/* With sentinels, host and port are the primary's as last found. */
	char **sentinel_host;
	long *sentinel_port;
	size_t nsentinels;       /* 0: one server, host and port */
	size_t sentinel_first;   /* the sentinel asked first next time */
	char *master_name;
	char *sentinel_password; /* secret: wiped when freed */
	long replicas;           /* the primary's replicas (ROLE, or the
	                          * sentinels' count until ROLE said), -1 unknown */
	int wait_next;           /* queue WAIT after the caller's commands */
	int wait_n;              /* WAIT's reply still to read */
	int said_unreplicated;   /* the -v line about WAIT was said */
	struct timespec deadline; /* rp_redis_run's: no connecting after it */
	int has_deadline;
	enum rp_redis_fault fault;
	void (*notice)(const char *line);
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
/* Queues the command on the connection and frees (wipes) a. */
void rp_argv_send(struct rp_store *s, struct rp_argv *a);
void rp_argv_free(struct rp_argv *a);

/* One command streamed to Redis as its words are made, for a command too
 * large to hold whole (the decision of 10,000 checks): RESP puts the count
 * of words first, so a first pass counts them (count_only: nothing is
 * formatted), then rp_words_begin() and the same calls again write them,
 * handing each RP_WORDS_CHUNK to the connection and writing it out, so
 * that neither we nor hiredis hold more than a chunk. The command still
 * goes as one, its reply read after (rp_redis_hello, rp_redis_reply); a
 * connection that fails on the way fails it whole (Redis runs no part of
 * a command it did not receive whole). */
#define RP_WORDS_CHUNK 65536
struct rp_words {
	struct rp_store *s;      /* NULL: count only */
	size_t n, total;
	struct rp_buf b;         /* what is not yet handed to the connection */
	int failed;              /* the connection failed: the rest is dropped */
};

/* Starts the command of total words on s (after a counting pass). */
void rp_words_begin(struct rp_words *w, struct rp_store *s, size_t total);
void rp_words_add(struct rp_words *w, const char *s);
void rp_words_addl(struct rp_words *w, long v);
/* As rp_argv_key and rp_argv_field*. */
void rp_words_key(struct rp_words *w, const struct rp_store *s, const char *kind,
    const char *name);
void rp_words_field(struct rp_words *w, const char *name, const char *v);
void rp_words_field_long(struct rp_words *w, const char *name, long v);
/* Hands the rest to the connection (sent with the reply's read); 0, or -1
 * with err when the connection failed or the words were miscounted. */
int rp_words_end(struct rp_words *w, struct rp_err *err);

/* The command make(w, s, arg) makes, both passes: counted, then sent. */
int rp_words_send(struct rp_store *s,
    void (*make)(struct rp_words *w, struct rp_store *s, const void *arg), const void *arg,
    struct rp_err *err);

/* "<prefix>:<kind>[:<name>]"; the caller frees it. */
char *rp_redis_key(const struct rp_store *s, const char *kind, const char *name);

/* Whether s has a connection; on a fresh one, writes AUTH (straight to the
 * socket, from a buffer wiped after) and queues SELECT and, with
 * sentinels, ROLE in front of the caller's commands. */
int rp_redis_connected(struct rp_store *s, struct rp_err *err);
/* Queues WAIT when rp_redis_run asked for it, sends what is queued and
 * reads the replies of AUTH, SELECT and ROLE, if any were queued: the
 * caller's replies come next. Counts the round trip. On failure (ROLE
 * naming a replica included) the connection is closed. */
int rp_redis_hello(struct rp_store *s, struct rp_err *err);
/* Reads the next reply into *r. -1 with err ("redis: <what>: ...") when none
 * came or it is an error reply (then *r is freed and NULL). err may be
 * NULL. */
int rp_redis_reply(struct rp_store *s, redisReply **r, const char *what, struct rp_err *err);

/* The objects of one large reply, allocated in blocks instead of one
 * malloc per object and per string (a reply of 10,000 check records holds
 * 300,000 of them), and the small ones that recur (field names, "", 0, an
 * empty array) made once and shared: a reply is read, never changed. */
#define RP_ARENA_SHARED 512
struct rp_reply_arena {
	struct rp_arena_block *head;
	redisReply *shared[RP_ARENA_SHARED];
};

/* rp_redis_reply(), the reply's objects in a (which the caller frees with
 * rp_reply_arena_free once done with *r; never freeReplyObject). A reply
 * that does not come whole closes the connection. */
int rp_redis_reply_big(struct rp_store *s, redisReply **r, const char *what,
    struct rp_reply_arena *a, struct rp_err *err);
void rp_reply_arena_free(struct rp_reply_arena *a);

/* Whether an operation records something a failover must not lose: then
 * WAIT for a replica follows it, in its round trip. */
enum rp_redis_op_kind {
	RP_OP_READ,
	RP_OP_WRITE
};

/* Runs op(s, arg, err), which queues its commands, calls rp_redis_hello
 * once and reads its replies. Without sentinels, once, as it is. With
 * them: first connects to the primary the sentinels name if there is no
 * connection; a write is followed by WAIT 1 when the primary has replicas
 * (a WAIT that no replica answers is said in one notice, not an error);
 * and when the connection is lost, a replica refuses the write (READONLY)
 * or ROLE names a replica, the sentinels are asked again, the next one
 * first, and op runs again: at most RP_REDIS_ATTEMPTS times, and nothing
 * connected to (sentinel or primary) later than 3 timeouts after the
 * first attempt began, so that the whole takes at most that and one
 * command's timeout. op must therefore be safe to
 * repeat (its effect once, whether or not an earlier attempt took
 * effect) and reset its outputs itself. Returns op's 0 or -1 with err. */
#define RP_REDIS_ATTEMPTS 4
int rp_redis_run(struct rp_store *s, enum rp_redis_op_kind kind,
    int (*op)(struct rp_store *s, void *arg, struct rp_err *err), void *arg,
    struct rp_err *err);
/* The reason the connection failed, in words ("no answer within N ms"). */
const char *rp_redis_errstr(const struct rp_store *s);

/* A time as stored ("%ld", 0 to year 9999). */
int rp_redis_parse_time(const char *v, time_t *out);

/* Every element of an array reply of field/value pairs: f(field, value). */
void rp_redis_pairs(const redisReply *h, void (*f)(void *arg, const char *k, const char *v),
    void *arg);

#endif
