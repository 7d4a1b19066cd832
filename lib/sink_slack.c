/*
 * sink_slack: a Slack incoming webhook ([slack NAME] of etl.cfg). One
 * message per trigger and per resolve, and per check going into WARNING
 * when the section says warnings = True: a "text" for notifications and
 * Block Kit blocks for the channel (a header with the status and the
 * check, the summary and description, the facts as fields, a job's output,
 * a context line with the incident's key, host and time), within the
 * limits Slack documents for them. Text goes out as mrkdwn with &, < and >
 * escaped, so that nothing a server said can mention @channel or forge a
 * link.
 *
 * The webhook's URL is a secret: the entry holds the message only, and the
 * URL is read from webhook_url_file or webhook_url_env when it is sent.
 * Slack answers 200 "ok"; 429 (with Retry-After) and 5xx are retried;
 * 400 invalid_payload, 403, 404 no_service or channel_not_found and 410
 * channel_is_archived are refused and kept.
 */
#define _POSIX_C_SOURCE 200809L
#include "sink.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "source.h"

/* Block Kit's limits (Slack's reference for incoming webhooks' blocks). */
#define HEADER_MAX 150
#define SECTION_MAX 3000
#define FIELD_MAX 2000
#define FIELDS_MAX 10

static const char *
name_of(const char *dest)
{
	return rp_sink_dest_name(dest);
}

static void
slack_dests(const struct rp_config *cfg, const struct rp_check *c, char **out, size_t *n,
    size_t max)
{
	size_t i;

	for (i = 0; i < c->nnotify && *n < max; i++)
		if (rp_config_slack(cfg, c->notify[i]) != NULL)
			out[(*n)++] = rp_xasprintf("slack:%s", c->notify[i]);
}

static int
slack_has(const struct rp_config *cfg, const char *name)
{
	return rp_config_slack(cfg, name) != NULL;
}

static int
slack_takes(const struct rp_config *cfg, const char *dest, enum rp_ev_action a)
{
	const struct rp_slack *k = rp_config_slack(cfg, name_of(dest));

	return a != RP_EV_WARNING || (k != NULL && k->warnings);
}

/* s as valid UTF-8 with Slack's three escapes, cut to at most max bytes
 * without splitting a character or an escape. */
static json_t *
mrkdwn(const char *s, size_t max)
{
	struct rp_buf in = {0}, out = {0};
	size_t i;
	json_t *j;

	rp_buf_utf8(&in, s ? s : "");
	for (i = 0; i < in.len; i++) {
		const char *esc = in.data[i] == '&' ? "&amp;" : in.data[i] == '<' ? "&lt;" :
		    in.data[i] == '>' ? "&gt;" : NULL;
		size_t n = esc ? strlen(esc) : 1;
		/* A character's continuation bytes go with it. */
		while (esc == NULL && i + n < in.len && ((unsigned char)in.data[i + n] & 0xc0) == 0x80)
			n++;
		if (out.len + n > max)
			break;
		rp_buf_append(&out, esc ? esc : in.data + i, n);
		i += esc ? 0 : n - 1;
	}
	j = json_stringn(out.data ? out.data : "", out.len);
	rp_buf_free(&in);
	rp_buf_free(&out);
	return j;
}

static json_t *
text_obj(const char *type, json_t *text)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "text", text);
	if (strcmp(type, "plain_text") == 0)
		json_object_set_new(o, "emoji", json_true());
	return o;
}

static json_t *
block(const char *type)
{
	json_t *b = json_object();

	json_object_set_new(b, "type", json_string(type));
	return b;
}

/* What the message says first: an emoji and a word a person reads at
 * 3 a.m. */
static void
headline(const struct rp_sink_event *ev, const char **emoji, const char **word)
{
	switch (ev->action) {
	case RP_EV_RESOLVE:
		*emoji = ":large_green_circle:";
		*word = "RESOLVED";
		break;
	case RP_EV_WARNING:
		*emoji = ":large_yellow_circle:";
		*word = "WARNING";
		break;
	default:
		/* An incident: CRITICAL, or a check that cannot be evaluated. */
		*emoji = ev->severity && strcmp(ev->severity, "error") == 0 ?
		    ":large_orange_circle:" : ":red_circle:";
		*word = ev->status == RP_UNKNOWN ? "UNKNOWN" : "CRITICAL";
		break;
	}
}

static char *
slack_encode(const struct rp_config *cfg, const char *dest, const struct rp_sink_event *ev)
{
	json_t *root = json_object(), *blocks = json_array(), *b, *fields;
	const char *emoji, *word;
	char at[RP_UTC_LEN], *s, *out;
	struct rp_buf t = {0};
	size_t i;

	(void)cfg;
	(void)dest;
	headline(ev, &emoji, &word);
	s = rp_xasprintf("%s %s %s: %s", emoji, word, ev->check, ev->summary ? ev->summary : "");
	json_object_set_new(root, "text", mrkdwn(s, SECTION_MAX));
	free(s);

	b = block("header");
	s = rp_xasprintf("%s %s: %s", emoji, word, ev->check);
	rp_buf_utf8(&t, s);
	free(s);
	/* plain_text: no escapes; cut without splitting a character. */
	i = t.len > HEADER_MAX ? HEADER_MAX : t.len;
	while (i > 0 && i < t.len && ((unsigned char)t.data[i] & 0xc0) == 0x80)
		i--;
	json_object_set_new(b, "text", text_obj("plain_text", json_stringn(t.data, i)));
	rp_buf_free(&t);
	json_array_append_new(blocks, b);

	b = block("section");
	s = ev->description ? rp_xasprintf("%s\n%s", ev->summary ? ev->summary : "",
	    ev->description) : rp_xstrdup(ev->summary ? ev->summary : "-");
	json_object_set_new(b, "text", text_obj("mrkdwn", mrkdwn(*s ? s : "-", SECTION_MAX)));
	free(s);
	json_array_append_new(blocks, b);

	if (ev->nfacts > 0) {
		b = block("section");
		fields = json_array();
		for (i = 0; i < ev->nfacts && i < FIELDS_MAX; i++) {
			s = rp_xasprintf("*%s*\n%s", ev->facts[i].name, ev->facts[i].value);
			json_array_append_new(fields, text_obj("mrkdwn", mrkdwn(s, FIELD_MAX)));
			free(s);
		}
		json_object_set_new(b, "fields", fields);
		json_array_append_new(blocks, b);
	}
	if (ev->output != NULL && *ev->output != '\0') {
		b = block("section");
		s = rp_xasprintf("*output (last lines)*\n```%s```", ev->output);
		json_object_set_new(b, "text", text_obj("mrkdwn", mrkdwn(s, SECTION_MAX - 10)));
		free(s);
		json_array_append_new(blocks, b);
	}

	b = block("context");
	fields = json_array();
	rp_clock_format_utc(ev->time, at);
	s = rp_xasprintf("%s check `%s` | %s `%s` | %s | %s", ev->type ? ev->type : "-", ev->check,
	    rp_ev_action_name(ev->action), ev->dedup_key, ev->host ? ev->host : "-", at);
	json_array_append_new(fields, text_obj("mrkdwn", mrkdwn(s, SECTION_MAX)));
	free(s);
	json_object_set_new(b, "elements", fields);
	json_array_append_new(blocks, b);

	json_object_set_new(root, "blocks", blocks);
	out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (out == NULL)
		abort(); /* Only out of memory: every string above is UTF-8. */
	return out;
}

static long
slack_per_min(const struct rp_config *cfg, const char *dest)
{
	const struct rp_slack *k = rp_config_slack(cfg, name_of(dest));

	return k ? k->rate_per_min : 60;
}

/* The webhook's URL, read now; NULL with err. */
static char *
slack_url(const struct rp_config *cfg, const struct rp_slack *k, struct rp_err *err)
{
	char what[100];
	char *url;

	snprintf(what, sizeof(what), "[slack %s] webhook_url", k->name);
	url = rp_config_secret(cfg, what, k->webhook_url_file, k->webhook_url_env, err);
	if (url != NULL && strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
		rp_free_secret(url);
		rp_err_set(err, RP_EXIT_CONFIG, "%s: [slack %s] webhook_url: not an https:// URL "
		    "(the value is a secret and is not shown)", cfg->path, k->name);
		return NULL;
	}
	return url;
}

static int
slack_request(const struct rp_config *cfg, const char *dest, const char *body, time_t now,
    struct rp_http_req *req, struct rp_pd_result *res)
{
	const struct rp_slack *k = rp_config_slack(cfg, name_of(dest));
	struct rp_err err;
	char *url;

	(void)now;
	if (k == NULL) {
		res->outcome = RP_PD_REJECTED;
		snprintf(res->message, sizeof(res->message), "%s has no [slack %s] section",
		    cfg->path, name_of(dest));
		return -1;
	}
	if ((url = slack_url(cfg, k, &err)) == NULL) {
		/* A person fixes the file: the message waits for it. */
		res->outcome = RP_PD_FAILED;
		rp_strlcpy(res->message, err.msg, sizeof(res->message));
		return -1;
	}
	req->url = rp_http_own(req, url);
	req->body = body;
	req->timeout_ms = k->timeout_sec * 1000;
	req->max_bytes = 64 * 1024;
	req->ca_file = k->ca_file;
	req->insecure = !k->tls_verify;
	return 0;
}

/* What a person fixes after a refusal: the webhook (its URL, so a new one
 * sends the message again; the hash of a URL with Slack's random token
 * tells nothing of it). */
static char *
slack_fingerprint(const struct rp_config *cfg, const char *dest, const char *body)
{
	const struct rp_slack *k = rp_config_slack(cfg, name_of(dest));
	struct rp_err err;
	const char *v[2];
	char *url = k ? slack_url(cfg, k, &err) : NULL, *h;

	(void)body;
	v[0] = dest;
	v[1] = url ? url : "-";
	h = rp_sink_hash(v, 2);
	rp_free_secret(url);
	return h;
}

const struct rp_sink rp_sink_slack = {
	.name = "slack",
	.title = "Slack",
	.refresh = 0,
	.dests = slack_dests,
	.has = slack_has,
	.takes = slack_takes,
	.encode = slack_encode,
	.label = NULL,
	.per_min = slack_per_min,
	.request = slack_request,
	.judge = rp_sink_judge_http,
	.fingerprint = slack_fingerprint,
	.keep = NULL,
};
