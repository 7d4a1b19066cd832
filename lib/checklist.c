#define _POSIX_C_SOURCE 200809L
#include "checklist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "clock.h"
#include "jsonptr.h"

/* One key of a check as read from the file, before validation. */
struct item {
	char *key;
	int line;
	int is_list;
	char **values;  /* one for a scalar */
	size_t n;
};

struct yp {
	yaml_parser_t parser;
	const char *path;
	struct rp_err *err;
};

static int yerr(struct yp *y, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
yerr(struct yp *y, int line, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return rp_err_set(y->err, RP_EXIT_CONFIG, "%s:%d: %s", y->path, line, what);
}

/* The line holding byte offset off of the file (reader errors give only an
 * offset: the bytes could not be decoded into lines). */
static int
line_at_offset(const char *path, size_t off)
{
	FILE *f = fopen(path, "rb");
	int line = 1, c;

	if (f == NULL)
		return 0;
	while (off-- > 0 && (c = fgetc(f)) != EOF)
		if (c == '\n')
			line++;
	fclose(f);
	return line;
}

/* The first byte of the character at line and column (from 0, counted as
 * libyaml counts them: UTF-8 characters) of the file, or -1. */
static int
char_at(const char *path, size_t line, size_t column)
{
	FILE *f = fopen(path, "rb");
	int c = -1;

	if (f == NULL)
		return -1;
	while (line > 0 && (c = fgetc(f)) != EOF)
		line -= c == '\n';
	while ((c = fgetc(f)) != EOF && c != '\n') {
		if ((c & 0xc0) == 0x80)
			continue; /* a continuation byte */
		if (column-- == 0)
			break;
	}
	fclose(f);
	return c == EOF || c == '\n' ? -1 : c;
}

/* Next event, with aliases refused (they are how a small file becomes a huge
 * one) and YAML errors turned into ours. */
static int
next(struct yp *y, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&y->parser, ev)) {
		int line = (int)y->parser.problem_mark.line + 1;
		if (y->parser.error == YAML_READER_ERROR)
			line = line_at_offset(y->path, y->parser.problem_offset);
		else if (y->parser.error == YAML_SCANNER_ERROR &&
		    char_at(y->path, y->parser.problem_mark.line, y->parser.problem_mark.column) == '\t')
			return yerr(y, line, "YAML: a tab character (column %d): indent with spaces",
			    (int)y->parser.problem_mark.column + 1);
		return yerr(y, line, "YAML: %s%s%s",
		    y->parser.problem ? y->parser.problem : "syntax error",
		    y->parser.context ? " " : "", y->parser.context ? y->parser.context : "");
	}
	if (ev->type == YAML_ALIAS_EVENT) {
		int line = (int)ev->start_mark.line + 1;
		yaml_event_delete(ev);
		return yerr(y, line, "YAML aliases (*name) are not supported; write the value out");
	}
	return 0;
}

static int
line_of(const yaml_event_t *ev)
{
	return (int)ev->start_mark.line + 1;
}

/* The scalar of ev as a new string; -1 if it holds a NUL byte. */
static int
scalar(struct yp *y, const yaml_event_t *ev, char **out)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

	if (memchr(v, '\0', n) != NULL) {
		yerr(y, line_of(ev), "a value holds a NUL byte");
		return -1;
	}
	*out = rp_xstrndup(v, n);
	return 0;
}

static const char *
event_what(yaml_event_type_t t)
{
	switch (t) {
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_SCALAR_EVENT:
		return "a single value";
	default:
		return "something else";
	}
}

static void
items_free(struct item *it, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(it[i].key);
		for (j = 0; j < it[i].n; j++)
			free(it[i].values[j]);
		free(it[i].values);
	}
	free(it);
}

/* Reads one value (a scalar or a list of scalars) into it. */
static int
read_value(struct yp *y, const char *check, struct item *it)
{
	yaml_event_t ev;

	if (next(y, &ev) != 0)
		return -1;
	it->line = line_of(&ev);
	if (ev.type == YAML_SCALAR_EVENT) {
		it->values = rp_xmalloc(sizeof(char *));
		if (scalar(y, &ev, &it->values[0]) != 0) {
			yaml_event_delete(&ev);
			return -1;
		}
		it->n = 1;
		yaml_event_delete(&ev);
		return 0;
	}
	if (ev.type != YAML_SEQUENCE_START_EVENT) {
		yerr(y, it->line, "%s: %s: expected a value or a list, found %s", check,
		    it->key, event_what(ev.type));
		yaml_event_delete(&ev);
		return -1;
	}
	yaml_event_delete(&ev);
	it->is_list = 1;
	for (;;) {
		if (next(y, &ev) != 0)
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			yerr(y, line_of(&ev), "%s: %s: list items must be single values, found %s",
			    check, it->key, event_what(ev.type));
			yaml_event_delete(&ev);
			return -1;
		}
		it->values = rp_xrealloc(it->values, (it->n + 1) * sizeof(char *));
		if (scalar(y, &ev, &it->values[it->n]) != 0) {
			yaml_event_delete(&ev);
			return -1;
		}
		it->n++;
		yaml_event_delete(&ev);
	}
}

/* Reads the mapping of one check (its MAPPING_START already consumed). */
static int
read_check_items(struct yp *y, const char *check, struct item **out, size_t *nout)
{
	struct item *it = NULL;
	size_t n = 0, i;
	yaml_event_t ev;

	for (;;) {
		char *key = NULL;
		int line;

		if (next(y, &ev) != 0)
			goto fail;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		line = line_of(&ev);
		if (ev.type != YAML_SCALAR_EVENT) {
			yerr(y, line, "%s: keys must be plain names, found %s", check,
			    event_what(ev.type));
			yaml_event_delete(&ev);
			goto fail;
		}
		if (scalar(y, &ev, &key) != 0) {
			yaml_event_delete(&ev);
			goto fail;
		}
		yaml_event_delete(&ev);
		for (i = 0; i < n; i++) {
			if (strcmp(it[i].key, key) == 0) {
				yerr(y, line, "%s: %s: set twice (first on line %d)", check, key,
				    it[i].line);
				free(key);
				goto fail;
			}
		}
		it = rp_xrealloc(it, (n + 1) * sizeof(*it));
		memset(&it[n], 0, sizeof(*it));
		it[n].key = key;
		n++;
		if (read_value(y, check, &it[n - 1]) != 0)
			goto fail;
	}
	*out = it;
	*nout = n;
	return 0;
fail:
	items_free(it, n);
	return -1;
}

/* The validators. Each takes the item and fills one field of the check. */
enum vkind { V_STR, V_SECRET, V_TIME, V_LONG, V_LIST, V_ADDRS, V_TYPE, V_MATCH, V_URL, V_PTR,
    V_ID, V_DURATION, V_CRON, V_DAYS, V_DATES };

struct rule {
	const char *key;
	enum vkind kind;
	int types;        /* bit (1 << RP_CHECK_*) of the checks that have it */
	int required;     /* bit set of the check types that need it */
	size_t off;
	long min, max;
	const char *what; /* for a number, what it counts */
};

#define B(t) (1 << (t))
/* The freshness checks (a workflow that must complete), and all. */
#define FRESH (B(RP_CHECK_BATCHY) | B(RP_CHECK_AIRFLOW) | B(RP_CHECK_HTTP))
#define PING B(RP_CHECK_PING)
#define ALL (B(RP_CHECK_EMAIL) | FRESH | PING)
#define HTTP B(RP_CHECK_HTTP)
#define F(m) offsetof(struct rp_check, m)
static const struct rule rules[] = {
	{"type", V_TYPE, ALL, ALL, F(type), 0, 0, NULL},
	{"pd_description", V_STR, ALL, ALL, F(pd_description), 0, 0, NULL},
	{"pd_service", V_SECRET, ALL, 0, F(pd_service), 0, 0, NULL},
	{"notify", V_LIST, ALL, 0, F(notify), 0, 64, NULL},
	{"check_time", V_TIME, ALL & ~PING, ALL & ~PING, F(check_time), 0, 0, NULL},
	{"poll_sec", V_LONG, ALL, FRESH, F(poll_sec), 1, 86400, "seconds"},
	{"days", V_DAYS, ALL, 0, F(days), 0, 0, NULL},
	{"skip_dates", V_DATES, ALL, 0, F(skip_dates), 0, 0, NULL},
	{"until", V_TIME, FRESH | PING, 0, F(until), 0, 0, NULL},
	{"schedule", V_CRON, PING, 0, F(schedule), 0, 0, NULL},
	{"period", V_DURATION, PING, 0, F(period), 60, 366L * 86400, NULL},
	{"grace", V_DURATION, PING, 0, F(grace), 0, 366L * 86400, NULL},
	{"max_runtime", V_DURATION, PING, 0, F(max_runtime), 60, 366L * 86400, NULL},
	{"unknown_after", V_LONG, ALL, 0, F(unknown_after), 1, 1000, "evaluations"},
	{"wf_name", V_STR, B(RP_CHECK_BATCHY), B(RP_CHECK_BATCHY), F(wf_name), 0, 0, NULL},
	{"latency_min", V_LONG, FRESH, FRESH, F(latency_min), 1, 525600, "minutes"},
	{"warn_pct", V_LONG, FRESH, 0, F(warn_pct), 1, 100, "percent"},
	{"dag_id", V_ID, B(RP_CHECK_AIRFLOW), B(RP_CHECK_AIRFLOW), F(dag_id), 0, 250, NULL},
	{"url", V_URL, HTTP, HTTP, F(url), 0, 0, NULL},
	{"completion", V_PTR, HTTP, HTTP, F(completion), 0, 0, NULL},
	{"state", V_PTR, HTTP, 0, F(state), 0, 0, NULL},
	{"failure_values", V_LIST, HTTP, 0, F(failure_values), 0, 0, NULL},
	{"started", V_PTR, HTTP, 0, F(started), 0, 0, NULL},
	{"auth", V_ID, HTTP, 0, F(auth), 0, 64, NULL},
	{"senders", V_ADDRS, B(RP_CHECK_EMAIL), B(RP_CHECK_EMAIL), F(senders), 0, 0, NULL},
	{"subjects", V_LIST, B(RP_CHECK_EMAIL), B(RP_CHECK_EMAIL), F(subjects), 0, 0, NULL},
	{"delivery_time", V_TIME, B(RP_CHECK_EMAIL), B(RP_CHECK_EMAIL), F(delivery_time), 0, 0,
	    NULL},
	{"subject_match", V_MATCH, B(RP_CHECK_EMAIL), 0, F(subject_match), 0, 0, NULL},
};
#undef F
#define NRULES (sizeof(rules) / sizeof(rules[0]))

/* apply() finds a list's count right after its array. */
_Static_assert(offsetof(struct rp_check, nsenders) ==
    offsetof(struct rp_check, senders) + sizeof(char **), "nsenders follows senders");
_Static_assert(offsetof(struct rp_check, nsubjects) ==
    offsetof(struct rp_check, subjects) + sizeof(char **), "nsubjects follows subjects");
_Static_assert(offsetof(struct rp_check, nnotify) ==
    offsetof(struct rp_check, notify) + sizeof(char **), "nnotify follows notify");
_Static_assert(offsetof(struct rp_check, nfailure_values) ==
    offsetof(struct rp_check, failure_values) + sizeof(char **),
    "nfailure_values follows failure_values");

/* The types a checklist may name, as rp_check_type_name() spells them. */
static const enum rp_check_type known_types[] = {RP_CHECK_EMAIL, RP_CHECK_BATCHY,
    RP_CHECK_AIRFLOW, RP_CHECK_HTTP, RP_CHECK_PING};
#define KNOWN_TYPES "email, batchy, airflow, http or ping"
#define RP_NOTIFY_NAME_MAX 64

const char *
rp_check_type_name(enum rp_check_type t)
{
	static const char *const names[] = {"email", "batchy", "airflow", "http", "ping"};

	return names[t];
}

const char *
rp_check_watched(const struct rp_check *c)
{
	return c->type == RP_CHECK_BATCHY ? c->wf_name : c->type == RP_CHECK_AIRFLOW ? c->dag_id : NULL;
}

enum rp_program
rp_check_program(enum rp_check_type t)
{
	return t == RP_CHECK_EMAIL ? RP_PROG_EMAIL : RP_PROG_LATENCY;
}

/* An addr-spec as senders hold it: ASCII, one "@", nothing a person
 * would put around an address (name, brackets, spaces). "@domain" stands
 * for anyone at that domain. */
static int
is_address(const char *v)
{
	const char *at = strchr(v, '@');
	size_t i;

	if (at == NULL || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (i = 0; v[i]; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f ||
		    strchr("\"<>(),;:\\[]", v[i]) != NULL)
			return 0;
	return i <= 254;
}

/* An http(s) URL with a host and no user or password in it (those go in
 * an [http NAME] section, never in a URL that is shown). */
static const char *
url_problem(const char *v)
{
	const char *h;
	size_t n;

	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
		return "is not an http:// or https:// URL";
	h = strstr(v, "://") + 3;
	n = strcspn(h, "/?#");
	if (n == 0)
		return "has no host";
	if (memchr(h, '@', n) != NULL)
		return "holds a user or password; put them in an [http NAME] section of etl.cfg "
		    "and name it with auth:";
	for (; *v; v++)
		if ((unsigned char)*v <= ' ' || (unsigned char)*v >= 0x7f)
			return "has spaces or characters other than ASCII (percent-encode them)";
	return NULL;
}

/* An identifier as Airflow's DAG ids and our section names are: letters,
 * digits, "_", "." and "-". */
static int
is_id(const char *v, long max)
{
	size_t n = strlen(v);

	return n > 0 && (long)n <= max && strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* What someone who meant a whole domain may write: "vendor.example". */
static int
looks_like_domain(const char *v)
{
	return strchr(v, '@') == NULL && strchr(v, '.') != NULL && strlen(v) < 254 &&
	    v[strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")] ==
	    '\0';
}

/* A duration (30m, 6h, 1d, 1w, 1h30m) of seconds within the rule's range. */
static int
apply_duration(struct yp *y, struct rp_check *c, const struct rule *r, const struct item *it)
{
	long v;

	if (rp_clock_parse_duration(it->values[0], r->max, &v) != 0 || v < r->min)
		return yerr(y, it->line, "%s: %s: \"%s\" is not a duration like 30m, 6h, 1d, 1w or "
		    "1h30m from %lds to %ldd", c->name, r->key, it->values[0], r->min,
		    r->max / 86400);
	*(long *)((char *)c + r->off) = v;
	return 0;
}

static int
apply_cron(struct yp *y, struct rp_check *c, const struct rule *r, const struct item *it)
{
	struct rp_cron cron;
	char why[200];

	if (rp_cron_parse(it->values[0], &cron, why, sizeof(why)) != 0)
		return yerr(y, it->line, "%s: %s: \"%s\": %s", c->name, r->key, it->values[0], why);
	c->schedule = rp_xmalloc(sizeof(*c->schedule));
	*c->schedule = cron;
	return 0;
}

/* A weekday: sun..sat or sunday..saturday, any case; -1 if none. */
static int
weekday(const char *v, size_t n)
{
	static const char *const names[] = {"sunday", "monday", "tuesday", "wednesday",
	    "thursday", "friday", "saturday"};
	size_t i;

	for (i = 0; i < 7; i++)
		if ((n == 3 || n == strlen(names[i])) && strncasecmp(v, names[i], n) == 0)
			return (int)i;
	return -1;
}

/* days: a list of weekdays and ranges of them (mon-fri). */
static int
apply_days(struct yp *y, struct rp_check *c, const struct rule *r, const struct item *it)
{
	size_t i;

	c->days = 0;
	for (i = 0; i < it->n; i++) {
		const char *v = it->values[i], *dash = strchr(v, '-');
		int a = weekday(v, dash ? (size_t)(dash - v) : strlen(v));
		int b = dash ? weekday(dash + 1, strlen(dash + 1)) : a;

		if (a < 0 || b < 0)
			return yerr(y, it->line, "%s: %s: \"%s\" is not a weekday (mon, tue, ... sun) or "
			    "a range of them (mon-fri)", c->name, r->key, v);
		for (;; a = (a + 1) % 7) {
			c->days |= 1u << a;
			if (a == b)
				break;
		}
	}
	return 0;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y2 = *(const long *)b;

	return x < y2 ? -1 : x > y2;
}

/* A date YYYY-MM-DD as days since 1970-01-01, or -1. */
static int
parse_date(const char *v, long *out)
{
	long y, m, d;
	char ys[5], ms[3], ds[3];
	int64_t days;
	struct tm tm;
	time_t t;

	if (strlen(v) != 10 || v[4] != '-' || v[7] != '-')
		return -1;
	memcpy(ys, v, 4);
	ys[4] = '\0';
	memcpy(ms, v + 5, 2);
	ms[2] = '\0';
	memcpy(ds, v + 8, 2);
	ds[2] = '\0';
	if (rp_parse_long(ys, 1970, 9999, &y) != 0 || rp_parse_long(ms, 1, 12, &m) != 0 ||
	    rp_parse_long(ds, 1, 31, &d) != 0)
		return -1;
	days = rp_clock_days_from_civil(y, (int)m, (int)d);
	/* 2026-02-30 is not a date: it must come back as itself. */
	t = (time_t)(days * 86400);
	if (gmtime_r(&t, &tm) == NULL || tm.tm_mday != d)
		return -1;
	*out = (long)days;
	return 0;
}

static int
apply_dates(struct yp *y, struct rp_check *c, const struct rule *r, const struct item *it)
{
	size_t i;

	c->skip_dates = rp_xcalloc(it->n + 1, sizeof(*c->skip_dates));
	for (i = 0; i < it->n; i++) {
		if (parse_date(it->values[i], &c->skip_dates[i]) != 0)
			return yerr(y, it->line, "%s: %s: \"%s\" is not a date YYYY-MM-DD", c->name,
			    r->key, it->values[i]);
	}
	c->nskip_dates = it->n;
	qsort(c->skip_dates, c->nskip_dates, sizeof(*c->skip_dates), cmp_long);
	return 0;
}

static int
apply(struct yp *y, struct rp_check *c, const struct rule *r, struct item *it)
{
	char *base = (char *)c;
	const char *v = it->n > 0 ? it->values[0] : "";

	if (r->kind != V_LIST && r->kind != V_ADDRS && r->kind != V_DAYS && r->kind != V_DATES &&
	    it->is_list)
		return yerr(y, it->line, "%s: %s: expected a single value, found a list", c->name,
		    r->key);
	if ((r->kind == V_DAYS || r->kind == V_DATES) && it->n == 0)
		return yerr(y, it->line, "%s: %s: empty list", c->name, r->key);
	switch (r->kind) {
	case V_TYPE:
		break; /* Read before the others; see build_check(). */
	case V_DURATION:
		return apply_duration(y, c, r, it);
	case V_CRON:
		return apply_cron(y, c, r, it);
	case V_DAYS:
		return apply_days(y, c, r, it);
	case V_DATES:
		return apply_dates(y, c, r, it);
	case V_STR:
	case V_SECRET:
	case V_URL:
	case V_PTR:
	case V_ID:
		if (*v == '\0' && r->kind != V_PTR)
			return yerr(y, it->line, "%s: %s: empty", c->name, r->key);
		if (r->kind == V_SECRET && !rp_is_integration_key(v))
			return yerr(y, it->line,
			    "%s: %s: not a 32-character PagerDuty integration key", c->name, r->key);
		/* A URL with an "@" is not shown: it may hold a password. */
		if (r->kind == V_URL && url_problem(v) != NULL && strchr(v, '@') != NULL)
			return yerr(y, it->line, "%s: %s: %s", c->name, r->key, url_problem(v));
		if (r->kind == V_URL && url_problem(v) != NULL)
			return yerr(y, it->line, "%s: %s: \"%s\" %s", c->name, r->key, v,
			    url_problem(v));
		if (r->kind == V_PTR && !rp_jsonptr_valid(v))
			return yerr(y, it->line, "%s: %s: \"%s\" is not a JSON pointer (RFC 6901: "
			    "\"/a/0/b\", \"~0\" for \"~\" and \"~1\" for \"/\")", c->name, r->key, v);
		if (r->kind == V_ID && !is_id(v, r->max))
			return yerr(y, it->line, "%s: %s: \"%s\" is not 1 to %ld letters, digits, "
			    "\"_\", \".\" or \"-\"", c->name, r->key, v, r->max);
		*(char **)(base + r->off) = it->values[0];
		it->values[0] = NULL;
		break;
	case V_TIME:
		if (rp_clock_parse_hhmm(v, (int *)(base + r->off)) != 0)
			return yerr(y, it->line, "%s: %s: \"%s\" is not a time HH:MM from 00:00 to 23:59",
			    c->name, r->key, v);
		break;
	case V_LONG:
		if (rp_parse_long(v, r->min, r->max, (long *)(base + r->off)) != 0)
			return yerr(y, it->line, "%s: %s: \"%s\" is not a whole number of %s from %ld to %ld",
			    c->name, r->key, v, r->what, r->min, r->max);
		break;
	case V_MATCH:
		if (strcmp(v, "exact") == 0)
			c->subject_match = RP_MATCH_EXACT;
		else if (strcmp(v, "contains") == 0)
			c->subject_match = RP_MATCH_CONTAINS;
		else
			return yerr(y, it->line, "%s: %s: \"%s\" is not exact or contains", c->name,
			    r->key, v);
		break;
	case V_LIST:
	case V_ADDRS: {
		size_t i, *count = (size_t *)(base + r->off + sizeof(char **));

		/* The count follows its array in struct rp_check. */
		if (it->n == 0)
			return yerr(y, it->line, "%s: %s: empty list", c->name, r->key);
		if (!it->is_list && strchr(it->values[0], ',') != NULL)
			return yerr(y, it->line, "%s: %s: \"%s\" is one value; for several, write a "
			    "list: [%s]", c->name, r->key, it->values[0], it->values[0]);
		for (i = 0; i < it->n; i++) {
			if (*it->values[i] == '\0')
				return yerr(y, it->line, "%s: %s: item %zu is empty", c->name, r->key,
				    i + 1);
			if (r->kind == V_ADDRS && looks_like_domain(it->values[i]))
				return yerr(y, it->line, "%s: %s: \"%s\" is not an email address (for "
				    "anyone at that domain, write \"@%s\")", c->name, r->key,
				    it->values[i], it->values[i]);
			if (r->kind == V_ADDRS && !is_address(it->values[i]))
				return yerr(y, it->line, "%s: %s: \"%s\" is not an email address", c->name,
				    r->key, it->values[i]);
		}
		*(char ***)(base + r->off) = it->values;
		*count = it->n;
		it->values = NULL;
		it->n = 0;
		break;
	}
	}
	return 0;
}

static int
valid_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] <= ' ' || (unsigned char)s[n] >= 0x7f)
			return 0;
	return n > 0 && n <= RP_CHECK_NAME_MAX;
}

/* Whether key is among the n items. */
/* The line of key among a check's items, 0 when it is not there. */
static int
key_line(const struct item *it, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(it[i].key, key) == 0)
			return it[i].line;
	return 0;
}

static int
has_key(const struct item *it, size_t n, const char *key)
{
	return key_line(it, n, key) != 0;
}

/* The keys of an http check that mean something only together: a state
 * with no failure_values would never page a failed run, which is worse
 * than an error. */
static int
http_settings(struct yp *y, const struct rp_check *c, const struct item *it, size_t n)
{
	if (c->failure_values != NULL && c->state == NULL)
		return yerr(y, key_line(it, n, "failure_values"), "%s: failure_values: needs state "
		    "(the pointer to the run's state they are compared with)", c->name);
	if (c->state != NULL && c->failure_values == NULL)
		return yerr(y, key_line(it, n, "state"), "%s: state: needs failure_values (the "
		    "states that page at once, for example [failed, error])", c->name);
	return 0;
}

/* notify: names of sections of etl.cfg ([slack NAME], [webhook NAME]),
 * each once; whether they are there is known only with etl.cfg
 * (rp_sink_validate). */
static int
notify_names(struct yp *y, struct rp_check *c, int line)
{
	size_t i, j;

	c->notify_line = line;
	for (i = 0; i < c->nnotify; i++) {
		if (!is_id(c->notify[i], RP_NOTIFY_NAME_MAX))
			return yerr(y, line, "%s: notify: \"%s\" is not 1 to %d letters, digits, \"_\", "
			    "\".\" or \"-\" (the NAME of a [slack NAME] or [webhook NAME] section)", c->name,
			    c->notify[i], RP_NOTIFY_NAME_MAX);
		for (j = 0; j < i; j++)
			if (strcmp(c->notify[i], c->notify[j]) == 0)
				return yerr(y, line, "%s: notify: \"%s\" twice", c->name, c->notify[i]);
	}
	return 0;
}

/* A ping check: a schedule or a period, not both; grace and poll_sec
 * defaults (grace: an hour, at most half the period). */
static int
ping_settings(struct yp *y, struct rp_check *c, const struct item *it, size_t n)
{
	if ((c->schedule != NULL) == (c->period != 0))
		return yerr(y, c->line, "%s: %s", c->name, c->schedule ? "schedule and period: give "
		    "one of them" : "schedule: missing (a cron expression such as \"30 2 * * *\", "
		    "or period: 1d)");
	if (c->poll_sec == 0)
		c->poll_sec = RP_DEFAULT_PING_POLL_SEC;
	if (!has_key(it, n, "grace")) {
		c->grace = RP_DEFAULT_GRACE_SEC;
		if (c->period != 0 && c->grace > c->period / 2)
			c->grace = c->period / 2;
	}
	return 0;
}

static int
build_check(struct yp *y, struct rp_check *c, struct item *it, size_t n)
{
	const struct rule *r;
	size_t i, j;
	int type = -1;

	for (i = 0; i < n; i++) {
		if (strcmp(it[i].key, "type") != 0)
			continue;
		for (j = 0; !it[i].is_list && j < sizeof(known_types) / sizeof(known_types[0]); j++)
			if (strcmp(it[i].values[0], rp_check_type_name(known_types[j])) == 0)
				type = (int)known_types[j];
		if (type < 0)
			return yerr(y, it[i].line, "%s: type: not " KNOWN_TYPES, c->name);
	}
	if (type < 0)
		return yerr(y, c->line, "%s: type: missing (" KNOWN_TYPES ")", c->name);
	c->type = (enum rp_check_type)type;
	c->days = RP_EVERY_DAY;
	c->until = -1;
	for (i = 0; i < n; i++) {
		for (r = NULL, j = 0; j < NRULES; j++)
			if (strcmp(rules[j].key, it[i].key) == 0)
				r = &rules[j];
		if (r == NULL)
			return yerr(y, it[i].line, "%s: %s: unknown key", c->name, it[i].key);
		if (!(r->types & B(type)))
			return yerr(y, it[i].line, "%s: %s: not a key of %s checks", c->name,
			    it[i].key, rp_check_type_name(c->type));
		if (apply(y, c, r, &it[i]) != 0)
			return -1;
		if (strcmp(r->key, "auth") == 0)
			c->auth_line = it[i].line;
		if (strcmp(r->key, "notify") == 0 && notify_names(y, c, it[i].line) != 0)
			return -1;
	}
	for (j = 0; j < NRULES; j++) {
		if (!(rules[j].required & B(type)))
			continue;
		for (i = 0; i < n && strcmp(it[i].key, rules[j].key) != 0; i++)
			;
		if (i == n)
			return yerr(y, c->line, "%s: %s: missing", c->name, rules[j].key);
	}
	if (c->pd_service == NULL && c->notify == NULL)
		return yerr(y, c->line, "%s: pd_service: missing (a PagerDuty integration key; or "
		    "notify: a list of [slack NAME] and [webhook NAME] sections of etl.cfg)", c->name);
	if (c->type == RP_CHECK_EMAIL && c->check_time < c->delivery_time)
		return yerr(y, c->line, "%s: check_time %02d:%02d is before delivery_time %02d:%02d "
		    "(both are times of the same day)", c->name, c->check_time / 60,
		    c->check_time % 60, c->delivery_time / 60, c->delivery_time % 60);
	if (c->type == RP_CHECK_EMAIL && c->poll_sec == 0)
		c->poll_sec = RP_DEFAULT_EMAIL_POLL_SEC;
	if (c->type == RP_CHECK_PING && ping_settings(y, c, it, n) != 0)
		return -1;
	if (c->until >= 0 && c->until <= c->check_time)
		return yerr(y, c->line, "%s: until %02d:%02d is not after check_time %02d:%02d", c->name,
		    c->until / 60, c->until % 60, c->check_time / 60, c->check_time % 60);
	if (c->type == RP_CHECK_HTTP && http_settings(y, c, it, n) != 0)
		return -1;
	if (rp_check_program(c->type) == RP_PROG_LATENCY && c->warn_pct == 0)
		c->warn_pct = RP_DEFAULT_WARN_PCT;
	return 0;
}

static int
expect(struct yp *y, yaml_event_type_t want, const char *what)
{
	yaml_event_t ev;

	if (next(y, &ev) != 0)
		return -1;
	if (ev.type != want) {
		int line = line_of(&ev);
		yaml_event_delete(&ev);
		return yerr(y, line, "%s", what);
	}
	yaml_event_delete(&ev);
	return 0;
}

/* The names seen so far, hashed (FNV-1a, open addressing), so that a
 * checklist of thousands of checks finds a duplicate without comparing
 * every pair. Values are indexes into cl->checks, plus one. */
struct names {
	size_t *slot;
	size_t cap;
};

static size_t
name_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The index of name in cl if it is there; else adds it as index i and
 * returns -1. */
static long
names_add(struct names *t, const struct rp_checklist *cl, const char *name, size_t i)
{
	size_t k;

	if (2 * (i + 1) > t->cap) {
		struct names g;
		size_t j;
		g.cap = t->cap ? t->cap * 2 : 64;
		g.slot = rp_xcalloc(g.cap, sizeof(*g.slot));
		for (j = 0; j < t->cap; j++) {
			if (t->slot[j] == 0)
				continue;
			k = name_hash(cl->checks[t->slot[j] - 1].name) & (g.cap - 1);
			while (g.slot[k] != 0)
				k = (k + 1) & (g.cap - 1);
			g.slot[k] = t->slot[j];
		}
		free(t->slot);
		*t = g;
	}
	for (k = name_hash(name) & (t->cap - 1); t->slot[k] != 0; k = (k + 1) & (t->cap - 1))
		if (strcmp(cl->checks[t->slot[k] - 1].name, name) == 0)
			return (long)(t->slot[k] - 1);
	t->slot[k] = i + 1;
	return -1;
}

static int
parse_checks(struct yp *y, struct rp_checklist *cl, struct names *seen)
{
	yaml_event_t ev;
	size_t cap = 0;

	if (expect(y, YAML_STREAM_START_EVENT, "not a YAML stream") != 0)
		return -1;
	if (next(y, &ev) != 0)
		return -1;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return yerr(y, 1, "no checks (the file is empty)");
	}
	yaml_event_delete(&ev); /* DOCUMENT_START */
	if (next(y, &ev) != 0)
		return -1;
	if (ev.type != YAML_MAPPING_START_EVENT) {
		int line = line_of(&ev);
		int empty = ev.type == YAML_SCALAR_EVENT && ev.data.scalar.length == 0;
		yaml_event_delete(&ev);
		if (empty)
			return yerr(y, line, "no checks (the file is empty)");
		return yerr(y, line, "expected a mapping of check names to their settings");
	}
	yaml_event_delete(&ev);
	for (;;) {
		struct rp_check *c;
		struct item *it = NULL;
		size_t n = 0;
		char *name = NULL;
		int line, rc;

		if (next(y, &ev) != 0)
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		line = line_of(&ev);
		if (ev.type != YAML_SCALAR_EVENT) {
			yaml_event_delete(&ev);
			return yerr(y, line, "check names must be single values");
		}
		if (scalar(y, &ev, &name) != 0) {
			yaml_event_delete(&ev);
			return -1;
		}
		yaml_event_delete(&ev);
		if (!valid_name(name)) {
			yerr(y, line, "\"%s\": a check name is 1 to %d printable characters without spaces",
			    name, RP_CHECK_NAME_MAX);
			free(name);
			return -1;
		}
		if (cl->n == cap) {
			cap = cap ? cap * 2 : 16;
			cl->checks = rp_xrealloc(cl->checks, cap * sizeof(*cl->checks));
		}
		{
			long first;
			cl->checks[cl->n].name = name; /* for the table; set again below */
			if ((first = names_add(seen, cl, name, cl->n)) >= 0) {
				yerr(y, line, "%s: duplicate check name (first on line %d)", name,
				    cl->checks[first].line);
				free(name);
				return -1;
			}
		}
		c = &cl->checks[cl->n++];
		memset(c, 0, sizeof(*c));
		c->name = name;
		c->line = line;
		if (next(y, &ev) != 0)
			return -1;
		if (ev.type != YAML_MAPPING_START_EVENT) {
			yerr(y, line_of(&ev), "%s: expected the check's settings (key: value lines), found %s",
			    name, event_what(ev.type));
			yaml_event_delete(&ev);
			return -1;
		}
		yaml_event_delete(&ev);
		if (read_check_items(y, name, &it, &n) != 0)
			return -1;
		rc = build_check(y, c, it, n);
		items_free(it, n);
		if (rc != 0)
			return -1;
	}
	if (next(y, &ev) != 0)
		return -1;
	yaml_event_delete(&ev); /* DOCUMENT_END */
	if (next(y, &ev) != 0)
		return -1;
	if (ev.type != YAML_STREAM_END_EVENT) {
		int line = line_of(&ev);
		yaml_event_delete(&ev);
		return yerr(y, line, "only one YAML document is allowed");
	}
	yaml_event_delete(&ev);
	if (cl->n == 0)
		return yerr(y, 1, "no checks");
	return 0;
}

static int
parse(struct yp *y, struct rp_checklist *cl)
{
	struct names seen = {NULL, 0};
	int rc = parse_checks(y, cl, &seen);

	free(seen.slot);
	return rc;
}

int
rp_checklist_load(const char *path, struct rp_checklist *cl, struct rp_err *err)
{
	struct yp y = {0};
	FILE *f;
	int rc;

	memset(cl, 0, sizeof(*cl));
	cl->path = rp_xstrdup(path);
	if (rp_file_safe(path, "the checklist", err) != 0)
		return -1;
	if ((f = fopen(path, "rb")) == NULL)
		return rp_err_set(err, RP_EXIT_CONFIG, "%s: cannot read: %s", path, strerror(errno));
	if (!yaml_parser_initialize(&y.parser)) {
		fclose(f);
		return rp_err_set(err, RP_EXIT_SOFTWARE, "%s: cannot start the YAML parser", path);
	}
	yaml_parser_set_input_file(&y.parser, f);
	y.path = path;
	y.err = err;
	rc = parse(&y, cl);
	yaml_parser_delete(&y.parser);
	fclose(f);
	return rc;
}

int
rp_checklist_parse(const char *path, const char *text, size_t len, struct rp_checklist *cl,
    struct rp_err *err)
{
	struct yp y = {0};
	int rc;

	memset(cl, 0, sizeof(*cl));
	cl->path = rp_xstrdup(path);
	if (!yaml_parser_initialize(&y.parser))
		return rp_err_set(err, RP_EXIT_SOFTWARE, "%s: cannot start the YAML parser", path);
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)text, len);
	y.path = path;
	y.err = err;
	rc = parse(&y, cl);
	yaml_parser_delete(&y.parser);
	return rc;
}

const struct rp_check *
rp_checklist_find(const struct rp_checklist *cl, const char *name)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (strcmp(cl->checks[i].name, name) == 0)
			return &cl->checks[i];
	return NULL;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
rp_checklist_free(struct rp_checklist *cl)
{
	size_t i;

	for (i = 0; i < cl->n; i++) {
		struct rp_check *c = &cl->checks[i];
		free(c->name);
		free(c->pd_description);
		rp_free_secret(c->pd_service);
		free(c->wf_name);
		free(c->dag_id);
		free(c->url);
		free(c->completion);
		free(c->state);
		free_list(c->failure_values, c->nfailure_values);
		free(c->started);
		free(c->auth);
		free_list(c->notify, c->nnotify);
		free(c->schedule);
		free(c->skip_dates);
		free_list(c->senders, c->nsenders);
		free_list(c->subjects, c->nsubjects);
	}
	free(cl->checks);
	free(cl->path);
	memset(cl, 0, sizeof(*cl));
}

int
rp_check_on(const struct rp_check *c, time_t t)
{
	struct tm tm;
	long day;

	/* Most checks have no calendar: no local time to work out. */
	if (c->days == RP_EVERY_DAY && c->nskip_dates == 0)
		return 1;
	if (localtime_r(&t, &tm) == NULL)
		return 1;
	if (!(c->days & (1u << tm.tm_wday)))
		return 0;
	if (c->nskip_dates == 0)
		return 1;
	day = (long)rp_clock_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	/* No bsearch of a null array, even of none (UBSan). */
	return c->nskip_dates == 0 || bsearch(&day, c->skip_dates, c->nskip_dates,
	    sizeof(*c->skip_dates), cmp_long) == NULL;
}

size_t
rp_checklist_left_out(const struct rp_checklist *cl, unsigned run, struct rp_buf *names)
{
	size_t i, n = 0;

	for (i = 0; i < cl->n; i++) {
		if (run & (1u << rp_check_program(cl->checks[i].type)))
			continue;
		if (n < 3)
			rp_buf_printf(names, "%s%s", n ? ", " : "", cl->checks[i].name);
		else if (n == 3)
			rp_buf_printf(names, ", ...");
		n++;
	}
	return n;
}

int
rp_check_off(const struct rp_check *c, time_t t)
{
	return c->type != RP_CHECK_PING && !rp_check_on(c, t);
}

int
rp_check_in_window(const struct rp_check *c, time_t t)
{
	if (t < rp_clock_today_at(t, c->check_time))
		return 0;
	return c->until < 0 || t < rp_clock_today_at(t, c->until);
}
