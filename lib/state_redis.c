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
reply_err(struct rp_store *s, redisReply *r, const char *what, struct rp_err *err)
{
	if (r == NULL)
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis: %s: %s", what, rp_redis_errstr(s));
	if (r->type == REDIS_REPLY_ERROR)
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis: %s: %.*s", what, (int)r->len, r->str);
	return 0;
}

static int
connected(struct rp_store *s, struct rp_err *err)
{
	return rp_redis_connected(s, err);
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

	if (hello_read(s, err) != 0) {
		free(key);
		return -1;
	}
	r = redisCommand(s->c, "DEL %s", key);
	free(key);
	if (reply_err(s, r, "clearing a silence", err) != 0) {
		if (r)
			freeReplyObject(r);
		return -1;
	}
	rc = r->type == REDIS_REPLY_INTEGER && r->integer == 1 ? 0 : 1;
	freeReplyObject(r);
	return rc;
}

static int
cmp_silence(const void *a, const void *b)
{
	return strcmp(((const struct rp_silence *)a)->name, ((const struct rp_silence *)b)->name);
}

static int
silence_list(struct rp_store *s, struct rp_silence **out, size_t *n,
    struct rp_err *err)
{
	char *pattern = rp_xasprintf("%s:silence:*", s->prefix);
	size_t plen = strlen(pattern) - 1, i;
	struct rp_silence *v = NULL;
	char cursor[32] = "0";
	redisReply *r;

	*n = 0;
	if (hello_read(s, err) != 0) {
		free(pattern);
		return -1;
	}
	do {
		r = redisCommand(s->c, "SCAN %s MATCH %s COUNT 1000", cursor, pattern);
		if (reply_err(s, r, "listing silences", err) != 0 || r->type != REDIS_REPLY_ARRAY ||
		    r->elements != 2) {
			if (r)
				freeReplyObject(r);
			free(pattern);
			rp_silences_free(v, *n);
			*n = 0;
			return -1;
		}
		rp_strlcpy(cursor, r->element[0]->str ? r->element[0]->str : "0", sizeof(cursor));
		for (i = 0; i < r->element[1]->elements; i++) {
			const char *key = r->element[1]->element[i]->str;
			redisReply *h = redisCommand(s->c, "HGETALL %s", key);
			struct rp_silence si = {0};
			size_t j;

			if (h == NULL || h->type != REDIS_REPLY_ARRAY || h->elements == 0) {
				if (h)
					freeReplyObject(h);
				continue; /* expired between SCAN and HGETALL */
			}
			si.name = rp_xstrdup(key + plen);
			for (j = 0; j + 1 < h->elements; j += 2) {
				const char *f = h->element[j]->str, *val = h->element[j + 1]->str;
				if (f == NULL || val == NULL)
					continue;
				if (strcmp(f, "until") == 0)
					parse_time(val, &si.until);
				else if (strcmp(f, "set_at") == 0)
					parse_time(val, &si.set_at);
				else if (strcmp(f, "reason") == 0)
					si.reason = rp_xstrdup(val);
				else if (strcmp(f, "by") == 0)
					si.by = rp_xstrdup(val);
			}
			freeReplyObject(h);
			v = rp_xrealloc(v, (*n + 1) * sizeof(*v));
			v[(*n)++] = si;
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	free(pattern);
	if (v != NULL && *n > 1)
		qsort(v, *n, sizeof(*v), cmp_silence);
	*out = v;
	return 0;
}

void
rp_silences_free(struct rp_silence *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
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

int
rp_store_silence_set(struct rp_store *s, const struct rp_silence *si, long ttl,
    struct rp_err *err)
{
	return connected(s, err) != 0 ? -1 : silence_set(s, si, ttl, err);
}

int
rp_store_silence_clear(struct rp_store *s, const char *name, struct rp_err *err)
{
	return connected(s, err) != 0 ? -1 : silence_clear(s, name, err);
}

int
rp_store_silence_list(struct rp_store *s, struct rp_silence **out, size_t *n,
    struct rp_err *err)
{
	*n = 0;
	*out = NULL;
	return connected(s, err) != 0 ? -1 : silence_list(s, out, n, err);
}

int
rp_store_runs(struct rp_store *s, const char *const *programs, size_t n,
    struct rp_run_info *out, struct rp_err *err)
{
	memset(out, 0, n * sizeof(*out));
	return connected(s, err) != 0 ? -1 : store_runs(s, programs, n, out, err);
}

