/*
 * The connection to Redis (hiredis) and the pieces every Redis module of
 * the state store shares (store_redis.h). Every command has the configured
 * timeout; AUTH and SELECT ride with a connection's first command.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "store_redis.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void
rp_argv_addl(struct rp_argv *a, long v)
{
	char b[24];

	snprintf(b, sizeof(b), "%ld", v);
	rp_argv_add(a, b);
}

void
rp_argv_key(struct rp_argv *a, const struct rp_store *s, const char *kind, const char *name)
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

void
rp_argv_field(struct rp_argv *a, const char *name, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	rp_argv_add(a, name);
	rp_argv_add(a, v);
}

void
rp_argv_field_long(struct rp_argv *a, const char *name, long v)
{
	if (v == 0)
		return;
	rp_argv_add(a, name);
	rp_argv_addl(a, v);
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
	const char **v = rp_xmalloc((a->n ? a->n : 1) * sizeof(char *));
	size_t i;

	for (i = 0; i < a->n; i++)
		v[i] = a->buf.data + a->off[i];
	redisAppendCommandArgv(s->c, (int)a->n, v, NULL);
	free(v);
	rp_argv_free(a);
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
		return rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s: %s", s->host, s->port,
		    what, rp_redis_errstr(s));
	*r = p;
	if ((*r)->type == REDIS_REPLY_ERROR) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s: %.*s", s->host, s->port, what,
		    (int)(*r)->len, (*r)->str);
		freeReplyObject(*r);
		*r = NULL;
		return -1;
	}
	return 0;
}

static int
store_connect(struct rp_store *s, struct rp_err *err)
{
	struct timeval tv = {s->timeout_ms / 1000, (s->timeout_ms % 1000) * 1000};

	s->c = redisConnectWithTimeout(s->host, (int)s->port, tv);
	if (s->c == NULL || s->c->err) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s", s->host, s->port,
		    s->c ? rp_redis_errstr(s) : "cannot connect");
		goto fail;
	}
	if (redisSetTimeout(s->c, tv) != REDIS_OK) {
		rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: cannot set a timeout", s->host,
		    s->port);
		goto fail;
	}
	/* AUTH and SELECT go out with the first command, in its round trip. */
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

int
rp_redis_hello(struct rp_store *s, struct rp_err *err)
{
	int rc = 0;

	s->trips++;
	while (s->hello_n > 0) {
		void *p = NULL;
		redisReply *r;

		s->hello_n--;
		if (redisGetReply(s->c, &p) != REDIS_OK) {
			rc = rp_err_set(err, RP_EXIT_UNKNOWN, "redis at %s:%ld: %s", s->host, s->port,
			    rp_redis_errstr(s));
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
