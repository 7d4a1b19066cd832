/*
 * source: where a freshness check learns when its workflow last completed
 * and whether its latest run failed. One interface, one module per source,
 * as curl's protocol handlers are: src_batchy.c, src_airflow.c, src_http.c
 * each export one const struct rp_source; the code that runs them
 * (run.c, through rp_source_find) never names a particular one.
 *
 * A source builds the HTTP requests of a check and turns their answers into
 * one struct rp_src_result. It never decides: rp_eval_freshness() (eval.h)
 * applies the same rules to every source's result, among them that no time
 * a source gives is trusted more than RP_FUTURE_TOLERANCE ahead of the
 * evaluation clock.
 *
 * Adding a source: a new src_<name>.c with its struct rp_source, its line in
 * the table of source.c, its check type in checklist.c, and its tests
 * (tests/unit/check_src_<name>.c, a stand-in in tests/fakes/ if it speaks
 * HTTP, and a harness in fuzz/ for its parser).
 */
#ifndef RP_SOURCE_H
#define RP_SOURCE_H

#include <stddef.h>
#include <time.h>

#include "http.h"

struct rp_check;
struct rp_config;
struct rp_err;

/* A time more than this ahead of the evaluation clock is not a fact: a
 * scheduler's time-zone bug or a bad row, not a completion. */
#define RP_FUTURE_TOLERANCE_SEC 300

#define RP_SRC_WHY_MAX 300
#define RP_SRC_MAX_FACTS 4
#define RP_SRC_MAX_REQS 2

/* A named value for a page's custom_details and --json's details. */
struct rp_fact {
	const char *name;        /* a literal */
	char value[96];
	int number;              /* value is a number: a JSON number in --json
	                          * and in a page's details */
};

/* What a source said about one check's workflow. */
struct rp_src_result {
	int ok;                  /* 0: the source could not tell; why says why */
	char why[RP_SRC_WHY_MAX];
	char what[96];           /* what is watched (a workflow, a DAG id, a URL's
	                          * host and path), the summary's first word */
	time_t completion;       /* the newest successful completion; 0: none in
	                          * the answer */
	int failed;              /* the newest finished run failed */
	time_t failed_start;     /* its start; 0: unknown */
	time_t start;            /* the start of the newest run whatever its state;
	                          * the basis of latency when no completion is known */
	struct rp_fact facts[RP_SRC_MAX_FACTS]; /* the source's own words */
	size_t nfacts;
};

/* Sets out->ok = 0 and out->why, printf-style; returns -1. */
int rp_src_fail(struct rp_src_result *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds a fact (cut to fit); nothing when the table is full. */
void rp_src_fact(struct rp_src_result *out, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One run's dealings with one source. */
struct rp_src_ctx {
	const struct rp_config *cfg;
	long timeout_ms;         /* what one request may take at most (the run's
	                          * budget); a source's own timeout is capped by
	                          * it */
	void *priv;              /* the source's own (a token, the API version) */
};

struct rp_source {
	const char *name;        /* the checklist's type */
	/* Optional. Whether the configuration holds what check c needs (the
	 * source's section, a section c names), before anything is asked:
	 * 0, or -1 with err (RP_EXIT_CONFIG) naming the file, its line, the
	 * check and the key. checklist is the checklist's path. */
	int (*validate)(const struct rp_config *cfg, const struct rp_check *c,
	    const char *checklist, struct rp_err *err);
	/* Optional. Once per run, before any check's request: returns 1 with
	 * req filled when a request must come first (a login, a version probe);
	 * it is then called again with that request answered in prev, until it
	 * returns 0 (ready) or -1 (why says why every check of this source is
	 * UNKNOWN). prev is NULL on the first call. */
	int (*prepare)(struct rp_src_ctx *x, const struct rp_http_req *prev,
	    struct rp_http_req *req, char *why, size_t whylen);
	/* Fills up to RP_SRC_MAX_REQS requests for check c (URL, headers, body;
	 * strings it allocates go into req->own so rp_http_req_free() frees
	 * them) and, if it has one, the source's own timeout, which the caller
	 * caps with the run's (x->timeout_ms and what is left of it). Returns
	 * how many, 0 when the check cannot be asked (out says why: parse is
	 * not called). */
	size_t (*requests)(struct rp_src_ctx *x, const struct rp_check *c,
	    struct rp_http_req *reqs, struct rp_src_result *out);
	/* Turns the n answered requests into out (cleared by the caller).
	 * Transport failures and HTTP errors are the source's to word. */
	void (*parse)(struct rp_src_ctx *x, const struct rp_check *c,
	    const struct rp_http_req *reqs, size_t n, struct rp_src_result *out);
	/* Optional: frees x->priv, wiping what is secret. */
	void (*end)(struct rp_src_ctx *x);
};

/* The source of a check type name ("batchy", "airflow", "http"), or NULL. */
const struct rp_source *rp_source_find(const char *name);

/* The validate operation of c's source, if it has one (see above); 0
 * otherwise. */
int rp_source_validate(const struct rp_config *cfg, const struct rp_check *c,
    const char *checklist, struct rp_err *err);

#endif
