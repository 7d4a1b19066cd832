#define _POSIX_C_SOURCE 200809L
#include "output.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

static const char *prog = "robopager";
static int verbose_on;

void
rp_log_init(const char *program, int verbose)
{
	prog = program;
	verbose_on = verbose;
}

void
rp_log(int prio, const char *fmt, ...)
{
	const char *js = getenv("JOURNAL_STREAM");
	struct rp_buf line = {0}, msg = {0};
	va_list ap;

	if (prio == RP_LOG_DEBUG && !verbose_on)
		return;
	va_start(ap, fmt);
	rp_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	/* One line whatever the message holds: a newline from a server's
	 * answer must not forge a second log line. */
	for (char *p = msg.data; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (js != NULL && *js != '\0')
		rp_buf_printf(&line, "<%d>", prio);
	rp_buf_printf(&line, "%s: ", prog);
	rp_buf_utf8(&line, msg.data);
	rp_buf_append(&line, "\n", 1);
	fputs(line.data, stderr);
	rp_buf_free(&msg);
	rp_buf_free(&line);
}

static const char *
outcome_word(const struct rp_pd_result *r)
{
	switch (r->outcome) {
	case RP_PD_DELIVERED:
		return "sent";
	case RP_PD_REJECTED:
		return "refused";
	case RP_PD_HELD:
		return "held: silenced";
	default:
		return r->queued ? "queued" : "not delivered";
	}
}

void
rp_out_perf(struct rp_buf *b, const char *check, const char *perf)
{
	const char *p = perf, *c;

	if (p == NULL)
		return;
	while (*p != '\0') {
		size_t n = strcspn(p, " "), k = strcspn(p, "=");

		if (k < n) {
			rp_buf_printf(b, "%s'", b->len > 0 ? " " : "");
			/* A label holds no '=' and doubles its quotes. */
			for (c = check; *c != '\0'; c++) {
				if (*c == '\'')
					rp_buf_append(b, "''", 2);
				else
					rp_buf_append(b, *c == '=' || *c == '|' ? "_" : c, 1);
			}
			rp_buf_printf(b, " %.*s'%.*s", (int)k, p, (int)(n - k), p + k);
		}
		p += n;
		while (*p == ' ')
			p++;
	}
}

void
rp_out_text(FILE *f, const struct rp_report *r)
{
	struct rp_buf b = {0};
	size_t i;

	rp_buf_printf(&b, "%s %s: ", rp_status_name(r->status), r->check);
	rp_buf_utf8(&b, r->summary);
	for (i = 0; i < r->nact; i++) {
		const struct rp_action *a = &r->acts[i];
		if (a->act == RP_ACT_CHANGE)
			rp_buf_printf(&b, " [change event %s]", r->sent ? outcome_word(&r->sent[i]) :
			    "would be sent");
		else if (r->sent == NULL)
			rp_buf_printf(&b, " [would %s %s]", rp_act_name(a->act), a->dedup_key);
		else
			rp_buf_printf(&b, " [%s %s %s]", rp_act_name(a->act), a->dedup_key,
			    outcome_word(&r->sent[i]));
	}
	/* One line per check, whatever a server put into the summary; the
	 * monitoring-plugin performance data last, after " | ". */
	for (i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == '|')
			b.data[i] = b.data[i] == '|' ? '/' : ' ';
	if (r->perf != NULL && *r->perf != '\0')
		rp_buf_printf(&b, " | %s", r->perf);
	rp_buf_append(&b, "\n", 1);
	fputs(b.data, f);
	rp_buf_free(&b);
}

static void
json_kv(struct rp_buf *b, const char *k, const char *v, int comma)
{
	rp_buf_printf(b, "%s\"%s\":\"", comma ? "," : "", k);
	rp_buf_json_str(b, v);
	rp_buf_append(b, "\"", 1);
}

void
rp_out_json(FILE *f, const struct rp_report *r)
{
	struct rp_buf b = {0};
	const struct rp_action *ep;
	char now[RP_UTC_LEN];
	size_t i;

	rp_clock_format_utc(r->now, now);
	rp_buf_append(&b, "{", 1);
	json_kv(&b, "check", r->check, 0);
	json_kv(&b, "type", r->type, 1);
	json_kv(&b, "status", rp_status_name(r->status), 1);
	json_kv(&b, "summary", r->summary, 1);
	json_kv(&b, "time", now, 1);
	/* "action" reports the episode's event if there is one, else the
	 * last; "actions" lists them all. */
	for (i = 0, ep = NULL; i < r->nact; i++)
		if (ep == NULL || r->acts[i].page == RP_PAGE_EPISODE)
			ep = &r->acts[i];
	json_kv(&b, "action", ep ? rp_act_name(ep->act) : "none", 1);
	if (ep)
		json_kv(&b, "dedup_key", ep->dedup_key, 1);
	if (r->incident != NULL)
		json_kv(&b, "incident", r->incident, 1);
	else if (r->evaluated)
		rp_buf_append(&b, ",\"incident\":null", 16);
	rp_buf_append(&b, ",\"actions\":[", 12);
	for (i = 0; i < r->nact; i++) {
		rp_buf_append(&b, i ? ",{" : "{", i ? 2 : 1);
		json_kv(&b, "action", rp_act_name(r->acts[i].act), 0);
		json_kv(&b, "dedup_key", r->acts[i].dedup_key, 1);
		json_kv(&b, "page", rp_page_name(r->acts[i].page), 1);
		if (r->sent == NULL) {
			json_kv(&b, "delivery", "dry-run", 1);
		} else {
			json_kv(&b, "delivery", outcome_word(&r->sent[i]), 1);
			json_kv(&b, "answer", r->sent[i].message, 1);
		}
		rp_buf_append(&b, "}", 1);
	}
	rp_buf_append(&b, "],\"details\":{", 13);
	for (i = 0; i < r->nfacts; i++) {
		if (r->facts[i].number)
			rp_buf_printf(&b, "%s\"%s\":%s", i > 0 ? "," : "", r->facts[i].name,
			    r->facts[i].value);
		else
			json_kv(&b, r->facts[i].name, r->facts[i].value, i > 0);
	}
	rp_buf_append(&b, "}}\n", 3);
	fputs(b.data, f);
	rp_buf_free(&b);
}

static int
rank(enum rp_status s)
{
	switch (s) {
	case RP_WARNING:
		return 1;
	case RP_UNKNOWN:
		return 2;
	case RP_CRITICAL:
		return 3;
	default:
		return 0;
	}
}

enum rp_status
rp_status_worse(enum rp_status a, enum rp_status b)
{
	return rank(b) > rank(a) ? b : a;
}

int
rp_exit_for(enum rp_status s)
{
	switch (s) {
	case RP_WARNING:
		return RP_EXIT_WARNING;
	case RP_CRITICAL:
		return RP_EXIT_CRITICAL;
	case RP_UNKNOWN:
		return RP_EXIT_UNKNOWN;
	default:
		return RP_EXIT_OK;
	}
}
