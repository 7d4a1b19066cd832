#define _POSIX_C_SOURCE 200809L
#include "silence.h"

#include <fnmatch.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "output.h"
#include "run.h"
#include "signals.h"
#include "state.h"

/* "user@host": who set a silence, for the next person on call. */
static char *
who(void)
{
	const char *user = getenv("SUDO_USER");
	struct passwd *pw;
	char host[256] = "";

	if (user == NULL || *user == '\0')
		user = (pw = getpwuid(getuid())) != NULL ? pw->pw_name : "unknown";
	if (gethostname(host, sizeof(host) - 1) != 0)
		rp_strlcpy(host, "unknown-host", sizeof(host));
	return rp_xasprintf("%s@%s", user, host);
}

void
rp_silence_escape(struct rp_buf *b, const char *s)
{
	struct rp_buf u = {0};
	const unsigned char *p;

	/* Valid UTF-8 first, so that a C1 control is always the two bytes
	 * C2 80..9F and nothing else can stand for one. */
	rp_buf_utf8(&u, s);
	for (p = (const unsigned char *)(u.data ? u.data : ""); *p; p++) {
		if (*p == '\\')
			rp_buf_append(b, "\\\\", 2);
		else if (*p == '\n')
			rp_buf_append(b, "\\n", 2);
		else if (*p == '\r')
			rp_buf_append(b, "\\r", 2);
		else if (*p == '\t')
			rp_buf_append(b, "\\t", 2);
		else if (*p < 0x20 || *p == 0x7f)
			rp_buf_printf(b, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			rp_buf_printf(b, "\\u%04x", *++p);
		else
			rp_buf_append(b, p, 1);
	}
	rp_buf_free(&u);
}

static int
is_pattern(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

static int
type_error(const struct rp_silence_cand *c, size_t n, const char *type, struct rp_err *err)
{
	struct rp_buf here = {0};
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (c[i].type == NULL)
			continue;
		for (j = 0; j < i && (c[j].type == NULL || strcmp(c[j].type, c[i].type) != 0); j++)
			;
		if (j == i)
			rp_buf_printf(&here, "%s%s", here.len ? ", " : "", c[i].type);
	}
	rp_err_set(err, RP_EXIT_USAGE, "no check of type \"%s\" (here: %s)", type,
	    here.len ? here.data : "none");
	rp_buf_free(&here);
	return -1;
}

int
rp_silence_select(const struct rp_silence_cand *c, size_t n,
    const struct rp_silence_sel *sel, unsigned char *pick, struct rp_err *err)
{
	size_t i, j;

	for (j = 0; j < sel->nnames; j++) {
		const char *s = sel->names[j];
		int pattern = is_pattern(s), hit = 0;

		for (i = 0; i < n; i++) {
			if (strcmp(s, c[i].name) != 0 && !(pattern && fnmatch(s, c[i].name, 0) == 0))
				continue;
			pick[i] |= RP_PICKED | (pattern ? 0 : RP_PICKED_BY_NAME);
			hit = 1;
		}
		if (!hit && pattern)
			return rp_err_set(err, RP_EXIT_USAGE, "\"%s\" matches no check", s);
		if (!hit)
			return rp_err_set(err, RP_EXIT_USAGE, "no check named \"%s\"", s);
	}
	for (j = 0; j < sel->ntypes; j++) {
		int hit = 0;

		for (i = 0; i < n; i++) {
			if (c[i].type != NULL && strcmp(c[i].type, sel->types[j]) == 0) {
				pick[i] |= RP_PICKED;
				hit = 1;
			}
		}
		if (!hit)
			return type_error(c, n, sel->types[j], err);
	}
	if (sel->all)
		for (i = 0; i < n; i++)
			pick[i] |= RP_PICKED;
	return 0;
}

/* The silence of name among v, or NULL. */
static const struct rp_silence *
find(const struct rp_silence *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static void
print_list(FILE *out, const struct rp_silence *v, size_t n, time_t now, int json)
{
	size_t i;

	if (n == 0 && !json)
		fprintf(out, "no silences\n");
	for (i = 0; i < n; i++) {
		char until[RP_LOCAL_LEN], set_at[RP_LOCAL_LEN];
		long left = v[i].until > now ? (long)(v[i].until - now) : 0;
		struct rp_buf b = {0};

		rp_clock_format_local(v[i].until, until);
		rp_clock_format_local(v[i].set_at, set_at);
		if (json) {
			rp_buf_append(&b, "{\"check\":\"", 10);
			rp_buf_json_str(&b, v[i].name);
			rp_buf_printf(&b, "\",\"until\":\"%s\",\"seconds_left\":%ld,\"set_at\":\"%s\",\"by\":\"",
			    until, left, set_at);
			rp_buf_json_str(&b, v[i].by ? v[i].by : "");
			rp_buf_append(&b, "\",\"reason\":\"", 12);
			rp_buf_json_str(&b, v[i].reason ? v[i].reason : "");
			rp_buf_append(&b, "\"}\n", 3);
		} else {
			rp_silence_escape(&b, v[i].name);
			rp_buf_printf(&b, " until %s (%ldm left), by ", until, (left + 59) / 60);
			rp_silence_escape(&b, v[i].by ? v[i].by : "?");
			if (v[i].reason) {
				rp_buf_append(&b, ": ", 2);
				rp_silence_escape(&b, v[i].reason);
			}
			rp_buf_append(&b, "\n", 1);
		}
		fputs(b.data, out);
		rp_buf_free(&b);
	}
}

/* Silences each picked check until now + secs; one line each. */
static int
set_all(struct rp_store *st, const struct rp_silence_opts *o, const struct rp_silence_cand *c,
    const unsigned char *pick, size_t n, const struct rp_silence *cur, size_t ncur,
    time_t now, long secs, FILE *out)
{
	char *by = who();
	struct rp_err err;
	size_t i;
	int rc = RP_EXIT_OK;

	for (i = 0; i < n && rc == RP_EXIT_OK; i++) {
		const struct rp_silence *prev = find(cur, ncur, c[i].name);
		struct rp_silence si = {0};
		char until[RP_LOCAL_LEN], was[RP_LOCAL_LEN];
		struct rp_buf line = {0};

		if (!(pick[i] & RP_PICKED))
			continue;
		if (prev != NULL && prev->until <= now)
			prev = NULL; /* over already: a new silence */
		si.name = rp_xstrdup(c[i].name);
		si.until = now + secs;
		si.set_at = now;
		/* Extending a silence keeps why it was set, unless told anew. */
		si.reason = rp_xstrdup_or_null(o->reason ? o->reason : prev ? prev->reason : NULL);
		si.by = rp_xstrdup(by);
		if (rp_store_silence_set(st, &si, secs, &err) != 0) {
			rp_log(RP_LOG_ERR, "%s", err.msg);
			rc = RP_EXIT_UNKNOWN; /* and stop: the store is gone */
		} else {
			rp_clock_format_local(si.until, until);
			rp_buf_printf(&line, "silenced %s until %s", si.name, until);
			if (prev != NULL) {
				rp_clock_format_local(prev->until, was);
				rp_buf_printf(&line, "; was until %s (%s)", was, si.until > prev->until ?
				    "moved later" : si.until < prev->until ? "moved earlier" : "unchanged");
			}
			if (si.reason != NULL) {
				rp_buf_append(&line, ": ", 2);
				rp_silence_escape(&line, si.reason);
			}
			rp_buf_append(&line, "\n", 1);
			fputs(line.data, out);
			rp_buf_free(&line);
		}
		free(si.name);
		free(si.reason);
		free(si.by);
	}
	free(by);
	return rc;
}

/* Ends the silence of each picked check that has one, and says of each
 * plain name whether it had one. */
static int
clear_all(struct rp_store *st, const struct rp_silence_cand *c, const unsigned char *pick,
    size_t n, const struct rp_silence *cur, size_t ncur, FILE *out)
{
	struct rp_err err;
	size_t i, said = 0;

	for (i = 0; i < n; i++) {
		int r;

		if (!(pick[i] & RP_PICKED))
			continue;
		/* Checks a pattern, a type or --all picked without a silence are
		 * not worth a line each. */
		if (!(pick[i] & RP_PICKED_BY_NAME) && find(cur, ncur, c[i].name) == NULL)
			continue;
		if ((r = rp_store_silence_clear(st, c[i].name, &err)) < 0) {
			rp_log(RP_LOG_ERR, "%s", err.msg);
			return RP_EXIT_UNKNOWN;
		}
		fprintf(out, r == 0 ? "%s is no longer silenced\n" : "%s was not silenced\n",
		    c[i].name);
		said++;
	}
	if (said == 0)
		fprintf(out, "no silence to clear\n");
	return RP_EXIT_OK;
}

int
rp_silence_run(const struct rp_silence_opts *o, FILE *out)
{
	const char *cfgpath = rp_default_config(o->config);
	struct rp_config cfg;
	struct rp_checklist cl = {0};
	struct rp_store *st = NULL;
	struct rp_silence *cur = NULL;
	struct rp_silence_cand *cand = NULL;
	unsigned char *pick = NULL;
	struct rp_err err;
	char *clpath = NULL;
	size_t ncur = 0, ncand = 0, i, j;
	long secs = 0;
	time_t now;
	int rc = RP_EXIT_OK, need_checklist = 0;

	/* A reader gone away is a write error to report, as the
	 * evaluating programs have it, not a death by SIGPIPE. */
	rp_sig_ignore_pipe();
	rp_log_init("rp-silence", 0);
	if (rp_config_load(cfgpath, &cfg, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		rc = err.code;
		goto out;
	}
	if (rp_clock_now(o->now, &now, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		rc = err.code;
		goto out;
	}
	if (o->cmd == RP_SILENCE_SET &&
	    rp_clock_parse_duration(o->duration, RP_SILENCE_MAX, &secs) != 0) {
		rp_log(RP_LOG_ERR, "\"%s\" is not a duration like 30m, 2h or 1d (at most 30d)",
		    o->duration);
		rc = RP_EXIT_USAGE;
		goto out;
	}
	/* Clearing plain names needs no checklist: a silence can outlive its
	 * check, and a broken checklist must not keep one in force. */
	need_checklist = o->cmd == RP_SILENCE_SET || (o->cmd == RP_SILENCE_CLEAR &&
	    o->sel.ntypes > 0);
	for (i = 0; o->cmd == RP_SILENCE_CLEAR && i < o->sel.nnames; i++)
		need_checklist |= is_pattern(o->sel.names[i]);
	if (need_checklist) {
		clpath = o->checklist ? rp_xstrdup(o->checklist) : rp_default_checklist(cfgpath);
		if (rp_checklist_load(clpath, &cl, &err) != 0) {
			rp_log(RP_LOG_ERR, "%s", err.msg);
			rc = err.code;
			goto out;
		}
	}
	if (o->cmd == RP_SILENCE_SET) {
		/* Named before the store is asked: a typo is a usage error even
		 * when Redis is down. */
		cand = rp_xcalloc(cl.n + 1, sizeof(*cand));
		for (i = 0; i < cl.n; i++)
			cand[ncand++] = (struct rp_silence_cand){cl.checks[i].name,
			    rp_check_type_name(cl.checks[i].type)};
		pick = rp_xcalloc(ncand + 1, 1);
		if (rp_silence_select(cand, ncand, &o->sel, pick, &err) != 0) {
			rp_log(RP_LOG_ERR, "%s: %s", clpath, err.msg);
			rc = RP_EXIT_USAGE;
			goto out;
		}
		if (ncand == 0) { /* --all of an empty checklist */
			rp_log(RP_LOG_ERR, "%s: no check to silence", clpath);
			rc = RP_EXIT_USAGE;
			goto out;
		}
	}
	if ((st = rp_config_store(&cfg, &err)) == NULL) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		rc = err.code;
		goto out;
	}
	if (rp_store_silence_list(st, &cur, &ncur, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		rc = RP_EXIT_UNKNOWN;
		goto out;
	}
	switch (o->cmd) {
	case RP_SILENCE_SET:
		rc = set_all(st, o, cand, pick, ncand, cur, ncur, now, secs, out);
		break;
	case RP_SILENCE_CLEAR:
		/* What may be cleared: the checks, the silences in force (of
		 * checks gone from the checklist too), and the names given. */
		cand = rp_xcalloc(cl.n + ncur + o->sel.nnames + 1, sizeof(*cand));
		for (i = 0; i < cl.n; i++)
			cand[ncand++] = (struct rp_silence_cand){cl.checks[i].name,
			    rp_check_type_name(cl.checks[i].type)};
		for (i = 0; i < ncur; i++)
			if (rp_checklist_find(&cl, cur[i].name) == NULL)
				cand[ncand++] = (struct rp_silence_cand){cur[i].name, NULL};
		for (i = 0; i < o->sel.nnames; i++) {
			const char *s = o->sel.names[i];
			for (j = 0; j < ncand && strcmp(cand[j].name, s) != 0; j++)
				;
			if (j == ncand && !is_pattern(s))
				cand[ncand++] = (struct rp_silence_cand){s, NULL};
		}
		pick = rp_xcalloc(ncand + 1, 1);
		if (rp_silence_select(cand, ncand, &o->sel, pick, &err) != 0) {
			rp_log(RP_LOG_ERR, "%s", err.msg);
			rc = RP_EXIT_USAGE;
			break;
		}
		rc = clear_all(st, cand, pick, ncand, cur, ncur, out);
		break;
	case RP_SILENCE_LIST:
		print_list(out, cur, ncur, now, o->json);
		break;
	}
out:
	free(cand);
	free(pick);
	rp_silences_free(cur, ncur);
	free(clpath);
	rp_store_close(st);
	rp_checklist_free(&cl);
	rp_config_free(&cfg);
	return rc;
}
