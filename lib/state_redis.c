/*
 * The Redis implementation of the state store (hiredis). Every command has
 * the configured timeout; a run makes one round trip to read (a Lua script,
 * so that reading, the due test and the lock are one atomic step) and one to
 * write (MULTI ... EXEC, pipelined).
 */
#define _POSIX_C_SOURCE 200809L
#include "state.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rp_store {
	redisContext *c;
	char *prefix;
};

/*
 * KEYS: check, lock and silence key of each check, in threes. ARGV: now,
 * dry, then per check its window (seconds) and whether it is forced.
 * Returns, per check, 1 or 0 for due, the HGETALL of its record, and the
 * end of its silence ("" if none).
 *
 * Due: the window has passed since the last evaluation (a time in the
 * future by more than a window counts as none: a clock that was wrong).
 * The lock holds the evaluation time of the run that took it, and is
 * compared in the same clock as everything else, so runs with --now behave
 * as real ones; its expiry only collects it.
 */
static const char load_script[] =
    "local now = tonumber(ARGV[1])\n"
    "local dry = ARGV[2] == '1'\n"
    "local function passed(t, w)\n"
    "  return t == nil or now - t >= w or t > now + w\n"
    "end\n"
    "local out = {}\n"
    "for i = 1, #KEYS / 3 do\n"
    "  local ck, lk, sk = KEYS[3*i-2], KEYS[3*i-1], KEYS[3*i]\n"
    "  local w = tonumber(ARGV[2*i+1])\n"
    "  local due = 0\n"
    "  if ARGV[2*i+2] == '1' then\n"
    "    due = 1\n"
    "  elseif passed(tonumber(redis.call('HGET', ck, 'last_eval') or ''), w) and\n"
    "         passed(tonumber(redis.call('GET', lk) or ''), w) then\n"
    "    due = 1\n"
    "    if not dry then\n"
    "      redis.call('SET', lk, now, 'PX', w * 1000)\n"
    "    end\n"
    "  end\n"
    "  out[#out+1] = due\n"
    "  out[#out+1] = redis.call('HGETALL', ck)\n"
    "  out[#out+1] = redis.call('HGET', sk, 'until') or ''\n"
    "end\n"
    "return out\n";

static int
reply_err(struct rp_store *s, redisReply *r, const char *what, struct rp_err *err)
{
	if (r == NULL)
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis: %s: %s", what,
		    s->c->errstr[0] ? s->c->errstr : "no answer");
	if (r->type == REDIS_REPLY_ERROR)
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis: %s: %.*s", what, (int)r->len, r->str);
	return 0;
}

struct rp_store *
rp_store_open(const char *host, long port, const char *password, long db,
    const char *prefix, long timeout_ms, struct rp_err *err)
{
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	struct rp_store *s;
	redisReply *r;

	s = rp_xcalloc(1, sizeof(*s));
	s->c = redisConnectWithTimeout(host, (int)port, tv);
	if (s->c == NULL || s->c->err) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s", host, port,
		    s->c ? s->c->errstr : "cannot connect");
		goto fail;
	}
	if (redisSetTimeout(s->c, tv) != REDIS_OK) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: cannot set a timeout", host, port);
		goto fail;
	}
	if (password != NULL && *password != '\0') {
		r = redisCommand(s->c, "AUTH %s", password);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			/* Redis's answer names no secret; ours neither. */
			rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: AUTH refused%s%.*s", host,
			    port, r ? ": " : "", r ? (int)r->len : 0, r ? r->str : "");
			if (r)
				freeReplyObject(r);
			goto fail;
		}
		freeReplyObject(r);
	}
	if (db != 0) {
		r = redisCommand(s->c, "SELECT %ld", db);
		if (reply_err(s, r, "SELECT", err) != 0) {
			if (r)
				freeReplyObject(r);
			goto fail;
		}
		freeReplyObject(r);
	} else {
		/* One cheap round trip proves the server answers at all. */
		r = redisCommand(s->c, "PING");
		if (reply_err(s, r, "PING", err) != 0) {
			if (r)
				freeReplyObject(r);
			goto fail;
		}
		freeReplyObject(r);
	}
	s->prefix = rp_xstrdup(prefix);
	return s;
fail:
	if (s->c)
		redisFree(s->c);
	free(s);
	return NULL;
}

void
rp_store_close(struct rp_store *s)
{
	if (s == NULL)
		return;
	redisFree(s->c);
	free(s->prefix);
	free(s);
}

static int
parse_time(const char *v, time_t *out)
{
	long x;

	if (rp_parse_long(v, 0, 253402300799L, &x) != 0)
		return -1;
	*out = (time_t)x;
	return 0;
}

/* Fills st from the field/value pairs of an HGETALL; unknown or bad fields
 * are ignored, so that an older or newer record never stops a run. */
static void
fill_state(struct rp_check_state *st, redisReply *h)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	if (h->type != REDIS_REPLY_ARRAY || h->elements == 0)
		return;
	st->known = 1;
	for (i = 0; i + 1 < h->elements; i += 2) {
		const char *f = h->element[i]->str, *v = h->element[i + 1]->str;
		long x;

		if (f == NULL || v == NULL)
			continue;
		if (strcmp(f, "status") == 0)
			rp_status_parse(v, &st->status);
		else if (strcmp(f, "summary") == 0)
			st->summary = rp_xstrdup(v);
		else if (strcmp(f, "last_eval") == 0)
			parse_time(v, &st->last_eval);
		else if (strcmp(f, "since") == 0)
			parse_time(v, &st->since);
		else if (strcmp(f, "open_key") == 0)
			st->open_key = rp_xstrdup(v);
		else if (strcmp(f, "open_sent") == 0)
			st->open_sent = strcmp(v, "1") == 0;
		else if (strcmp(f, "episode_start") == 0)
			parse_time(v, &st->episode_start);
		else if (strcmp(f, "unknown_count") == 0 && rp_parse_long(v, 0, 1000000, &x) == 0)
			st->unknown_count = x;
		else if (strcmp(f, "unknown_since") == 0)
			parse_time(v, &st->unknown_since);
		else if (strcmp(f, "stale_key") == 0)
			st->stale_key = rp_xstrdup(v);
		else if (strcmp(f, "unknown_key") == 0)
			st->unknown_key = rp_xstrdup(v);
		else if (strcmp(f, "unknown_sent") == 0)
			st->unknown_sent = strcmp(v, "1") == 0;
		else if (strcmp(f, "completion") == 0)
			parse_time(v, &st->completion);
		else if (strcmp(f, "success_day") == 0)
			st->success_day = rp_xstrdup(v);
	}
}

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

int
rp_store_load(struct rp_store *s, struct rp_load *reqs, size_t n, time_t now, int dry,
    struct rp_err *err)
{
	struct argv a = {0};
	redisReply *r;
	size_t i;
	int rc = -1;

	for (i = 0; i < n; i++) {
		reqs[i].due = 0;
		memset(&reqs[i].st, 0, sizeof(reqs[i].st));
	}
	if (n == 0)
		return 0;
	arg(&a, "EVAL");
	arg(&a, load_script);
	argf(&a, (long)(3 * n));
	for (i = 0; i < n; i++) {
		static const char *const kinds[] = {"check", "lock", "silence"};
		size_t j;
		for (j = 0; j < 3; j++) {
			char *k = rp_xasprintf("%s:%s:%s", s->prefix, kinds[j], reqs[i].name);
			arg(&a, k);
			free(k);
		}
	}
	argf(&a, (long)now);
	arg(&a, dry ? "1" : "0");
	for (i = 0; i < n; i++) {
		long p = reqs[i].poll_sec;
		argf(&a, p - p / RP_POLL_SLACK_DIV);
		arg(&a, reqs[i].force ? "1" : "0");
	}
	{
		const char **v = argv_words(&a);
		r = redisCommandArgv(s->c, (int)a.n, v, NULL);
		free(v);
	}
	argv_free(&a);
	if (reply_err(s, r, "reading state", err) != 0)
		goto out;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 * n) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis: reading state: unexpected answer");
		goto out;
	}
	for (i = 0; i < n; i++) {
		redisReply *su = r->element[3 * i + 2];
		reqs[i].due = r->element[3 * i]->type == REDIS_REPLY_INTEGER &&
		    r->element[3 * i]->integer == 1;
		fill_state(&reqs[i].st, r->element[3 * i + 1]);
		reqs[i].silenced_until = 0;
		if (su->type == REDIS_REPLY_STRING && su->str != NULL)
			parse_time(su->str, &reqs[i].silenced_until);
	}
	rc = 0;
out:
	if (r)
		freeReplyObject(r);
	return rc;
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
field_long(struct argv *a, const char *name, long v)
{
	if (v == 0)
		return;
	arg(a, name);
	argf(a, v);
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

int
rp_store_save(struct rp_store *s, const char *const *names,
    const struct rp_check_state *states, size_t n, const struct rp_alert_rec *alerts,
    size_t nalerts, const struct rp_run_rec *run, struct rp_err *err)
{
	struct argv a = {0};
	size_t i, ncmd = 0;
	redisReply *r = NULL;
	int rc = 0;

	redisAppendCommand(s->c, "MULTI");
	ncmd++;
	for (i = 0; i < n; i++) {
		const struct rp_check_state *st = &states[i];
		char *key = rp_xasprintf("%s:check:%s", s->prefix, names[i]);

		redisAppendCommand(s->c, "DEL %s", key);
		arg(&a, "HSET");
		arg(&a, key);
		field(&a, "status", rp_status_name(st->status));
		field(&a, "summary", st->summary);
		field_long(&a, "last_eval", (long)st->last_eval);
		field_long(&a, "since", (long)st->since);
		field(&a, "open_key", st->open_key);
		field_long(&a, "open_sent", st->open_sent);
		field_long(&a, "episode_start", (long)st->episode_start);
		field_long(&a, "unknown_count", st->unknown_count);
		field_long(&a, "unknown_since", (long)st->unknown_since);
		field(&a, "stale_key", st->stale_key);
		field(&a, "unknown_key", st->unknown_key);
		field_long(&a, "unknown_sent", st->unknown_sent);
		field_long(&a, "completion", (long)st->completion);
		field(&a, "success_day", st->success_day);
		argv_append(s, &a);
		expire(s, key, RP_TTL_CHECK);
		ncmd += 3;
		free(key);
	}
	for (i = 0; i < nalerts; i++) {
		const struct rp_alert_rec *al = &alerts[i];
		char *key = rp_xasprintf("%s:alert:%s", s->prefix, al->dedup_key);

		arg(&a, "HSET");
		arg(&a, key);
		arg(&a, "check");
		arg(&a, al->check);
		field(&a, "last_action", al->action);
		field(&a, "severity", al->severity);
		field(&a, "summary", al->summary);
		arg(&a, "sent_at");
		argf(&a, (long)al->sent_at);
		arg(&a, "http_status");
		argf(&a, al->http_status);
		field(&a, "answer", al->answer);
		argv_append(s, &a);
		expire(s, key, RP_TTL_ALERT);
		ncmd += 2;
		free(key);
	}
	if (run != NULL) {
		char *key = rp_xasprintf("%s:run:%s", s->prefix, run->program);

		arg(&a, "HSET");
		arg(&a, key);
		arg(&a, "host");
		arg(&a, run->host);
		arg(&a, "start");
		argf(&a, (long)run->start);
		arg(&a, "end");
		argf(&a, (long)run->end);
		arg(&a, "exit");
		argf(&a, run->exit_status);
		arg(&a, "evaluated");
		argf(&a, (long)run->evaluated);
		argv_append(s, &a);
		expire(s, key, RP_TTL_RUN);
		ncmd += 2;
		free(key);
	}
	redisAppendCommand(s->c, "EXEC");
	ncmd++;
	/* Read every reply, so the connection stays in step; keep the first
	 * error. Only EXEC's answer says whether the writes happened. */
	for (i = 0; i < ncmd; i++) {
		void *p = NULL;
		if (redisGetReply(s->c, &p) != REDIS_OK) {
			return rp_err_set(err, RP_EXIT_UNKNOWN, "redis: writing state: %s",
			    s->c->errstr[0] ? s->c->errstr : "no answer");
		}
		r = p;
		if (i == ncmd - 1 && rc == 0) {
			if (r->type == REDIS_REPLY_ERROR)
				rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis: writing state: %.*s",
				    (int)r->len, r->str);
			else if (r->type != REDIS_REPLY_ARRAY)
				rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis: writing state: not done");
		} else if (r->type == REDIS_REPLY_ERROR && rc == 0) {
			rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis: writing state: %.*s",
			    (int)r->len, r->str);
		}
		freeReplyObject(r);
	}
	return rc;
}

int
rp_store_silence_set(struct rp_store *s, const struct rp_silence *si, long ttl,
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

int
rp_store_silence_clear(struct rp_store *s, const char *name, struct rp_err *err)
{
	char *key = rp_xasprintf("%s:silence:%s", s->prefix, name);
	redisReply *r = redisCommand(s->c, "DEL %s", key);
	int rc;

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

int
rp_store_silence_list(struct rp_store *s, struct rp_silence **out, size_t *n,
    struct rp_err *err)
{
	char *pattern = rp_xasprintf("%s:silence:*", s->prefix);
	size_t plen = strlen(pattern) - 1, i;
	struct rp_silence *v = NULL;
	char cursor[32] = "0";
	redisReply *r;

	*n = 0;
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
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_silence);
	*out = v;
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

int
rp_store_runs(struct rp_store *s, const char *const *programs, size_t n,
    struct rp_run_info *out, struct rp_err *err)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < n; i++) {
		char *key = rp_xasprintf("%s:run:%s", s->prefix, programs[i]);
		redisAppendCommand(s->c, "HGETALL %s", key);
		free(key);
	}
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
