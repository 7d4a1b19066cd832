/*
 * Silences and run records in Redis. The connection and what the store's
 * modules share are in store_redis.c; check records in store_checks.c; the
 * outbox in store_outbox.c.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "store_redis.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Reads n replies of a pipeline, keeping the first error (the connection
 * stays in step); only the last is handed back, in *last (may be NULL). */
static int
replies(struct rp_store *s, size_t n, const char *what, redisReply **last, struct rp_err *err)
{
	size_t i;
	int rc = 0;

	if (last != NULL)
		*last = NULL;
	for (i = 0; i < n; i++) {
		redisReply *r;
		if (rp_redis_reply(s, &r, what, rc == 0 ? err : NULL) != 0) {
			rc = -1;
			if (s->c == NULL || s->c->err)
				return -1;
			continue;
		}
		if (i + 1 == n && last != NULL)
			*last = r;
		else
			freeReplyObject(r);
	}
	return rc;
}

static int
silence_set(struct rp_store *s, const struct rp_silence *si, long ttl, struct rp_err *err)
{
	struct rp_argv a = {0};
	redisReply *r = NULL;
	int rc;

	redisAppendCommand(s->c, "MULTI");
	rp_argv_add(&a, "DEL");
	rp_argv_key(&a, s, "silence", si->name);
	rp_argv_send(s, &a);
	rp_argv_add(&a, "HSET");
	rp_argv_key(&a, s, "silence", si->name);
	rp_argv_add(&a, "until");
	rp_argv_addl(&a, (long)si->until);
	rp_argv_add(&a, "set_at");
	rp_argv_addl(&a, (long)si->set_at);
	rp_argv_field(&a, "reason", si->reason);
	rp_argv_field(&a, "by", si->by);
	rp_argv_send(s, &a);
	rp_argv_add(&a, "EXPIRE");
	rp_argv_key(&a, s, "silence", si->name);
	rp_argv_addl(&a, ttl);
	rp_argv_send(s, &a);
	redisAppendCommand(s->c, "EXEC");
	if (rp_redis_hello(s, err) != 0)
		return -1;
	rc = replies(s, 5, "setting a silence", &r, err);
	if (rc == 0 && (r == NULL || r->type != REDIS_REPLY_ARRAY))
		rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: setting a silence: not done",
		    s->host, s->port);
	if (r != NULL)
		freeReplyObject(r);
	return rc;
}

static int
silence_clear(struct rp_store *s, const char *name, struct rp_err *err)
{
	struct rp_argv a = {0};
	redisReply *r;
	int rc;

	/* The DEL rides with AUTH and SELECT, in one round trip. */
	rp_argv_add(&a, "DEL");
	rp_argv_key(&a, s, "silence", name);
	rp_argv_send(s, &a);
	if (rp_redis_hello(s, err) != 0 || rp_redis_reply(s, &r, "clearing a silence", err) != 0)
		return -1;
	rc = r->type == REDIS_REPLY_INTEGER && r->integer == 1 ? 0 : 1;
	freeReplyObject(r);
	return rc;
}

static int
cmp_silence(const void *a, const void *b)
{
	return strcmp(((const struct rp_silence *)a)->name, ((const struct rp_silence *)b)->name);
}

/* KEYS: none. ARGV: the pattern of silence keys. Returns, for each
 * silence, its key and the HGETALL of it: one round trip however many. */
static const char list_script[] =
    "local out, cursor = {}, '0'\n"
    "repeat\n"
    "  local r = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)\n"
    "  cursor = r[1]\n"
    "  for _, k in ipairs(r[2]) do\n"
    "    local h = redis.call('HGETALL', k)\n"
    "    if #h > 0 then out[#out+1] = k; out[#out+1] = h end\n"
    "  end\n"
    "until cursor == '0'\n"
    "return out\n";

/* prefix as a SCAN MATCH pattern matching itself, then tail (a pattern):
 * a prefix may hold [, ], *, ? or \\. */
static char *
glob_literal(const char *prefix, const char *tail)
{
	struct rp_buf b = {0};

	for (; *prefix; prefix++) {
		if (strchr("[]*?\\", *prefix) != NULL)
			rp_buf_append(&b, "\\", 1);
		rp_buf_append(&b, prefix, 1);
	}
	rp_buf_append(&b, tail, strlen(tail));
	return b.data;
}

static void
silence_field(void *arg, const char *f, const char *val)
{
	struct rp_silence *si = arg;

	if (strcmp(f, "until") == 0)
		rp_redis_parse_time(val, &si->until);
	else if (strcmp(f, "set_at") == 0)
		rp_redis_parse_time(val, &si->set_at);
	else if (strcmp(f, "reason") == 0 && si->reason == NULL)
		si->reason = rp_xstrdup(val);
	else if (strcmp(f, "by") == 0 && si->by == NULL)
		si->by = rp_xstrdup(val);
}

static int
silence_list(struct rp_store *s, struct rp_silence **out, size_t *n,
    struct rp_err *err)
{
	char *pattern = glob_literal(s->prefix, ":silence:*");
	size_t plen = strlen(s->prefix) + strlen(":silence:"), i, k = 0;
	struct rp_silence *v;
	redisReply *r = NULL;

	*n = 0;
	*out = NULL;
	redisAppendCommand(s->c, "EVAL %s 0 %s", list_script, pattern);
	free(pattern);
	if (rp_redis_hello(s, err) != 0 || rp_redis_reply(s, &r, "listing silences", err) != 0)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(r);
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: listing silences: unexpected "
		    "answer", s->host, s->port);
	}
	v = rp_xcalloc(r->elements / 2 + 1, sizeof(*v));
	for (i = 0; i + 1 < r->elements; i += 2) {
		const char *key = r->element[i]->str;
		if (key == NULL || strlen(key) < plen)
			continue;
		v[k].name = rp_xstrdup(key + plen);
		rp_redis_pairs(r->element[i + 1], silence_field, &v[k]);
		k++;
	}
	freeReplyObject(r);
	if (k > 1)
		qsort(v, k, sizeof(*v), cmp_silence);
	*out = v;
	*n = k;
	return 0;
}

void
rp_silences_free(struct rp_silence *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].reason);
		free(v[i].by);
	}
	free(v);
}

static void
run_field(void *arg, const char *f, const char *v)
{
	struct rp_run_info *out = arg;
	long x;

	if (strcmp(f, "start") == 0)
		rp_redis_parse_time(v, &out->start);
	else if (strcmp(f, "end") == 0)
		rp_redis_parse_time(v, &out->end);
	else if (strcmp(f, "host") == 0)
		rp_strlcpy(out->host, v, sizeof(out->host));
	else if (strcmp(f, "exit") == 0 && rp_parse_long(v, 0, 255, &x) == 0)
		out->exit_status = (int)x;
	else if (strcmp(f, "evaluated") == 0 && rp_parse_long(v, 0, 100000000, &x) == 0)
		out->evaluated = x;
}

static int
store_runs(struct rp_store *s, const char *const *programs, size_t n,
    struct rp_run_info *out, struct rp_err *err)
{
	struct rp_argv a = {0};
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		rp_argv_add(&a, "HGETALL");
		rp_argv_key(&a, s, "run", programs[i]);
		rp_argv_send(s, &a);
	}
	if (rp_redis_hello(s, err) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		redisReply *h;
		if (rp_redis_reply(s, &h, "reading run records", rc == 0 ? err : NULL) != 0) {
			rc = -1;
			if (s->c == NULL || s->c->err)
				return -1;
			continue;
		}
		rp_redis_pairs(h, run_field, &out[i]);
		freeReplyObject(h);
	}
	return rc;
}

/*
 * Each operation as rp_redis_run runs it: again after a failover, so each
 * is safe to repeat. A silence set replaces the check's whole; a clear
 * that finds none after an attempt whose answer was lost reports it
 * cleared (that attempt did it); the reads are reads.
 */
struct op_args {
	const struct rp_silence *si;
	long ttl;
	const char *name;
	int sent;                /* an attempt's DEL may have been done */
	int none;                /* out: there was no silence to clear */
	struct rp_silence **out;
	size_t *n;
	const char *const *programs;
	struct rp_run_info *runs;
};

static int
set_op(struct rp_store *s, void *p, struct rp_err *err)
{
	const struct op_args *a = p;

	return rp_redis_connected(s, err) != 0 ? -1 : silence_set(s, a->si, a->ttl, err);
}

static int
clear_op(struct rp_store *s, void *p, struct rp_err *err)
{
	struct op_args *a = p;
	int earlier = a->sent, rc;

	if (rp_redis_connected(s, err) != 0)
		return -1;
	a->sent = 1;
	if ((rc = silence_clear(s, a->name, err)) < 0)
		return -1;
	a->none = rc == 1 && !earlier;
	return 0;
}

static int
list_op(struct rp_store *s, void *p, struct rp_err *err)
{
	const struct op_args *a = p;

	return rp_redis_connected(s, err) != 0 ? -1 : silence_list(s, a->out, a->n, err);
}

static int
runs_op(struct rp_store *s, void *p, struct rp_err *err)
{
	const struct op_args *a = p;

	return rp_redis_connected(s, err) != 0 ? -1 : store_runs(s, a->programs, *a->n, a->runs, err);
}

int
rp_store_silence_set(struct rp_store *s, const struct rp_silence *si, long ttl,
    struct rp_err *err)
{
	struct op_args a = {0};

	a.si = si;
	a.ttl = ttl;
	return rp_redis_run(s, RP_OP_WRITE, set_op, &a, err);
}

int
rp_store_silence_clear(struct rp_store *s, const char *name, struct rp_err *err)
{
	struct op_args a = {0};

	a.name = name;
	if (rp_redis_run(s, RP_OP_WRITE, clear_op, &a, err) != 0)
		return -1;
	return a.none;
}

int
rp_store_silence_list(struct rp_store *s, struct rp_silence **out, size_t *n,
    struct rp_err *err)
{
	struct op_args a = {0};

	*n = 0;
	*out = NULL;
	a.out = out;
	a.n = n;
	return rp_redis_run(s, RP_OP_READ, list_op, &a, err);
}

int
rp_store_runs(struct rp_store *s, const char *const *programs, size_t n,
    struct rp_run_info *out, struct rp_err *err)
{
	struct op_args a = {0};

	memset(out, 0, n * sizeof(*out));
	a.programs = programs;
	a.n = &n;
	a.runs = out;
	return rp_redis_run(s, RP_OP_READ, runs_op, &a, err);
}
