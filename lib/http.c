#define _DEFAULT_SOURCE /* explicit_bzero */
#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "signals.h"

#ifndef RP_VERSION
#define RP_VERSION "dev"
#endif

/* One of max_parallel slots, each running one request at a time: the
 * slots, not the requests, hold curl's handles and error buffers. A slot's
 * handle serves its requests one after the other (reset in between), so
 * that 10,000 requests cost 64 handles, not 10,000. */
struct xfer {
	struct rp_http_req *req;
	size_t index;            /* of req among the requests */
	CURL *easy;              /* the slot's, NULL until its first request */
	int busy;                /* a request runs in it */
	struct curl_slist *headers;
	int too_big;
	char errbuf[CURL_ERROR_SIZE];
};

/* libcurl (and with it the TLS library) is initialised on first use: a
 * run with nothing due never pays for it. */
static int inited;

int
rp_http_global(void)
{
	if (!inited && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		inited = 1;
	return inited ? 0 : -1;
}

void
rp_http_cleanup(void)
{
	if (inited)
		curl_global_cleanup();
	inited = 0;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct xfer *x = user;
	size_t n = size * nmemb;

	if (x->req->resp.len + n > x->req->max_bytes) {
		x->too_big = 1;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	rp_buf_append(&x->req->resp, data, n);
	return n;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *user)
{
	struct xfer *x = user;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";
	char val[32];
	size_t i, vn;
	long v;

	if (n <= sizeof(name) - 1 || strncasecmp(data, name, sizeof(name) - 1) != 0)
		return n;
	i = sizeof(name) - 1;
	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	for (vn = 0; i < n && vn < sizeof(val) - 1 && data[i] != '\r' && data[i] != '\n'; i++)
		val[vn++] = data[i];
	val[vn] = '\0';
	/* Only the delta-seconds form; an HTTP date falls back to our backoff. */
	if (rp_parse_long(val, 0, 86400, &v) == 0)
		x->req->retry_after = v;
	return n;
}

static int
setup(struct xfer *x, struct rp_err *err)
{
	struct rp_http_req *r = x->req;
	CURL *c;

	r->status = 0;
	r->retry_after = -1;
	r->error[0] = '\0';
	r->permanent = 0;
	rp_buf_append(&r->resp, "", 0);
	if (x->easy != NULL)
		curl_easy_reset(x->easy);
	else if ((x->easy = curl_easy_init()) == NULL)
		return rp_err_set(err, RP_EXIT_SOFTWARE, "cannot create a curl handle");
	c = x->easy;
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "robopager/" RP_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->max_bytes);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, r->insecure ? 0L : 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, r->insecure ? 0L : 2L);
	if (r->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);
	curl_easy_setopt(c, CURLOPT_PRIVATE, x);
	x->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
	if (r->body != NULL) {
		char ct[96];
		snprintf(ct, sizeof(ct), "Content-Type: %s",
		    r->body_type ? r->body_type : "application/json");
		x->headers = curl_slist_append(NULL, ct);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(r->body));
	}
	x->headers = curl_slist_append(x->headers, "Accept: application/json");
	for (size_t i = 0; i < sizeof(r->headers) / sizeof(r->headers[0]) && r->headers[i]; i++)
		x->headers = curl_slist_append(x->headers, r->headers[i]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->headers);
	return 0;
}

static void
finish(struct xfer *x, CURLcode rc)
{
	struct rp_http_req *r = x->req;

	if (rc == CURLE_OK) {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r->status);
	} else if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(r->error, sizeof(r->error), "answer larger than %zu bytes", r->max_bytes);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(r->error, sizeof(r->error), "no answer within %ld ms", r->timeout_ms);
	} else {
		r->permanent = rc == CURLE_PEER_FAILED_VERIFICATION ||
		    rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM ||
		    rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL;
		/* curl's own words where it has them: they name the certificate
		 * or host name problem that curl_easy_strerror() only sums up. */
		rp_strlcpy(r->error, x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc),
		    sizeof(r->error)); /* cut if it must be */
	}
}

/* The requests of one rp_http_perform_each(). */
struct batch {
	CURLM *m;
	struct rp_http_req *reqs;
	size_t n;
	struct xfer *x;          /* the slots */
	size_t nx;
	rp_http_done *done;
	void *arg;
};

static void
ended(const struct batch *b, size_t i)
{
	if (b->done != NULL)
		b->done(b->arg, i);
}

/* Frees slot x for the next request. */
static void
release(const struct batch *b, struct xfer *x)
{
	curl_multi_remove_handle(b->m, x->easy);
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	x->busy = 0;
}

/* A stop was asked (signals.h): every request still under way (in a slot)
 * or not yet begun (from next on) ends now, with that as its error. */
static void
stop_all(const struct batch *b, size_t next)
{
	size_t i;

	for (i = 0; i < b->nx; i++) {
		struct xfer *x = &b->x[i];
		if (!x->busy)
			continue;
		release(b, x);
		x->req->status = 0;
		snprintf(x->req->error, sizeof(x->req->error), "stopped: the run was asked to "
		    "stop (signal %d)", rp_sig_stopped());
		ended(b, x->index);
	}
	for (i = next; i < b->n; i++) {
		b->reqs[i].status = 0;
		snprintf(b->reqs[i].error, sizeof(b->reqs[i].error), "stopped: the run was asked "
		    "to stop (signal %d)", rp_sig_stopped());
		ended(b, i);
	}
}

static long
since_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

void
rp_http_perform(struct rp_http_req *reqs, size_t n, int max_parallel)
{
	rp_http_perform_within(reqs, n, max_parallel, 0);
}

/* Starts request i in slot x if the budget (0: none) allows, capping its
 * timeout; whether it did (else it has ended, its error saying why). */
static int
start(const struct batch *b, struct xfer *x, size_t i, const struct timespec *t0,
    long budget_ms)
{
	struct rp_http_req *req = &b->reqs[i];
	struct rp_err err;
	long left = budget_ms - since_ms(t0);

	x->req = req;
	x->index = i;
	x->too_big = 0;
	if (budget_ms > 0 && left <= 0) {
		snprintf(req->error, sizeof(req->error), "not begun: the run's time budget was spent");
		return 0;
	}
	if (budget_ms > 0 && (req->timeout_ms <= 0 || req->timeout_ms > left))
		req->timeout_ms = left;
	if (setup(x, &err) != 0) {
		rp_strlcpy(req->error, err.msg, sizeof(req->error));
		return 0;
	}
	curl_multi_add_handle(b->m, x->easy);
	x->busy = 1;
	return 1;
}

/* A free slot (there is one while fewer than nx run). */
static struct xfer *
free_slot(const struct batch *b)
{
	size_t i;

	for (i = 0; i < b->nx; i++)
		if (!b->x[i].busy)
			return &b->x[i];
	return NULL;
}

/* Ends the requests curl has finished; how many. */
static int
reap(const struct batch *b)
{
	CURLMsg *msg;
	int left, n = 0;

	while ((msg = curl_multi_info_read(b->m, &left)) != NULL) {
		struct xfer *done;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&done);
		finish(done, msg->data.result);
		release(b, done);
		ended(b, done->index);
		n++;
	}
	return n;
}

void
rp_http_perform_within(struct rp_http_req *reqs, size_t n, int max_parallel, long budget_ms)
{
	rp_http_perform_each(reqs, n, max_parallel, budget_ms, NULL, NULL);
}

void
rp_http_perform_each(struct rp_http_req *reqs, size_t n, int max_parallel, long budget_ms,
    rp_http_done *done, void *arg)
{
	struct batch b = {NULL, reqs, n, NULL, 0, done, arg};
	size_t i, next = 0;
	int running = 0, active = 0;
	struct curl_waitfd stop = {rp_sig_fd(), CURL_WAIT_POLLIN, 0};
	struct timespec t0;

	if (n == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	b.m = rp_http_global() == 0 ? curl_multi_init() : NULL;
	if (b.m == NULL) {
		for (i = 0; i < n; i++) {
			snprintf(reqs[i].error, sizeof(reqs[i].error), "cannot start libcurl");
			ended(&b, i);
		}
		return;
	}
	if (max_parallel < 1)
		max_parallel = 1;
	b.nx = n < (size_t)max_parallel ? n : (size_t)max_parallel;
	b.x = rp_xcalloc(b.nx, sizeof(*b.x));
	for (;;) {
		struct xfer *x;

		while (next < n && active < max_parallel && (x = free_slot(&b)) != NULL) {
			if (start(&b, x, next, &t0, budget_ms))
				active++;
			else
				ended(&b, next);
			next++;
		}
		if (active == 0)
			break;
		curl_multi_perform(b.m, &running);
		active -= reap(&b);
		if (rp_sig_stopped()) {
			stop_all(&b, next);
			break;
		}
		if (active > 0 && running > 0)
			curl_multi_poll(b.m, &stop, stop.fd >= 0 ? 1 : 0, 1000, NULL);
	}
	curl_multi_cleanup(b.m);
	for (i = 0; i < b.nx; i++)
		if (b.x[i].easy != NULL)
			curl_easy_cleanup(b.x[i].easy);
	free(b.x);
}

void
rp_http_req_reset(struct rp_http_req *req)
{
	/* An answer may hold a token (a login's); none outlives its request. */
	if (req->resp.data != NULL)
		explicit_bzero(req->resp.data, req->resp.len);
	rp_buf_free(&req->resp);
	req->status = 0;
	req->retry_after = -1;
	req->error[0] = '\0';
	req->permanent = 0;
}

void
rp_http_req_free(struct rp_http_req *req)
{
	size_t i;

	rp_http_req_reset(req);
	for (i = 0; i < sizeof(req->own) / sizeof(req->own[0]); i++)
		rp_free_secret(req->own[i]);
	memset(req, 0, sizeof(*req));
	req->retry_after = -1;
}

const char *
rp_http_own(struct rp_http_req *req, char *s)
{
	size_t i;

	for (i = 0; i < sizeof(req->own) / sizeof(req->own[0]); i++) {
		if (req->own[i] == NULL) {
			req->own[i] = s;
			return s;
		}
	}
	abort();
}

void
rp_http_escape_segment(struct rp_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			rp_buf_append(b, p, 1);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			rp_buf_append(b, e, 3);
		}
	}
}

char *
rp_http_basic_auth(const char *user, const char *password)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char head[] = "Authorization: Basic ";
	size_t nu = strlen(user), np = strlen(password), n = nu + 1 + np, i, o;
	unsigned char *plain = rp_xmalloc(n);
	char *out = rp_xmalloc(sizeof(head) - 1 + (n + 2) / 3 * 4 + 1);

	/* Sized exactly, so that no copy of the password is left behind by a
	 * buffer that grows. */
	memcpy(plain, user, nu);
	plain[nu] = ':';
	memcpy(plain + nu + 1, password, np);
	memcpy(out, head, sizeof(head) - 1);
	o = sizeof(head) - 1;
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)plain[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)plain[i + 1] << 8;
		if (i + 2 < n)
			v |= plain[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	explicit_bzero(plain, n);
	free(plain);
	return out;
}
