#define _POSIX_C_SOURCE 200809L
#include "checklist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "clock.h"

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

/* Next event, with aliases refused (they are how a small file becomes a huge
 * one) and YAML errors turned into ours. */
static int
next(struct yp *y, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&y->parser, ev)) {
		int line = (int)y->parser.problem_mark.line + 1;
		if (y->parser.error == YAML_READER_ERROR)
			line = line_at_offset(y->path, y->parser.problem_offset);
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
enum vkind { V_STR, V_SECRET, V_TIME, V_LONG, V_LIST, V_ADDRS, V_TYPE, V_MATCH };

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
#define BOTH (B(RP_CHECK_EMAIL) | B(RP_CHECK_BATCHY))
/* INTERIM (rp-ping's branch), replaced by the lead's ping checks: ping
 * takes the common keys, check_time optional. */
#define COMMON (BOTH | B(RP_CHECK_PING))
#define F(m) offsetof(struct rp_check, m)
static const struct rule rules[] = {
	{"type", V_TYPE, COMMON, COMMON, F(type), 0, 0, NULL},
	{"pd_description", V_STR, COMMON, COMMON, F(pd_description), 0, 0, NULL},
	{"pd_service", V_SECRET, COMMON, COMMON, F(pd_service), 0, 0, NULL},
	{"check_time", V_TIME, COMMON, BOTH, F(check_time), 0, 0, NULL},
	{"poll_sec", V_LONG, BOTH, B(RP_CHECK_BATCHY), F(poll_sec), 1, 86400, "seconds"},
	{"unknown_after", V_LONG, BOTH, 0, F(unknown_after), 1, 1000, "evaluations"},
	{"wf_name", V_STR, B(RP_CHECK_BATCHY), B(RP_CHECK_BATCHY), F(wf_name), 0, 0, NULL},
	{"latency_min", V_LONG, B(RP_CHECK_BATCHY), B(RP_CHECK_BATCHY), F(latency_min), 1,
	    525600, "minutes"},
	{"warn_pct", V_LONG, B(RP_CHECK_BATCHY), 0, F(warn_pct), 1, 100, "percent"},
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

const char *
rp_check_type_name(enum rp_check_type t)
{
	static const char *const names[] = {"email", "batchy", "airflow", "http", "ping"};

	return names[t];
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

/* What someone who meant a whole domain may write: "vendor.example". */
static int
looks_like_domain(const char *v)
{
	return strchr(v, '@') == NULL && strchr(v, '.') != NULL && strlen(v) < 254 &&
	    v[strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")] ==
	    '\0';
}

static int
apply(struct yp *y, struct rp_check *c, const struct rule *r, struct item *it)
{
	char *base = (char *)c;
	const char *v = it->n > 0 ? it->values[0] : "";

	if (r->kind != V_LIST && r->kind != V_ADDRS && it->is_list)
		return yerr(y, it->line, "%s: %s: expected a single value, found a list", c->name,
		    r->key);
	switch (r->kind) {
	case V_TYPE:
		break; /* Read before the others; see build_check(). */
	case V_STR:
	case V_SECRET:
		if (*v == '\0')
			return yerr(y, it->line, "%s: %s: empty", c->name, r->key);
		if (r->kind == V_SECRET && !rp_is_integration_key(v))
			return yerr(y, it->line,
			    "%s: %s: not a 32-character PagerDuty integration key", c->name, r->key);
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

static int
build_check(struct yp *y, struct rp_check *c, struct item *it, size_t n)
{
	const struct rule *r;
	size_t i, j;
	int type = -1;

	for (i = 0; i < n; i++) {
		if (strcmp(it[i].key, "type") != 0)
			continue;
		/* INTERIM (rp-ping's branch): "ping" accepted; the lead's version
		 * replaces this. */
		if (!it[i].is_list && strcmp(it[i].values[0], "ping") == 0) {
			type = RP_CHECK_PING;
			continue;
		}
		if (it[i].is_list || (strcmp(it[i].values[0], "email") != 0 &&
		                         strcmp(it[i].values[0], "batchy") != 0))
			return yerr(y, it[i].line, "%s: type: not email or batchy", c->name);
		type = strcmp(it[i].values[0], "email") == 0 ? RP_CHECK_EMAIL : RP_CHECK_BATCHY;
	}
	if (type < 0)
		return yerr(y, c->line, "%s: type: missing (email or batchy)", c->name);
	c->type = (enum rp_check_type)type;
	for (i = 0; i < n; i++) {
		/* INTERIM (rp-ping's branch), replaced by the lead's ping checks:
		 * period, a duration, checked and not kept. */
		if (type == RP_CHECK_PING && strcmp(it[i].key, "period") == 0) {
			long secs;
			if (it[i].is_list || rp_clock_parse_duration(it[i].values[0], 366L * 86400,
			    &secs) != 0)
				return yerr(y, it[i].line, "%s: period: not a duration such as 1d or 1h30m",
				    c->name);
			continue;
		}
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
	}
	for (j = 0; j < NRULES; j++) {
		if (!(rules[j].required & B(type)))
			continue;
		for (i = 0; i < n && strcmp(it[i].key, rules[j].key) != 0; i++)
			;
		if (i == n)
			return yerr(y, c->line, "%s: %s: missing", c->name, rules[j].key);
	}
	if (c->type == RP_CHECK_EMAIL && c->check_time < c->delivery_time)
		return yerr(y, c->line, "%s: check_time %02d:%02d is before delivery_time %02d:%02d "
		    "(both are times of the same day)", c->name, c->check_time / 60,
		    c->check_time % 60, c->delivery_time / 60, c->delivery_time % 60);
	if (c->type == RP_CHECK_EMAIL && c->poll_sec == 0)
		c->poll_sec = RP_DEFAULT_EMAIL_POLL_SEC;
	if (c->type == RP_CHECK_BATCHY && c->warn_pct == 0)
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
		free_list(c->senders, c->nsenders);
		free_list(c->subjects, c->nsubjects);
	}
	free(cl->checks);
	free(cl->path);
	memset(cl, 0, sizeof(*cl));
}
