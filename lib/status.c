#define _POSIX_C_SOURCE 200809L
#include "status.h"

#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "output.h"
#include "ping.h"
#include "run.h"
#include "signals.h"
#include "sink.h"
#include "state.h"

/* "2026-11-26 09:30" local, or "-" for none. */
static void
when(time_t t, char *buf, size_t n)
{
	char l[RP_SHORT_LEN];

	if (t == 0) {
		snprintf(buf, n, "-");
		return;
	}
	rp_clock_format_short(t, l);
	snprintf(buf, n, "%s", l);
}

static void
json_time(struct rp_buf *b, const char *k, time_t t)
{
	char l[RP_LOCAL_LEN];

	if (t == 0) {
		rp_buf_printf(b, ",\"%s\":null", k);
		return;
	}
	rp_clock_format_local(t, l);
	rp_buf_printf(b, ",\"%s\":\"%s\"", k, l);
}

static void
json_str(struct rp_buf *b, const char *k, const char *v)
{
	if (v == NULL) {
		rp_buf_printf(b, ",\"%s\":null", k);
		return;
	}
	rp_buf_printf(b, ",\"%s\":\"", k);
	rp_buf_json_str(b, v);
	rp_buf_append(b, "\"", 1);
}

/* OFF on a day off with no incident open, NEVER before its first
 * evaluation, else its stored status. */
static const char *
status_word(const struct rp_check *c, const struct rp_check_state *st, time_t now)
{
	if (rp_check_off(c, now) && st->open_key == NULL)
		return "OFF";
	return st->known ? rp_status_name(st->status) : "NEVER";
}

/* Whether the trigger of dedup_key still waits in the outbox (for dest,
 * or for any destination when dest is NULL). */
static int
queued_for(const struct rp_outbox *ob, const char *dest, const char *dedup_key)
{
	char d[RP_DEST_MAX], act[16];
	size_t i;

	for (i = 0; dedup_key != NULL && i < ob->n; i++) {
		rp_dl_id_action(ob->v[i].id, act, sizeof(act));
		rp_dl_id_dest(ob->v[i].id, d, sizeof(d));
		if (strcmp(act, "trigger") == 0 && strcmp(rp_dl_id_key(ob->v[i].id), dedup_key) == 0 &&
		    (dest == NULL || strcmp(d, dest) == 0))
			return 1;
	}
	return 0;
}

static int
queued(const struct rp_outbox *ob, const char *dedup_key)
{
	return queued_for(ob, NULL, dedup_key);
}

/* Whether dest refused the trigger of the open incident (refused: the
 * records as struct rp_load holds them, one a line "<id>\t<record>"). */
static int
refused_by(const char *refused, const char *dest)
{
	const char *line, *nl;
	char d[RP_DEST_MAX];

	for (line = refused; line != NULL && *line; line = nl ? nl + 1 : NULL) {
		char *id;
		nl = strchr(line, '\n');
		id = rp_xstrndup(line, strcspn(line, "\t\n"));
		rp_dl_id_dest(id, d, sizeof(d));
		free(id);
		if (strcmp(d, dest) == 0)
			return 1;
	}
	return 0;
}

/* Where the open incident's trigger stands at each destination of its
 * check: "delivered", "queued" or "refused". */
struct where {
	char **dests;
	const char **state;
	size_t n;
};

static void
where_of(struct where *w, const struct rp_config *cfg, const struct rp_check *c,
    const struct rp_load *l, const struct rp_outbox *ob)
{
	size_t i;

	w->dests = rp_sink_dests(cfg, c, 0, &w->n);
	w->state = rp_xcalloc(w->n + 1, sizeof(*w->state));
	for (i = 0; i < w->n; i++)
		w->state[i] = refused_by(l->refused, w->dests[i]) ? "refused" :
		    queued_for(ob, w->dests[i], l->st.open_key) ? "queued" : "delivered";
}

static void
where_free(struct where *w)
{
	rp_sink_dests_free(w->dests, w->n);
	free(w->state);
}

/* rp-ping's record of a ping check: in its JSON object (jq: .last_success,
 * .running, .output_tail) and, with -v, below its row. */
static void
ping_json(struct rp_buf *b, const struct rp_ping_rec *r)
{
	json_time(b, "last_start", r->start);
	json_time(b, "last_success", r->success);
	json_time(b, "last_success_start", r->success_start);
	json_time(b, "last_failure", r->fail);
	json_time(b, "last_failure_start", r->fail_start);
	if (r->fail != 0)
		rp_buf_printf(b, ",\"failure_status\":%d,\"failure_signal\":%d", r->fail_status,
		    r->fail_signal);
	else
		rp_buf_printf(b, ",\"failure_status\":null,\"failure_signal\":null");
	rp_buf_printf(b, ",\"running\":%s", rp_ping_running(r) ? "true" : "false");
	if (r->duration >= 0)
		rp_buf_printf(b, ",\"duration_sec\":%ld", r->duration);
	else
		rp_buf_printf(b, ",\"duration_sec\":null");
	json_str(b, "output_tail", r->tail);
}

static void
ping_text(FILE *out, const struct rp_ping_rec *r)
{
	struct rp_buf b = {0};
	char t[24], s[24];

	if (!r->known) {
		fprintf(out, "  no ping recorded yet\n");
		return;
	}
	when(r->success, t, sizeof(t));
	when(r->success_start, s, sizeof(s));
	rp_buf_printf(&b, "  last success:  %s", t);
	if (r->success != 0)
		rp_buf_printf(&b, " (run started %s)", r->success_start ? s : "unknown");
	when(r->fail, t, sizeof(t));
	when(r->fail_start, s, sizeof(s));
	rp_buf_printf(&b, "\n  last failure:  %s", t);
	if (r->fail != 0 && r->fail_signal != 0)
		rp_buf_printf(&b, ", killed by signal %d (%s)", r->fail_signal,
		    strsignal(r->fail_signal));
	else if (r->fail != 0 && r->fail_status != 0)
		rp_buf_printf(&b, ", exit status %d", r->fail_status);
	if (r->fail != 0)
		rp_buf_printf(&b, " (run started %s)", r->fail_start ? s : "unknown");
	when(r->start, t, sizeof(t));
	rp_buf_printf(&b, "\n  running:       %s%s\n", rp_ping_running(r) ? "since " : "no",
	    rp_ping_running(r) ? t : "");
	/* While a run goes on, what follows is the one before it. */
	if (r->duration >= 0)
		rp_buf_printf(&b, "  %s took: %ld s\n", rp_ping_running(r) ? "the run before" :
		    "last run", r->duration);
	if (r->tail != NULL) {
		struct rp_buf clean = {0};
		char *line, *nl;
		/* Stored clean; cleaned again, as whatever wrote it. */
		rp_ping_clean(&clean, r->tail, strlen(r->tail));
		rp_buf_printf(&b, "  %s:\n", rp_ping_running(r) ? "the run before, output tail" :
		    "output tail");
		for (line = clean.data; line != NULL; line = nl ? nl + 1 : NULL) {
			if ((nl = strchr(line, '\n')) != NULL)
				*nl = '\0';
			rp_buf_printf(&b, "    %s\n", line);
		}
		rp_buf_free(&clean);
	}
	fputs(b.data, out);
	rp_buf_free(&b);
}

static void
row_json(FILE *out, const struct rp_config *cfg, const struct rp_check *c,
    const struct rp_load *l, time_t now, const struct rp_outbox *ob,
    const struct rp_ping_rec *ping)
{
	const struct rp_check_state *st = &l->st;
	struct rp_buf b = {0};

	/* "kind" tells the checks from the outbox and refused events that
	 * follow them (jq: select(.kind == "check")). */
	rp_buf_printf(&b, "{\"kind\":\"check\",\"check\":\"");
	rp_buf_json_str(&b, c->name);
	rp_buf_printf(&b, "\",\"type\":\"%s\",\"status\":\"%s\"", rp_check_type_name(c->type),
	    status_word(c, st, now));
	json_str(&b, "summary", st->summary);
	json_time(&b, "since", st->since);
	json_time(&b, "last_evaluation", st->last_eval);
	if (rp_check_program(c->type) == RP_PROG_LATENCY)
		json_time(&b, "last_completion", st->completion);
	else
		json_str(&b, "last_success_day", st->success_day);
	json_str(&b, "incident", st->open_key);
	/* Refused by PagerDuty is never delivered: it waits for a fix. */
	rp_buf_printf(&b, ",\"incident_delivered\":%s", st->open_key && st->open_sent &&
	    !queued(ob, st->open_key) && l->refused == NULL ? "true" : "false");
	rp_buf_printf(&b, ",\"incident_refused\":%s", st->open_key && l->refused != NULL ?
	    "true" : "false");
	json_str(&b, "unknown_incident", st->unknown_key);
	rp_buf_printf(&b, ",\"unknown_count\":%ld", st->unknown_count);
	json_time(&b, "silenced_until", l->silenced_until > now ? l->silenced_until : 0);
	/* Where the incident's trigger stands, per destination. */
	if (st->open_key != NULL && st->open_sent) {
		struct where w;
		size_t i;
		where_of(&w, cfg, c, l, ob);
		rp_buf_printf(&b, ",\"incident_destinations\":{");
		for (i = 0; i < w.n; i++) {
			rp_buf_printf(&b, "%s\"", i ? "," : "");
			rp_buf_json_str(&b, w.dests[i]);
			rp_buf_printf(&b, "\":\"%s\"", w.state[i]);
		}
		rp_buf_append(&b, "}", 1);
		where_free(&w);
	} else {
		rp_buf_printf(&b, ",\"incident_destinations\":null");
	}
	if (c->type == RP_CHECK_PING)
		ping_json(&b, ping);
	rp_buf_append(&b, "}\n", 2);
	fputs(b.data, out);
	rp_buf_free(&b);
}

static const char *
delivery(const struct rp_outbox *ob, const char *key, int sent, int refused)
{
	if (!sent)
		return " (not yet delivered)";
	if (refused)
		return " (refused by PagerDuty: see below)";
	return queued(ob, key) ? " (queued in the outbox)" : "";
}

/* Where the open incident stands when its check has several destinations
 * or one other than PagerDuty: " (delivered to PagerDuty; queued for
 * Slack data-team)", or "" when every one has it. */
static void
delivery_at(struct rp_buf *b, const struct rp_config *cfg, const struct rp_check *c,
    const struct rp_load *l, const struct rp_outbox *ob)
{
	static const char *const states[] = {"delivered", "queued", "refused"};
	static const char *const words[] = {"delivered to", "queued for", "refused by"};
	struct where w;
	size_t i, k, shown = 0, all = 0;
	int refused = 0;

	where_of(&w, cfg, c, l, ob);
	for (i = 0; i < w.n; i++)
		all += strcmp(w.state[i], "delivered") == 0;
	for (k = 0; k < 3 && all < w.n; k++) {
		size_t in = 0;
		for (i = 0; i < w.n; i++) {
			char who[RP_DEST_MAX + 20];
			if (strcmp(w.state[i], states[k]) != 0)
				continue;
			rp_sink_who(w.dests[i], who, sizeof(who));
			if (in++ > 0)
				rp_buf_printf(b, ", %s", who);
			else
				rp_buf_printf(b, "%s%s %s", shown ? "; " : " (", words[k], who);
			shown++;
			refused |= k == 2;
		}
	}
	if (shown > 0)
		rp_buf_printf(b, "%s)", refused ? ": see below" : "");
	where_free(&w);
}

static void
row_text(FILE *out, const struct rp_config *cfg, const struct rp_check *c,
    const struct rp_load *l, time_t now, int w, const struct rp_outbox *ob)
{
	size_t nd;
	char **dv = rp_sink_dests(cfg, c, 0, &nd);
	int pd_only = nd == 1 && strcmp(dv[0], "pagerduty") == 0;
	const struct rp_check_state *st = &l->st;
	char since[24], last[24], done[24], sil[24];
	struct rp_buf inc = {0};

	when(st->since, since, sizeof(since));
	when(st->last_eval, last, sizeof(last));
	if (c->type == RP_CHECK_PING)
		when(l->ping_rec.success, done, sizeof(done));
	else if (rp_check_program(c->type) == RP_PROG_LATENCY)
		when(st->completion, done, sizeof(done));
	else
		snprintf(done, sizeof(done), "%s", st->success_day ? st->success_day : "-");
	when(l->silenced_until > now ? l->silenced_until : 0, sil, sizeof(sil));
	rp_sink_dests_free(dv, nd);
	if (st->open_key && (pd_only || !st->open_sent))
		rp_buf_printf(&inc, "%s%s", st->open_key, delivery(ob, st->open_key, st->open_sent,
		    l->refused != NULL));
	else if (st->open_key) {
		rp_buf_printf(&inc, "%s", st->open_key);
		delivery_at(&inc, cfg, c, l, ob);
	}
	if (st->unknown_key)
		rp_buf_printf(&inc, "%s%s%s", inc.len ? ", " : "", st->unknown_key,
		    delivery(ob, st->unknown_key, st->unknown_sent, 0));
	else if (st->unknown_count > 0)
		rp_buf_printf(&inc, "%sunknown %ld time%s in a row", inc.len ? ", " : "",
		    st->unknown_count, st->unknown_count == 1 ? "" : "s");
	fprintf(out, "%-*s  %-7s  %-8s  %-16s  %-16s  %-16s  %-16s  %s\n", w, c->name,
	    rp_check_type_name(c->type), status_word(c, st, now), since, last, done, sil,
	    inc.len ? inc.data : "-");
	rp_buf_free(&inc);
}

/* --plugin: the one line a monitoring plugin prints, "STATUS NAME:
 * summary", with the stored status, so the line and the exit status agree.
 * Never evaluated is OK, as the exit status has it: nothing wrong is known
 * (rp-heartbeat pages when evaluations stop). A silence holds pages, not
 * the truth: a silenced check shows its status, the silence said after. */
static void
plugin_line(FILE *out, const struct rp_check *c, const struct rp_load *l, time_t now)
{
	const struct rp_check_state *st = &l->st;
	struct rp_buf b = {0};
	char until[24];

	rp_buf_printf(&b, "%s ", st->known ? rp_status_name(st->status) : "OK");
	rp_buf_utf8(&b, c->name);
	rp_buf_append(&b, ": ", 2);
	if (!st->known)
		rp_buf_printf(&b, "not evaluated yet");
	else
		rp_buf_utf8(&b, st->summary ? st->summary : "no summary recorded");
	if (st->known && rp_check_off(c, now) && st->open_key == NULL)
		rp_buf_printf(&b, " (a day off)");
	if (l->silenced_until > now) {
		when(l->silenced_until, until, sizeof(until));
		rp_buf_printf(&b, " (silenced until %s)", until);
	}
	rp_buf_append(&b, "\n", 1);
	fputs(b.data, out);
	rp_buf_free(&b);
}

static int
wanted(const struct rp_opts *o, const char *check)
{
	return o->check == NULL || (check != NULL && strcmp(o->check, check) == 0);
}

/* The events waiting in the outbox and those PagerDuty refused. */
static void
print_events(const struct rp_opts *o, FILE *out, const struct rp_outbox *ob,
    const struct rp_rejected *rej, size_t nrej)
{
	struct rp_buf b = {0};
	char t[24], dest[RP_DEST_MAX], who[RP_DEST_MAX + 20], act[16];
	size_t i, shown = 0;

	for (i = 0; i < ob->n; i++) {
		const struct rp_ob_entry *e = &ob->v[i];
		if (!wanted(o, e->check))
			continue;
		rp_buf_free(&b);
		rp_dl_id_dest(e->id, dest, sizeof(dest));
		rp_dl_id_action(e->id, act, sizeof(act));
		rp_sink_who(dest, who, sizeof(who));
		if (o->json) {
			rp_buf_printf(&b, "{\"kind\":\"outbox\"");
			json_str(&b, "event", e->id);
			json_str(&b, "destination", dest);
			json_str(&b, "check", e->check);
			json_time(&b, "queued", e->queued);
			rp_buf_printf(&b, ",\"attempts\":%ld", e->attempts);
			json_str(&b, "last_error", e->error);
			rp_buf_append(&b, "}\n", 2);
		} else {
			if (shown++ == 0)
				rp_buf_printf(&b, "\nWAITING FOR DELIVERY (the next run sends them, "
				    "oldest first)\n");
			when(e->queued, t, sizeof(t));
			rp_buf_printf(&b, "  %s %s for %s  queued %s, %ld attempt%s, last: ", act,
			    rp_dl_id_key(e->id), who, t, e->attempts, e->attempts == 1 ? "" : "s");
			rp_buf_utf8(&b, e->error ? e->error : "-");
			rp_buf_append(&b, "\n", 1);
		}
		fputs(b.data, out);
	}
	shown = 0;
	for (i = 0; i < nrej; i++) {
		const struct rp_rejected *x = &rej[i];
		if (!wanted(o, x->check))
			continue;
		rp_buf_free(&b);
		rp_dl_id_dest(x->id, dest, sizeof(dest));
		rp_dl_id_action(x->id, act, sizeof(act));
		rp_sink_who(dest, who, sizeof(who));
		if (o->json) {
			rp_buf_printf(&b, "{\"kind\":\"refused\"");
			json_str(&b, "event", x->id);
			json_str(&b, "destination", dest);
			json_str(&b, "check", x->check);
			json_time(&b, "at", x->at);
			rp_buf_printf(&b, ",\"http_status\":%ld", x->http_status);
			json_str(&b, "message", x->message);
			json_str(&b, "sent", x->event);
			rp_buf_append(&b, "}\n", 2);
		} else {
			if (shown++ == 0)
				rp_buf_printf(&b, "\nREFUSED (not sent again until what was refused is "
				    "fixed: the check's pd_service or pd_description, the destination)\n");
			when(x->at, t, sizeof(t));
			rp_buf_printf(&b, "  %s %s by %s  at %s: ", act, rp_dl_id_key(x->id), who, t);
			rp_buf_utf8(&b, x->message ? x->message : "-");
			rp_buf_printf(&b, "\n    sent: ");
			rp_buf_utf8(&b, x->event ? x->event : "-");
			rp_buf_append(&b, "\n", 1);
		}
		fputs(b.data, out);
	}
	rp_buf_free(&b);
}

int
rp_status_run(const struct rp_opts *o, FILE *out)
{
	const char *cfgpath = rp_default_config(o->config);
	struct rp_config cfg;
	struct rp_checklist cl = {0};
	struct rp_store *st = NULL;
	struct rp_load *l = NULL;
	const struct rp_check **cs = NULL;
	struct rp_err err;
	struct rp_outbox ob = {0};
	struct rp_rejected *rej = NULL;
	size_t nrej = 0;
	char *clpath = NULL;
	size_t i, n = 0;
	int rc = RP_EXIT_OK, w = 5;
	enum rp_status worst = RP_OK;
	time_t now, clock;
	size_t waiting;

	/* A reader gone away is a write error to report, as the
	 * evaluating programs have it, not a death by SIGPIPE. */
	rp_sig_ignore_pipe();
	rp_log_init("rp-status", o->verbose);
	if (rp_config_load(cfgpath, &cfg, &err) != 0 || rp_clock_now(o->now, &now, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		rc = err.code;
		goto out;
	}
	clpath = o->checklist ? rp_xstrdup(o->checklist) : rp_default_checklist(cfgpath);
	if (rp_checklist_load(clpath, &cl, &err) != 0) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		rc = err.code;
		goto out;
	}
	cs = rp_xcalloc(cl.n, sizeof(*cs));
	l = rp_xcalloc(cl.n, sizeof(*l));
	for (i = 0; i < cl.n; i++) {
		if (o->check != NULL && strcmp(o->check, cl.checks[i].name) != 0)
			continue;
		cs[n] = &cl.checks[i];
		l[n].name = cl.checks[i].name;
		l[n].poll_sec = cl.checks[i].poll_sec;
		l[n].force = 1; /* read only: no due test, no lock */
		l[n].ping = cl.checks[i].type == RP_CHECK_PING;
		if ((int)strlen(cl.checks[i].name) > w)
			w = (int)strlen(cl.checks[i].name);
		n++;
	}
	if (o->check != NULL && n == 0) {
		rp_log(RP_LOG_ERR, "%s: no check named \"%s\"", clpath, o->check);
		rc = RP_EXIT_USAGE;
		goto out;
	}
	if ((st = rp_config_store(&cfg, &err)) == NULL && err.code == RP_EXIT_CONFIG) {
		rp_log(RP_LOG_ERR, "%s", err.msg);
		rc = err.code;
		goto out;
	}
	if (st == NULL || rp_store_load(st, l, n, &now, 1, &clock, &waiting, &err) != 0 ||
	    rp_store_outbox_read(st, &ob, &rej, &nrej, &err) != 0) {
		/* A plugin's answer is its one line on stdout: Icinga would show
		 * stderr as well, Nagios nothing at all. */
		if (o->plugin)
			fprintf(out, "UNKNOWN %s: state store unreachable (%s)\n", o->check, err.msg);
		else
			rp_log(RP_LOG_ERR, "%s", err.msg);
		rc = RP_EXIT_UNKNOWN;
		goto out;
	}
	if (o->plugin) {
		plugin_line(out, cs[0], &l[0], now);
		rc = rp_exit_for(l[0].st.known ? l[0].st.status : RP_OK);
		goto out;
	}
	if (!o->json)
		fprintf(out, "%-*s  %-7s  %-8s  %-16s  %-16s  %-16s  %-16s  %s\n", w, "CHECK", "TYPE",
		    "STATUS", "SINCE", "LAST EVALUATION", "LAST DONE", "SILENCED UNTIL",
		    "INCIDENT");
	for (i = 0; i < n; i++) {
		if (o->json)
			row_json(out, &cfg, cs[i], &l[i], now, &ob, &l[i].ping_rec);
		else
			row_text(out, &cfg, cs[i], &l[i], now, w, &ob);
		if (!o->json && o->verbose && cs[i]->type == RP_CHECK_PING)
			ping_text(out, &l[i].ping_rec);
		/* A monitoring plugin's answer: the worst stored status shown; a
		 * check never evaluated has nothing wrong to report. */
		if (l[i].st.known)
			worst = rp_status_worse(worst, l[i].st.status);
	}
	print_events(o, out, &ob, rej, nrej);
	rc = rp_exit_for(worst);
out:
	rp_outbox_free(&ob);
	rp_rejected_free(rej, nrej);
	for (i = 0; i < n; i++)
		rp_load_clear(&l[i]);
	free(l);
	free(cs);
	free(clpath);
	rp_store_close(st);
	rp_checklist_free(&cl);
	rp_config_free(&cfg);
	return rc;
}
