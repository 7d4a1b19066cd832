/*
 * The connection to Redis (hiredis) and the pieces every Redis module of
 * the state store shares (store_redis.h). Every command has the configured
 * timeout; AUTH, SELECT and ROLE ride with a connection's first command.
 *
 * With sentinels, the primary is whatever the first sentinel that answers
 * names, checked with ROLE; an operation that loses its connection, meets
 * READONLY or finds a replica asks again and runs again (rp_redis_run), so
 * a failover in the middle of a run costs it a few seconds, not its state.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "store_redis.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void
rp_argv_add(struct rp_argv *a, const char *s)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->off = rp_xrealloc(a->off, a->cap * sizeof(size_t));
	}
	a->off[a->n++] = a->buf.len;
	rp_buf_append(&a->buf, s, strlen(s) + 1);
}

/* v in decimal at p (room for 20 digits); returns how many were written.
 * A run writes thousands of numbers: snprintf was a cost of its own. */
static size_t
put_dec(char *p, unsigned long long v)
{
	char t[24];
	size_t n = 0, i;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		p[i] = t[n - 1 - i];
	return n;
}

void
rp_argv_addl(struct rp_argv *a, long v)
{
	char b[24];
	size_t n = 0;

	if (v < 0)
		b[n++] = '-';
	n += put_dec(b + n, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);
	b[n] = '\0';
	rp_argv_add(a, b);
}

void
rp_argv_key(struct rp_argv *a, const struct rp_store *s, const char *kind, const char *name)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->off = rp_xrealloc(a->off, a->cap * sizeof(size_t));
	}
	size_t np = strlen(s->prefix), nk = strlen(kind), nn = name ? strlen(name) : 0;
	char k[512], *p = k;

	a->off[a->n++] = a->buf.len;
	/* A run makes four keys a check: one append each when they fit. */
	if (np + nk + nn + 3 > sizeof(k)) {
		rp_buf_append(&a->buf, s->prefix, np);
		rp_buf_append(&a->buf, ":", 1);
		rp_buf_append(&a->buf, kind, nk);
		if (name != NULL) {
			rp_buf_append(&a->buf, ":", 1);
			rp_buf_append(&a->buf, name, nn);
		}
		rp_buf_append(&a->buf, "", 1);
		return;
	}
	memcpy(p, s->prefix, np);
	p += np;
	*p++ = ':';
	memcpy(p, kind, nk);
	p += nk;
	if (name != NULL) {
		*p++ = ':';
		memcpy(p, name, nn);
		p += nn;
	}
	*p++ = '\0';
	rp_buf_append(&a->buf, k, (size_t)(p - k));
}

void
rp_argv_field(struct rp_argv *a, const char *name, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	rp_argv_add(a, name);
	rp_argv_add(a, v);
}

void
rp_argv_free(struct rp_argv *a)
{
	/* The words may hold an event with its routing key. */
	if (a->buf.data != NULL)
		explicit_bzero(a->buf.data, a->buf.len);
	rp_buf_free(&a->buf);
	free(a->off);
	memset(a, 0, sizeof(*a));
}

void
rp_argv_send(struct rp_store *s, struct rp_argv *a)
{
	/* The command in Redis's protocol, formatted here in one pass (hiredis's
	 * own formatting was a tenth of a run with nothing due): "*<n>", then
	 * "$<length>" and the bytes of each word, each line ended by CRLF.
	 * Room: each word's NUL in buf.len, and 25 bytes for its length and
	 * its two CRLFs. */
	size_t len = 32 + a->buf.len + a->n * 25, off = 0, i;
	char *b = rp_xmalloc(len);

	b[off++] = '*';
	off += put_dec(b + off, a->n);
	b[off++] = '\r';
	b[off++] = '\n';
	for (i = 0; i < a->n; i++) {
		size_t end = i + 1 < a->n ? a->off[i + 1] : a->buf.len;
		size_t w = end - a->off[i] - 1;
		b[off++] = '$';
		off += put_dec(b + off, w);
		b[off++] = '\r';
		b[off++] = '\n';
		memcpy(b + off, a->buf.data + a->off[i], w);
		off += w;
		b[off++] = '\r';
		b[off++] = '\n';
	}
	redisAppendFormattedCommand(s->c, b, off);
	/* The words may hold an event with its routing key. */
	explicit_bzero(b, off);
	free(b);
	rp_argv_free(a);
}

static void store_drop(struct rp_store *s);

struct rp_arena_block {
	struct rp_arena_block *next;
	size_t used, cap;
	long long data[];
};

/* The arena hiredis's reader allocates into while rp_redis_reply_big
 * reads (one reply at a time: the programs have one thread). */
static struct rp_reply_arena *reading_into;

static void *
arena_alloc(struct rp_reply_arena *a, size_t n)
{
	struct rp_arena_block *b = a->head;
	void *p;

	/* redisReply needs no more than its pointers' and long long's. */
	n = (n + 7) / 8 * 8;
	if (b == NULL || b->used + n > b->cap) {
		size_t cap = n > 65536 ? n : 65536;
		b = rp_xmalloc(sizeof(*b) + cap);
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

/* A reply object of the task's type with extra bytes after it. */
static redisReply *
arena_object(const redisReadTask *task, size_t extra)
{
	redisReply *r = arena_alloc(reading_into, sizeof(*r) + extra);

	memset(r, 0, sizeof(*r));
	r->type = task->type;
	return r;
}

/* r, linked to its parent as hiredis's own objects are. */
static void *
linked(const redisReadTask *task, redisReply *r)
{
	if (task->parent != NULL) {
		redisReply *parent = task->parent->obj;
		parent->element[task->idx] = r;
	}
	return r;
}

/* Where a small object of this type and bytes is shared. */
static redisReply **
shared_slot(int type, const void *p, size_t len)
{
	const unsigned char *b = p;
	unsigned h = 2166136261u ^ (unsigned)type;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return &reading_into->shared[h % RP_ARENA_SHARED];
}

static void *
arena_string(const redisReadTask *task, char *str, size_t len)
{
	redisReply **slot = len <= 32 ? shared_slot(task->type, str, len) : NULL, *r;

	if (slot != NULL && (r = *slot) != NULL && r->type == task->type && r->len == len &&
	    memcmp(r->str, str, len) == 0)
		return linked(task, r);
	r = arena_object(task, len + 1);
	r->str = (char *)(r + 1);
	memcpy(r->str, str, len);
	r->str[len] = '\0';
	r->len = len;
	if (slot != NULL)
		*slot = r;
	return linked(task, r);
}

static void *
arena_array(const redisReadTask *task, int elements)
{
	size_t n = elements > 0 ? (size_t)elements : 0;
	redisReply **slot = n == 0 ? shared_slot(task->type, "", 0) : NULL, *r;

	/* An empty array is shared; one with elements gets them later. */
	if (slot != NULL && (r = *slot) != NULL && r->type == task->type && r->elements == 0)
		return linked(task, r);
	r = arena_object(task, n * sizeof(redisReply *));
	r->elements = n;
	if (n > 0) {
		r->element = (redisReply **)(r + 1);
		memset(r->element, 0, n * sizeof(redisReply *));
	}
	if (slot != NULL)
		*slot = r;
	return linked(task, r);
}

static void *
arena_integer(const redisReadTask *task, long long v)
{
	redisReply **slot = shared_slot(task->type, &v, sizeof(v)), *r = *slot;

	if (r != NULL && r->type == task->type && r->integer == v)
		return linked(task, r);
	r = arena_object(task, 0);
	r->integer = v;
	*slot = r;
	return linked(task, r);
}

static void *
arena_nil(const redisReadTask *task)
{
	redisReply **slot = shared_slot(task->type, "", 0), *r = *slot;

	if (r != NULL && r->type == task->type)
		return linked(task, r);
	r = arena_object(task, 0);
	*slot = r;
	return linked(task, r);
}

/* The arena frees them all at once. */
static void
arena_free_object(void *p)
{
	(void)p;
}

static redisReplyObjectFunctions arena_fns = {
	arena_string, arena_array, arena_integer, arena_nil, arena_free_object
};

void
rp_reply_arena_free(struct rp_reply_arena *a)
{
	while (a->head != NULL) {
		struct rp_arena_block *b = a->head;
		a->head = b->next;
		free(b);
	}
}

/* No reply (connection gone, timeout): the store's fault is a lost
 * connection unless known better; -1 with err. */
static int
reply_lost(struct rp_store *s, const char *what, struct rp_err *err)
{
	if (s->fault == RP_FAULT_NONE)
		s->fault = RP_FAULT_LOST;
	return rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s: %s", s->host, s->port, what,
	    rp_redis_errstr(s));
}

/* An error reply r (READONLY: a replica), said in err; the caller frees r
 * as it was allocated. */
static void
reply_refused(struct rp_store *s, const redisReply *r, const char *what, struct rp_err *err)
{
	if (s->fault == RP_FAULT_NONE && strncmp(r->str, "READONLY", 8) == 0)
		s->fault = RP_FAULT_READONLY;
	rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s: %.*s", s->host, s->port, what,
	    (int)r->len, r->str);
}

int
rp_redis_reply_big(struct rp_store *s, redisReply **r, const char *what,
    struct rp_reply_arena *a, struct rp_err *err)
{
	redisReplyObjectFunctions *own;
	void *p = NULL;
	int rc;

	*r = NULL;
	if (s->c == NULL)
		return reply_lost(s, what, err);
	own = s->c->reader->fn;
	s->c->reader->fn = &arena_fns;
	reading_into = a;
	rc = redisGetReply(s->c, &p);
	reading_into = NULL;
	s->c->reader->fn = own;
	if (rc != REDIS_OK || p == NULL) {
		/* Part of the reply may be in the reader, in a: forgotten there,
		 * so that hiredis never frees it (the context is unusable after
		 * an error anyway). */
		s->c->reader->reply = NULL;
		return reply_lost(s, what, err);
	}
	*r = p;
	/* An error reply lives in the arena: freed with it. */
	if ((*r)->type == REDIS_REPLY_ERROR) {
		reply_refused(s, *r, what, err);
		*r = NULL;
		return -1;
	}
	return 0;
}

/* Hands what is buffered to the connection and writes it out. */
static void
words_flush(struct rp_words *w, int write_out)
{
	int done = 0;

	if (w->failed || w->b.len == 0)
		return;
	if (redisAppendFormattedCommand(w->s->c, w->b.data, w->b.len) != REDIS_OK)
		w->failed = 1;
	/* It may hold an event with its routing key. */
	explicit_bzero(w->b.data, w->b.len);
	w->b.len = 0;
	while (write_out && !w->failed && !done)
		if (redisBufferWrite(w->s->c, &done) != REDIS_OK)
			w->failed = 1;
}

void
rp_words_begin(struct rp_words *w, struct rp_store *s, size_t total)
{
	char head[32];
	int k = snprintf(head, sizeof(head), "*%zu\r\n", total);

	memset(w, 0, sizeof(*w));
	w->s = s;
	w->total = total;
	rp_buf_append(&w->b, head, (size_t)k);
}

/* v in decimal into b (room for 21 bytes), without snprintf: a command of
 * 10,000 checks' states has 400,000 words, each with its length. */
static size_t
decimal(char *b, long v)
{
	char t[24];
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	size_t n = 0, k = 0;

	do
		t[n++] = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		b[k++] = '-';
	while (n > 0)
		b[k++] = t[--n];
	return k;
}

/* The head of the next word, of len bytes: whether it is to be written. */
static int
words_head(struct rp_words *w, size_t len)
{
	char head[32];
	size_t k = 1;

	w->n++;
	if (w->s == NULL || w->n > w->total)
		return 0;
	head[0] = '$';
	k += decimal(head + 1, (long)len);
	head[k++] = '\r';
	head[k++] = '\n';
	rp_buf_append(&w->b, head, k);
	return 1;
}

/* The end of a word. */
static void
words_tail(struct rp_words *w)
{
	rp_buf_append(&w->b, "\r\n", 2);
	/* The last word goes with rp_words_end: a command miscounted never
	 * reaches Redis whole. */
	if (w->b.len >= RP_WORDS_CHUNK && w->n < w->total)
		words_flush(w, 1);
}

/* The next word, of len bytes. */
static void
words_put(struct rp_words *w, const char *s, size_t len)
{
	if (!words_head(w, len))
		return;
	rp_buf_append(&w->b, s, len);
	words_tail(w);
}

void
rp_words_add(struct rp_words *w, const char *s)
{
	words_put(w, s, w->s != NULL ? strlen(s) : 0);
}

void
rp_words_addl(struct rp_words *w, long v)
{
	char b[24];

	if (w->s == NULL)
		w->n++;
	else
		words_put(w, b, decimal(b, v));
}

void
rp_words_key(struct rp_words *w, const struct rp_store *s, const char *kind, const char *name)
{
	size_t np = strlen(s->prefix), nk = strlen(kind), nn = name ? strlen(name) : 0;

	if (!words_head(w, np + 1 + nk + (name ? 1 + nn : 0)))
		return;
	rp_buf_append(&w->b, s->prefix, np);
	rp_buf_append(&w->b, ":", 1);
	rp_buf_append(&w->b, kind, nk);
	if (name != NULL) {
		rp_buf_append(&w->b, ":", 1);
		rp_buf_append(&w->b, name, nn);
	}
	words_tail(w);
}

void
rp_words_field(struct rp_words *w, const char *name, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	rp_words_add(w, name);
	rp_words_add(w, v);
}

void
rp_words_field_long(struct rp_words *w, const char *name, long v)
{
	if (v == 0)
		return;
	rp_words_add(w, name);
	rp_words_addl(w, v);
}

int
rp_words_end(struct rp_words *w, struct rp_err *err)
{
	int rc = 0;

	if (w->n != w->total) {
		/* Redis holds part of a command: only a new connection drops it. */
		store_drop(w->s);
		rc = rp_err_set(err, RP_EXIT_SOFTWARE, "redis: a command of %zu words said %zu",
		    w->n, w->total);
		rp_buf_free(&w->b);
		return rc;
	}
	words_flush(w, 0);
	if (w->failed) {
		w->s->fault = RP_FAULT_LOST;
		rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s", w->s->host, w->s->port,
		    rp_redis_errstr(w->s));
	}
	rp_buf_free(&w->b);
	return rc;
}

int
rp_words_send(struct rp_store *s,
    void (*make)(struct rp_words *w, struct rp_store *s, const void *arg), const void *arg,
    struct rp_err *err)
{
	struct rp_words w = {0};

	make(&w, s, arg);
	rp_words_begin(&w, s, w.n);
	make(&w, s, arg);
	return rp_words_end(&w, err);
}

char *
rp_redis_key(const struct rp_store *s, const char *kind, const char *name)
{
	return name ? rp_xasprintf("%s:%s:%s", s->prefix, kind, name) :
	    rp_xasprintf("%s:%s", s->prefix, kind);
}

const char *
rp_redis_errstr(const struct rp_store *s)
{
	static char b[64];

	if (s->c == NULL || s->c->errstr[0] == '\0')
		return "no answer";
	/* hiredis reports its read timeout as the socket's EAGAIN. */
	if (s->c->err == REDIS_ERR_IO && (strcmp(s->c->errstr, strerror(EAGAIN)) == 0 ||
	    strcmp(s->c->errstr, strerror(ETIMEDOUT)) == 0)) {
		snprintf(b, sizeof(b), "no answer within %ld ms", s->timeout_ms);
		return b;
	}
	if (s->c->err == REDIS_ERR_EOF)
		return "the server closed the connection";
	return s->c->errstr;
}

int
rp_redis_reply(struct rp_store *s, redisReply **r, const char *what, struct rp_err *err)
{
	void *p = NULL;

	*r = NULL;
	if (s->c == NULL || redisGetReply(s->c, &p) != REDIS_OK || p == NULL)
		return reply_lost(s, what, err);
	*r = p;
	if ((*r)->type == REDIS_REPLY_ERROR) {
		reply_refused(s, *r, what, err);
		freeReplyObject(*r);
		*r = NULL;
		return -1;
	}
	return 0;
}

static void say(const struct rp_store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One notice line (rp_store_where's notice), if anyone listens. */
static void
say(const struct rp_store *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (s->notice == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->notice(line);
}

/* Writes a command that holds a secret (AUTH) straight to the socket from
 * a buffer wiped after: hiredis would format it into buffers it frees
 * without wiping, so the password could outlive the run in freed memory
 * (and a core file). Only on a connection with nothing queued yet, so that
 * it goes first; the kernel holds it for the commands that follow. */
static int
send_secret(redisContext *c, const char *const *words, size_t n)
{
	size_t len = 24, off, i;
	char *b;
	int k;

	/* Room for each word, its "$<length>\r\n" and "\r\n". */
	for (i = 0; i < n; i++)
		len += strlen(words[i]) + 26;
	b = rp_xmalloc(len);
	k = snprintf(b, len, "*%zu\r\n", n);
	off = (size_t)k;
	for (i = 0; i < n; i++) {
		size_t w = strlen(words[i]);
		k = snprintf(b + off, len - off, "$%zu\r\n", w);
		if (k < 0 || (size_t)k >= len - off)
			abort(); /* the room was counted above */
		off += (size_t)k;
		memcpy(b + off, words[i], w);
		off += w;
		memcpy(b + off, "\r\n", 2);
		off += 2;
	}
	len = off;
	for (off = 0; off < len;) {
		/* MSG_MORE: the commands hiredis sends next go out with it, in
		 * one segment, as if written together. */
		ssize_t m = send(c->fd, b + off, len - off, MSG_NOSIGNAL | MSG_MORE);
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			break;
		off += (size_t)m;
	}
	explicit_bzero(b, len);
	free(b);
	return off == len ? 0 : -1;
}

/* Milliseconds to connect within: the timeout, or what is left of
 * rp_redis_run's bound if less (0: none left). */
static long
connect_ms(const struct rp_store *s)
{
	struct timespec t;
	long left;

	if (!s->has_deadline)
		return s->timeout_ms;
	clock_gettime(CLOCK_MONOTONIC, &t);
	left = (long)((s->deadline.tv_sec - t.tv_sec) * 1000 +
	    (s->deadline.tv_nsec - t.tv_nsec) / 1000000);
	return left < 0 ? 0 : left < s->timeout_ms ? left : s->timeout_ms;
}

/* No connecting later than ms from now (connect_ms). */
static void
set_deadline(struct rp_store *s, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, &s->deadline);
	s->deadline.tv_sec += ms / 1000;
	s->deadline.tv_nsec += ms % 1000 * 1000000L;
	if (s->deadline.tv_nsec >= 1000000000L) {
		s->deadline.tv_sec++;
		s->deadline.tv_nsec -= 1000000000L;
	}
	s->has_deadline = 1;
}

/* A connection to host:port within connect_ms, then with cmd_ms on every
 * command; NULL with why. */
static redisContext *
dial(const char *host, long port, long conn_ms, long cmd_ms, char *why, size_t whylen)
{
	struct timeval ctv = {conn_ms / 1000, (conn_ms % 1000) * 1000};
	struct timeval tv = {cmd_ms / 1000, (cmd_ms % 1000) * 1000};
	redisContext *c = redisConnectWithTimeout(host, (int)port, ctv);

	if (c == NULL || c->err) {
		snprintf(why, whylen, "%s", c ? c->errstr : "cannot connect");
		goto fail;
	}
	if (redisSetTimeout(c, tv) != REDIS_OK) {
		snprintf(why, whylen, "cannot set a timeout");
		goto fail;
	}
	return c;
fail:
	if (c)
		redisFree(c);
	return NULL;
}

static int
store_connect(struct rp_store *s, struct rp_err *err)
{
	char why[128];

	long ms = connect_ms(s);

	s->c = ms > 0 ? dial(s->host, s->port, ms, s->timeout_ms, why, sizeof(why)) : NULL;
	if (ms == 0)
		snprintf(why, sizeof(why), "no time left to connect");
	if (s->c == NULL) {
		if (strcmp(why, strerror(EAGAIN)) == 0 || strcmp(why, strerror(ETIMEDOUT)) == 0)
			snprintf(why, sizeof(why), "no answer within %ld ms", ms);
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s", s->host, s->port, why);
	}
	/* AUTH, SELECT and ROLE go out with the first command, in its round
	 * trip. */
	s->fresh = 1;
	s->hello_n = s->role_n = s->wait_n = 0;
	return 0;
}

static void
store_drop(struct rp_store *s)
{
	if (s->c)
		redisFree(s->c);
	s->c = NULL;
	s->hello_n = s->role_n = s->wait_n = 0;
}

/* The replicas a sentinel counts as up: flags without a "down" or
 * "disconnected". Their link to the primary is not asked: the sentinel
 * reads it every 10 s only, and a WAIT for a replica that is not there
 * costs less than a write without one that is. */
static long
replicas_up(const redisReply *r)
{
	long n = 0;
	size_t i, j;

	if (r == NULL || r->type != REDIS_REPLY_ARRAY)
		return -1;
	for (i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i];
		int up = 1;
		for (j = 0; e->type == REDIS_REPLY_ARRAY && j + 1 < e->elements; j += 2) {
			const char *k = e->element[j]->str, *v = e->element[j + 1]->str;
			if (k != NULL && v != NULL && strcmp(k, "flags") == 0 &&
			    (strstr(v, "down") || strstr(v, "disconnected")))
				up = 0;
		}
		n += up;
	}
	return n;
}

/* Asks sentinel i for the primary: its address into host (of hostlen) and
 * *port, the replicas it counts as up into *replicas. -1 with why; *auth
 * set when the sentinel refused the password. */
static int
ask_sentinel(struct rp_store *s, size_t i, char *host, size_t hostlen, long *port,
    long *replicas, char *why, size_t whylen, int *auth)
{
	long ms = connect_ms(s);
	redisContext *c = ms > 0 ? dial(s->sentinel_host[i], s->sentinel_port[i], ms, ms, why,
	    whylen) : NULL;
	redisReply *r[3] = {NULL, NULL, NULL};
	size_t k, nr = 0, first = 0;
	int rc = -1;

	if (ms == 0)
		snprintf(why, whylen, "no time left to ask");
	if (c == NULL)
		return -1;
	if (s->sentinel_password != NULL && *s->sentinel_password != '\0') {
		const char *w[2] = {"AUTH", s->sentinel_password};
		if (send_secret(c, w, 2) != 0) {
			snprintf(why, whylen, "cannot send: %s", strerror(errno));
			goto out;
		}
		nr = first = 1;
	}
	redisAppendCommand(c, "SENTINEL get-master-addr-by-name %s", s->master_name);
	redisAppendCommand(c, "SENTINEL replicas %s", s->master_name);
	for (k = 0; k < nr + 2; k++) {
		void *p = NULL;
		if (redisGetReply(c, &p) != REDIS_OK || p == NULL) {
			snprintf(why, whylen, "%s", c->err == REDIS_ERR_EOF ?
			    "the sentinel closed the connection" : c->errstr);
			goto out;
		}
		r[k] = p;
	}
	for (k = 0; k < nr + 2; k++) {
		if (r[k]->type == REDIS_REPLY_ERROR) {
			/* A sentinel's answer names no secret; ours neither. */
			snprintf(why, whylen, "%.*s", (int)r[k]->len, r[k]->str);
			*auth = k < first || strncmp(r[k]->str, "NOAUTH", 6) == 0;
			goto out;
		}
	}
	if (r[first]->type != REDIS_REPLY_ARRAY || r[first]->elements != 2 ||
	    r[first]->element[0]->str == NULL || r[first]->element[1]->str == NULL ||
	    rp_parse_long(r[first]->element[1]->str, 1, 65535, port) != 0) {
		snprintf(why, whylen, "%s", r[first]->type == REDIS_REPLY_NIL ?
		    "does not know the primary's name" : "unexpected answer");
		goto out;
	}
	if (rp_strlcpy(host, r[first]->element[0]->str, hostlen) != 0) {
		snprintf(why, whylen, "a host name too long");
		goto out;
	}
	*replicas = replicas_up(r[first + 1]);
	rc = 0;
out:
	for (k = 0; k < 3; k++)
		if (r[k])
			freeReplyObject(r[k]);
	redisFree(c);
	return rc;
}

/* Connects to the primary the sentinels name: asks them in order from
 * sentinel_first; one whose answer cannot be reached is passed over for
 * the next one's (a sentinel that has not heard of a failover yet names
 * the old primary). Sets fault when it fails: LOST, or NONE when every
 * sentinel that answered refused the password. */
static int
find_primary(struct rp_store *s, struct rp_err *err)
{
	struct rp_buf whys = {0};
	size_t k, i;
	int refused = 0, answered = 0;

	store_drop(s);
	for (k = 0; k < s->nsentinels; k++) {
		char host[256], why[160];
		long port = 0, replicas = -1;
		int auth = 0;
		struct rp_err e;

		i = (s->sentinel_first + k) % s->nsentinels;
		if (ask_sentinel(s, i, host, sizeof(host), &port, &replicas, why, sizeof(why),
		    &auth) != 0) {
			rp_buf_printf(&whys, "%ssentinel %s:%ld: %s", whys.len ? "; " : "",
			    s->sentinel_host[i], s->sentinel_port[i], why);
			refused += auth;
			continue;
		}
		answered++;
		free(s->host);
		s->host = rp_xstrdup(host);
		s->port = port;
		s->replicas = replicas;
		if (store_connect(s, &e) == 0) {
			s->sentinel_first = i;
			say(s, "redis: sentinel %s:%ld names %s:%ld the primary of %s", s->sentinel_host[i],
			    s->sentinel_port[i], s->host, s->port, s->master_name);
			rp_buf_free(&whys);
			return 0;
		}
		rp_buf_printf(&whys, "%s%s (named by sentinel %s:%ld)", whys.len ? "; " : "", e.msg,
		    s->sentinel_host[i], s->sentinel_port[i]);
	}
	s->fault = refused > 0 && answered == 0 && (size_t)refused == s->nsentinels ?
	    RP_FAULT_NONE : RP_FAULT_LOST;
	rp_err_set(err, RP_EXIT_UNKNOWN, "redis: no primary of %s found: %s", s->master_name,
	    whys.data ? whys.data : "no sentinel");
	rp_buf_free(&whys);
	return -1;
}

static void
store_free(struct rp_store *s)
{
	size_t i;

	if (s->c)
		redisFree(s->c);
	free(s->prefix);
	free(s->host);
	rp_free_secret(s->password);
	for (i = 0; i < s->nsentinels; i++)
		free(s->sentinel_host[i]);
	free(s->sentinel_host);
	free(s->sentinel_port);
	free(s->master_name);
	rp_free_secret(s->sentinel_password);
	free(s);
}

/* Nothing but the connection rp_redis_run makes first. */
static int
no_op(struct rp_store *s, void *arg, struct rp_err *err)
{
	(void)s;
	(void)arg;
	(void)err;
	return 0;
}

struct rp_store *
rp_store_open_at(const struct rp_store_where *w, const char *password, long db,
    const char *prefix, long timeout_ms, struct rp_err *err)
{
	struct rp_store *s = rp_xcalloc(1, sizeof(*s));
	size_t i;

	s->host = rp_xstrdup(w->nsentinels > 0 ? "-" : w->host);
	s->port = w->port;
	s->password = password ? rp_xstrdup(password) : NULL;
	s->db = db;
	s->timeout_ms = timeout_ms;
	s->prefix = rp_xstrdup(prefix);
	s->notice = w->notice;
	s->replicas = -1;
	if (w->nsentinels == 0) {
		if (store_connect(s, err) != 0)
			goto fail;
		return s;
	}
	s->nsentinels = w->nsentinels;
	s->sentinel_host = rp_xcalloc(w->nsentinels, sizeof(char *));
	s->sentinel_port = rp_xcalloc(w->nsentinels, sizeof(long));
	for (i = 0; i < w->nsentinels; i++) {
		s->sentinel_host[i] = rp_xstrdup(w->sentinel_host[i]);
		s->sentinel_port[i] = w->sentinel_port[i];
	}
	s->master_name = rp_xstrdup(w->master_name);
	s->sentinel_password = w->sentinel_password ? rp_xstrdup(w->sentinel_password) : NULL;
	if (rp_redis_run(s, RP_OP_READ, no_op, NULL, err) != 0)
		goto fail;
	return s;
fail:
	store_free(s);
	return NULL;
}

struct rp_store *
rp_store_open(const char *host, long port, const char *password, long db,
    const char *prefix, long timeout_ms, struct rp_err *err)
{
	struct rp_store_where w;

	memset(&w, 0, sizeof(w));
	w.host = host;
	w.port = port;
	return rp_store_open_at(&w, password, db, prefix, timeout_ms, err);
}

int
rp_store_reconnect(struct rp_store *s, struct rp_err *err)
{
	int rc;

	store_drop(s);
	if (s->nsentinels == 0)
		return store_connect(s, err);
	/* Within one timeout, however many sentinels do not answer: the
	 * caller (pages.c) tries again on its own clock. */
	set_deadline(s, s->timeout_ms);
	rc = find_primary(s, err);
	s->has_deadline = 0;
	return rc;
}

void
rp_store_close(struct rp_store *s)
{
	if (s != NULL)
		store_free(s);
}

long
rp_store_round_trips(const struct rp_store *s)
{
	return s ? s->trips : 0;
}

int
rp_redis_connected(struct rp_store *s, struct rp_err *err)
{
	if (s->c == NULL)
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: not connected", s->host,
		    s->port);
	if (s->fresh) {
		s->fresh = 0;
		if (s->password != NULL && *s->password != '\0') {
			const char *w[2] = {"AUTH", s->password};
			if (send_secret(s->c, w, 2) != 0) {
				s->fault = RP_FAULT_LOST;
				rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: cannot send: %s",
				    s->host, s->port, strerror(errno));
				store_drop(s);
				return -1;
			}
			s->hello_n++;
		}
		if (s->db != 0) {
			redisAppendCommand(s->c, "SELECT %ld", s->db);
			s->hello_n++;
		}
		/* A sentinel's answer can be stale during a failover: make sure
		 * this is the primary, in the same round trip. */
		if (s->nsentinels > 0) {
			redisAppendCommand(s->c, "ROLE");
			s->role_n = 1;
		}
	}
	return 0;
}

/* ROLE's answer: the primary's replicas into s->replicas, or -1 with err
 * and fault REPLICA for anything but a primary. */
static int
role_check(struct rp_store *s, const redisReply *r, struct rp_err *err)
{
	if (r->type == REDIS_REPLY_ERROR)
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: ROLE: %.*s", s->host,
		    s->port, (int)r->len, r->str);
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 || r->element[0]->str == NULL ||
	    strcmp(r->element[0]->str, "master") != 0) {
		s->fault = RP_FAULT_REPLICA;
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: a %s, not the primary "
		    "(the sentinel's answer was stale)", s->host, s->port,
		    r->type == REDIS_REPLY_ARRAY && r->elements > 0 && r->element[0]->str ?
		    r->element[0]->str : "server");
	}
	if (r->elements >= 3 && r->element[2]->type == REDIS_REPLY_ARRAY)
		s->replicas = (long)r->element[2]->elements;
	if (s->replicas == 0 && !s->said_unreplicated) {
		s->said_unreplicated = 1;
		say(s, "redis at %s:%ld: the primary has no replica connected; what is written is on "
		    "it only until one is", s->host, s->port);
	}
	return 0;
}

int
rp_redis_hello(struct rp_store *s, struct rp_err *err)
{
	int rc = 0;

	if (s->wait_next && s->c != NULL) {
		long ms = s->timeout_ms / 2 < RP_STORE_WAIT_MS ? s->timeout_ms / 2 : RP_STORE_WAIT_MS;
		redisAppendCommand(s->c, "WAIT 1 %ld", ms);
		s->wait_n = 1;
	}
	s->wait_next = 0;
	s->trips++;
	while (s->hello_n + s->role_n > 0) {
		void *p = NULL;
		redisReply *r;
		int role = s->hello_n == 0;

		if (role)
			s->role_n = 0;
		else
			s->hello_n--;
		if (redisGetReply(s->c, &p) != REDIS_OK) {
			s->fault = RP_FAULT_LOST;
			rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s", s->host, s->port,
			    rp_redis_errstr(s));
			break;
		}
		r = p;
		if (role && rc == 0)
			rc = role_check(s, r, err);
		else if (r->type == REDIS_REPLY_ERROR && rc == 0)
			/* Redis's answer names no secret; ours neither. */
			rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %.*s", s->host, s->port,
			    (int)r->len, r->str);
		freeReplyObject(r);
	}
	if (rc != 0)
		store_drop(s);
	return rc;
}

/* Reads WAIT's reply, if one is due; a write no replica acknowledged is
 * said once (the write is on the primary: not an error). err may be NULL. */
static int
wait_read(struct rp_store *s, struct rp_err *err)
{
	redisReply *r;

	if (s->wait_n == 0 || s->c == NULL) {
		s->wait_n = 0;
		return 0;
	}
	s->wait_n = 0;
	/* r is set on 0: said again for gcc's analyzer, which loses it. */
	if (rp_redis_reply(s, &r, "waiting for a replica", err) != 0 || r == NULL)
		return -1;
	if (r->type == REDIS_REPLY_INTEGER && r->integer == 0 && !s->said_unreplicated) {
		s->said_unreplicated = 1;
		say(s, "redis at %s:%ld: no replica acknowledged the write within %ld ms; it is on "
		    "the primary only until one does", s->host, s->port,
		    s->timeout_ms / 2 < RP_STORE_WAIT_MS ? s->timeout_ms / 2 : RP_STORE_WAIT_MS);
	}
	freeReplyObject(r);
	return 0;
}

/* rp_redis_run's attempts, within s->deadline. */
static int
run_attempts(struct rp_store *s, enum rp_redis_op_kind kind,
    int (*op)(struct rp_store *s, void *arg, struct rp_err *err), void *arg,
    struct rp_err *err, const struct timespec *pause)
{
	int attempt, rc;

	for (attempt = 1;; attempt++) {
		s->fault = RP_FAULT_NONE;
		rc = 0;
		if (s->nsentinels > 0 && (s->c == NULL || s->c->err))
			rc = find_primary(s, err);
		if (rc == 0) {
			s->wait_next = kind == RP_OP_WRITE && s->nsentinels > 0 && s->replicas != 0;
			rc = op(s, arg, err);
			s->wait_next = 0;
			if (s->fault == RP_FAULT_NONE && s->c != NULL && s->c->err)
				s->fault = RP_FAULT_LOST;
			/* An op that reads its replies by itself (a MULTI) says
			 * READONLY in its message only. */
			if (rc != 0 && s->fault == RP_FAULT_NONE && strstr(err->msg, "READONLY") != NULL)
				s->fault = RP_FAULT_READONLY;
			/* After a failed op its error stands; the reply is read
			 * anyway, so the connection stays in step. */
			if (wait_read(s, rc == 0 ? err : NULL) != 0 && rc == 0)
				rc = -1;
		}
		if (rc == 0 || s->nsentinels == 0 || s->fault == RP_FAULT_NONE)
			return rc;
		if (attempt >= RP_REDIS_ATTEMPTS || connect_ms(s) == 0)
			return rc;
		say(s, "%s; asking the sentinels again (attempt %d of at most %d)", err->msg,
		    attempt + 1, RP_REDIS_ATTEMPTS);
		store_drop(s);
		/* A replica named as the primary: a stale sentinel; the next one
		 * may know better. Otherwise in order: a sentinel that has heard
		 * of the failover comes first. */
		if (s->fault == RP_FAULT_REPLICA)
			s->sentinel_first = (s->sentinel_first + 1) % s->nsentinels;
		else
			s->sentinel_first = 0;
		/* A signal cuts the pause short; the caller sees the stop. */
		nanosleep(pause, NULL);
	}
}

int
rp_redis_run(struct rp_store *s, enum rp_redis_op_kind kind,
    int (*op)(struct rp_store *s, void *arg, struct rp_err *err), void *arg,
    struct rp_err *err)
{
	long ms = s->timeout_ms / 2 < 1000 ? s->timeout_ms / 2 : 1000;
	struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
	int rc;

	set_deadline(s, 3 * s->timeout_ms);
	rc = run_attempts(s, kind, op, arg, err, &pause);
	s->has_deadline = 0;
	return rc;
}

int
rp_redis_parse_time(const char *v, time_t *out)
{
	long x;

	if (rp_parse_long(v, 0, 253402300799L, &x) != 0)
		return -1;
	*out = (time_t)x;
	return 0;
}

void
rp_redis_pairs(const redisReply *h, void (*f)(void *arg, const char *k, const char *v),
    void *arg)
{
	size_t i;

	if (h == NULL || h->type != REDIS_REPLY_ARRAY)
		return;
	for (i = 0; i + 1 < h->elements; i += 2)
		if (h->element[i]->str != NULL && h->element[i + 1]->str != NULL)
			f(arg, h->element[i]->str, h->element[i + 1]->str);
}
