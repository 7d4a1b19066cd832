/*
 * Ping records in Redis: what rp-ping says of a ping check's job, one hash
 * per check (<prefix>:ping:<name>) with the TTL of check records. See
 * state.h for the contract.
 *
 * Fields (times in the store's clock, seconds; absent means 0 or none):
 *   start                 the last "start"
 *   success, success_start   the last success and the start of its run
 *   fail, fail_start      the last failure and the start of its run
 *   fail_status           its exit status (1-255), 0 for a bare "fail"
 *   fail_signal           the signal that killed it
 *   last_end              "success" or "fail": which came last (both may
 *                         fall in one second)
 *   duration, tail        of the last run that ended: how long it took and
 *                         the end of its output, when rp-ping ran it
 *   id                    the last signal's own id, so that a repeat of it
 *                         (after a lost answer, a failover) changes nothing
 * A start leaves the rest alone, so the last run's output stays in view
 * while the next one runs; a success or failure replaces duration and tail
 * (absent when it did not say), so they always describe the last run.
 */
#define _POSIX_C_SOURCE 200809L
#include "store_ping.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ping.h"
#include "store_redis.h"

/*
 * KEYS: the ping record. ARGV: now ("" for Redis's TIME), the kind (start,
 * success, fail), the exit status, the signal, the duration (-1 unknown),
 * the tail ("" none), the TTL, the signal's id. Returns the time recorded
 * and the start of the run it ended (0: unknown, or a start); a signal
 * whose id is the record's last one is a repeat: what it recorded then is
 * returned, and nothing changes.
 *
 * A start is open while no success or failure came after it: it is later
 * than both ends. An end that finds an open start (not after the end)
 * belongs to it; any other end's start is unknown. Within one second the
 * order of an end and a start cannot be told: a start in the second of the
 * last end counts as taken, so the rule errs towards "start unknown" and
 * "not running", never towards a run that is not there.
 */
static const char ping_script[] =
    "local now = tonumber(ARGV[1])\n"
    "if not now then now = tonumber(redis.call('TIME')[1]) end\n"
    "local k, kind = KEYS[1], ARGV[2]\n"
    "if redis.call('HGET', k, 'id') == ARGV[8] then\n"
    "  local e = kind == 'start' and 'start' or kind == 'success' and 'success' or 'fail'\n"
    "  local h = redis.call('HMGET', k, e, e .. '_start')\n"
    "  return {tonumber(h[1] or '') or now, tonumber(h[2] or '') or 0}\n"
    "end\n"
    "local run = 0\n"
    "redis.call('HSET', k, 'id', ARGV[8])\n"
    "if kind == 'start' then\n"
    "  redis.call('HSET', k, 'start', now)\n"
    "else\n"
    "  local h = redis.call('HMGET', k, 'start', 'success', 'fail')\n"
    "  local st, ok, ko = tonumber(h[1] or '') or 0, tonumber(h[2] or '') or 0,\n"
    "    tonumber(h[3] or '') or 0\n"
    "  if st > 0 and st <= now and st > ok and st > ko then run = st end\n"
    "  local f = kind == 'success' and 'success' or 'fail'\n"
    "  redis.call('HSET', k, f, now, f .. '_start', run, 'last_end', f)\n"
    "  if kind ~= 'success' then\n"
    "    redis.call('HSET', k, 'fail_status', ARGV[3], 'fail_signal', ARGV[4])\n"
    "  end\n"
    "  if tonumber(ARGV[5]) >= 0 then\n"
    "    redis.call('HSET', k, 'duration', ARGV[5])\n"
    "  else\n"
    "    redis.call('HDEL', k, 'duration')\n"
    "  end\n"
    "  if ARGV[6] ~= '' then\n"
    "    redis.call('HSET', k, 'tail', ARGV[6])\n"
    "  else\n"
    "    redis.call('HDEL', k, 'tail')\n"
    "  end\n"
    "end\n"
    "redis.call('EXPIRE', k, ARGV[7])\n"
    "return {now, run}\n";

/* KEYS: the ping records. Returns the HGETALL of each. */
static const char read_script[] =
    "local out = {}\n"
    "for i = 1, #KEYS do out[i] = redis.call('HGETALL', KEYS[i]) end\n"
    "return out\n";

static const char *const kind_names[] = {"start", "success", "fail"};

static void
ping_field(void *arg, const char *f, const char *v)
{
	struct rp_ping_rec *r = arg;
	long x;

	if (strcmp(f, "start") == 0)
		rp_redis_parse_time(v, &r->start);
	else if (strcmp(f, "success") == 0)
		rp_redis_parse_time(v, &r->success);
	else if (strcmp(f, "success_start") == 0)
		rp_redis_parse_time(v, &r->success_start);
	else if (strcmp(f, "fail") == 0)
		rp_redis_parse_time(v, &r->fail);
	else if (strcmp(f, "fail_start") == 0)
		rp_redis_parse_time(v, &r->fail_start);
	else if (strcmp(f, "fail_status") == 0 && rp_parse_long(v, 0, 255, &x) == 0)
		r->fail_status = (int)x;
	else if (strcmp(f, "fail_signal") == 0 && rp_parse_long(v, 0, 128, &x) == 0)
		r->fail_signal = (int)x;
	else if (strcmp(f, "last_end") == 0)
		r->last_failed = strcmp(v, "fail") == 0;
	else if (strcmp(f, "duration") == 0 && rp_parse_long(v, 0, 100L * 366 * 86400, &x) == 0)
		r->duration = x;
	else if (strcmp(f, "tail") == 0 && r->tail == NULL && strlen(v) <= RP_PING_TAIL_MAX)
		r->tail = rp_xstrdup(v);
}

void
rp_ping_rec_fill(struct rp_ping_rec *r, const redisReply *h)
{
	memset(r, 0, sizeof(*r));
	r->duration = -1;
	if (h == NULL || h->type != REDIS_REPLY_ARRAY || h->elements == 0)
		return;
	r->known = 1;
	rp_redis_pairs(h, ping_field, r);
}

struct ping_args {
	const char *name;
	const struct rp_ping *p;
	const time_t *now;
	time_t *at;
	const char *id;
};

static int
ping_once(struct rp_store *s, void *arg, struct rp_err *err)
{
	const struct ping_args *pa = arg;
	const struct rp_ping *p = pa->p;
	const time_t *now = pa->now;
	struct rp_argv a = {0};
	redisReply *r = NULL;
	char *tail = NULL;
	int rc = -1;

	if (rp_redis_connected(s, err) != 0)
		return -1;
	/* The one place a tail is written: whoever the caller, what is stored
	 * is bounded and safe to display. */
	if (p->kind != RP_PING_START && p->tail != NULL)
		tail = rp_ping_tail_of(p->tail, strlen(p->tail));
	rp_argv_add(&a, "EVAL");
	rp_argv_add(&a, ping_script);
	rp_argv_add(&a, "1");
	rp_argv_key(&a, s, "ping", pa->name);
	if (now != NULL)
		rp_argv_addl(&a, (long)*now);
	else
		rp_argv_add(&a, "");
	rp_argv_add(&a, kind_names[p->kind]);
	rp_argv_addl(&a, p->kind == RP_PING_FAIL ? p->status : 0);
	rp_argv_addl(&a, p->kind == RP_PING_FAIL ? p->signal : 0);
	rp_argv_addl(&a, p->kind == RP_PING_START || p->duration < 0 ? -1L : p->duration);
	rp_argv_add(&a, tail != NULL ? tail : "");
	rp_argv_addl(&a, RP_TTL_CHECK);
	rp_argv_add(&a, pa->id);
	free(tail);
	rp_argv_send(s, &a);
	if (rp_redis_hello(s, err) != 0 || rp_redis_reply(s, &r, "recording the ping", err) != 0)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_INTEGER) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis: recording the ping: unexpected answer");
		goto out;
	}
	if (pa->at != NULL)
		*pa->at = (time_t)r->element[0]->integer;
	rc = 0;
out:
	freeReplyObject(r);
	return rc;
}

int
rp_store_ping(struct rp_store *s, const char *name, const struct rp_ping *p, const time_t *now,
    time_t *at, struct rp_err *err)
{
	struct ping_args a;
	struct timespec t;
	char id[80];

	/* Unique to this signal: this process, this instant. */
	clock_gettime(CLOCK_REALTIME, &t);
	snprintf(id, sizeof(id), "%ld.%ld.%09ld", (long)getpid(), (long)t.tv_sec, t.tv_nsec);
	a.name = name;
	a.p = p;
	a.now = now;
	a.at = at;
	a.id = id;
	return rp_redis_run(s, RP_OP_WRITE, ping_once, &a, err);
}

struct ping_read_args {
	const char *const *names;
	size_t n;
	struct rp_ping_rec *out;
};

static int
ping_read_once(struct rp_store *s, void *arg, struct rp_err *err)
{
	const struct ping_read_args *pa = arg;
	const char *const *names = pa->names;
	struct rp_ping_rec *out = pa->out;
	struct rp_argv a = {0};
	redisReply *r = NULL;
	size_t i, n = pa->n;
	int rc = -1;

	if (rp_redis_connected(s, err) != 0)
		return -1;
	rp_argv_add(&a, "EVAL");
	rp_argv_add(&a, read_script);
	rp_argv_addl(&a, (long)n);
	for (i = 0; i < n; i++)
		rp_argv_key(&a, s, "ping", names[i]);
	rp_argv_send(s, &a);
	if (rp_redis_hello(s, err) != 0 || rp_redis_reply(s, &r, "reading pings", err) != 0)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != n) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis: reading pings: unexpected answer");
		goto out;
	}
	for (i = 0; i < n; i++)
		rp_ping_rec_fill(&out[i], r->element[i]);
	rc = 0;
out:
	freeReplyObject(r);
	return rc;
}

int
rp_store_ping_read(struct rp_store *s, const char *const *names, size_t n,
    struct rp_ping_rec *out, struct rp_err *err)
{
	struct ping_read_args a = {names, n, out};
	size_t i;

	for (i = 0; i < n; i++)
		rp_ping_rec_fill(&out[i], NULL);
	if (n == 0)
		return 0;
	return rp_redis_run(s, RP_OP_READ, ping_read_once, &a, err);
}
