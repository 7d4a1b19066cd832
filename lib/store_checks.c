/*
 * Check records in Redis: the read of a run (due-ness, locks, states,
 * silences, in one atomic script), the write of its decision (states and
 * their events in one transaction, then the outbox claimed), and the merge
 * of what a run without state sent. See state.h for the contract.
 */
#define _POSIX_C_SOURCE 200809L
#include "store_redis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver.h"
#include "sink.h"
#include "store_outbox.h"
#include "store_ping.h"

/*
 * KEYS: the outbox, the refused events, then the check, lock, silence and
 * ping key of each check, in fours. ARGV: now ("" for Redis's TIME), dry,
 * then per check its window (seconds), whether it is forced, its check_at
 * and its flags: p for a ping check, r to read its record even when not due.
 * Returns the clock used, the outbox's size, then one element per check.
 * For due, forced or r checks, an array: due (1/0), why not ("", "early",
 * "recent", "ahead"), the record's last_eval (0: none), the lock taken (0:
 * none), the HGETALL of the record, the end of its silence, the refused
 * records of its open incident's trigger, every destination's, one a line
 * as "<id>\t<record>" ("" if none), and rp-ping's record of a ping check ({}
 * for others). For the others (not due, no lock taken, nothing more to
 * read), one integer: last_eval * 4 + 1, 2 or 3 for early, recent or
 * ahead. A run with nothing due reads next to nothing, and its answer is
 * one small number a check (eight elements were most of its cost).
 *
 * A lock holds the evaluation time of the run that took it, compared in the
 * same clock as everything else; its expiry only collects it. A record newer
 * than the clock means this run's clock is behind a run that already
 * decided: it must not evaluate, forced or not.
 */
static const char load_script[] =
    "local now = tonumber(ARGV[1])\n"
    "if not now then now = tonumber(redis.call('TIME')[1]) end\n"
    "local dry = ARGV[2] == '1'\n"
    /* The refused records of an incident's trigger, every destination's
     * (ids "trigger <key>" and "<destination> trigger <key>"), one a line
     * as "<id>\t<record>"; the hash is read once, and only if needed. */
    "local rej\n"
    "local function refused(open)\n"
    "  if not rej then\n"
    "    rej = {}\n"
    "    local all = redis.call('HGETALL', KEYS[2])\n"
    "    for j = 1, #all, 2 do\n"
    "      local k = string.match(all[j], '^trigger (.+)$') or\n"
    "        string.match(all[j], '^[^ ]*:[^ ]* trigger (.+)$')\n"
    "      if k then rej[k] = (rej[k] and rej[k] .. '\\n' or '') .. all[j] .. '\\t' .. all[j+1] end\n"
    "    end\n"
    "  end\n"
    "  return rej[open] or ''\n"
    "end\n"
    "local out = {now, redis.call('ZCARD', KEYS[1])}\n"
    "for i = 1, (#KEYS - 2) / 4 do\n"
    "  local ck, lk, sk, pk = KEYS[4*i-1], KEYS[4*i], KEYS[4*i+1], KEYS[4*i+2]\n"
    "  local w, force, at = tonumber(ARGV[4*i-1]), ARGV[4*i] == '1', tonumber(ARGV[4*i+1])\n"
    "  local ping, rd = ARGV[4*i+2]:find('p'), ARGV[4*i+2]:find('r')\n"
    "  local last = tonumber(redis.call('HGET', ck, 'last_eval') or '')\n"
    "  local why, locked = '', 0\n"
    "  if last and last > now then\n"
    "    why = 'ahead'\n"
    "  elseif not force then\n"
    /* The lock is read only when the record does not settle it: a run
     * with nothing due reads one field a check. */
    "    if now < at then\n"
    "      why = 'early'\n"
    "    elseif last and now - last < w then\n"
    "      why = 'recent'\n"
    "    else\n"
    "      local lock = tonumber(redis.call('GET', lk) or '')\n"
    "      if lock and now - lock < w and lock <= now + w then\n"
    "        why = 'recent'\n"
    "      elseif not dry then\n"
    "        redis.call('SET', lk, now, 'PX', w * 1000)\n"
    "        locked = now\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "  if why == '' or force or rd then\n"
    "    local open = redis.call('HGET', ck, 'open_key')\n"
    "    out[#out+1] = {why == '' and 1 or 0, why, last or 0, locked,\n"
    "      redis.call('HGETALL', ck), redis.call('HGET', sk, 'until') or '',\n"
    "      open and refused(open) or '', ping and redis.call('HGETALL', pk) or {}}\n"
    "  else\n"
    "    out[#out+1] = (last or 0) * 4 + (why == 'early' and 1 or why == 'recent' and 2 or 3)\n"
    "  end\n"
    "end\n"
    "return out\n";

/*
 * KEYS: outbox, outbox:ev, outbox:seq, lock:outbox, rate:<minute), rejected,
 * run:<program>, then per decision its check and lock key, then one alert
 * key per event. ARGV, read in order: token ("" to leave the outbox alone),
 * the lock's milliseconds, the TTLs of checks, alerts, runs and the outbox,
 * the run record's field/value count and pairs, the number of decisions,
 * then per decision: "w" (write) or "r" (release only), the expected
 * last_eval ("" none), its own last_eval ("" none), the lock to release
 * ("" none), the count and pairs of its fields, its number of events and
 * per event its id, its entry and the count and pairs of its alert record,
 * then the number of events sent straight and per event its id, its entry
 * and the ids of the two actions (trigger, resolve) of its destination and
 * key.
 *
 * A decision is written only if the record's last_eval is what the run
 * read: otherwise another run decided in between, and this decision, its
 * events included, is dropped (0 in the answer); unless the record's
 * last_eval is the decision's own: then this decision was written by an
 * attempt whose answer was lost (a failover), and it counts as written (1)
 * without being written again. An event whose id already waits keeps its
 * place; a new one removes a refused event of the same id
 * (this one is a corrected repeat). An event sent straight is queued again
 * when its decision is written (now or by the lost attempt) and an entry
 * of its key waits: the order PagerDuty sees ends as the run decided.
 * Returns the 1/0 of each decision, then
 * with a token: 1/0 for the outbox claimed, its ids oldest first, their
 * entries and this minute's rates. The outbox is not claimed while the
 * minute's rate hash says that every entry waits for the next minute
 * ("!held", see the settle script) and this commit added none: the run
 * would send nothing and need a round trip more to give the lock back.
 */
static const char commit_script[] =
    "local a, k = 0, 7\n"
    "local function take() a = a + 1; return ARGV[a] end\n"
    "local function key() k = k + 1; return KEYS[k] end\n"
    "local function hset(key, n, ttl)\n"
    "  local f = {}\n"
    "  for _ = 1, 2 * n do f[#f+1] = take() end\n"
    "  if #f > 0 then redis.call('HSET', key, unpack(f)); redis.call('EXPIRE', key, ttl) end\n"
    "end\n"
    "local token, lock_ms = take(), take()\n"
    "local ttl_check, ttl_alert, ttl_run, ttl_ob = take(), take(), take(), take()\n"
    "hset(KEYS[7], tonumber(take()), ttl_run)\n"
    "local out, added = {}, false\n"
    "for _ = 1, tonumber(take()) do\n"
    "  local mode, expect, own, lock = take(), take(), take(), take()\n"
    "  local ck, lk = key(), key()\n"
    "  local cur = redis.call('HGET', ck, 'last_eval') or ''\n"
    "  local ok = cur == expect\n"
    "  local again = mode == 'w' and not ok and own ~= '' and cur == own\n"
    "  if mode == 'r' then\n"
    "    if lock ~= '' and redis.call('GET', lk) == lock then redis.call('DEL', lk) end\n"
    "    ok = false\n"
    "  end\n"
    "  local nf = tonumber(take())\n"
    "  if ok then redis.call('DEL', ck); hset(ck, nf, ttl_check) else a = a + 2 * nf end\n"
    "  for _ = 1, tonumber(take()) do\n"
    "    local id, entry, ak = take(), take(), key()\n"
    "    local na = tonumber(take())\n"
    "    if ok then\n"
    "      if not redis.call('ZSCORE', KEYS[1], id) then\n"
    "        redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), id)\n"
    "        added = true\n"
    "        redis.call('HSET', KEYS[2], id, entry)\n"
    "      end\n"
    "      redis.call('HDEL', KEYS[6], id)\n"
    "      hset(ak, na, ttl_alert)\n"
    "    else\n"
    "      a = a + 2 * na\n"
    "    end\n"
    "  end\n"
    "  for _ = 1, tonumber(take()) do\n"
    "    local id, entry, t, r = take(), take(), take(), take()\n"
    "    if (ok or again) and not redis.call('ZSCORE', KEYS[1], id) and\n"
    "        (redis.call('ZSCORE', KEYS[1], t) or redis.call('ZSCORE', KEYS[1], r)) then\n"
    "      redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), id)\n"
    "      redis.call('HSET', KEYS[2], id, entry)\n"
    "      added = true\n"
    "    end\n"
    "  end\n"
    "  out[#out+1] = (ok or again) and 1 or 0\n"
    "end\n"
    "local size = redis.call('ZCARD', KEYS[1])\n"
    "if size > 0 then\n"
    "  redis.call('EXPIRE', KEYS[1], ttl_ob)\n"
    "  redis.call('EXPIRE', KEYS[2], ttl_ob)\n"
    "  redis.call('EXPIRE', KEYS[3], ttl_ob)\n"
    "end\n"
    "if added then redis.call('HDEL', KEYS[5], '!held') end\n"
    "if token == '' then return out end\n"
    "local holder = redis.call('GET', KEYS[4])\n"
    "local held = redis.call('HEXISTS', KEYS[5], '!held') == 1\n"
    "if size == 0 or not (holder == token or (not held and\n"
    "    not holder and redis.call('SET', KEYS[4], token, 'NX', 'PX', lock_ms))) then\n"
    "  out[#out+1] = 0; out[#out+1] = {}; out[#out+1] = {}\n"
    "  out[#out+1] = redis.call('HGETALL', KEYS[5])\n"
    "  return out\n"
    "end\n"
    "local ids = redis.call('ZRANGE', KEYS[1], 0, -1)\n"
    "local entries = {}\n"
    "for i = 1, #ids, 1000 do\n"
    "  local part = redis.call('HMGET', KEYS[2], unpack(ids, i, math.min(i + 999, #ids)))\n"
    "  for j = 1, #part do entries[#entries+1] = part[j] end\n"
    "end\n"
    "out[#out+1] = 1; out[#out+1] = ids; out[#out+1] = entries\n"
    "out[#out+1] = redis.call('HGETALL', KEYS[5])\n"
    "return out\n";

/*
 * KEYS: run:<program>, then the check key of each trigger sent without
 * state. ARGV: the run record's TTL, count and pairs, the TTL of checks,
 * now, then per trigger its dedup key. See rp_store_record_sent.
 */
static const char sent_script[] =
    "local a = 1\n"
    "local function take() a = a + 1; return ARGV[a - 1] end\n"
    "local ttl_run, nf = take(), tonumber(take())\n"
    "local f = {}\n"
    "for _ = 1, 2 * nf do f[#f+1] = take() end\n"
    "if #f > 0 then redis.call('HSET', KEYS[1], unpack(f)); redis.call('EXPIRE', KEYS[1], ttl_run) end\n"
    "local ttl, now = take(), take()\n"
    "for i = 2, #KEYS do\n"
    "  local ck, dk = KEYS[i], take()\n"
    "  local open = redis.call('HGET', ck, 'open_key')\n"
    "  if not open then\n"
    "    redis.call('HSET', ck, 'open_key', dk, 'open_sent', 1, 'episode_start', now)\n"
    "  elseif open == dk then\n"
    "    redis.call('HSET', ck, 'open_sent', 1)\n"
    "  elseif not redis.call('HGET', ck, 'stale_key') then\n"
    "    redis.call('HSET', ck, 'stale_key', dk)\n"
    "  end\n"
    "  redis.call('EXPIRE', ck, ttl)\n"
    "end\n"
    "return 1\n";

static void
state_field(void *arg, const char *f, const char *v)
{
	struct rp_check_state *st = arg;
	long x;

	if (strcmp(f, "status") == 0)
		rp_status_parse(v, &st->status);
	else if (strcmp(f, "summary") == 0)
		st->summary = rp_xstrdup(v);
	else if (strcmp(f, "last_eval") == 0)
		rp_redis_parse_time(v, &st->last_eval);
	else if (strcmp(f, "since") == 0)
		rp_redis_parse_time(v, &st->since);
	else if (strcmp(f, "open_key") == 0)
		st->open_key = rp_xstrdup(v);
	else if (strcmp(f, "open_sent") == 0)
		st->open_sent = strcmp(v, "1") == 0;
	else if (strcmp(f, "episode_start") == 0)
		rp_redis_parse_time(v, &st->episode_start);
	else if (strcmp(f, "unknown_count") == 0 && rp_parse_long(v, 0, 1000000, &x) == 0)
		st->unknown_count = x;
	else if (strcmp(f, "unknown_since") == 0)
		rp_redis_parse_time(v, &st->unknown_since);
	else if (strcmp(f, "stale_key") == 0)
		st->stale_key = rp_xstrdup(v);
	else if (strcmp(f, "unknown_key") == 0)
		st->unknown_key = rp_xstrdup(v);
	else if (strcmp(f, "unknown_sent") == 0)
		st->unknown_sent = strcmp(v, "1") == 0;
	else if (strcmp(f, "completion") == 0)
		rp_redis_parse_time(v, &st->completion);
	else if (strcmp(f, "success_day") == 0)
		st->success_day = rp_xstrdup(v);
	else if (strcmp(f, "mail_memo") == 0)
		st->mail_memo = rp_xstrdup(v);
	else if (strcmp(f, "first_seen") == 0)
		rp_redis_parse_time(v, &st->first_seen);
	else if (strcmp(f, "announced") == 0)
		st->announced = rp_xstrdup(v);
}

/* Fills st from an HGETALL; unknown or bad fields are ignored, so that an
 * older or newer record never stops a run. */
static void
fill_state(struct rp_check_state *st, const redisReply *h)
{
	memset(st, 0, sizeof(*st));
	if (h->type != REDIS_REPLY_ARRAY || h->elements == 0)
		return;
	st->known = 1;
	rp_redis_pairs(h, state_field, st);
}

static const char *
str_of(const redisReply *r)
{
	return r->type == REDIS_REPLY_STRING && r->str != NULL ? r->str : "";
}

static long
int_of(const redisReply *r)
{
	return r->type == REDIS_REPLY_INTEGER ? (long)r->integer : 0;
}

/* One check's six elements of a load answer. */
/* One check's element of the load script's answer; -1 if malformed. */
static int
fill_load(struct rp_load *l, const redisReply *r)
{
	redisReply **e = r->element;
	const char *why;

	if (r->type == REDIS_REPLY_INTEGER) {
		static const enum rp_skip code[] = {RP_SKIP_NONE, RP_SKIP_EARLY, RP_SKIP_RECENT,
		    RP_SKIP_AHEAD};
		if (r->integer < 1 || r->integer % 4 == 0)
			return -1;
		l->skip = code[r->integer % 4];
		l->last_eval = (time_t)(r->integer / 4);
		return 0;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 8)
		return -1;
	why = str_of(e[1]);

	l->due = int_of(e[0]) == 1;
	l->skip = strcmp(why, "early") == 0 ? RP_SKIP_EARLY : strcmp(why, "recent") == 0 ?
	    RP_SKIP_RECENT : strcmp(why, "ahead") == 0 ? RP_SKIP_AHEAD : RP_SKIP_NONE;
	l->last_eval = (time_t)int_of(e[2]);
	l->lock = (time_t)int_of(e[3]);
	fill_state(&l->st, e[4]);
	if (*str_of(e[5]) != '\0')
		rp_redis_parse_time(str_of(e[5]), &l->silenced_until);
	if (*str_of(e[6]) != '\0')
		l->refused = rp_xstrdup(str_of(e[6]));
	rp_ping_rec_fill(&l->ping_rec, e[7]);
	return 0;
}

/* Whether an error reply means the store keeps its data but takes no
 * writes now (out of memory, a replica, a failing disk). */
static int
refuses_writes(const char *msg)
{
	return strstr(msg, ": OOM ") != NULL || strstr(msg, ": READONLY ") != NULL ||
	    strstr(msg, ": MISCONF ") != NULL;
}

struct load_args {
	struct rp_load *reqs;
	size_t n;
	const time_t *now;
	int dry;
	time_t *clock;
	size_t *waiting;
};

static int load_once(struct rp_store *s, void *arg, struct rp_err *err);

int
rp_store_load(struct rp_store *s, struct rp_load *reqs, size_t n, const time_t *now, int dry,
    time_t *clock, size_t *waiting, struct rp_err *err)
{
	struct load_args a;
	struct rp_err first;

	a.reqs = reqs;
	a.n = n;
	a.now = now;
	a.dry = dry;
	a.clock = clock;
	a.waiting = waiting;
	/* A lock taken by an attempt whose answer was lost holds the check
	 * for a poll window: the next run evaluates it. */
	if (rp_redis_run(s, RP_OP_READ, load_once, &a, err) == 0)
		return 0;
	if (dry || !refuses_writes(err->msg))
		return -1;
	/* The data is there, the locks cannot be taken: read without them,
	 * so that what this run decides (a resolve above all) still goes out
	 * although it cannot be recorded. */
	first = *err;
	a.dry = 1;
	if (rp_redis_run(s, RP_OP_READ, load_once, &a, err) != 0)
		return -1;
	*err = first;
	return 1;
}

static int
load_once(struct rp_store *s, void *arg, struct rp_err *err)
{
	const struct load_args *la = arg;
	struct rp_load *reqs = la->reqs;
	size_t n = la->n, i;
	struct rp_argv a = {0};
	struct rp_reply_arena ar;
	redisReply *r = NULL;
	int rc = -1;

	memset(&ar, 0, sizeof(ar));
	for (i = 0; i < n; i++) {
		memset(&reqs[i].st, 0, sizeof(reqs[i].st));
		reqs[i].due = 0;
		reqs[i].skip = RP_SKIP_NONE;
		reqs[i].last_eval = reqs[i].lock = reqs[i].silenced_until = 0;
		reqs[i].refused = NULL;
		memset(&reqs[i].ping_rec, 0, sizeof(reqs[i].ping_rec));
	}
	if (rp_redis_connected(s, err) != 0)
		return -1;
	rp_argv_add(&a, "EVAL");
	rp_argv_add(&a, load_script);
	rp_argv_addl(&a, (long)(2 + 4 * n));
	rp_argv_key(&a, s, "outbox", NULL);
	rp_argv_key(&a, s, "rejected", NULL);
	for (i = 0; i < n; i++) {
		rp_argv_key(&a, s, "check", reqs[i].name);
		rp_argv_key(&a, s, "lock", reqs[i].name);
		rp_argv_key(&a, s, "silence", reqs[i].name);
		rp_argv_key(&a, s, "ping", reqs[i].name);
	}
	if (la->now != NULL)
		rp_argv_addl(&a, (long)*la->now);
	else
		rp_argv_add(&a, "");
	rp_argv_add(&a, la->dry ? "1" : "0");
	for (i = 0; i < n; i++) {
		long p = reqs[i].poll_sec;
		rp_argv_addl(&a, p - p / RP_POLL_SLACK_DIV);
		rp_argv_add(&a, reqs[i].force ? "1" : "0");
		rp_argv_addl(&a, (long)reqs[i].check_at);
		rp_argv_add(&a, reqs[i].ping ? (reqs[i].read ? "pr" : "p") : (reqs[i].read ? "r" : "-"));
	}
	rp_argv_send(s, &a);
	if (rp_redis_hello(s, err) != 0 ||
	    rp_redis_reply_big(s, &r, "reading state", &ar, err) != 0)
		goto out;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 + n ||
	    r->element[0]->type != REDIS_REPLY_INTEGER) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis: reading state: unexpected answer");
		goto out;
	}
	*la->clock = (time_t)int_of(r->element[0]);
	*la->waiting = (size_t)int_of(r->element[1]);
	for (i = 0; i < n; i++)
		if (fill_load(&reqs[i], r->element[2 + i]) != 0) {
			rp_err_set(err, RP_EXIT_UNKNOWN, "redis: reading state: unexpected answer");
			goto out;
		}
	rc = 0;
out:
	rp_reply_arena_free(&ar);
	return rc;
}

static void
state_fields(struct rp_words *f, const void *p)
{
	const struct rp_check_state *st = p;

	rp_words_field(f, "status", rp_status_name(st->status));
	rp_words_field(f, "summary", st->summary);
	rp_words_field_long(f, "last_eval", (long)st->last_eval);
	rp_words_field_long(f, "since", (long)st->since);
	rp_words_field(f, "open_key", st->open_key);
	rp_words_field_long(f, "open_sent", st->open_sent);
	rp_words_field_long(f, "episode_start", (long)st->episode_start);
	rp_words_field_long(f, "unknown_count", st->unknown_count);
	rp_words_field_long(f, "unknown_since", (long)st->unknown_since);
	rp_words_field(f, "stale_key", st->stale_key);
	rp_words_field(f, "unknown_key", st->unknown_key);
	rp_words_field_long(f, "unknown_sent", st->unknown_sent);
	rp_words_field_long(f, "completion", (long)st->completion);
	rp_words_field(f, "success_day", st->success_day);
	rp_words_field(f, "mail_memo", st->mail_memo);
	rp_words_field_long(f, "first_seen", (long)st->first_seen);
	rp_words_field(f, "announced", st->announced);
}

/* The pairs of a record, preceded by their count (a pass that counts
 * them, formatting nothing), onto w. */
static void
counted(struct rp_words *w, void (*fill)(struct rp_words *, const void *), const void *what)
{
	struct rp_words c = {0};

	fill(&c, what);
	rp_words_addl(w, (long)(c.n / 2));
	fill(w, what);
}

static void
run_fields(struct rp_words *f, const void *p)
{
	const struct rp_run_rec *run = p;

	if (run == NULL)
		return;
	rp_words_add(f, "host");
	rp_words_add(f, run->host);
	rp_words_add(f, "start");
	rp_words_addl(f, (long)run->start);
	rp_words_add(f, "end");
	rp_words_addl(f, (long)run->end);
	rp_words_add(f, "exit");
	rp_words_addl(f, run->exit_status);
	rp_words_add(f, "evaluated");
	rp_words_addl(f, (long)run->evaluated);
}

static void
alert_fields(struct rp_words *f, const void *p)
{
	const struct rp_alert_rec *al = p;

	rp_words_field(f, "check", al->check);
	rp_words_field(f, "last_action", al->action);
	rp_words_field(f, "severity", al->severity);
	rp_words_field(f, "summary", al->summary);
	rp_words_field_long(f, "sent_at", (long)al->sent_at);
	if (al->http_status != 0 || al->answer != NULL) {
		rp_words_add(f, "http_status");
		rp_words_addl(f, al->http_status);
		rp_words_field(f, "answer", al->answer);
	}
}

struct commit_args {
	struct rp_commit *v;
	size_t n;
	const struct rp_run_rec *run;
	struct rp_outbox *ob;
};

/* The keys of commit_script: the outbox's, the run's, then per decision
 * its check and lock and the alert of each event it writes. */
static size_t
commit_nkeys(const struct commit_args *ca)
{
	size_t i, n = 7 + 2 * ca->n;

	for (i = 0; i < ca->n; i++)
		n += ca->v[i].write ? ca->v[i].nevents : 0;
	return n;
}

static void
commit_keys(struct rp_words *w, struct rp_store *s, const struct commit_args *ca)
{
	char minute[32];
	size_t i, j;

	snprintf(minute, sizeof(minute), "%ld", ca->ob ? ca->ob->minute : 0L);
	rp_words_key(w, s, "outbox", NULL);
	rp_words_key(w, s, "outbox:ev", NULL);
	rp_words_key(w, s, "outbox:seq", NULL);
	rp_words_key(w, s, "lock", "outbox");
	rp_words_key(w, s, "rate", minute);
	rp_words_key(w, s, "rejected", NULL);
	rp_words_key(w, s, "run", ca->run ? ca->run->program : "-");
	for (i = 0; i < ca->n; i++) {
		rp_words_key(w, s, "check", ca->v[i].name);
		rp_words_key(w, s, "lock", ca->v[i].name);
		for (j = 0; ca->v[i].write && j < ca->v[i].nevents; j++)
			rp_words_key(w, s, "alert", ca->v[i].alerts[j].dedup_key);
	}
}

/* A time, or "" for none. */
static void
time_or_empty(struct rp_words *w, time_t t)
{
	if (t != 0)
		rp_words_addl(w, (long)t);
	else
		rp_words_add(w, "");
}

/* An event's id and entry (one word when counting: it holds a routing
 * key, made only to be sent). */
static void
entry_args(struct rp_words *w, const struct rp_ob_entry *e)
{
	char *entry;

	rp_words_add(w, e->id);
	if (w->s == NULL) {
		rp_words_add(w, "");
		return;
	}
	entry = rp_ob_entry_json(e);
	rp_words_add(w, entry);
	rp_free_secret(entry);
}

/* An event sent straight: its id and entry, and the ids of its key's two
 * actions at its destination. */
static void
straight_args(struct rp_words *w, const struct rp_ob_entry *e)
{
	static const char *const act[] = {"trigger", "resolve"};
	char dest[RP_DEST_MAX], *id;
	size_t i;

	entry_args(w, e);
	rp_dl_id_dest(e->id, dest, sizeof(dest));
	for (i = 0; i < 2; i++) {
		id = rp_dl_dest_id(dest, act[i], rp_dl_id_key(e->id));
		rp_words_add(w, id);
		free(id);
	}
}

/* One decision's arguments of commit_script. */
static void
decision_args(struct rp_words *w, const struct rp_commit *d)
{
	size_t j;

	rp_words_add(w, d->write ? "w" : "r");
	time_or_empty(w, d->expect_eval);
	time_or_empty(w, d->write ? d->st->last_eval : 0);
	time_or_empty(w, d->lock);
	if (d->write)
		counted(w, state_fields, d->st);
	else
		rp_words_addl(w, 0);
	rp_words_addl(w, (long)(d->write ? d->nevents : 0));
	for (j = 0; d->write && j < d->nevents; j++) {
		entry_args(w, &d->events[j]);
		counted(w, alert_fields, &d->alerts[j]);
	}
	rp_words_addl(w, (long)(d->write ? d->nsent : 0));
	for (j = 0; d->write && j < d->nsent; j++)
		straight_args(w, &d->sent[j]);
}

/* The command: EVAL commit_script, its keys, then its arguments (see the
 * script). */
static void
commit_words(struct rp_words *w, struct rp_store *s, const void *arg)
{
	const struct commit_args *ca = arg;
	const struct rp_outbox *ob = ca->ob;
	size_t i;

	rp_words_add(w, "EVAL");
	rp_words_add(w, commit_script);
	rp_words_addl(w, (long)commit_nkeys(ca));
	commit_keys(w, s, ca);
	rp_words_add(w, ob && ob->token ? ob->token : "");
	rp_words_addl(w, ob ? ob->lock_ms : 0L);
	rp_words_addl(w, RP_TTL_CHECK);
	rp_words_addl(w, RP_TTL_ALERT);
	rp_words_addl(w, RP_TTL_RUN);
	rp_words_addl(w, RP_TTL_OUTBOX);
	counted(w, run_fields, ca->run);
	rp_words_addl(w, (long)ca->n);
	for (i = 0; i < ca->n; i++)
		decision_args(w, &ca->v[i]);
}

/* One attempt of rp_store_commit; what an earlier one filled in is reset. */
static int
commit_once(struct rp_store *s, void *arg, struct rp_err *err)
{
	const struct commit_args *ca = arg;
	struct rp_commit *v = ca->v;
	struct rp_outbox *ob = ca->ob;
	redisReply *r = NULL;
	size_t i, n = ca->n, want = n + (ob && ob->token ? 4 : 0);
	int rc = -1;

	for (i = 0; i < n; i++)
		v[i].written = 0;
	if (ob != NULL)
		rp_outbox_free(ob);
	if (rp_redis_connected(s, err) != 0 || rp_words_send(s, commit_words, ca, err) != 0)
		return -1;
	if (rp_redis_hello(s, err) != 0 || rp_redis_reply(s, &r, "writing the decision", err) != 0)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != want) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis: writing the decision: unexpected answer");
		goto out;
	}
	for (i = 0; i < n; i++)
		v[i].written = int_of(r->element[i]) == 1;
	if (ob != NULL && ob->token != NULL && rp_outbox_fill(ob, &r->element[n]) != 0) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis: claiming the outbox: unexpected answer");
		goto out;
	}
	rc = 0;
out:
	freeReplyObject(r);
	return rc;
}

int
rp_store_commit(struct rp_store *s, struct rp_commit *v, size_t n, const struct rp_run_rec *run,
    struct rp_outbox *ob, struct rp_err *err)
{
	struct commit_args a = {v, n, run, ob};

	if (ob != NULL) {
		ob->owned = 0;
		ob->v = NULL;
		ob->rates = NULL;
		ob->n = ob->nrates = 0;
	}
	return rp_redis_run(s, RP_OP_WRITE, commit_once, &a, err);
}

struct sent_args {
	const struct rp_sent *v;
	size_t n;
	time_t now;
	const struct rp_run_rec *run;
};

/* EVAL sent_script, its keys and arguments (see the script). */
static void
sent_words(struct rp_words *w, struct rp_store *s, const void *arg)
{
	const struct sent_args *sa = arg;
	size_t i;

	rp_words_add(w, "EVAL");
	rp_words_add(w, sent_script);
	rp_words_addl(w, (long)(sa->n + 1));
	rp_words_key(w, s, "run", sa->run ? sa->run->program : "-");
	for (i = 0; i < sa->n; i++)
		rp_words_key(w, s, "check", sa->v[i].name);
	rp_words_addl(w, RP_TTL_RUN);
	counted(w, run_fields, sa->run);
	rp_words_addl(w, RP_TTL_CHECK);
	rp_words_addl(w, (long)sa->now);
	for (i = 0; i < sa->n; i++)
		rp_words_add(w, sa->v[i].dedup_key);
}

/* One attempt of rp_store_record_sent: the merge is the same however
 * often it runs. */
static int
sent_once(struct rp_store *s, void *arg, struct rp_err *err)
{
	const struct sent_args *sa = arg;
	redisReply *r = NULL;

	if (rp_redis_connected(s, err) != 0 || rp_words_send(s, sent_words, sa, err) != 0)
		return -1;
	if (rp_redis_hello(s, err) != 0 ||
	    rp_redis_reply(s, &r, "recording what was sent", err) != 0)
		return -1;
	freeReplyObject(r);
	return 0;
}

int
rp_store_record_sent(struct rp_store *s, const struct rp_sent *v, size_t n, time_t now,
    const struct rp_run_rec *run, struct rp_err *err)
{
	struct sent_args a = {v, n, now, run};

	return rp_redis_run(s, RP_OP_WRITE, sent_once, &a, err);
}
