#define _POSIX_C_SOURCE 200809L
#include "silence.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "output.h"
#include "run.h"
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
			rp_buf_printf(&b, "%s until %s (%ldm left), by %s", v[i].name, until,
			    (left + 59) / 60, v[i].by ? v[i].by : "?");
			if (v[i].reason)
				rp_buf_printf(&b, ": %s", v[i].reason);
			rp_buf_append(&b, "\n", 1);
		}
		fputs(b.data, out);
		rp_buf_free(&b);
	}
}

int
rp_silence_run(const struct rp_silence_opts *o, FILE *out)
{
	const char *cfgpath = rp_default_config(o->config);
	struct rp_config cfg;
	struct rp_checklist cl = {0};
	struct rp_store *st = NULL;
	struct rp_silence si = {0};
	struct rp_err err;
	char *clpath = NULL;
	long secs = 0;
	time_t now;
	int rc = RP_EXIT_OK;

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
	if (o->cmd == RP_SILENCE_SET) {
		if (rp_clock_parse_duration(o->duration, RP_SILENCE_MAX, &secs) != 0) {
			rp_log(RP_LOG_ERR, "\"%s\" is not a duration like 30m, 2h or 1d (at most 30d)",
			    o->duration);
			rc = RP_EXIT_USAGE;
			goto out;
		}
		clpath = o->checklist ? rp_xstrdup(o->checklist) : rp_default_checklist(cfgpath);
		if (rp_checklist_load(clpath, &cl, &err) != 0) {
			rp_log(RP_LOG_ERR, "%s", err.msg);
			rc = err.code;
			goto out;
		}
		if (rp_checklist_find(&cl, o->name) == NULL) {
			rp_log(RP_LOG_ERR, "%s: no check named \"%s\"", clpath, o->name);
			rc = RP_EXIT_USAGE;
			goto out;
		}
	}
	if ((st = rp_config_store(&cfg, &err)) == NULL) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		rc = err.code;
		goto out;
	}
	switch (o->cmd) {
	case RP_SILENCE_SET: {
		char until[RP_LOCAL_LEN];
		si.name = rp_xstrdup(o->name);
		si.until = now + secs;
		si.set_at = now;
		si.reason = o->reason ? rp_xstrdup(o->reason) : NULL;
		si.by = who();
		if (rp_store_silence_set(st, &si, secs, &err) != 0) {
			rp_log(RP_LOG_ERR, "%s", err.msg);
			rc = RP_EXIT_UNKNOWN;
			break;
		}
		rp_clock_format_local(si.until, until);
		fprintf(out, "silenced %s until %s%s%s\n", si.name, until, si.reason ? ": " : "",
		    si.reason ? si.reason : "");
		break;
	}
	case RP_SILENCE_CLEAR:
		rc = rp_store_silence_clear(st, o->name, &err);
		if (rc < 0) {
			rp_log(RP_LOG_ERR, "%s", err.msg);
			rc = RP_EXIT_UNKNOWN;
		} else {
			fprintf(out, rc == 0 ? "%s is no longer silenced\n" : "%s was not silenced\n",
			    o->name);
			rc = RP_EXIT_OK;
		}
		break;
	case RP_SILENCE_LIST: {
		struct rp_silence *v = NULL;
		size_t n = 0;
		if (rp_store_silence_list(st, &v, &n, &err) != 0) {
			rp_log(RP_LOG_ERR, "%s", err.msg);
			rc = RP_EXIT_UNKNOWN;
			break;
		}
		print_list(out, v, n, now, o->json);
		rp_silences_free(v, n);
		break;
	}
	}
out:
	free(si.name);
	free(si.reason);
	free(si.by);
	free(clpath);
	rp_store_close(st);
	rp_checklist_free(&cl);
	rp_config_free(&cfg);
	return rc;
}
