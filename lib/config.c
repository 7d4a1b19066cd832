#define _DEFAULT_SOURCE /* explicit_bzero */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "checklist.h"
#include "clock.h"
#include "mime.h"

enum kind { K_STR, K_SECRET, K_B64SECRET, K_LONG, K_BOOL, K_FUNCTIONS, K_URL, K_IMAPURL,
    K_ASCII, K_KEY32, K_WORD };

/* The words K_WORD keys take, by the key's min field. */
static const char *const words[][4] = {
	{"change", "trigger", "none", NULL},  /* heartbeat_mode */
	{"GET", "POST", NULL, NULL},          /* heartbeat_method */
	{"auto", "1", "2", NULL},             /* [airflow] api_version */
};

struct key {
	const char *section;
	const char *name;
	enum kind kind;
	size_t off;
	long min, max;
};

#define F(m) offsetof(struct rp_config, m)
static const struct key keys[] = {
	{"robopager", "heartbeat_service", K_KEY32, F(heartbeat_service), 0, 0},
	{"robopager", "unknown_after", K_LONG, F(unknown_after), 1, 1000},
	{"robopager", "heartbeat_mode", K_WORD, F(heartbeat_mode), 0, 0},
	{"robopager", "heartbeat_url", K_URL, F(heartbeat_url), 0, 0},
	{"robopager", "heartbeat_method", K_WORD, F(heartbeat_method), 1, 0},
	{"robopager", "stale_after_sec", K_LONG, F(stale_after_sec), 60, 604800},
	{"robopager", "max_undelivered", K_LONG, F(max_undelivered), 0, 100000},
	{"robopager", "offset_sec", K_LONG, F(offset_sec), 0, 3600},
	{"robopager", "time_budget_sec", K_LONG, F(time_budget_sec), 5, 3600},
	{"robopager", "max_parallel", K_LONG, F(max_parallel), 1, 1024},
	{"robopager", "metrics_dir", K_STR, F(metrics_dir), 0, 0},
	{"robopager", "cache_dir", K_STR, F(cache_dir), 0, 0},
	{"pager_duty", "subdomain", K_STR, F(pd_subdomain), 0, 0},
	{"pager_duty", "api_access_key", K_SECRET, F(pd_api_access_key), 0, 0},
	{"pager_duty", "events_url", K_URL, F(events_url), 0, 0},
	{"pager_duty", "timeout_sec", K_LONG, F(pd_timeout_sec), 1, 300},
	{"pager_duty", "rate_per_min", K_LONG, F(pd_rate_per_min), 1, 100000},
	{"pager_duty", "ca_file", K_STR, F(pd_ca_file), 0, 0},
	{"pager_duty", "tls_verify", K_BOOL, F(pd_tls_verify), 0, 0},
	{"google_apps", "email", K_STR, F(email), 0, 0},
	{"google_apps", "password", K_B64SECRET, F(password), 0, 0},
	{"google_apps", "password_file", K_STR, F(password_file), 0, 0},
	{"google_apps", "password_env", K_STR, F(password_env), 0, 0},
	{"google_apps", "imap_url", K_IMAPURL, F(imap_url), 0, 0},
	{"google_apps", "mailbox", K_ASCII, F(mailbox), 0, 0},
	{"google_apps", "ca_file", K_STR, F(ca_file), 0, 0},
	{"google_apps", "timeout_sec", K_LONG, F(imap_timeout_sec), 1, 300},
	{"google_apps", "tls_verify", K_BOOL, F(imap_tls_verify), 0, 0},
	{"function_type", "type", K_FUNCTIONS, F(functions), 0, 0},
	{"batchy", "server", K_STR, F(batchy_server), 0, 0},
	{"batchy", "port", K_LONG, F(batchy_port), 1, 65535},
	{"batchy", "timeout_sec", K_LONG, F(batchy_timeout_sec), 1, 300},
	{"batchy", "ca_file", K_STR, F(batchy_ca_file), 0, 0},
	{"batchy", "tls_verify", K_BOOL, F(batchy_tls_verify), 0, 0},
	{"airflow", "url", K_URL, F(airflow_url), 0, 0},
	{"airflow", "api_version", K_WORD, F(airflow_api_version), 2, 0},
	{"airflow", "username", K_STR, F(airflow_username), 0, 0},
	{"airflow", "password_file", K_STR, F(airflow_password_file), 0, 0},
	{"airflow", "password_env", K_STR, F(airflow_password_env), 0, 0},
	{"airflow", "token_file", K_STR, F(airflow_token_file), 0, 0},
	{"airflow", "token_env", K_STR, F(airflow_token_env), 0, 0},
	{"airflow", "timeout_sec", K_LONG, F(airflow_timeout_sec), 1, 300},
	{"airflow", "ca_file", K_STR, F(airflow_ca_file), 0, 0},
	{"airflow", "tls_verify", K_BOOL, F(airflow_tls_verify), 0, 0},
	{"timezone", "timezone", K_STR, F(timezone), 0, 0},
	{"enable_redis", "enable", K_BOOL, F(redis_enabled), 0, 0},
	{"redis", "server", K_STR, F(redis_server), 0, 0},
	{"redis", "port", K_LONG, F(redis_port), 1, 65535},
	{"redis", "db", K_LONG, F(redis_db), 0, 1000000},
	{"redis", "password", K_SECRET, F(redis_password), 0, 0},
	{"redis", "prefix", K_STR, F(redis_prefix), 0, 0},
	{"redis", "timeout_ms", K_LONG, F(redis_timeout_ms), 10, 600000},
	{"alertmanager", "urls", K_STR, F(am_urls_text), 0, 0},
	{"alertmanager", "timeout_sec", K_LONG, F(am_timeout_sec), 1, 300},
	{"alertmanager", "ca_file", K_STR, F(am_ca_file), 0, 0},
	{"alertmanager", "tls_verify", K_BOOL, F(am_tls_verify), 0, 0},
	{"redis", "sentinels", K_STR, F(redis_sentinels), 0, 0},
	{"redis", "master_name", K_STR, F(redis_master_name), 0, 0},
	{"redis", "sentinel_password", K_SECRET, F(redis_sentinel_password), 0, 0},
};
#undef F
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* The keys of a named section ([http NAME]), relative to its struct. */
#define H(m) offsetof(struct rp_http_auth, m)
static const struct key http_keys[] = {
	{"http", "bearer_token_file", K_STR, H(bearer_token_file), 0, 0},
	{"http", "bearer_token_env", K_STR, H(bearer_token_env), 0, 0},
	{"http", "username", K_STR, H(username), 0, 0},
	{"http", "password_file", K_STR, H(password_file), 0, 0},
	{"http", "password_env", K_STR, H(password_env), 0, 0},
	{"http", "ca_file", K_STR, H(ca_file), 0, 0},
	{"http", "tls_verify", K_BOOL, H(tls_verify), 0, 0},
	{"http", "timeout_sec", K_LONG, H(timeout_sec), 1, 300},
};
#undef H
#define NHTTPKEYS (sizeof(http_keys) / sizeof(http_keys[0]))

/* [slack NAME]: a Slack incoming webhook (its URL is a secret: a file or
 * a variable, never inline). */
#define S(m) offsetof(struct rp_slack, m)
static const struct key slack_keys[] = {
	{"slack", "webhook_url_file", K_STR, S(webhook_url_file), 0, 0},
	{"slack", "webhook_url_env", K_STR, S(webhook_url_env), 0, 0},
	{"slack", "warnings", K_BOOL, S(warnings), 0, 0},
	{"slack", "rate_per_min", K_LONG, S(rate_per_min), 1, 100000},
	{"slack", "ca_file", K_STR, S(ca_file), 0, 0},
	{"slack", "tls_verify", K_BOOL, S(tls_verify), 0, 0},
	{"slack", "timeout_sec", K_LONG, S(timeout_sec), 1, 300},
};
#undef S

/* [webhook NAME]: Robopager's own JSON events, signed. */
#define W(m) offsetof(struct rp_webhook, m)
static const struct key webhook_keys[] = {
	{"webhook", "url", K_URL, W(url), 0, 0},
	{"webhook", "secret_file", K_STR, W(secret_file), 0, 0},
	{"webhook", "secret_env", K_STR, W(secret_env), 0, 0},
	{"webhook", "warnings", K_BOOL, W(warnings), 0, 0},
	{"webhook", "rate_per_min", K_LONG, W(rate_per_min), 1, 100000},
	{"webhook", "ca_file", K_STR, W(ca_file), 0, 0},
	{"webhook", "tls_verify", K_BOOL, W(tls_verify), 0, 0},
	{"webhook", "timeout_sec", K_LONG, W(timeout_sec), 1, 300},
};
#undef W

/* The sections that come once per name, "[KIND NAME]": each is an array of
 * its struct in struct rp_config, whose first members are the name and the
 * line (struct named_head). */
struct named_head {
	char *name;
	int line;
};
_Static_assert(offsetof(struct rp_http_auth, line) == offsetof(struct named_head, line),
    "named sections begin with name and line");
_Static_assert(offsetof(struct rp_slack, line) == offsetof(struct named_head, line),
    "named sections begin with name and line");
_Static_assert(offsetof(struct rp_webhook, line) == offsetof(struct named_head, line),
    "named sections begin with name and line");

static void http_init(void *p) { struct rp_http_auth *h = p; h->tls_verify = 1; h->timeout_sec = 10; }
static void slack_init(void *p) { struct rp_slack *h = p; h->tls_verify = 1; h->timeout_sec = 10; h->rate_per_min = 60; }
static void webhook_init(void *p) { struct rp_webhook *h = p; h->tls_verify = 1; h->timeout_sec = 10; h->rate_per_min = 120; }

#define C(m) offsetof(struct rp_config, m)
static const struct named_kind {
	const char *kind;
	const char *why;          /* what names a section of the kind */
	const struct key *keys;
	size_t nkeys;
	size_t size;              /* of its struct */
	size_t arr, count;        /* where its array and count are in rp_config */
	void (*init)(void *);     /* its defaults */
} named_kinds[] = {
	{"http", "the checks' auth: names it", http_keys, NHTTPKEYS, sizeof(struct rp_http_auth),
	    C(http), C(nhttp), http_init},
	{"slack", "the checks' notify: names it", slack_keys,
	    sizeof(slack_keys) / sizeof(slack_keys[0]), sizeof(struct rp_slack), C(slack),
	    C(nslack), slack_init},
	{"webhook", "the checks' notify: names it", webhook_keys,
	    sizeof(webhook_keys) / sizeof(webhook_keys[0]), sizeof(struct rp_webhook),
	    C(webhook), C(nwebhook), webhook_init},
};
#undef C
#define NKINDS (sizeof(named_kinds) / sizeof(named_kinds[0]))
/* Keys of a named section at most (for the lines each was set on). */
#define MAX_NAMED_KEYS 16
_Static_assert(NHTTPKEYS <= MAX_NAMED_KEYS &&
    sizeof(slack_keys) / sizeof(slack_keys[0]) <= MAX_NAMED_KEYS &&
    sizeof(webhook_keys) / sizeof(webhook_keys[0]) <= MAX_NAMED_KEYS, "MAX_NAMED_KEYS");
#define RP_SECTION_NAME_MAX 64
/* Keys the earlier tool's files carried that this Robopager does not use.
 * Each is accepted with a notice naming it (never its value: some hold a
 * secret) and is not kept. Only keys known to have been in such files
 * belong here; any other key stays an error. */
static const struct legacy {
	const char *section;
	const char *name;
} legacy[] = {
	/* The integration key its own tests paged (tests/test_data/test_etl.cfg
	 * of the Python robopager), copied into many installations' files. */
	{"pager_duty", "test_pd_service"},
};
#define NLEGACY (sizeof(legacy) / sizeof(legacy[0]))

struct parse {
	struct rp_config *cfg;
	const char *path;
	FILE *f;
	int line;         /* the line inih is working on */
	int seen[NKEYS];  /* line each key was set on, or 0 */
	int *nseen[NKINDS];       /* the same for each named section, by kind:
	                           * MAX_NAMED_KEYS per section */
	struct rp_err *err;
	int failed;
};

static int fail(struct parse *p, const char *section, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Records the first error (inih goes on parsing after one) and returns 0,
 * which tells inih the line failed. */
static int
fail(struct parse *p, const char *section, const char *name, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (p->failed++)
		return 0;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [%s] %s: %s", p->path, p->line,
	    section, name, what);
	return 0;
}

static int
parse_bool(const char *v, int *out)
{
	static const char *yes[] = {"true", "yes", "on", "1"};
	static const char *no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int
parse_functions(const char *v, unsigned *out)
{
	static const char *const names[] = {"email", "batchy", "airflow", "http", "ping"};
	static const unsigned bits[] = {RP_FN_EMAIL, RP_FN_BATCHY, RP_FN_AIRFLOW, RP_FN_HTTP,
	    RP_FN_PING};
	char word[32];
	const char *p = v;
	size_t i;

	*out = 0;
	while (*p) {
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " \t,");
		if (n >= sizeof(word))
			return -1;
		memcpy(word, p, n);
		word[n] = '\0';
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcasecmp(word, names[i]) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		*out |= bits[i];
		p += n;
	}
	return *out ? 0 : -1;
}

static int
is_ascii(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v >= 0x7f)
			return 0;
	return 1;
}

static int
is_word(const char *v, const char *const *w)
{
	for (; *w != NULL; w++)
		if (strcmp(v, *w) == 0)
			return 1;
	return 0;
}

static int
is_base64(const char *v)
{
	size_t n;
	char *d = rp_base64_decode(v, strlen(v), &n);

	if (d == NULL)
		return 0;
	rp_free_secret(d);
	return 1;
}

static int set_value(struct parse *p, const struct key *k, char *base, const char *section,
    const char *name, const char *value);
static int named_section(struct parse *p, const char *section, const char *name,
    const char *value);

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	char *base = (char *)p->cfg;
	const struct key *k = NULL;
	size_t i;
	int known_section = 0;

	for (i = 0; i < NLEGACY; i++) {
		if (strcmp(legacy[i].section, section) != 0 || strcmp(legacy[i].name, name) != 0)
			continue;
		if (p->cfg->nnotices < RP_CONFIG_MAX_NOTICES) {
			p->cfg->notices = rp_xrealloc(p->cfg->notices,
			    (p->cfg->nnotices + 1) * sizeof(*p->cfg->notices));
			p->cfg->notices[p->cfg->nnotices++] = rp_xasprintf(
			    "%s:%d: [%s] %s: not used by this Robopager; ignored", p->path, p->line,
			    section, name);
		}
		return 1;
	}
	for (i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(keys[i].name, name) == 0) {
			k = &keys[i];
			break;
		}
	}
	if (!known_section)
		return named_section(p, section, name, value);
	if (k == NULL)
		return fail(p, section, name, "unknown key");
	if (p->seen[i])
		return fail(p, section, name, "set twice (first on line %d)", p->seen[i]);
	p->seen[i] = p->line;
	return set_value(p, k, base, section, name, value);
}

/* Checks value as k's kind wants and stores it at base + k->off. */
static int
set_value(struct parse *p, const struct key *k, char *base, const char *section,
    const char *name, const char *value)
{
	switch (k->kind) {
	case K_STR:
	case K_SECRET:
	case K_B64SECRET:
	case K_URL:
	case K_IMAPURL:
	case K_ASCII:
	case K_WORD:
	case K_KEY32: {
		char **dst = (char **)(base + k->off);
		if (k->kind == K_URL && strncmp(value, "https://", 8) != 0 &&
		    strncmp(value, "http://", 7) != 0)
			return fail(p, section, name, "\"%s\" is not an http:// or https:// URL", value);
		if (k->kind == K_IMAPURL && strncmp(value, "imaps://", 8) != 0 &&
		    strncmp(value, "imap://", 7) != 0)
			return fail(p, section, name, "\"%s\" is not an imaps:// or imap:// URL", value);
		if (k->kind == K_IMAPURL && strchr(value, '@') != NULL)
			return fail(p, section, name,
			    "holds a user name; the user is [google_apps] email");
		if (k->kind == K_WORD && !is_word(value, words[k->min])) {
			const char *const *w = words[k->min];
			return fail(p, section, name, "\"%s\" is not one of %s, %s%s%s", value, w[0],
			    w[1], w[2] ? ", " : "", w[2] ? w[2] : "");
		}
		if (k->kind == K_ASCII && !is_ascii(value))
			return fail(p, section, name, "\"%s\" has characters other than ASCII", value);
		if (k->kind == K_B64SECRET && !is_base64(value))
			return fail(p, section, name,
			    "not base64 (write the password base64-encoded, or use password_file)");
		if (k->kind == K_KEY32 && *value != '\0' && !rp_is_integration_key(value))
			return fail(p, section, name,
			    "not a 32-character integration key (%zu characters; the value is a "
			    "secret and is not shown)", strlen(value));
		if (k->kind == K_SECRET || k->kind == K_B64SECRET)
			rp_free_secret(*dst);
		else
			free(*dst);
		*dst = rp_xstrdup(value);
		break;
	}
	case K_LONG: {
		long v;
		if (rp_parse_long(value, k->min, k->max, &v) != 0)
			return fail(p, section, name, "\"%s\" is not a number from %ld to %ld",
			    value, k->min, k->max);
		*(long *)(base + k->off) = v;
		break;
	}
	case K_BOOL:
		if (parse_bool(value, (int *)(base + k->off)) != 0)
			return fail(p, section, name, "\"%s\" is not True or False", value);
		break;
	case K_FUNCTIONS:
		if (parse_functions(value, (unsigned *)(base + k->off)) != 0)
			return fail(p, section, name,
			    "\"%s\" is not a list of email, batchy, airflow, http and ping", value);
		break;
	}
	return 1;
}

/* A key of a section that comes once per name: "[http exports]" is the
 * [http] section named exports, "[slack data-team]" a [slack] one. */
static int
named_section(struct parse *p, const char *section, const char *name, const char *value)
{
	struct rp_config *cfg = p->cfg;
	const struct named_kind *k = NULL;
	struct named_head *h = NULL;
	char *arr;
	size_t *count, i, len, idx = 0;
	const char *n;

	for (i = 0; i < NKINDS; i++) {
		size_t kl = strlen(named_kinds[i].kind);
		if (strcmp(section, named_kinds[i].kind) == 0)
			return fail(p, section, name, "the section needs a name: [%s NAME], as %s",
			    section, named_kinds[i].why);
		if (strncmp(section, named_kinds[i].kind, kl) == 0 &&
		    (section[kl] == ' ' || section[kl] == '\t'))
			k = &named_kinds[i];
	}
	if (strcmp(section, "heartbeat") == 0)
		return fail(p, section, name, "unknown section (the heartbeat's integration key is "
		    "[robopager] heartbeat_service)");
	if (k == NULL)
		return fail(p, section, name, "unknown section");
	for (n = section + strlen(k->kind); *n == ' ' || *n == '\t'; n++)
		;
	len = strlen(n);
	while (len > 0 && (n[len - 1] == ' ' || n[len - 1] == '\t'))
		len--;
	if (len == 0 || len > RP_SECTION_NAME_MAX || strspn(n, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") < len)
		return fail(p, section, name, "a section name is 1 to %d letters, digits, "
		    "\"_\", \".\" or \"-\"", RP_SECTION_NAME_MAX);
	/* The array's pointer is copied in and out: it is a pointer to the
	 * kind's struct, not to char. */
	memcpy(&arr, (char *)cfg + k->arr, sizeof(arr));
	count = (size_t *)((char *)cfg + k->count);
	for (i = 0; i < *count; i++) {
		struct named_head *x = (struct named_head *)(void *)(arr + i * k->size);
		if (strlen(x->name) == len && strncmp(x->name, n, len) == 0) {
			h = x;
			idx = i;
		}
	}
	if (h == NULL) {
		int **seen = &p->nseen[k - named_kinds];
		arr = rp_xrealloc(arr, (*count + 1) * k->size);
		memcpy((char *)cfg + k->arr, &arr, sizeof(arr));
		*seen = rp_xrealloc(*seen, (*count + 1) * MAX_NAMED_KEYS * sizeof(**seen));
		idx = (*count)++;
		h = (struct named_head *)(void *)(arr + idx * k->size);
		memset(h, 0, k->size);
		memset(*seen + idx * MAX_NAMED_KEYS, 0, MAX_NAMED_KEYS * sizeof(**seen));
		h->name = rp_xstrndup(n, len);
		h->line = p->line;
		k->init(h);
	}
	for (i = 0; i < k->nkeys; i++) {
		int *seen = p->nseen[k - named_kinds] + idx * MAX_NAMED_KEYS;
		if (strcmp(k->keys[i].name, name) != 0)
			continue;
		if (seen[i])
			return fail(p, section, name, "set twice (first on line %d)", seen[i]);
		seen[i] = p->line;
		return set_value(p, &k->keys[i], (char *)h, section, name, value);
	}
	return fail(p, section, name, "unknown key");
}

/* fgets for inih that counts lines, so every message can name its line. */
static char *
reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	size_t n;

	memset(str, 0, (size_t)num);
	if (fgets(str, num, p->f) == NULL)
		return NULL;
	p->line++;
	n = strlen(str);
	/* Anything after the first NUL came from the file too. */
	for (size_t i = n; i + 1 < (size_t)num; i++) {
		if (str[i] != '\0') {
			if (!p->failed++)
				rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: a NUL byte (is this a text "
				    "file?)", p->path, p->line);
			str[0] = '\0';
			return str;
		}
	}
	if (n > 0 && str[n - 1] != '\n' && !feof(p->f)) {
		int c;
		while ((c = fgetc(p->f)) != EOF && c != '\n')
			;
		if (!p->failed++)
			rp_err_set(p->err, RP_EXIT_CONFIG,
			    "%s:%d: line longer than %d characters", p->path, p->line, num - 2);
		str[0] = '\0';
	}
	return str;
}

static char *
dup_default(char *v, const char *def)
{
	return v != NULL ? v : rp_xstrdup(def);
}

/* Whether url's host (between "://" and a port, path or end) is host. */
static int
url_host_is(const char *url, const char *host)
{
	const char *h = strstr(url, "://");
	size_t n;

	if (h == NULL)
		return 0;
	h += 3;
	n = strcspn(h, ":/?#");
	return n == strlen(host) && strncasecmp(h, host, n) == 0;
}

static int
missing(struct parse *p, const char *section, const char *name, const char *hint)
{
	return rp_err_set(p->err, RP_EXIT_CONFIG, "%s: [%s] %s: missing%s", p->path,
	    section, name, hint);
}

static int
line_of(const struct parse *p, const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return p->seen[i];
	return 0;
}

/* Whether url names a user or password before its host ("user:pw@"):
 * credentials belong in their own keys, never in a URL that is shown. */
static int
url_has_userinfo(const char *url)
{
	const char *h = strstr(url, "://");
	size_t n;

	if (h == NULL)
		return 0;
	h += 3;
	n = strcspn(h, "/?#");
	return memchr(h, '@', n) != NULL;
}

/* The ways a source may authenticate: one of them at most, each whole. */
static int
check_sources(struct parse *p)
{
	const struct rp_config *cfg = p->cfg;
	size_t i;

	if (cfg->airflow_url != NULL) {
		int pw = (cfg->airflow_password_file != NULL) + (cfg->airflow_password_env != NULL);
		int tok = (cfg->airflow_token_file != NULL) + (cfg->airflow_token_env != NULL);
		if (url_has_userinfo(cfg->airflow_url))
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [airflow] url: holds a user "
			    "or password; set username and password_file (or password_env) instead",
			    p->path, line_of(p, "airflow", "url"));
		if (pw > 1 || tok > 1 || (pw && tok))
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s: [airflow]: set one of "
			    "password_file, password_env, token_file and token_env", p->path);
		if (tok && cfg->airflow_username != NULL)
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [airflow] username: not used "
			    "with a token (token_file, token_env); remove one", p->path,
			    line_of(p, "airflow", "username"));
		if (pw && cfg->airflow_username == NULL)
			return missing(p, "airflow", "username", " (a password is set)");
		if (cfg->airflow_username != NULL && !pw)
			return missing(p, "airflow", "password_file",
			    " (or password_env: username is set)");
	} else if (cfg->airflow_username != NULL || cfg->airflow_password_file != NULL ||
	    cfg->airflow_password_env != NULL || cfg->airflow_token_file != NULL ||
	    cfg->airflow_token_env != NULL) {
		return missing(p, "airflow", "url", " (the section sets credentials)");
	}
	for (i = 0; i < cfg->nhttp; i++) {
		const struct rp_http_auth *h = &cfg->http[i];
		int pw = (h->password_file != NULL) + (h->password_env != NULL);
		int tok = (h->bearer_token_file != NULL) + (h->bearer_token_env != NULL);
		if (tok > 1 || pw > 1 || (tok && (pw || h->username != NULL)))
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [http %s]: set either "
			    "bearer_token_file (or bearer_token_env), or username with password_file "
			    "(or password_env)", p->path, h->line, h->name);
		if ((h->username != NULL) != (pw > 0))
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [http %s] %s: missing (%s)",
			    p->path, h->line, h->name, pw ? "username" : "password_file",
			    pw ? "a password is set" : "or password_env: username is set");
	}
	return 0;
}

/* An http(s) URL with a host, without a user, password or spaces: NULL,
 * or what is wrong. */
static const char *
plain_url_problem(const char *u)
{
	const char *h;

	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
		return "is not an http:// or https:// URL";
	h = strstr(u, "://") + 3;
	if (strcspn(h, "/?#") == 0)
		return "has no host";
	if (url_has_userinfo(u))
		return "holds a user or password";
	for (; *u; u++)
		if ((unsigned char)*u <= ' ' || (unsigned char)*u >= 0x7f)
			return "has spaces or characters other than ASCII";
	return NULL;
}

/* [alertmanager] urls: comma (or space) separated URLs into cfg->am_urls,
 * each without a trailing "/". */
static int
am_urls(struct parse *p)
{
	struct rp_config *cfg = p->cfg;
	const char *v = cfg->am_urls_text, *q;
	int line = line_of(p, "alertmanager", "urls");

	if (v == NULL)
		return (cfg->am_ca_file != NULL || line_of(p, "alertmanager", "timeout_sec") ||
		    line_of(p, "alertmanager", "tls_verify")) ?
		    missing(p, "alertmanager", "urls", " (http://am1:9093, http://am2:9093: every "
		    "instance of an HA pair)") : 0;
	cfg->am_urls = rp_xcalloc(RP_AM_MAX_URLS + 1, sizeof(*cfg->am_urls));
	for (q = v; *q;) {
		size_t n;
		char *u;
		const char *why;

		q += strspn(q, ", \t");
		if (*q == '\0')
			break;
		n = strcspn(q, ", \t");
		if (cfg->nam_urls == RP_AM_MAX_URLS)
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [alertmanager] urls: more than "
			    "%d URLs", p->path, line, RP_AM_MAX_URLS);
		u = rp_xstrndup(q, n);
		while (n > 0 && u[n - 1] == '/')
			u[--n] = '\0';
		cfg->am_urls[cfg->nam_urls++] = u;
		if ((why = plain_url_problem(u)) != NULL)
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [alertmanager] urls: \"%s\" %s",
			    p->path, line, u, why);
		for (size_t i = 0; i + 1 < cfg->nam_urls; i++)
			if (strcmp(cfg->am_urls[i], u) == 0)
				return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [alertmanager] urls: \"%s\" "
				    "twice", p->path, line, u);
		q += strcspn(q, ", \t");
	}
	if (cfg->nam_urls == 0)
		return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [alertmanager] urls: empty",
		    p->path, line);
	return 0;
}

/* The destinations: each [slack NAME] with its URL's file or variable,
 * each [webhook NAME] with a URL and a key, names that notify: can tell
 * apart, and [alertmanager] urls. */
static int
check_sinks(struct parse *p)
{
	const struct rp_config *cfg = p->cfg;
	size_t i, j;

	for (i = 0; i < cfg->nslack; i++) {
		const struct rp_slack *k = &cfg->slack[i];
		if ((k->webhook_url_file != NULL) + (k->webhook_url_env != NULL) != 1)
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [slack %s] %s", p->path,
			    k->line, k->name, k->webhook_url_file ? "set one of webhook_url_file and "
			    "webhook_url_env" : "webhook_url_file: missing (or webhook_url_env: the "
			    "webhook's URL is a secret)");
		for (j = 0; j < cfg->nwebhook; j++)
			if (strcmp(cfg->webhook[j].name, k->name) == 0)
				return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [webhook %s]: [slack %s] "
				    "has that name (line %d); a check's notify: must tell them apart",
				    p->path, cfg->webhook[j].line, k->name, k->name, k->line);
	}
	for (i = 0; i < cfg->nwebhook; i++) {
		const struct rp_webhook *w = &cfg->webhook[i];
		const char *why;
		if (w->url == NULL)
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [webhook %s] url: missing",
			    p->path, w->line, w->name);
		if ((why = plain_url_problem(w->url)) != NULL)
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [webhook %s] url: %s", p->path,
			    w->line, w->name, why);
		if ((w->secret_file != NULL) + (w->secret_env != NULL) != 1)
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [webhook %s] %s", p->path,
			    w->line, w->name, w->secret_file ? "set one of secret_file and secret_env" :
			    "secret_file: missing (or secret_env: the key the receiver checks the "
			    "signature with)");
	}
	return am_urls(p);
}

/* [redis] sentinels: "host:port" (a host of IPv6 in brackets) separated
 * by commas or blanks, parsed into the config's lists. */
static int
parse_sentinels(struct parse *p)
{
	struct rp_config *cfg = p->cfg;
	const char *s = cfg->redis_sentinels;
	int line = line_of(p, "redis", "sentinels");
	size_t n = 0;

	while (*s) {
		char item[300], *colon, *host;
		long port;

		s += strspn(s, " \t,");
		if (*s == '\0')
			break;
		n = strcspn(s, " \t,");
		if (n >= sizeof(item))
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [redis] sentinels: an entry "
			    "longer than %zu characters", p->path, line, sizeof(item) - 1);
		memcpy(item, s, n);
		item[n] = '\0';
		s += n;
		colon = strrchr(item, ':');
		host = item;
		if (colon == NULL || rp_parse_long(colon + 1, 1, 65535, &port) != 0)
			goto bad;
		*colon = '\0';
		if (*host == '[') {
			size_t hl = strlen(host);
			if (hl < 3 || host[hl - 1] != ']')
				goto bad;
			host[hl - 1] = '\0';
			host++;
		} else if (strchr(host, ':') != NULL) {
			goto bad; /* IPv6 without its brackets */
		}
		if (*host == '\0')
			goto bad;
		if (cfg->redis_nsentinels == RP_MAX_SENTINELS)
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [redis] sentinels: more than "
			    "%d", p->path, line, RP_MAX_SENTINELS);
		cfg->redis_sentinel_hosts = rp_xrealloc(cfg->redis_sentinel_hosts,
		    (cfg->redis_nsentinels + 1) * sizeof(char *));
		cfg->redis_sentinel_ports = rp_xrealloc(cfg->redis_sentinel_ports,
		    (cfg->redis_nsentinels + 1) * sizeof(long));
		cfg->redis_sentinel_hosts[cfg->redis_nsentinels] = rp_xstrdup(host);
		cfg->redis_sentinel_ports[cfg->redis_nsentinels++] = port;
	}
	if (cfg->redis_nsentinels == 0)
		return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [redis] sentinels: empty (host:port, "
		    "host:port, ...)", p->path, line);
	return 0;
bad:
	return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [redis] sentinels: \"%.*s\" is not "
	    "host:port (a port from 1 to 65535; [address]:port for IPv6)", p->path, line, (int)n,
	    s - n);
}

/* Sentinels come with the name of the primary; their keys without them
 * are a mistake. */
static int
check_sentinels(struct parse *p)
{
	struct rp_config *cfg = p->cfg;

	if (cfg->redis_sentinels == NULL) {
		if (cfg->redis_master_name != NULL)
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [redis] master_name: set "
			    "without sentinels", p->path, line_of(p, "redis", "master_name"));
		if (cfg->redis_sentinel_password != NULL)
			return rp_err_set(p->err, RP_EXIT_CONFIG, "%s:%d: [redis] sentinel_password: "
			    "set without sentinels", p->path, line_of(p, "redis", "sentinel_password"));
		return 0;
	}
	if (parse_sentinels(p) != 0)
		return -1;
	if (cfg->redis_master_name == NULL || *cfg->redis_master_name == '\0')
		return missing(p, "redis", "master_name", " (the name the sentinels monitor the "
		    "primary by: sentinels is set)");
	for (size_t i = 0; i < 2; i++) {
		static const char *const unused[] = {"server", "port"};
		int line = line_of(p, "redis", unused[i]);
		if (line == 0 || cfg->nnotices >= RP_CONFIG_MAX_NOTICES)
			continue;
		cfg->notices = rp_xrealloc(cfg->notices, (cfg->nnotices + 1) * sizeof(*cfg->notices));
		cfg->notices[cfg->nnotices++] = rp_xasprintf("%s:%d: [redis] %s: not used with "
		    "sentinels (they name the primary); ignored", p->path, line, unused[i]);
	}
	return 0;
}

int
rp_config_load(const char *path, struct rp_config *cfg, struct rp_err *err)
{
	struct parse p = {0};
	struct rp_err zerr;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = rp_xstrdup(path);
	cfg->unknown_after = 3;
	cfg->pd_timeout_sec = 10;
	cfg->batchy_timeout_sec = 10;
	cfg->redis_enabled = 1;
	cfg->redis_port = 6379;
	cfg->redis_timeout_ms = 2000;
	cfg->imap_timeout_sec = 30;
	cfg->max_undelivered = 5;
	cfg->time_budget_sec = 50;
	cfg->max_parallel = 64;
	cfg->pd_rate_per_min = 120;
	cfg->pd_tls_verify = cfg->imap_tls_verify = cfg->batchy_tls_verify = 1;
	cfg->airflow_timeout_sec = 10;
	cfg->airflow_tls_verify = 1;
	cfg->am_timeout_sec = 10;
	cfg->am_tls_verify = 1;

	p.cfg = cfg;
	p.path = path;
	p.err = err;
	if (rp_file_safe(path, "the configuration", err) != 0)
		return -1;
	if ((p.f = fopen(path, "r")) == NULL && errno == ENOENT &&
	    strcmp(path, RP_DEFAULT_CONFIG) == 0)
		return rp_err_set(err, RP_EXIT_CONFIG, "%s: cannot read: %s (give the configuration "
		    "with -f FILE; the earlier tool's -p FILE works too)", path, strerror(errno));
	if (p.f == NULL)
		return rp_err_set(err, RP_EXIT_CONFIG, "%s: cannot read: %s", path, strerror(errno));
	/* Python's configparser, which wrote these files, has no continuation
	 * lines in the keys we know; an indented line is more likely a mistake. */
	ini_allow_multiline = 0;
	rc = ini_parse_stream(reader, &p, handler, &p);
	fclose(p.f);
	for (size_t i = 0; i < NKINDS; i++)
		free(p.nseen[i]);
	if (p.failed)
		return -1;
	if (rc > 0)
		return rp_err_set(err, RP_EXIT_CONFIG,
		    "%s:%d: not a \"[section]\" or \"key = value\" line", path, rc);
	if (rc < 0)
		return rp_err_set(err, RP_EXIT_CONFIG, "%s: cannot parse", path);

	if (cfg->timezone == NULL || *cfg->timezone == '\0')
		return missing(&p, "timezone", "timezone", " (an IANA zone such as America/New_York)");
	if (rp_clock_set_zone(cfg->timezone, &zerr) != 0)
		return rp_err_set(err, RP_EXIT_CONFIG, "%s:%d: [timezone] timezone: %s", path,
		    line_of(&p, "timezone", "timezone"), zerr.msg);
	if ((cfg->functions & RP_FN_BATCHY) && (cfg->batchy_server == NULL || *cfg->batchy_server == '\0'))
		return missing(&p, "batchy", "server", " ([function_type] type has batchy)");
	if ((cfg->functions & RP_FN_BATCHY) && cfg->batchy_port == 0)
		return missing(&p, "batchy", "port", " ([function_type] type has batchy)");
	if (cfg->redis_prefix != NULL && *cfg->redis_prefix == '\0')
		return rp_err_set(err, RP_EXIT_CONFIG, "%s:%d: [redis] prefix: empty", path,
		    line_of(&p, "redis", "prefix"));
	{
		int sources = (cfg->password != NULL) + (cfg->password_file != NULL) +
		    (cfg->password_env != NULL);
		if (sources > 1)
			return rp_err_set(err, RP_EXIT_CONFIG,
			    "%s: [google_apps]: set one of password, password_file and password_env",
			    path);
	}
	if (check_sources(&p) != 0 || check_sinks(&p) != 0 || check_sentinels(&p) != 0)
		return -1;
	if (cfg->functions == 0)
		cfg->functions = RP_FN_EMAIL | RP_FN_BATCHY;
	cfg->airflow_api_version = dup_default(cfg->airflow_api_version, "auto");
	cfg->events_url = dup_default(cfg->events_url, RP_DEFAULT_EVENTS_URL);
	cfg->redis_server = dup_default(cfg->redis_server, "127.0.0.1");
	cfg->redis_prefix = dup_default(cfg->redis_prefix, "rp");
	cfg->imap_url = dup_default(cfg->imap_url, RP_DEFAULT_IMAP_URL);
	/* The earlier tool searched Gmail's All Mail, where a message filed
	 * away by a filter still is; other servers have INBOX. */
	cfg->mailbox = dup_default(cfg->mailbox,
	    url_host_is(cfg->imap_url, "imap.gmail.com") ? RP_GMAIL_MAILBOX : "INBOX");
	cfg->heartbeat_mode = dup_default(cfg->heartbeat_mode, "change");
	cfg->heartbeat_method = dup_default(cfg->heartbeat_method, "GET");
	return 0;
}

char *
rp_config_secret(const struct rp_config *cfg, const char *what, const char *file,
    const char *env, struct rp_err *err)
{
	FILE *f;
	char buf[4097], label[96], *s;
	size_t n;

	if (file == NULL && env != NULL) {
		const char *v = getenv(env);
		if (v == NULL || *v == '\0') {
			rp_err_set(err, RP_EXIT_CONFIG, "%s: %s_env: $%s is not set", cfg->path, what, env);
			return NULL;
		}
		return rp_xstrdup(v);
	}
	if (file == NULL) {
		rp_err_set(err, RP_EXIT_CONFIG, "%s: %s_file: missing (or %s_env)", cfg->path, what,
		    what);
		return NULL;
	}
	snprintf(label, sizeof(label), "%s_file", what);
	/* A secret file another user could have written could point the
	 * secret anywhere; refused as the configuration is. */
	if (rp_file_safe(file, label, err) != 0)
		return NULL;
	if ((f = fopen(file, "r")) == NULL) {
		rp_err_set(err, RP_EXIT_CONFIG, "%s: %s_file: %s: %s", cfg->path, what, file,
		    strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* One trailing newline is the file's, not the secret's. */
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	s = n > 0 && strlen(buf) == n ? rp_xstrndup(buf, n) : NULL;
	explicit_bzero(buf, sizeof(buf));
	if (s == NULL)
		rp_err_set(err, RP_EXIT_CONFIG, "%s: %s_file: %s: empty or binary", cfg->path, what,
		    file);
	return s;
}

const struct rp_http_auth *
rp_config_http(const struct rp_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nhttp; i++)
		if (strcmp(cfg->http[i].name, name) == 0)
			return &cfg->http[i];
	return NULL;
}

const struct rp_slack *
rp_config_slack(const struct rp_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nslack; i++)
		if (strcmp(cfg->slack[i].name, name) == 0)
			return &cfg->slack[i];
	return NULL;
}

const struct rp_webhook *
rp_config_webhook(const struct rp_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nwebhook; i++)
		if (strcmp(cfg->webhook[i].name, name) == 0)
			return &cfg->webhook[i];
	return NULL;
}

char *
rp_config_mail_password(const struct rp_config *cfg, struct rp_err *err)
{
	size_t n;
	char *pw;

	if (cfg->password != NULL) {
		pw = rp_base64_decode(cfg->password, strlen(cfg->password), &n);
		if (pw == NULL || strlen(pw) != n) {
			rp_free_secret(pw);
			rp_err_set(err, RP_EXIT_CONFIG, "%s: [google_apps] password: not base64", cfg->path);
			return NULL;
		}
		return pw;
	}
	if (cfg->password_env != NULL || cfg->password_file != NULL)
		return rp_config_secret(cfg, "[google_apps] password", cfg->password_file,
		    cfg->password_env, err);
	rp_err_set(err, RP_EXIT_CONFIG,
	    "%s: [google_apps] password: missing (or password_file, password_env)", cfg->path);
	return NULL;
}

/* Whether url's host is this machine (so plain text never leaves it). */
static int
loopback_url(const char *url)
{
	const char *h = strstr(url, "://");
	size_t n;

	if (h == NULL)
		return 0;
	h += 3;
	n = strcspn(h, ":/?#");
	return (n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	    (n >= 4 && strncmp(h, "127.", 4) == 0) || strncmp(h, "[::1]", 5) == 0;
}

/* Whether path names a file others can read. */
static int
readable_by_others(const char *path)
{
	struct stat st;

	return path != NULL && stat(path, &st) == 0 && (st.st_mode & 077) != 0;
}

/* The warnings of [airflow] and the [http NAME] sections. */
static size_t
source_warnings(const struct rp_config *cfg, char (*msg)[RP_WARNING_LEN], size_t max)
{
	size_t n = 0, i;

#define WARN(...) do { if (n < max) snprintf(msg[n++], RP_WARNING_LEN, __VA_ARGS__); } while (0)
	if (cfg->airflow_url != NULL) {
		if (!cfg->airflow_tls_verify)
			WARN("%s: [airflow] tls_verify = False: Airflow's certificate is not checked, so "
			    "anyone on the way can take its password or token", cfg->path);
		if (strncasecmp(cfg->airflow_url, "http://", 7) == 0 && !loopback_url(cfg->airflow_url) &&
		    (cfg->airflow_username != NULL || cfg->airflow_token_file != NULL ||
		    cfg->airflow_token_env != NULL))
			WARN("%s: [airflow] url is http://, plain text to another host: its password or "
			    "token crosses the network readable; use https://", cfg->path);
		if (readable_by_others(cfg->airflow_password_file))
			WARN("%s ([airflow] password_file) is readable by others; run: chmod 600 %s",
			    cfg->airflow_password_file, cfg->airflow_password_file);
		if (readable_by_others(cfg->airflow_token_file))
			WARN("%s ([airflow] token_file) is readable by others; run: chmod 600 %s",
			    cfg->airflow_token_file, cfg->airflow_token_file);
	}
	for (i = 0; i < cfg->nhttp; i++) {
		const struct rp_http_auth *h = &cfg->http[i];
		if (!h->tls_verify)
			WARN("%s: [http %s] tls_verify = False: the certificates of the URLs its checks "
			    "ask are not checked", cfg->path, h->name);
		if (readable_by_others(h->bearer_token_file))
			WARN("%s ([http %s] bearer_token_file) is readable by others; run: chmod 600 %s",
			    h->bearer_token_file, h->name, h->bearer_token_file);
		if (readable_by_others(h->password_file))
			WARN("%s ([http %s] password_file) is readable by others; run: chmod 600 %s",
			    h->password_file, h->name, h->password_file);
	}
#undef WARN
	return n;
}

unsigned
rp_config_programs(unsigned functions)
{
	return (functions & RP_FN_LATENCY ? 1u << RP_PROG_LATENCY : 0) |
	    (functions & RP_FN_EMAIL ? 1u << RP_PROG_EMAIL : 0);
}

/* The warnings of the destinations: TLS not verified, a secret file
 * others can read, events in plain text to another host. */
static size_t
sink_warnings(const struct rp_config *cfg, char (*msg)[RP_WARNING_LEN], size_t max)
{
	size_t n = 0, i;

#define WARN(...) do { if (n < max) snprintf(msg[n++], RP_WARNING_LEN, __VA_ARGS__); } while (0)
	for (i = 0; i < cfg->nslack; i++) {
		const struct rp_slack *k = &cfg->slack[i];
		if (!k->tls_verify)
			WARN("%s: [slack %s] tls_verify = False: Slack's certificate is not checked, so "
			    "anyone on the way can take the webhook's URL", cfg->path, k->name);
		if (readable_by_others(k->webhook_url_file))
			WARN("%s ([slack %s] webhook_url_file) is readable by others; run: chmod 600 %s",
			    k->webhook_url_file, k->name, k->webhook_url_file);
	}
	for (i = 0; i < cfg->nwebhook; i++) {
		const struct rp_webhook *w = &cfg->webhook[i];
		if (!w->tls_verify)
			WARN("%s: [webhook %s] tls_verify = False: the receiver's certificate is not "
			    "checked", cfg->path, w->name);
		if (strncasecmp(w->url, "http://", 7) == 0 && !loopback_url(w->url))
			WARN("%s: [webhook %s] url is http://, plain text to another host: the events "
			    "cross the network readable (the signature still holds); use https://",
			    cfg->path, w->name);
		if (readable_by_others(w->secret_file))
			WARN("%s ([webhook %s] secret_file) is readable by others; run: chmod 600 %s",
			    w->secret_file, w->name, w->secret_file);
	}
	if (cfg->nam_urls > 0 && !cfg->am_tls_verify)
		WARN("%s: [alertmanager] tls_verify = False: the certificates of the Alertmanagers "
		    "are not checked", cfg->path);
#undef WARN
	return n;
}

size_t
rp_config_warnings(const struct rp_config *cfg, char (*msg)[RP_WARNING_LEN], size_t max)
{
	size_t n = 0;
	const char *imap = cfg->imap_url ? cfg->imap_url : RP_DEFAULT_IMAP_URL;
	const char *events = cfg->events_url ? cfg->events_url : RP_DEFAULT_EVENTS_URL;

#define WARN(...) do { if (n < max) snprintf(msg[n++], RP_WARNING_LEN, __VA_ARGS__); } while (0)
	if (!cfg->imap_tls_verify && (cfg->functions & RP_FN_EMAIL))
		WARN("%s: [google_apps] tls_verify = False: the IMAP server's certificate is not "
		    "checked, so anyone on the way can take the mailbox password", cfg->path);
	if (!cfg->pd_tls_verify)
		WARN("%s: [pager_duty] tls_verify = False: PagerDuty's certificate is not checked, "
		    "so anyone on the way can read and drop the events", cfg->path);
	if (!cfg->batchy_tls_verify && (cfg->functions & RP_FN_BATCHY))
		WARN("%s: [batchy] tls_verify = False: batchy's certificate is not checked",
		    cfg->path);
	if ((cfg->functions & RP_FN_EMAIL) && strncasecmp(imap, "imap://", 7) == 0 &&
	    !loopback_url(imap))
		WARN("%s: [google_apps] imap_url is imap://, plain text to another host: the "
		    "mailbox password crosses the network readable; use imaps://", cfg->path);
	if (strncasecmp(events, "http://", 7) == 0 && !loopback_url(events))
		WARN("%s: [pager_duty] events_url is http://, plain text to another host: the "
		    "routing keys cross the network readable; use https://", cfg->path);
	n += source_warnings(cfg, msg + n, max - n);
	n += sink_warnings(cfg, msg + n, max - n);
#undef WARN
	return n;
}

/* Frees the count sections of kind k at arr, and arr. */
static void
free_named(void *arr, size_t count, const struct named_kind *k)
{
	size_t i, j;

	for (i = 0; i < count; i++) {
		char *x = (char *)arr + i * k->size;
		for (j = 0; j < k->nkeys; j++)
			if (k->keys[j].kind == K_STR || k->keys[j].kind == K_URL)
				free(*(char **)(void *)(x + k->keys[j].off));
		free(((struct named_head *)(void *)x)->name);
	}
	free(arr);
}

void
rp_config_free(struct rp_config *cfg)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		char **s;
		if (keys[i].kind == K_LONG || keys[i].kind == K_BOOL || keys[i].kind == K_FUNCTIONS)
			continue;
		s = (char **)((char *)cfg + keys[i].off);
		if (keys[i].kind == K_SECRET || keys[i].kind == K_B64SECRET)
			rp_free_secret(*s);
		else
			free(*s);
		*s = NULL;
	}
	free_named(cfg->http, cfg->nhttp, &named_kinds[0]);
	cfg->http = NULL;
	cfg->nhttp = 0;
	free_named(cfg->slack, cfg->nslack, &named_kinds[1]);
	cfg->slack = NULL;
	cfg->nslack = 0;
	free_named(cfg->webhook, cfg->nwebhook, &named_kinds[2]);
	cfg->webhook = NULL;
	cfg->nwebhook = 0;
	for (i = 0; i < cfg->nam_urls; i++)
		free(cfg->am_urls[i]);
	free(cfg->am_urls);
	cfg->am_urls = NULL;
	cfg->nam_urls = 0;
	for (i = 0; i < cfg->redis_nsentinels; i++)
		free(cfg->redis_sentinel_hosts[i]);
	free(cfg->redis_sentinel_hosts);
	free(cfg->redis_sentinel_ports);
	cfg->redis_sentinel_hosts = NULL;
	cfg->redis_sentinel_ports = NULL;
	cfg->redis_nsentinels = 0;
	for (i = 0; i < cfg->nnotices; i++)
		free(cfg->notices[i]);
	free(cfg->notices);
	cfg->notices = NULL;
	cfg->nnotices = 0;
	free(cfg->path);
	cfg->path = NULL;
}
