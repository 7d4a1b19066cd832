#define _POSIX_C_SOURCE 200809L
#include "fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

/* The run's cap on the sources: timeout_ms from the first request on, so
 * that a slow login does not add its own timeout to the checks'. */
struct deadline {
	struct timespec t0;
	long ms;
};

/* What a request may take: its source's timeout (0: none) within what is
 * left of the deadline, and never less than 100 ms. */
static long
cap(const struct deadline *d, long own)
{
	struct timespec t;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t);
	left = d->ms - (long)((t.tv_sec - d->t0.tv_sec) * 1000 + (t.tv_nsec - d->t0.tv_nsec) / 1000000);
	if (own > 0 && own < left)
		left = own;
	return left > 100 ? left : 100;
}

/* One source of the run, prepared once. */
struct used {
	const struct rp_source *src;
	struct rp_src_ctx ctx;
	int ready;               /* prepare said 0 */
	char why[RP_SRC_WHY_MAX]; /* else why not */
};

/* Runs src's prepare steps one request at a time. */
static void
prepare(struct used *u, const struct deadline *d)
{
	struct rp_http_req req, prev;
	int rc, first = 1;

	u->ready = 1;
	if (u->src->prepare == NULL)
		return;
	memset(&prev, 0, sizeof(prev));
	for (;;) {
		memset(&req, 0, sizeof(req));
		rc = u->src->prepare(&u->ctx, first ? NULL : &prev, &req, u->why, sizeof(u->why));
		rp_http_req_free(&prev);
		first = 0;
		if (rc != 1)
			break;
		req.timeout_ms = cap(d, req.timeout_ms);
		rp_http_perform(&req, 1, 1);
		prev = req;
	}
	rp_http_req_free(&req);
	u->ready = rc == 0;
}

/* The prepared source of type name among the n used so far, or a new one. */
static struct used *
use(struct used *v, size_t *n, const char *name, const struct rp_config *cfg,
    const struct deadline *d)
{
	const struct rp_source *src = rp_source_find(name);
	size_t i;

	if (src == NULL)
		return NULL;
	for (i = 0; i < *n; i++)
		if (v[i].src == src)
			return &v[i];
	memset(&v[*n], 0, sizeof(v[*n]));
	v[*n].src = src;
	v[*n].ctx.cfg = cfg;
	v[*n].ctx.timeout_ms = d->ms;
	prepare(&v[*n], d);
	return &v[(*n)++];
}

void
rp_fetch(const struct rp_config *cfg, const struct rp_check *const *checks, size_t n,
    long timeout_ms, int max_parallel, struct rp_src_result *out)
{
	struct used *used = rp_xcalloc(n + 1, sizeof(*used));
	struct used **of = rp_xcalloc(n + 1, sizeof(*of));
	struct rp_http_req *reqs = rp_xcalloc(n * RP_SRC_MAX_REQS + 1, sizeof(*reqs));
	size_t *first = rp_xcalloc(n + 1, sizeof(*first)), *count = rp_xcalloc(n + 1, sizeof(*count));
	size_t nused = 0, nreq = 0, i, j;
	struct deadline d;

	clock_gettime(CLOCK_MONOTONIC, &d.t0);
	d.ms = timeout_ms;
	for (i = 0; i < n; i++) {
		const char *type = rp_check_type_name(checks[i]->type);
		memset(&out[i], 0, sizeof(out[i]));
		snprintf(out[i].what, sizeof(out[i].what), "%s", checks[i]->name);
		of[i] = use(used, &nused, type, cfg, &d);
		if (of[i] == NULL) {
			rp_src_fail(&out[i], "no source for checks of type %s", type);
			continue;
		}
		if (!of[i]->ready) {
			rp_src_fail(&out[i], "%s", of[i]->why);
			continue;
		}
		first[i] = nreq;
		count[i] = of[i]->src->requests(&of[i]->ctx, checks[i], &reqs[nreq], &out[i]);
		nreq += count[i];
	}
	for (j = 0; j < nreq; j++)
		reqs[j].timeout_ms = cap(&d, reqs[j].timeout_ms);
	/* A request waiting for a free slot starts with what is left. */
	rp_http_perform_within(reqs, nreq, max_parallel, cap(&d, 0));
	for (i = 0; i < n; i++)
		if (count[i] > 0)
			of[i]->src->parse(&of[i]->ctx, checks[i], &reqs[first[i]], count[i], &out[i]);
	for (i = 0; i < nreq; i++)
		rp_http_req_free(&reqs[i]);
	for (i = 0; i < nused; i++)
		if (used[i].src->end != NULL)
			used[i].src->end(&used[i].ctx);
	free(used);
	free(of);
	free(reqs);
	free(first);
	free(count);
}
