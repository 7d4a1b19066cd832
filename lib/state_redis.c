/*
 * The Redis implementation of the state store (hiredis). Every command has
 * the configured timeout; a run makes one round trip to read (a Lua script,
 * so that reading, the due test and the lock are one atomic step) and one to
 * write (MULTI ... EXEC, pipelined).
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "state.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/*
 * KEYS: the outbox (sorted set, hash, lock) and this minute's rate hash,
 * then the check, lock and silence key of each check, in threes. ARGV: now,
 * dry, the outbox token ("" to leave the outbox alone) and how long its lock
 * may be held, then per check its window (seconds) and whether it is forced.
 * Returns, per check, 1 or 0 for due, the HGETALL of its record, and the
 * end of its silence ("" if none), these two for due checks only (a run
 * with nothing due reads next to nothing); then, with a token: 1 or 0 for the
 * outbox lock taken, the outbox's ids oldest first, their entries (only
 * when the lock was taken), and the HGETALL of the rate hash.
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
    "for i = 1, (#KEYS - 4) / 3 do\n"
    "  local ck, lk, sk = KEYS[3*i+2], KEYS[3*i+3], KEYS[3*i+4]\n"
    "  local w = tonumber(ARGV[2*i+3])\n"
    "  local due = 0\n"
    "  if ARGV[2*i+4] == '1' then\n"
    "    due = 1\n"
    "  elseif passed(tonumber(redis.call('HGET', ck, 'last_eval') or ''), w) and\n"
    "         passed(tonumber(redis.call('GET', lk) or ''), w) then\n"
    "    due = 1\n"
    "    if not dry then\n"
    "      redis.call('SET', lk, now, 'PX', w * 1000)\n"
    "    end\n"
    "  end\n"
    "  out[#out+1] = due\n"
    "  if due == 1 then\n"
    "    out[#out+1] = redis.call('HGETALL', ck)\n"
    "    out[#out+1] = redis.call('HGET', sk, 'until') or ''\n"
    "  else\n"
    "    out[#out+1] = {}\n"
    "    out[#out+1] = ''\n"
    "  end\n"
    "end\n"
    "if ARGV[3] ~= '' then\n"
    "  local owned = 0\n"
    "  local ids = redis.call('ZRANGE', KEYS[1], 0, -1)\n"
    "  local entries = {}\n"
    "  if #ids > 0 and redis.call('SET', KEYS[3], ARGV[3], 'NX', 'PX', ARGV[4]) then\n"
    "    owned = 1\n"
    "    entries = redis.call('HMGET', KEYS[2], unpack(ids))\n"
    "  end\n"
    "  out[#out+1] = owned\n"
    "  out[#out+1] = ids\n"
    "  out[#out+1] = entries\n"
    "  out[#out+1] = redis.call('HGETALL', KEYS[4])\n"
    "end\n"
    "return out\n";

/*
 * Run inside the MULTI of rp_store_save. KEYS: the outbox (sorted set,
 * hash, lock), the rate hash, the refused events, the outbox sequence.
 * ARGV: token, TTL of the outbox, TTL of the refused events, then counted
 * lists: ids done; (id, entry) to add; (id, entry) to update; (id, record)
 * refused; (label, count) sent. An id already queued keeps its place; an
 * update of an id no longer queued (another run delivered it) is dropped.
 */
static const char save_script[] =
    "local i = 4\n"
    "local function take() i = i + 1; return ARGV[i - 1] end\n"
    "local n = tonumber(take())\n"
    "for _ = 1, n do\n"
    "  local id = take()\n"
    "  redis.call('ZREM', KEYS[1], id)\n"
    "  redis.call('HDEL', KEYS[2], id)\n"
    "end\n"
    "n = tonumber(take())\n"
    "for _ = 1, n do\n"
    "  local id, v = take(), take()\n"
    "  if not redis.call('ZSCORE', KEYS[1], id) then\n"
    "    redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[6]), id)\n"
    "    redis.call('HSET', KEYS[2], id, v)\n"
    "  end\n"
    "end\n"
    "n = tonumber(take())\n"
    "for _ = 1, n do\n"
    "  local id, v = take(), take()\n"
    "  if redis.call('ZSCORE', KEYS[1], id) then redis.call('HSET', KEYS[2], id, v) end\n"
    "end\n"
    "n = tonumber(take())\n"
    "for _ = 1, n do\n"
    "  local id, v = take(), take()\n"
    "  redis.call('HSET', KEYS[5], id, v)\n"
    "end\n"
    "if n > 0 then redis.call('EXPIRE', KEYS[5], ARGV[3]) end\n"
    "n = tonumber(take())\n"
    "for _ = 1, n do\n"
    "  local l, c = take(), take()\n"
    "  redis.call('HINCRBY', KEYS[4], l, c)\n"
    "end\n"
    "if n > 0 then redis.call('EXPIRE', KEYS[4], 120) end\n"
    "if ARGV[1] ~= '' and redis.call('GET', KEYS[3]) == ARGV[1] then\n"
    "  redis.call('DEL', KEYS[3])\n"
    "end\n"
    "if redis.call('ZCARD', KEYS[1]) > 0 then\n"
    "  redis.call('EXPIRE', KEYS[1], ARGV[2])\n"
    "  redis.call('EXPIRE', KEYS[2], ARGV[2])\n"
    "  redis.call('EXPIRE', KEYS[6], ARGV[2])\n"
    "else\n"
    "  redis.call('DEL', KEYS[1], KEYS[2], KEYS[6])\n"
    "end\n"
    "return 1\n";

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

/* Connects s->c, with AUTH and SELECT as configured. */
static int
store_connect(struct rp_store *s, struct rp_err *err)
{
	struct timeval tv = {s->timeout_ms / 1000, (s->timeout_ms % 1000) * 1000};

	s->c = redisConnectWithTimeout(s->host, (int)s->port, tv);
	if (s->c == NULL || s->c->err) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s", s->host, s->port,
		    s->c ? s->c->errstr : "cannot connect");
		goto fail;
	}
	if (redisSetTimeout(s->c, tv) != REDIS_OK) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: cannot set a timeout", s->host,
		    s->port);
		goto fail;
	}
	/* AUTH and SELECT go out with the first command, in its round trip:
	 * a run makes two round trips, not four. */
	s->fresh = 1;
	s->hello_n = 0;
	return 0;
fail:
	if (s->c)
		redisFree(s->c);
	s->c = NULL;
	return -1;
}

static void
store_free(struct rp_store *s)
{
	if (s->c)
		redisFree(s->c);
	free(s->prefix);
	free(s->host);
	rp_free_secret(s->password);
	free(s);
}

struct rp_store *
rp_store_open(const char *host, long port, const char *password, long db,
    const char *prefix, long timeout_ms, struct rp_err *err)
{
	struct rp_store *s = rp_xcalloc(1, sizeof(*s));

	s->host = rp_xstrdup(host);
	s->port = port;
	s->password = password ? rp_xstrdup(password) : NULL;
	s->db = db;
	s->timeout_ms = timeout_ms;
	s->prefix = rp_xstrdup(prefix);
	if (store_connect(s, err) != 0) {
		store_free(s);
		return NULL;
	}
	return s;
}

int
rp_store_reconnect(struct rp_store *s, struct rp_err *err)
{
	if (s->c)
		redisFree(s->c);
	s->c = NULL;
	return store_connect(s, err);
}

void
rp_store_close(struct rp_store *s)
{
	if (s != NULL)
		store_free(s);
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

/* Whether s has a connection; on a fresh one, queues AUTH and SELECT in
 * front of the caller's commands (hello_read reads their replies). */
static int
connected(struct rp_store *s, struct rp_err *err)
{
	if (s->c == NULL)
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: not connected", s->host,
		    s->port);
	if (s->fresh) {
		s->fresh = 0;
		if (s->password != NULL && *s->password != '\0') {
			redisAppendCommand(s->c, "AUTH %s", s->password);
			s->hello_n++;
		}
		if (s->db != 0) {
			redisAppendCommand(s->c, "SELECT %ld", s->db);
			s->hello_n++;
		}
	}
	return 0;
}

/* Sends what is queued and reads the replies of AUTH and SELECT, if any
 * were queued: the caller's replies come next. Counts the round trip. On
 * failure the connection is closed (its replies are out of step). */
static int
hello_read(struct rp_store *s, struct rp_err *err)
{
	int rc = 0;

	s->trips++;
	while (s->hello_n > 0) {
		void *p = NULL;
		redisReply *r;

		s->hello_n--;
		if (redisGetReply(s->c, &p) != REDIS_OK) {
			rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s", s->host, s->port,
			    s->c->errstr[0] ? s->c->errstr : "no answer");
			break;
		}
		r = p;
		if (r->type == REDIS_REPLY_ERROR && rc == 0)
			/* Redis's answer names no secret; ours neither. */
			rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %.*s", s->host, s->port,
			    (int)r->len, r->str);
		freeReplyObject(r);
	}
	if (rc != 0) {
		redisFree(s->c);
		s->c = NULL;
		s->hello_n = 0;
	}
	return rc;
}

long
rp_store_round_trips(const struct rp_store *s)
{
	return s ? s->trips : 0;
}

static char *
key(const struct rp_store *s, const char *kind, const char *name)
{
	return name ? rp_xasprintf("%s:%s:%s", s->prefix, kind, name) :
	    rp_xasprintf("%s:%s", s->prefix, kind);
}

/* "<prefix>:<kind>[:<name>]" as the next word, built in place. */
static void
arg_key(struct argv *a, const struct rp_store *s, const char *kind, const char *name)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->off = rp_xrealloc(a->off, a->cap * sizeof(size_t));
	}
	a->off[a->n++] = a->buf.len;
	rp_buf_append(&a->buf, s->prefix, strlen(s->prefix));
	rp_buf_append(&a->buf, ":", 1);
	rp_buf_append(&a->buf, kind, strlen(kind));
	if (name != NULL) {
		rp_buf_append(&a->buf, ":", 1);
		rp_buf_append(&a->buf, name, strlen(name));
	}
	rp_buf_append(&a->buf, "", 1);
}

static const char *
jget_str(json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

static long
jget_long(json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);

	return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

static char *
jdup(json_t *o, const char *name)
{
	const char *v = jget_str(o, name);

	return v ? rp_xstrdup(v) : NULL;
}

/* An outbox entry as stored: JSON, so that a body of any bytes survives. */
static char *
entry_json(const struct rp_ob_entry *e)
{
	json_t *o = json_object();
	char *out;

	json_object_set_new(o, "check", json_string(e->check ? e->check : ""));
	json_object_set_new(o, "label", json_string(e->label ? e->label : ""));
	json_object_set_new(o, "body", json_string(e->body ? e->body : ""));
	json_object_set_new(o, "queued", json_integer(e->queued));
	json_object_set_new(o, "attempts", json_integer(e->attempts));
	json_object_set_new(o, "error", json_string(e->error ? e->error : ""));
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (out == NULL)
		abort(); /* Only out of memory: every string is ours and UTF-8. */
	return out;
}

/* Fills e (id already set) from its stored JSON; a damaged entry keeps
 * only its id, so that it can still be shown and removed. */
static void
entry_parse(struct rp_ob_entry *e, const char *text)
{
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;

	if (!json_is_object(o)) {
		json_decref(o);
		return;
	}
	e->check = jdup(o, "check");
	e->label = jdup(o, "label");
	e->body = jdup(o, "body");
	e->queued = (time_t)jget_long(o, "queued");
	e->attempts = jget_long(o, "attempts");
	e->error = jdup(o, "error");
	json_decref(o);
}

static char *
rejected_json(const struct rp_rejected *r)
{
	json_t *o = json_object();
	char *out;

	json_object_set_new(o, "check", json_string(r->check ? r->check : ""));
	json_object_set_new(o, "at", json_integer(r->at));
	json_object_set_new(o, "http", json_integer(r->http_status));
	json_object_set_new(o, "message", json_string(r->message ? r->message : ""));
	json_object_set_new(o, "event", json_string(r->event ? r->event : ""));
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (out == NULL)
		abort();
	return out;
}

static void
rejected_parse(struct rp_rejected *r, const char *text)
{
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;

	if (!json_is_object(o)) {
		json_decref(o);
		return;
	}
	r->check = jdup(o, "check");
	r->at = (time_t)jget_long(o, "at");
	r->http_status = jget_long(o, "http");
	r->message = jdup(o, "message");
	r->event = jdup(o, "event");
	json_decref(o);
}

/* The outbox part of a load answer: owned, ids, entries, rates. */
static int
fill_outbox(struct rp_outbox *ob, redisReply **part)
{
	redisReply *ids = part[1], *ents = part[2], *rates = part[3];
	size_t i;

	if (part[0]->type != REDIS_REPLY_INTEGER || ids->type != REDIS_REPLY_ARRAY ||
	    ents->type != REDIS_REPLY_ARRAY || rates->type != REDIS_REPLY_ARRAY)
		return -1;
	ob->owned = part[0]->integer == 1;
	ob->v = rp_xcalloc(ids->elements ? ids->elements : 1, sizeof(*ob->v));
	for (i = 0; i < ids->elements; i++) {
		struct rp_ob_entry *e = &ob->v[ob->n];
		if (ids->element[i]->str == NULL)
			continue;
		e->id = rp_xstrdup(ids->element[i]->str);
		if (ob->owned && i < ents->elements)
			entry_parse(e, ents->element[i]->str);
		ob->n++;
	}
	ob->rates = rp_xcalloc(rates->elements / 2 + 1, sizeof(*ob->rates));
	for (i = 0; i + 1 < rates->elements; i += 2) {
		struct rp_rate *r = &ob->rates[ob->nrates];
		if (rates->element[i]->str == NULL || rates->element[i + 1]->str == NULL ||
		    rp_strlcpy(r->label, rates->element[i]->str, sizeof(r->label)) != 0 ||
		    rp_parse_long(rates->element[i + 1]->str, 0, 100000000, &r->count) != 0)
			continue;
		ob->nrates++;
	}
	return 0;
}

int
rp_store_load(struct rp_store *s, struct rp_load *reqs, size_t n, time_t now, int dry,
    struct rp_outbox *ob, struct rp_err *err)
{
	struct argv a = {0};
	redisReply *r = NULL;
	size_t i, want;
	int rc = -1, with_ob = ob != NULL && !dry && ob->token != NULL;
	char minute[32];

	for (i = 0; i < n; i++) {
		reqs[i].due = 0;
		memset(&reqs[i].st, 0, sizeof(reqs[i].st));
	}
	if (ob != NULL) {
		ob->owned = 0;
		ob->v = NULL;
		ob->rates = NULL;
		ob->n = ob->nrates = 0;
	}
	if (n == 0 && !with_ob)
		return 0;
	if (connected(s, err) != 0)
		return -1;
	snprintf(minute, sizeof(minute), "%ld", ob ? ob->minute : 0L);
	arg(&a, "EVAL");
	arg(&a, load_script);
	argf(&a, (long)(4 + 3 * n));
	arg_key(&a, s, "outbox", NULL);
	arg_key(&a, s, "outbox:ev", NULL);
	arg_key(&a, s, "lock", "outbox");
	arg_key(&a, s, "rate", minute);
	for (i = 0; i < n; i++) {
		arg_key(&a, s, "check", reqs[i].name);
		arg_key(&a, s, "lock", reqs[i].name);
		arg_key(&a, s, "silence", reqs[i].name);
	}
	argf(&a, (long)now);
	arg(&a, dry ? "1" : "0");
	arg(&a, with_ob ? ob->token : "");
	argf(&a, with_ob ? ob->lock_ms : 0L);
	for (i = 0; i < n; i++) {
		long p = reqs[i].poll_sec;
		argf(&a, p - p / RP_POLL_SLACK_DIV);
		arg(&a, reqs[i].force ? "1" : "0");
	}
	{
		const char **v = argv_words(&a);
		void *p = NULL;
		redisAppendCommandArgv(s->c, (int)a.n, v, NULL);
		free(v);
		argv_free(&a);
		if (hello_read(s, err) != 0)
			goto out;
		if (redisGetReply(s->c, &p) == REDIS_OK)
			r = p;
	}
	if (reply_err(s, r, "reading state", err) != 0)
		goto out;
	want = 3 * n + (with_ob ? 4 : 0);
	if (r->type != REDIS_REPLY_ARRAY || r->elements != want) {
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
	if (with_ob && fill_outbox(ob, &r->element[3 * n]) != 0) {
		rp_outbox_free(ob);
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis: reading the outbox: unexpected answer");
		for (i = 0; i < n; i++)
			rp_state_clear(&reqs[i].st);
		goto out;
	}
	rc = 0;
out:
	if (r)
		freeReplyObject(r);
	return rc;
}

/* Appends the EVAL of save_script for u to the pipeline. */
static void
append_outbox_update(struct rp_store *s, const struct rp_ob_update *u)
{
	struct argv a = {0};
	char minute[32];
	size_t i;

	snprintf(minute, sizeof(minute), "%ld", u->minute);
	arg(&a, "EVAL");
	arg(&a, save_script);
	arg(&a, "6");
	arg_key(&a, s, "outbox", NULL);
	arg_key(&a, s, "outbox:ev", NULL);
	arg_key(&a, s, "lock", "outbox");
	arg_key(&a, s, "rate", minute);
	arg_key(&a, s, "rejected", NULL);
	arg_key(&a, s, "outbox:seq", NULL);
	arg(&a, u->token ? u->token : "");
	argf(&a, RP_TTL_OUTBOX);
	argf(&a, RP_TTL_REJECTED);
	argf(&a, (long)u->ndone);
	for (i = 0; i < u->ndone; i++)
		arg(&a, u->done[i]);
	argf(&a, (long)u->nadd);
	for (i = 0; i < u->nadd; i++) {
		char *j = entry_json(&u->add[i]);
		arg(&a, u->add[i].id);
		arg(&a, j);
		rp_free_secret(j);
	}
	argf(&a, (long)u->nretry);
	for (i = 0; i < u->nretry; i++) {
		char *j = entry_json(&u->retry[i]);
		arg(&a, u->retry[i].id);
		arg(&a, j);
		rp_free_secret(j);
	}
	argf(&a, (long)u->nrej);
	for (i = 0; i < u->nrej; i++) {
		char *j = rejected_json(&u->rej[i]);
		arg(&a, u->rej[i].id);
		arg(&a, j);
		free(j);
	}
	argf(&a, (long)u->nsent);
	for (i = 0; i < u->nsent; i++) {
		arg(&a, u->sent[i].label);
		argf(&a, u->sent[i].count);
	}
	argv_append(s, &a);
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
    size_t nalerts, const struct rp_run_rec *run, const struct rp_ob_update *ob,
    struct rp_err *err)
{
	struct argv a = {0};
	size_t i, ncmd = 0;
	redisReply *r = NULL;
	int rc = 0;

	if (connected(s, err) != 0)
		return -1;
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
	if (ob != NULL) {
		append_outbox_update(s, ob);
		ncmd++;
	}
	redisAppendCommand(s->c, "EXEC");
	ncmd++;
	if (hello_read(s, err) != 0)
		return -1;
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

int
rp_store_outbox_read(struct rp_store *s, struct rp_outbox *ob, struct rp_rejected **rej,
    size_t *nrej, struct rp_err *err)
{
	char *zk = key(s, "outbox", NULL), *hk = key(s, "outbox:ev", NULL);
	char *rk = key(s, "rejected", NULL);
	redisReply *r[3] = {NULL, NULL, NULL};
	size_t i;
	int rc = -1;

	memset(ob, 0, sizeof(*ob));
	*rej = NULL;
	*nrej = 0;
	if (connected(s, err) != 0)
		goto out;
	redisAppendCommand(s->c, "ZRANGE %s 0 -1", zk);
	redisAppendCommand(s->c, "HGETALL %s", hk);
	redisAppendCommand(s->c, "HGETALL %s", rk);
	if (hello_read(s, err) != 0)
		goto out;
	for (i = 0; i < 3; i++) {
		void *p = NULL;
		if (redisGetReply(s->c, &p) != REDIS_OK) {
			rp_err_set(err, RP_EXIT_UNKNOWN, "redis: reading the outbox: %s", s->c->errstr);
			goto out;
		}
		r[i] = p;
		if (reply_err(s, r[i], "reading the outbox", err) != 0)
			goto out;
		if (r[i]->type != REDIS_REPLY_ARRAY) {
			rp_err_set(err, RP_EXIT_UNKNOWN, "redis: reading the outbox: unexpected answer");
			goto out;
		}
	}
	ob->v = rp_xcalloc(r[0]->elements + 1, sizeof(*ob->v));
	for (i = 0; i < r[0]->elements; i++) {
		struct rp_ob_entry *e = &ob->v[ob->n];
		size_t j;
		if (r[0]->element[i]->str == NULL)
			continue;
		e->id = rp_xstrdup(r[0]->element[i]->str);
		for (j = 0; j + 1 < r[1]->elements; j += 2)
			if (r[1]->element[j]->str && strcmp(r[1]->element[j]->str, e->id) == 0)
				entry_parse(e, r[1]->element[j + 1]->str);
		ob->n++;
	}
	*rej = rp_xcalloc(r[2]->elements / 2 + 1, sizeof(**rej));
	for (i = 0; i + 1 < r[2]->elements; i += 2) {
		struct rp_rejected *x = &(*rej)[*nrej];
		if (r[2]->element[i]->str == NULL)
			continue;
		x->id = rp_xstrdup(r[2]->element[i]->str);
		rejected_parse(x, r[2]->element[i + 1]->str);
		(*nrej)++;
	}
	rc = 0;
out:
	for (i = 0; i < 3; i++)
		if (r[i])
			freeReplyObject(r[i]);
	if (rc != 0) {
		rp_outbox_free(ob);
		rp_rejected_free(*rej, *nrej);
		*rej = NULL;
		*nrej = 0;
	}
	free(zk);
	free(hk);
	free(rk);
	return rc;
}

int
rp_store_save_retry(struct rp_store *s, const char *const *names,
    const struct rp_check_state *states, size_t n, const struct rp_alert_rec *alerts,
    size_t nalerts, const struct rp_run_rec *run, const struct rp_ob_update *ob, long wait_ms,
    struct rp_err *err)
{
	struct timespec pause = {0, 500 * 1000000L};
	struct rp_err again;
	long waited = 0;

	if (rp_store_save(s, names, states, n, alerts, nalerts, run, ob, err) == 0)
		return 0;
	while (waited + 500 + s->timeout_ms < wait_ms) {
		nanosleep(&pause, NULL);
		waited += 500 + s->timeout_ms;
		if (rp_store_reconnect(s, &again) == 0 &&
		    rp_store_save(s, names, states, n, alerts, nalerts, run, ob, &again) == 0)
			return 0;
	}
	return -1; /* err says what the first attempt met */
}
