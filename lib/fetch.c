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

/* The prepared source of type name among the n used so far (v holds
 * *cap), or a new one. */
static struct used *
use(struct used **v, size_t *n, size_t *cap, const char *name, const struct rp_config *cfg,
    const struct deadline *d)
{
	const struct rp_source *src = rp_source_find(name);
	size_t i;

	if (src == NULL)
		return NULL;
	for (i = 0; i < *n; i++)
		if ((*v)[i].src == src)
			return &(*v)[i];
	if (*n == *cap) {
		/* Few: one per source type. A prepared one never moves (its
		 * context may point into itself), so the array grows only while
		 * no check refers to it: see rp_fetch_each. */
		*cap = *cap ? 2 * *cap : 4;
		*v = rp_xrealloc(*v, *cap * sizeof(**v));
	}
	memset(&(*v)[*n], 0, sizeof((*v)[*n]));
	(*v)[*n].src = src;
	(*v)[*n].ctx.cfg = cfg;
	(*v)[*n].ctx.timeout_ms = d->ms;
	prepare(&(*v)[*n], d);
	return &(*v)[(*n)++];
}

/* One check under way: its source and its requests. */
struct pending {
	size_t src;              /* into the run's used sources */
	size_t first;            /* into its requests */
	unsigned count, left;    /* its requests, those not yet ended */
};

/* One rp_fetch_each(). */
struct fetch {
	const struct rp_check *const *checks;
	struct used *used;
	size_t nused, capused;
	struct pending *p;       /* per check */
	struct rp_http_req *reqs;
	size_t *owner;           /* per request, its check */
	size_t nreq, capreq;
	rp_fetch_done *done;
	void *arg;
};

/* A result for check i as a source gets it: cleared, named after it. */
static void
fresh(const struct fetch *f, size_t i, struct rp_src_result *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->what, sizeof(out->what), "%s", f->checks[i]->name);
}

/* Room for one more check's requests. */
static void
grow_reqs(struct fetch *f)
{
	if (f->nreq + RP_SRC_MAX_REQS <= f->capreq)
		return;
	f->capreq = f->capreq ? 2 * f->capreq : 64;
	if (f->capreq < f->nreq + RP_SRC_MAX_REQS)
		f->capreq = f->nreq + RP_SRC_MAX_REQS;
	f->reqs = rp_xrealloc(f->reqs, f->capreq * sizeof(*f->reqs));
	f->owner = rp_xrealloc(f->owner, f->capreq * sizeof(*f->owner));
}

/* Check i's requests, into f->reqs; when it cannot be asked, its result
 * now. */
static void
ask(struct fetch *f, size_t i, const struct rp_config *cfg, const struct deadline *d)
{
	const char *type = rp_check_type_name(f->checks[i]->type);
	struct used *u = use(&f->used, &f->nused, &f->capused, type, cfg, d);
	struct rp_src_result out;
	size_t k, count = 0;

	fresh(f, i, &out);
	if (u == NULL) {
		rp_src_fail(&out, "no source for checks of type %s", type);
	} else if (!u->ready) {
		rp_src_fail(&out, "%s", u->why);
	} else {
		grow_reqs(f);
		memset(&f->reqs[f->nreq], 0, RP_SRC_MAX_REQS * sizeof(*f->reqs));
		count = u->src->requests(&u->ctx, f->checks[i], &f->reqs[f->nreq], &out);
	}
	if (count == 0) {
		f->done(f->arg, i, &out);
		return;
	}
	f->p[i].src = (size_t)(u - f->used);
	f->p[i].first = f->nreq;
	f->p[i].count = f->p[i].left = (unsigned)count;
	for (k = 0; k < count; k++) {
		f->reqs[f->nreq + k].timeout_ms = cap(d, f->reqs[f->nreq + k].timeout_ms);
		f->owner[f->nreq + k] = i;
	}
	f->nreq += count;
}

/* Request j has ended: once its check's last has, the check's result,
 * and its answers freed (rp_http_done). */
static void
answered(void *arg, size_t j)
{
	struct fetch *f = arg;
	size_t i = f->owner[j], k;
	struct pending *p = &f->p[i];
	struct used *u = &f->used[p->src];
	struct rp_src_result out;

	if (--p->left > 0)
		return;
	fresh(f, i, &out);
	u->src->parse(&u->ctx, f->checks[i], &f->reqs[p->first], p->count, &out);
	for (k = 0; k < p->count; k++)
		rp_http_req_free(&f->reqs[p->first + k]);
	f->done(f->arg, i, &out);
}

void
rp_fetch_each(const struct rp_config *cfg, const struct rp_check *const *checks, size_t n,
    long timeout_ms, int max_parallel, rp_fetch_done *done, void *arg)
{
	struct fetch f;
	struct deadline d;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.checks = checks;
	f.done = done;
	f.arg = arg;
	f.p = rp_xcalloc(n + 1, sizeof(*f.p));
	clock_gettime(CLOCK_MONOTONIC, &d.t0);
	d.ms = timeout_ms;
	/* Every source is prepared before the first check's requests, since
	 * its context must not move once a request points into it. */
	for (i = 0; i < n; i++)
		use(&f.used, &f.nused, &f.capused, rp_check_type_name(checks[i]->type), cfg, &d);
	for (i = 0; i < n; i++)
		ask(&f, i, cfg, &d);
	/* A request waiting for a free slot starts with what is left. */
	rp_http_perform_each(f.reqs, f.nreq, max_parallel, cap(&d, 0), answered, &f);
	for (i = 0; i < f.nused; i++)
		if (f.used[i].src->end != NULL)
			f.used[i].src->end(&f.used[i].ctx);
	free(f.used);
	free(f.p);
	free(f.reqs);
	free(f.owner);
}

/* rp_fetch's done: into its array. */
static void
into(void *arg, size_t i, const struct rp_src_result *r)
{
	struct rp_src_result *out = arg;

	out[i] = *r;
}

void
rp_fetch(const struct rp_config *cfg, const struct rp_check *const *checks, size_t n,
    long timeout_ms, int max_parallel, struct rp_src_result *out)
{
	rp_fetch_each(cfg, checks, n, timeout_ms, max_parallel, into, out);
}
