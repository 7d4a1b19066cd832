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

/* A growing argv for one command: the words, NUL-separated, in one buffer. */
struct argv {
	struct rp_buf buf;
	size_t *off;
	size_t n, cap;
};

static void
arg(struct argv *a, const char *s)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->off = rp_xrealloc(a->off, a->cap * sizeof(size_t));
	}
	a->off[a->n++] = a->buf.len;
	rp_buf_append(&a->buf, s, strlen(s) + 1);
}

static void
argf(struct argv *a, long v)
{
	char b[24];

	snprintf(b, sizeof(b), "%ld", v);
	arg(a, b);
}

/* The words as hiredis wants them; valid until a is changed or freed. */
static const char **
argv_words(const struct argv *a)
{
	const char **v = rp_xmalloc(a->n * sizeof(char *));
	size_t i;

	for (i = 0; i < a->n; i++)
		v[i] = a->buf.data + a->off[i];
	return v;
}

static void
argv_free(struct argv *a)
{
	/* The words may hold an event with its routing key. */
	if (a->buf.data != NULL)
		explicit_bzero(a->buf.data, a->buf.len);
	rp_buf_free(&a->buf);
	free(a->off);
	memset(a, 0, sizeof(*a));
}

static void
argv_append(struct rp_store *s, struct argv *a)
{
	const char **v = argv_words(a);

	redisAppendCommandArgv(s->c, (int)a->n, v, NULL);
	free(v);
	argv_free(a);
}

static int
hello_read(struct rp_store *s, struct rp_err *err)
{
	return rp_redis_hello(s, err);
}

static int
parse_time(const char *v, time_t *out)
{
	return rp_redis_parse_time(v, out);
}

static void
field(struct argv *a, const char *name, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	arg(a, name);
	arg(a, v);
}

static void
expire(struct rp_store *s, const char *key, long ttl)
{
	struct argv a = {0};

	arg(&a, "EXPIRE");
	arg(&a, key);
	argf(&a, ttl);
	argv_append(s, &a);
}

static int
silence_set(struct rp_store *s, const struct rp_silence *si, long ttl,
    struct rp_err *err)
{
	struct argv a = {0};
	char *key = rp_xasprintf("%s:silence:%s", s->prefix, si->name);
	const char **v;
	redisReply *r;
	size_t i;
	int rc = 0;

	redisAppendCommand(s->c, "MULTI");
	redisAppendCommand(s->c, "DEL %s", key);
	arg(&a, "HSET");
	arg(&a, key);
	arg(&a, "until");
	argf(&a, (long)si->until);
	arg(&a, "set_at");
	argf(&a, (long)si->set_at);
	field(&a, "reason", si->reason);
	field(&a, "by", si->by);
	v = argv_words(&a);
	redisAppendCommandArgv(s->c, (int)a.n, v, NULL);
	free(v);
	argv_free(&a);
	expire(s, key, ttl);
	redisAppendCommand(s->c, "EXEC");
	if (hello_read(s, err) != 0) {
		free(key);
		return -1;
	}
	for (i = 0; i < 5; i++) {
		void *p = NULL;
		if (redisGetReply(s->c, &p) != REDIS_OK) {
			rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis: %s", s->c->errstr);
			break;
		}
		r = p;
		if (r->type == REDIS_REPLY_ERROR && rc == 0)
			rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis: %.*s", (int)r->len, r->str);
		freeReplyObject(r);
	}
	free(key);
	return rc;
}

static int
silence_clear(struct rp_store *s, const char *name, struct rp_err *err)
{
	char *key = rp_xasprintf("%s:silence:%s", s->prefix, name);
	redisReply *r;
	int rc;

	/* The DEL rides with AUTH and SELECT (and WAIT after it), in one round
	 * trip. */
	redisAppendCommand(s->c, "DEL %s", key);
	free(key);
	if (hello_read(s, err) != 0 || rp_redis_reply(s, &r, "clearing a silence", err) != 0)
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

static void
silence_field(void *arg, const char *f, const char *val)
{
	struct rp_silence *si = arg;

	if (strcmp(f, "until") == 0)
		parse_time(val, &si->until);
	else if (strcmp(f, "set_at") == 0)
		parse_time(val, &si->set_at);
	else if (strcmp(f, "reason") == 0 && si->reason == NULL)
		si->reason = rp_xstrdup(val);
	else if (strcmp(f, "by") == 0 && si->by == NULL)
		si->by = rp_xstrdup(val);
}

static int
silence_list(struct rp_store *s, struct rp_silence **out, size_t *n,
    struct rp_err *err)
{
	char *pattern = rp_xasprintf("%s:silence:*", s->prefix);
	size_t plen = strlen(pattern) - 1, i, k = 0;
	struct rp_silence *v;
	redisReply *r = NULL;

	*n = 0;
	*out = NULL;
	redisAppendCommand(s->c, "EVAL %s 0 %s", list_script, pattern);
	free(pattern);
	if (hello_read(s, err) != 0 || rp_redis_reply(s, &r, "listing silences", err) != 0)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(r);
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis: listing silences: unexpected answer");
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

static int
store_runs(struct rp_store *s, const char *const *programs, size_t n,
    struct rp_run_info *out, struct rp_err *err)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < n; i++) {
		char *key = rp_xasprintf("%s:run:%s", s->prefix, programs[i]);
		redisAppendCommand(s->c, "HGETALL %s", key);
		free(key);
	}
	if (hello_read(s, err) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		void *p = NULL;
		redisReply *h;

		memset(&out[i], 0, sizeof(out[i]));
		if (redisGetReply(s->c, &p) != REDIS_OK)
			return rp_err_set(err, RP_EXIT_UNKNOWN, "redis: reading run records: %s",
			    s->c->errstr);
		h = p;
		if (h->type == REDIS_REPLY_ERROR && rc == 0)
			rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis: %.*s", (int)h->len, h->str);
		for (j = 0; h->type == REDIS_REPLY_ARRAY && j + 1 < h->elements; j += 2) {
			const char *f = h->element[j]->str, *v = h->element[j + 1]->str;
			long x;
			if (f == NULL || v == NULL)
				continue;
			if (strcmp(f, "start") == 0)
				parse_time(v, &out[i].start);
			else if (strcmp(f, "end") == 0)
				parse_time(v, &out[i].end);
			else if (strcmp(f, "host") == 0)
				rp_strlcpy(out[i].host, v, sizeof(out[i].host));
			else if (strcmp(f, "exit") == 0 && rp_parse_long(v, 0, 255, &x) == 0)
				out[i].exit_status = (int)x;
			else if (strcmp(f, "evaluated") == 0 && rp_parse_long(v, 0, 100000000, &x) == 0)
				out[i].evaluated = x;
		}
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
