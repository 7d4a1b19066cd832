/*
 * The outbox and the refused events in Redis: entries as JSON, what a run's
 * delivery changes (rp_store_settle), and the read of both for rp-status
 * and rp-heartbeat. See state.h for the contract.
 */
#define _POSIX_C_SOURCE 200809L
#include "store_outbox.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * KEYS: the outbox (sorted set, hash, lock), the rate hash, the refused
 * events, the outbox sequence, the set of runs whose sends the rate hash
 * counts. ARGV: token, TTL of the outbox, TTL of the refused events, the
 * entries held for the next minute (rp_ob_update.held), then counted lists:
 * ids done; (id, entry) to update; (id, record) refused; (label, count)
 * sent. An update of an id no longer queued (another run delivered it) is
 * dropped. A run's sends are counted once, so that the settle is safe to
 * repeat after a lost answer; the rest is so by itself. When the run
 * holding the lock found every entry held for the next minute, and the
 * outbox holds just those (none was added since it claimed them), the
 * minute's rate hash says so in its field "!held" (no label begins with
 * '!'): the commit script then leaves the outbox alone for the rest of the
 * minute unless it adds an entry.
 */
static const char settle_script[] =
    "local i = 5\n"
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
    "  if redis.call('ZSCORE', KEYS[1], id) then redis.call('HSET', KEYS[2], id, v) end\n"
    "end\n"
    "n = tonumber(take())\n"
    "for _ = 1, n do\n"
    "  local id, v = take(), take()\n"
    "  redis.call('HSET', KEYS[5], id, v)\n"
    "end\n"
    "if n > 0 then redis.call('EXPIRE', KEYS[5], ARGV[3]) end\n"
    "n = tonumber(take())\n"
    "local fresh = n == 0 or ARGV[1] == '' or redis.call('SADD', KEYS[7], ARGV[1]) == 1\n"
    "for _ = 1, n do\n"
    "  local l, c = take(), take()\n"
    "  if fresh then redis.call('HINCRBY', KEYS[4], l, c) end\n"
    "end\n"
    "if n > 0 then redis.call('EXPIRE', KEYS[4], 120); redis.call('EXPIRE', KEYS[7], 120) end\n"
    "if ARGV[1] ~= '' and redis.call('GET', KEYS[3]) == ARGV[1] then\n"
    "  local held = tonumber(ARGV[4])\n"
    "  if held > 0 and redis.call('ZCARD', KEYS[1]) == held then\n"
    "    redis.call('HSET', KEYS[4], '!held', held)\n"
    "    redis.call('EXPIRE', KEYS[4], 120)\n"
    "  else\n"
    "    redis.call('HDEL', KEYS[4], '!held')\n"
    "  end\n"
    "  redis.call('DEL', KEYS[3])\n"
    "end\n"
    "if redis.call('ZCARD', KEYS[1]) == 0 then\n"
    "  redis.call('DEL', KEYS[1], KEYS[2], KEYS[6])\n"
    "end\n"
    "return 1\n";

/* KEYS: outbox, outbox:ev, rejected. Returns the ids oldest first, their
 * entries, and the refused events' HGETALL. */
static const char read_script[] =
    "local ids = redis.call('ZRANGE', KEYS[1], 0, -1)\n"
    "local entries = {}\n"
    "for i = 1, #ids, 1000 do\n"
    "  local part = redis.call('HMGET', KEYS[2], unpack(ids, i, math.min(i + 999, #ids)))\n"
    "  for j = 1, #part do entries[#entries+1] = part[j] end\n"
    "end\n"
    "return {ids, entries, redis.call('HGETALL', KEYS[3])}\n";

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

static char *
dump(json_t *o)
{
	char *out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(o);
	if (out == NULL)
		abort(); /* Only out of memory: every string is ours and UTF-8. */
	return out;
}

char *
rp_ob_entry_json(const struct rp_ob_entry *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "check", json_string(e->check ? e->check : ""));
	json_object_set_new(o, "label", json_string(e->label ? e->label : ""));
	json_object_set_new(o, "body", json_string(e->body ? e->body : ""));
	json_object_set_new(o, "queued", json_integer(e->queued));
	json_object_set_new(o, "attempts", json_integer(e->attempts));
	json_object_set_new(o, "error", json_string(e->error ? e->error : ""));
	return dump(o);
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

	json_object_set_new(o, "check", json_string(r->check ? r->check : ""));
	json_object_set_new(o, "at", json_integer(r->at));
	json_object_set_new(o, "http", json_integer(r->http_status));
	json_object_set_new(o, "message", json_string(r->message ? r->message : ""));
	json_object_set_new(o, "event", json_string(r->event ? r->event : ""));
	json_object_set_new(o, "fix", json_string(r->fix ? r->fix : ""));
	return dump(o);
}

void
rp_rejected_parse_json(struct rp_rejected *r, const char *text)
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
	r->fix = jdup(o, "fix");
	json_decref(o);
}

/* The entries of ids (an array of strings) and texts (alike) into ob->v. */
static void
fill_entries(struct rp_outbox *ob, const redisReply *ids, const redisReply *texts)
{
	size_t i;

	ob->v = rp_xcalloc(ids->elements + 1, sizeof(*ob->v));
	for (i = 0; i < ids->elements; i++) {
		struct rp_ob_entry *e = &ob->v[ob->n];
		if (ids->element[i]->str == NULL)
			continue;
		e->id = rp_xstrdup(ids->element[i]->str);
		if (i < texts->elements)
			entry_parse(e, texts->element[i]->str);
		ob->n++;
	}
}

int
rp_outbox_fill(struct rp_outbox *ob, redisReply **part)
{
	redisReply *ids = part[1], *ents = part[2], *rates = part[3];
	size_t i;

	if (part[0]->type != REDIS_REPLY_INTEGER || ids->type != REDIS_REPLY_ARRAY ||
	    ents->type != REDIS_REPLY_ARRAY || rates->type != REDIS_REPLY_ARRAY)
		return -1;
	ob->owned = part[0]->integer == 1;
	fill_entries(ob, ids, ents);
	ob->rates = rp_xcalloc(rates->elements / 2 + 1, sizeof(*ob->rates));
	for (i = 0; i + 1 < rates->elements; i += 2) {
		struct rp_rate *r = &ob->rates[ob->nrates];
		if (rates->element[i]->str == NULL || rates->element[i + 1]->str == NULL ||
		    rates->element[i]->str[0] == '!' ||
		    rp_strlcpy(r->label, rates->element[i]->str, sizeof(r->label)) != 0 ||
		    rp_parse_long(rates->element[i + 1]->str, 0, 100000000, &r->count) != 0)
			continue;
		ob->nrates++;
	}
	return 0;
}

/* The settle script's command for u. */
static void
settle_cmd(struct rp_store *s, const struct rp_ob_update *u)
{
	struct rp_argv a = {0};
	char minute[32];
	size_t i;

	snprintf(minute, sizeof(minute), "%ld", u->minute);
	rp_argv_add(&a, "EVAL");
	rp_argv_add(&a, settle_script);
	rp_argv_add(&a, "7");
	rp_argv_key(&a, s, "outbox", NULL);
	rp_argv_key(&a, s, "outbox:ev", NULL);
	rp_argv_key(&a, s, "lock", "outbox");
	rp_argv_key(&a, s, "rate", minute);
	rp_argv_key(&a, s, "rejected", NULL);
	rp_argv_key(&a, s, "outbox:seq", NULL);
	rp_argv_key(&a, s, "rated", minute);
	rp_argv_add(&a, u->token ? u->token : "");
	rp_argv_addl(&a, RP_TTL_OUTBOX);
	rp_argv_addl(&a, RP_TTL_REJECTED);
	rp_argv_addl(&a, u->held);
	rp_argv_addl(&a, (long)u->ndone);
	for (i = 0; i < u->ndone; i++)
		rp_argv_add(&a, u->done[i]);
	rp_argv_addl(&a, (long)u->nretry);
	for (i = 0; i < u->nretry; i++) {
		char *j = rp_ob_entry_json(&u->retry[i]);
		rp_argv_add(&a, u->retry[i].id);
		rp_argv_add(&a, j);
		rp_free_secret(j);
	}
	rp_argv_addl(&a, (long)u->nrej);
	for (i = 0; i < u->nrej; i++) {
		char *j = rejected_json(&u->rej[i]);
		rp_argv_add(&a, u->rej[i].id);
		rp_argv_add(&a, j);
		free(j);
	}
	rp_argv_addl(&a, (long)u->nsent);
	for (i = 0; i < u->nsent; i++) {
		rp_argv_add(&a, u->sent[i].label);
		rp_argv_addl(&a, u->sent[i].count);
	}
	rp_argv_send(s, &a);
}

/* HSET of an alert record's answer. */
static void
answer_cmd(struct rp_store *s, const struct rp_alert_rec *al)
{
	struct rp_argv a = {0};

	rp_argv_add(&a, "HSET");
	rp_argv_key(&a, s, "alert", al->dedup_key);
	rp_argv_add(&a, "http_status");
	rp_argv_addl(&a, al->http_status);
	rp_argv_add(&a, "answer");
	rp_argv_add(&a, al->answer ? al->answer : "");
	rp_argv_send(s, &a);
}

static void
run_cmd(struct rp_store *s, const struct rp_run_rec *run)
{
	struct rp_argv a = {0};

	rp_argv_add(&a, "HSET");
	rp_argv_key(&a, s, "run", run->program);
	rp_argv_add(&a, "host");
	rp_argv_add(&a, run->host);
	rp_argv_add(&a, "start");
	rp_argv_addl(&a, (long)run->start);
	rp_argv_add(&a, "end");
	rp_argv_addl(&a, (long)run->end);
	rp_argv_add(&a, "exit");
	rp_argv_addl(&a, run->exit_status);
	rp_argv_add(&a, "evaluated");
	rp_argv_addl(&a, (long)run->evaluated);
	rp_argv_send(s, &a);
	rp_argv_add(&a, "EXPIRE");
	rp_argv_key(&a, s, "run", run->program);
	rp_argv_addl(&a, RP_TTL_RUN);
	rp_argv_send(s, &a);
}

struct settle_args {
	const struct rp_ob_update *u;
	const struct rp_alert_rec *answers;
	size_t n;
	const struct rp_run_rec *run;
};

static int
settle_once(struct rp_store *s, void *arg, struct rp_err *err)
{
	const struct settle_args *sa = arg;
	const struct rp_ob_update *u = sa->u;
	const struct rp_alert_rec *answers = sa->answers;
	const struct rp_run_rec *run = sa->run;
	size_t i, n = sa->n, ncmd = 2;
	int rc = 0;

	if (rp_redis_connected(s, err) != 0)
		return -1;
	redisAppendCommand(s->c, "MULTI");
	settle_cmd(s, u);
	for (i = 0; i < n; i++, ncmd++)
		answer_cmd(s, &answers[i]);
	if (run != NULL) {
		run_cmd(s, run);
		ncmd += 2;
	}
	redisAppendCommand(s->c, "EXEC");
	ncmd++;
	if (rp_redis_hello(s, err) != 0)
		return -1;
	/* Read every reply, so the connection stays in step; keep the first
	 * error. Only EXEC's answer says whether the writes happened. */
	for (i = 0; i < ncmd; i++) {
		redisReply *r;
		if (rp_redis_reply(s, &r, "recording deliveries", rc == 0 ? err : NULL) != 0) {
			if (s->c == NULL || s->c->err)
				return -1;
			rc = -1;
			continue;
		}
		if (i == ncmd - 1 && rc == 0 && r->type != REDIS_REPLY_ARRAY)
			rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis: recording deliveries: not done");
		freeReplyObject(r);
	}
	return rc;
}

int
rp_store_settle(struct rp_store *s, const struct rp_ob_update *u,
    const struct rp_alert_rec *answers, size_t n, const struct rp_run_rec *run,
    struct rp_err *err)
{
	struct settle_args a = {u, answers, n, run};

	return rp_redis_run(s, RP_OP_WRITE, settle_once, &a, err);
}

static void
fill_rejected(struct rp_rejected **rej, size_t *nrej, const redisReply *h)
{
	size_t i;

	*rej = rp_xcalloc(h->elements / 2 + 1, sizeof(**rej));
	for (i = 0; i + 1 < h->elements; i += 2) {
		struct rp_rejected *x = &(*rej)[*nrej];
		if (h->element[i]->str == NULL)
			continue;
		x->id = rp_xstrdup(h->element[i]->str);
		rp_rejected_parse_json(x, h->element[i + 1]->str);
		(*nrej)++;
	}
}

struct read_args {
	struct rp_outbox *ob;
	struct rp_rejected **rej;
	size_t *nrej;
};

static int
read_once(struct rp_store *s, void *arg, struct rp_err *err)
{
	const struct read_args *ra = arg;
	struct rp_outbox *ob = ra->ob;
	struct rp_argv a = {0};
	redisReply *r = NULL;
	int rc = -1;

	if (rp_redis_connected(s, err) != 0)
		return -1;
	rp_argv_add(&a, "EVAL");
	rp_argv_add(&a, read_script);
	rp_argv_add(&a, "3");
	rp_argv_key(&a, s, "outbox", NULL);
	rp_argv_key(&a, s, "outbox:ev", NULL);
	rp_argv_key(&a, s, "rejected", NULL);
	rp_argv_send(s, &a);
	if (rp_redis_hello(s, err) != 0 || rp_redis_reply(s, &r, "reading the outbox", err) != 0)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
	    r->element[0]->type != REDIS_REPLY_ARRAY || r->element[1]->type != REDIS_REPLY_ARRAY ||
	    r->element[2]->type != REDIS_REPLY_ARRAY) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis: reading the outbox: unexpected answer");
		goto out;
	}
	fill_entries(ob, r->element[0], r->element[1]);
	fill_rejected(ra->rej, ra->nrej, r->element[2]);
	rc = 0;
out:
	freeReplyObject(r);
	return rc;
}

int
rp_store_outbox_read(struct rp_store *s, struct rp_outbox *ob, struct rp_rejected **rej,
    size_t *nrej, struct rp_err *err)
{
	struct read_args a;

	memset(ob, 0, sizeof(*ob));
	*rej = NULL;
	*nrej = 0;
	a.ob = ob;
	a.rej = rej;
	a.nrej = nrej;
	return rp_redis_run(s, RP_OP_READ, read_once, &a, err);
}
