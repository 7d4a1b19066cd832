/*
 * make bench, a floor of the scale part: the least any program keeping a
 * record per check in Redis does for a run over N due checks. One round
 * trip reads the N records (HGETALL each, pipelined), one writes them back
 * (HSET of the same fields and EXPIRE each, pipelined, onto keys of its
 * own), with hiredis and nothing else: no locks, no outbox, no
 * transaction, no script. What a run spends in Redis beyond this is its
 * own. Built and run by tests/bench-scale.sh:
 * bench-state PORT DB PREFIX N prints the milliseconds, after reading
 * PREFIX:check:c1 .. cN in database DB (written by the run just measured).
 */
#include <hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
fail(const char *what, const redisContext *c)
{
	fprintf(stderr, "bench-state: %s: %s\n", what, c->err ? c->errstr : "unexpected answer");
	return 1;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

int
main(int argc, char **argv)
{
	struct timespec t0;
	redisContext *c;
	redisReply **rec, *r;
	const char **v;
	size_t *vl, j;
	long i, n, port, db, ms;
	char key[256];

	if (argc != 5 || (port = strtol(argv[1], NULL, 10)) <= 0 ||
	    (db = strtol(argv[2], NULL, 10)) < 0 || (n = strtol(argv[4], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: bench-state PORT DB PREFIX N\n");
		return 64;
	}
	if ((c = redisConnect("127.0.0.1", (int)port)) == NULL || c->err)
		return fail("connect", c);
	if ((r = redisCommand(c, "SELECT %ld", db)) == NULL || r->type != REDIS_REPLY_STATUS)
		return fail("select", c);
	freeReplyObject(r);
	rec = calloc((size_t)n, sizeof(*rec));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		redisAppendCommand(c, "HGETALL %s:check:c%ld", argv[3], i + 1);
	for (i = 0; i < n; i++)
		if (redisGetReply(c, (void **)&rec[i]) != REDIS_OK || rec[i]->type != REDIS_REPLY_ARRAY ||
		    rec[i]->elements == 0)
			return fail("reading the records", c);
	for (i = 0; i < n; i++) {
		r = rec[i];
		v = malloc((r->elements + 2) * sizeof(*v));
		vl = malloc((r->elements + 2) * sizeof(*vl));
		snprintf(key, sizeof(key), "%s:floor:c%ld", argv[3], i + 1);
		v[0] = "HSET";
		vl[0] = 4;
		v[1] = key;
		vl[1] = strlen(key);
		for (j = 0; j < r->elements; j++) {
			v[j + 2] = r->element[j]->str;
			vl[j + 2] = r->element[j]->len;
		}
		redisAppendCommandArgv(c, (int)r->elements + 2, v, vl);
		redisAppendCommand(c, "EXPIRE %s 600", key);
		free(v);
		free(vl);
	}
	for (i = 0; i < 2 * n; i++) {
		if (redisGetReply(c, (void **)&r) != REDIS_OK || r->type != REDIS_REPLY_INTEGER)
			return fail("writing the records", c);
		freeReplyObject(r);
	}
	ms = ms_since(&t0);
	for (i = 0; i < n; i++) {
		freeReplyObject(rec[i]);
		redisAppendCommand(c, "DEL %s:floor:c%ld", argv[3], i + 1);
	}
	for (i = 0; i < n; i++) {
		if (redisGetReply(c, (void **)&r) != REDIS_OK)
			return fail("removing the copies", c);
		freeReplyObject(r);
	}
	free(rec);
	redisFree(c);
	printf("%ld\n", ms);
	return 0;
}
