#define _DEFAULT_SOURCE /* explicit_bzero */
#include "src_airflow.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "http.h"

char *
rp_airflow_url(const char *base, int version, const char *dag_id, int runs)
{
	struct rp_buf b = {0};
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	rp_buf_append(&b, base, n);
	rp_buf_printf(&b, "/api/v%d/dags/", version);
	rp_http_escape_segment(&b, dag_id);
	if (runs)
		rp_buf_printf(&b, "/dagRuns?order_by=-%s&limit=%d",
		    version == 1 ? "execution_date" : "logical_date", RP_AIRFLOW_PAGE);
	return b.data;
}

/* One run of the answer, as far as we read it. */
struct run {
	const char *id, *state;
	time_t key, start, end;
};

/* A time member of run r: absent or null is 0; a string must parse. */
static int
run_time(json_t *r, const char *key, const char *id, time_t *t, struct rp_src_result *out)
{
	json_t *v = json_object_get(r, key);

	*t = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || rp_clock_parse_iso(json_string_value(v), 0, t) != 0 || *t <= 0) {
		char shown[48] = "";
		if (json_is_string(v))
			snprintf(shown, sizeof(shown), " \"%.40s\"", json_string_value(v));
		return rp_src_fail(out, "Airflow answered an unreadable %s%s (run %.60s)", key, shown,
		    id);
	}
	return 0;
}

static int
read_run(json_t *r, struct run *run, struct rp_src_result *out)
{
	json_t *id = json_object_get(r, "dag_run_id"), *st = json_object_get(r, "state");
	time_t logical, exec, after;

	memset(run, 0, sizeof(*run));
	if (!json_is_object(r))
		return rp_src_fail(out, "Airflow's dag_runs holds something that is not a run");
	run->id = json_is_string(id) ? json_string_value(id) : "?";
	run->state = json_is_string(st) ? json_string_value(st) : "";
	if (run_time(r, "start_date", run->id, &run->start, out) != 0 ||
	    run_time(r, "end_date", run->id, &run->end, out) != 0 ||
	    run_time(r, "logical_date", run->id, &logical, out) != 0 ||
	    run_time(r, "execution_date", run->id, &exec, out) != 0 ||
	    run_time(r, "run_after", run->id, &after, out) != 0)
		return -1;
	/* Airflow 3 runs may have no logical date (triggered without one):
	 * they sort by when they were due to run, or started. */
	run->key = logical ? logical : exec ? exec : after ? after : run->start;
	return 0;
}

int
rp_airflow_parse_runs(const char *body, size_t len, struct rp_src_result *out)
{
	json_error_t jerr;
	json_t *root, *runs;
	struct run run, newest = {0}, finished = {0}, success = {0}, started = {0};
	int have = 0, have_fin = 0, have_ok = 0, have_start = 0, rc = -1;
	size_t i;

	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return rp_src_fail(out, "Airflow answered something that is not JSON (%s)", jerr.text);
	runs = json_object_get(root, "dag_runs");
	if (!json_is_array(runs)) {
		rp_src_fail(out, "Airflow's answer has no dag_runs list");
		goto out;
	}
	for (i = 0; i < json_array_size(runs); i++) {
		if (read_run(json_array_get(runs, i), &run, out) != 0)
			goto out;
		/* Ties keep the first, the server's order. */
		if (!have || run.key > newest.key)
			newest = run, have = 1;
		if ((strcmp(run.state, "success") == 0 || strcmp(run.state, "failed") == 0) &&
		    (!have_fin || run.key > finished.key))
			finished = run, have_fin = 1;
		if (strcmp(run.state, "success") == 0 && run.end != 0 &&
		    (!have_ok || run.key > success.key))
			success = run, have_ok = 1;
		if (run.start != 0 && (!have_start || run.key > started.key))
			started = run, have_start = 1;
	}
	if (have) {
		rp_src_fact(out, "dag_run_id", "%s", newest.id);
		rp_src_fact(out, "airflow_state", "%s", newest.state[0] ? newest.state : "none");
	}
	if (have_ok)
		out->completion = success.end;
	if (have_fin && strcmp(finished.state, "failed") == 0) {
		out->failed = 1;
		out->failed_start = finished.start;
	}
	if (have_start)
		out->start = started.start;
	out->ok = 1;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int
rp_airflow_parse_dag(const char *body, size_t len, int *paused, struct rp_src_result *out)
{
	json_error_t jerr;
	json_t *root, *p;

	*paused = 0;
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return rp_src_fail(out, "Airflow answered something that is not JSON (%s)", jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return rp_src_fail(out, "Airflow's answer about the DAG is not a JSON object");
	}
	p = json_object_get(root, "is_paused");
	*paused = json_is_true(p);
	json_decref(root);
	return 0;
}

/* Whether s can be a token in a header line: visible ASCII, no spaces. */
static int
token_chars(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

char *
rp_airflow_token(const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL), *t;
	char *tok = NULL;

	t = json_object_get(root, "access_token");
	if (json_is_string(t) && token_chars(json_string_value(t)))
		tok = rp_xstrdup(json_string_value(t));
	json_decref(root);
	return tok;
}

/* The run's dealings with Airflow. */
struct af {
	int version;             /* 1 or 2 */
	int step;                /* what the request prepare made asks */
	char *user, *secret;     /* the password (or token) as configured */
	char *auth;              /* "Authorization: ..." for every request, or NULL */
	char why[RP_SRC_WHY_MAX]; /* why no check can be asked this run, or "" */
};

enum { STEP_NONE, STEP_TOKEN, STEP_PROBE };

/* An exactly sized "Authorization: Bearer <token>": no copy of the token
 * is left behind by a buffer that grows. */
static char *
bearer(const char *token)
{
	static const char head[] = "Authorization: Bearer ";
	size_t n = strlen(token);
	char *h = rp_xmalloc(sizeof(head) + n);

	memcpy(h, head, sizeof(head) - 1);
	memcpy(h + sizeof(head) - 1, token, n + 1);
	return h;
}

/* Appends s to dst as the body of a JSON string; returns the length
 * written (or that would be, for dst NULL). */
static size_t
json_escape(char *dst, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			if (dst)
				dst[n] = '\\', dst[n + 1] = (char)c;
			n += 2;
		} else if (c < 0x20) {
			if (dst)
				memcpy(dst + n, "\\u00", 4), dst[n + 4] = hex[c >> 4], dst[n + 5] = hex[c & 15];
			n += 6;
		} else {
			if (dst)
				dst[n] = (char)c;
			n++;
		}
	}
	return n;
}

/* The login body {"username": ..., "password": ...}, exactly sized. */
static char *
login_body(const char *user, const char *password)
{
	static const char a[] = "{\"username\": \"", b[] = "\", \"password\": \"", c[] = "\"}";
	size_t nu = json_escape(NULL, user), np = json_escape(NULL, password);
	char *s = rp_xmalloc(sizeof(a) + sizeof(b) + sizeof(c) + nu + np), *p = s;

	memcpy(p, a, sizeof(a) - 1);
	p += sizeof(a) - 1;
	p += json_escape(p, user);
	memcpy(p, b, sizeof(b) - 1);
	p += sizeof(b) - 1;
	p += json_escape(p, password);
	memcpy(p, c, sizeof(c));
	return s;
}

static void
settle(struct af *a, int version)
{
	a->version = version;
	rp_free_secret(a->auth);
	a->auth = NULL;
	if (a->secret == NULL)
		return;
	a->auth = a->user != NULL ? rp_http_basic_auth(a->user, a->secret) : bearer(a->secret);
}

/* base (without its trailing slashes) and path, in a new string. */
static char *
at(const char *base, const char *path)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return rp_xasprintf("%.*s%s", (int)n, base, path);
}

static void
common(struct rp_http_req *req, const struct rp_config *cfg)
{
	req->ca_file = cfg->airflow_ca_file;
	req->insecure = !cfg->airflow_tls_verify;
	req->timeout_ms = cfg->airflow_timeout_sec * 1000;
}

/* The first step: reads the credentials and decides what to ask first. */
static int
start(struct rp_src_ctx *x, struct af *a, struct rp_http_req *req, char *why, size_t whylen)
{
	const struct rp_config *cfg = x->cfg;
	const char *v = cfg->airflow_api_version ? cfg->airflow_api_version : "auto";
	struct rp_err err;

	if (cfg->airflow_password_file != NULL || cfg->airflow_password_env != NULL) {
		a->secret = rp_config_secret(cfg, "[airflow] password", cfg->airflow_password_file,
		    cfg->airflow_password_env, &err);
		a->user = cfg->airflow_username;
	} else if (cfg->airflow_token_file != NULL || cfg->airflow_token_env != NULL) {
		a->secret = rp_config_secret(cfg, "[airflow] token", cfg->airflow_token_file,
		    cfg->airflow_token_env, &err);
		if (a->secret != NULL && !token_chars(a->secret)) {
			rp_free_secret(a->secret);
			a->secret = NULL;
			rp_err_set(&err, RP_EXIT_CONFIG, "%s: [airflow] token_%s: the token has spaces "
			    "or characters other than ASCII", cfg->path,
			    cfg->airflow_token_file ? "file" : "env");
		}
	} else {
		a->secret = NULL; /* no credentials: an open API, or a proxy's */
		err.msg[0] = '\0';
	}
	if (a->secret == NULL && err.msg[0] != '\0') {
		snprintf(why, whylen, "%s", err.msg);
		return -1;
	}
	if (strcmp(v, "1") == 0 || (strcmp(v, "2") == 0 && a->user == NULL)) {
		settle(a, v[0] - '0');
		return 0;
	}
	common(req, cfg);
	if (a->user != NULL) {
		/* v2 logs in for a JWT; under auto, a server without the
		 * endpoint is a 2.x. */
		req->url = rp_http_own(req, at(cfg->airflow_url, "/auth/token"));
		req->body = rp_http_own(req, login_body(a->user, a->secret));
		req->max_bytes = RP_AIRFLOW_TOKEN_MAX_BYTES;
		a->step = STEP_TOKEN;
		return 1;
	}
	/* auto with a token or none: whether the server has v2. */
	settle(a, 2);
	req->url = rp_http_own(req, at(cfg->airflow_url, "/api/v2/version"));
	req->headers[0] = a->auth;
	req->max_bytes = RP_AIRFLOW_TOKEN_MAX_BYTES;
	a->step = STEP_PROBE;
	return 1;
}

static int
prepare_step(struct rp_src_ctx *x, const struct rp_http_req *prev, struct rp_http_req *req,
    char *why, size_t whylen)
{
	const struct rp_config *cfg = x->cfg;
	const char *url = cfg->airflow_url;
	int forced = cfg->airflow_api_version != NULL && strcmp(cfg->airflow_api_version, "2") == 0;
	struct af *a = x->priv;
	char *tok;

	if (prev == NULL) {
		a = x->priv = rp_xcalloc(1, sizeof(*a));
		return start(x, a, req, why, whylen);
	}
	if (prev->status == 0) {
		snprintf(why, whylen, "Airflow at %s did not answer%s: %s", url,
		    a->step == STEP_TOKEN ? " at /auth/token" : "", prev->error);
		return -1;
	}
	if (prev->status == 401 || prev->status == 403) {
		if (a->step == STEP_PROBE) {
			settle(a, 2); /* v2 is there; the checks will say what it refuses */
			return 0;
		}
		snprintf(why, whylen, "Airflow at %s refused the credentials (HTTP %ld)", url,
		    prev->status);
		return -1;
	}
	if ((prev->status == 404 || prev->status == 405) && !forced) {
		settle(a, 1); /* no v2: Airflow 2 */
		return 0;
	}
	if (prev->status == 404) {
		snprintf(why, whylen, "Airflow at %s has no /auth/token (api_version = 2 is for "
		    "Airflow 3; set 1 or auto for Airflow 2)", url);
		return -1;
	}
	if (prev->status < 200 || prev->status > 299) {
		snprintf(why, whylen, "Airflow at %s answered HTTP %ld at %s", url, prev->status,
		    a->step == STEP_TOKEN ? "/auth/token" : "/api/v2/version");
		return -1;
	}
	if (a->step == STEP_PROBE)
		return 0;
	if ((tok = rp_airflow_token(prev->resp.data, prev->resp.len)) == NULL) {
		snprintf(why, whylen, "Airflow at %s answered /auth/token without a usable "
		    "access_token", url);
		return -1;
	}
	/* From here the password is done with: the JWT stands for it. */
	rp_free_secret(a->secret);
	a->secret = tok;
	a->user = NULL;
	settle(a, 2);
	return 0;
}

/* A login that failed makes every airflow check of the run UNKNOWN; it
 * is said by requests() rather than by prepare's -1 so that each check's
 * line names its DAG, as every other reason does. */
static int
airflow_prepare(struct rp_src_ctx *x, const struct rp_http_req *prev, struct rp_http_req *req,
    char *why, size_t whylen)
{
	struct af *a;
	int rc = prepare_step(x, prev, req, why, whylen);

	if (rc != -1)
		return rc;
	a = x->priv;
	snprintf(a->why, sizeof(a->why), "%s", why);
	return 0;
}

static size_t
airflow_requests(struct rp_src_ctx *x, const struct rp_check *c, struct rp_http_req *reqs,
    struct rp_src_result *out)
{
	const struct af *a = x->priv;
	int i;

	snprintf(out->what, sizeof(out->what), "%s", c->dag_id);
	if (a->why[0] != '\0') {
		rp_src_fact(out, "dag_id", "%s", c->dag_id);
		rp_src_fail(out, "%s", a->why);
		return 0;
	}
	for (i = 0; i < 2; i++) {
		reqs[i].url = rp_http_own(&reqs[i],
		    rp_airflow_url(x->cfg->airflow_url, a->version, c->dag_id, i == 0));
		reqs[i].headers[0] = a->auth;
		reqs[i].max_bytes = RP_AIRFLOW_MAX_BYTES;
		common(&reqs[i], x->cfg);
	}
	return 2;
}

/* Title and detail of an error answer (problem+json, or FastAPI's
 * {"detail": ...}), on one line, cut to fit; "" if there are none. */
static void
problem(const struct rp_http_req *r, char *buf, size_t n)
{
	json_t *root = json_loadb(r->resp.data ? r->resp.data : "", r->resp.len, 0, NULL);
	json_t *t = json_object_get(root, "title"), *d = json_object_get(root, "detail");
	char *p;

	snprintf(buf, n, "%s%s%s", json_is_string(t) ? json_string_value(t) : "",
	    json_is_string(t) && json_is_string(d) ? ": " : "",
	    json_is_string(d) ? json_string_value(d) : "");
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	json_decref(root);
}

/* Says what went wrong with request r of check c; returns -1, or 0 when
 * nothing did. */
static int
answer_failed(const struct rp_config *cfg, const struct rp_check *c, const struct rp_http_req *r,
    struct rp_src_result *out)
{
	const char *url = cfg->airflow_url;
	char detail[600];

	if (r->status == 0)
		return rp_src_fail(out, "Airflow at %s did not answer: %s", url, r->error);
	if (r->status == 200)
		return 0;
	if (r->status == 401)
		return rp_src_fail(out, "Airflow at %s refused the credentials (HTTP 401)", url);
	if (r->status == 403)
		return rp_src_fail(out, "Airflow at %s refused access (HTTP 403: the user may not "
		    "read this DAG's runs; the Viewer role may)", url);
	problem(r, detail, sizeof(detail));
	/* Airflow's own 404 names the DAG; a path it has no route for (a url
	 * with the wrong base) does not. */
	if (r->status == 404 && strstr(detail, c->dag_id) != NULL)
		return rp_src_fail(out, "Airflow at %s has no DAG %s", url, c->dag_id);
	if (r->status == 404)
		return rp_src_fail(out, "Airflow at %s answered HTTP 404 for %.80s (is url its base, "
		    "without /api?)", url, strstr(r->url, "/api/v") ? strstr(r->url, "/api/v") : r->url);
	return rp_src_fail(out, "Airflow at %s answered HTTP %ld%s%.100s", url, r->status,
	    detail[0] ? ": " : "", detail);
}

static void
airflow_parse(struct rp_src_ctx *x, const struct rp_check *c, const struct rp_http_req *reqs,
    size_t n, struct rp_src_result *out)
{
	int paused;

	(void)n;
	snprintf(out->what, sizeof(out->what), "%s", c->dag_id);
	rp_src_fact(out, "dag_id", "%s", c->dag_id);
	/* The DAG first: under v1 it is the only one to say a DAG does not
	 * exist (the runs of an unknown DAG are an empty list). */
	if (answer_failed(x->cfg, c, &reqs[1], out) != 0 ||
	    answer_failed(x->cfg, c, &reqs[0], out) != 0 ||
	    rp_airflow_parse_dag(reqs[1].resp.data, reqs[1].resp.len, &paused, out) != 0)
		return;
	if (paused) {
		rp_src_fail(out, "Airflow at %s: DAG %s is paused", x->cfg->airflow_url, c->dag_id);
		return;
	}
	rp_airflow_parse_runs(reqs[0].resp.data, reqs[0].resp.len, out);
}

static void
airflow_end(struct rp_src_ctx *x)
{
	struct af *a = x->priv;

	if (a == NULL)
		return;
	rp_free_secret(a->secret);
	rp_free_secret(a->auth);
	free(a);
	x->priv = NULL;
}

static int
airflow_validate(const struct rp_config *cfg, const struct rp_check *c, const char *checklist,
    struct rp_err *err)
{
	if (cfg->airflow_url != NULL)
		return 0;
	return rp_err_set(err, RP_EXIT_CONFIG, "%s: [airflow] url: missing (%s:%d: %s is an "
	    "airflow check)", cfg->path, checklist, c->line, c->name);
}

const struct rp_source rp_src_airflow = {
	.name = "airflow",
	.validate = airflow_validate,
	.prepare = airflow_prepare,
	.requests = airflow_requests,
	.parse = airflow_parse,
	.end = airflow_end,
};
