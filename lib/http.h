/*
 * http: the libcurl wrapper. Requests run concurrently through curl multi;
 * every one has a deadline and a cap on the size of its answer, only http
 * and https are spoken, redirects are not followed, TLS is verified.
 */
#ifndef RP_HTTP_H
#define RP_HTTP_H

#include <stddef.h>

#include "util.h"

struct rp_http_req {
	/* Filled by the caller; the strings must outlive rp_http_perform(). */
	const char *url;
	const char *body;          /* NULL for GET; else POSTed */
	const char *body_type;     /* its Content-Type; NULL: application/json */
	const char *headers[4];    /* extra header lines ("Authorization: ..."),
	                            * NULL-terminated; wiped by rp_http_req_free */
	char *own[4];              /* strings the request owns (its URL, a header):
	                            * wiped and freed by rp_http_req_free */
	long timeout_ms;           /* whole request, connection included */
	size_t max_bytes;          /* larger answers fail */
	const char *ca_file;       /* NULL: the system's trust store */
	int insecure;              /* 1: TLS certificate and host not verified */

	/* Filled by rp_http_perform(). */
	long status;               /* HTTP status, 0 if none came */
	struct rp_buf resp;        /* the body, NUL-terminated */
	long retry_after;          /* seconds of a Retry-After header, or -1 */
	char error[256];           /* why no status came, "" otherwise */
	int permanent;             /* that reason will not go away by retrying
	                            * now (a certificate refused, a bad URL) */
};

/* libcurl and its TLS library are initialised on first use (rp_http_perform
 * and rp_imap_open call this), so that a run that makes no request does not
 * pay for them. 0, or -1 if libcurl cannot start. rp_http_cleanup() undoes
 * it at the end of a run. */
int rp_http_global(void);
void rp_http_cleanup(void);

/* Performs the n requests, at most max_parallel at a time, and returns when
 * all have ended. Transport failures land in each request's error. */
void rp_http_perform(struct rp_http_req *reqs, size_t n, int max_parallel);

/* rp_http_perform(), all of it within budget_ms from now: a request that
 * waits for a free slot starts with what is left of the budget as its
 * timeout (at most its own), and one whose turn comes after the budget is
 * spent is not begun (its error says so). */
void rp_http_perform_within(struct rp_http_req *reqs, size_t n, int max_parallel,
    long budget_ms);

/* rp_http_perform_within(), calling done(arg, i) as soon as request i has
 * ended (answered, failed, not begun or stopped), once per request, so
 * that the caller can use and free its answer while the others run. */
typedef void rp_http_done(void *arg, size_t i);
void rp_http_perform_each(struct rp_http_req *reqs, size_t n, int max_parallel,
    long budget_ms, rp_http_done *done, void *arg);

/* Wipes and frees what rp_http_perform() put into req, so it can be
 * performed again. */
void rp_http_req_reset(struct rp_http_req *req);

/* rp_http_req_reset(), then wipes and frees the strings in req->own and
 * clears the request. */
void rp_http_req_free(struct rp_http_req *req);

/* Adds s to req->own and returns it (for a URL or header built for req).
 * Aborts if req->own is full: a programming error. */
const char *rp_http_own(struct rp_http_req *req, char *s);

/* Appends s to b percent-encoded as one URL path segment (RFC 3986
 * unreserved characters stay as they are). */
void rp_http_escape_segment(struct rp_buf *b, const char *s);

/* The header line "Authorization: Basic ..." for user and password (RFC
 * 7617), in a new string the caller wipes and frees (rp_free_secret, or
 * rp_http_own then rp_http_req_free). Nothing of the password is left
 * elsewhere in memory. */
char *rp_http_basic_auth(const char *user, const char *password);

#endif
