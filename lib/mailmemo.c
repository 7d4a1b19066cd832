#define _POSIX_C_SOURCE 200809L
#include "mailmemo.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "util.h"

/* A stored header longer than this makes the day not memoed. */
#define HEADER_MAX 2048
/* Nor does a memo longer than this. */
#define MEMO_MAX (32 * 1024)

static uint64_t
fnv(uint64_t h, const char *s)
{
	do {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	} while (*s++ != '\0');
	return h;
}

void
rp_mail_memo_id(const struct rp_config *cfg, const struct rp_check *c,
    char id[RP_MAIL_MEMO_ID_LEN])
{
	uint64_t h = 14695981039346656037ULL;
	char num[32];
	size_t i;

	h = fnv(h, cfg->imap_url ? cfg->imap_url : "");
	h = fnv(h, cfg->email ? cfg->email : "");
	h = fnv(h, cfg->mailbox ? cfg->mailbox : "");
	snprintf(num, sizeof(num), "%d %d %zu", c->delivery_time, (int)c->subject_match,
	    c->nsenders);
	h = fnv(h, num);
	for (i = 0; i < c->nsenders; i++)
		h = fnv(h, c->senders[i]);
	for (i = 0; i < c->nsubjects; i++)
		h = fnv(h, c->subjects[i]);
	snprintf(id, RP_MAIL_MEMO_ID_LEN, "%016llx", (unsigned long long)h);
}

static void
list_clear(struct rp_mail_list *l)
{
	rp_imap_msgs_free(l->m, l->n);
	l->m = NULL;
	l->n = 0;
}

void
rp_mail_memo_clear(struct rp_mail_memo *m)
{
	list_clear(&m->by_sender);
	list_clear(&m->by_subject);
	memset(m, 0, sizeof(*m));
}

/* [[uid, arrived, from, subject], ...], UIDs ascending and at most high. */
static int
parse_list(json_t *a, uint32_t high, struct rp_mail_list *l)
{
	size_t i;
	json_t *e;

	if (!json_is_array(a) || json_array_size(a) > RP_MAIL_MEMO_MAX)
		return -1;
	l->m = rp_xcalloc(json_array_size(a) + 1, sizeof(*l->m));
	json_array_foreach(a, i, e) {
		json_t *uid = json_array_get(e, 0), *at = json_array_get(e, 1);
		json_t *from = json_array_get(e, 2), *subject = json_array_get(e, 3);
		struct rp_imap_msg *m = &l->m[l->n];

		if (!json_is_array(e) || json_array_size(e) != 4 || !json_is_integer(uid) ||
		    !json_is_integer(at) || !json_is_string(from) || !json_is_string(subject))
			return -1;
		if (json_integer_value(uid) < 1 || json_integer_value(uid) > (json_int_t)high ||
		    (l->n > 0 && json_integer_value(uid) <= (json_int_t)l->m[l->n - 1].uid) ||
		    json_integer_value(at) < 0)
			return -1;
		m->uid = (uint32_t)json_integer_value(uid);
		m->arrived = (time_t)json_integer_value(at);
		m->from = rp_xstrdup(json_string_value(from));
		m->subject = rp_xstrdup(json_string_value(subject));
		l->n++;
	}
	return 0;
}

static int
parse_doc(json_t *d, struct rp_mail_memo *m)
{
	json_t *v;
	json_int_t n;

	if (!json_is_object(d) || json_integer_value(json_object_get(d, "v")) != 1)
		return -1;
	v = json_object_get(d, "id");
	if (!json_is_string(v) || json_string_length(v) != RP_MAIL_MEMO_ID_LEN - 1)
		return -1;
	rp_strlcpy(m->id, json_string_value(v), sizeof(m->id));
	v = json_object_get(d, "day");
	if (!json_is_string(v) || json_string_length(v) != RP_DATE_LEN - 1)
		return -1;
	rp_strlcpy(m->day, json_string_value(v), sizeof(m->day));
	n = json_integer_value(json_object_get(d, "uidvalidity"));
	if (n < 1 || n > 4294967295LL)
		return -1;
	m->uidvalidity = (uint32_t)n;
	n = json_integer_value(json_object_get(d, "high"));
	if (!json_is_integer(json_object_get(d, "high")) || n < 0 || n > 4294967295LL)
		return -1;
	m->high = (uint32_t)n;
	n = json_integer_value(json_object_get(d, "exists"));
	if (!json_is_integer(json_object_get(d, "exists")) || n < 0 || n > 4294967295LL)
		return -1;
	m->exists = (long)n;
	if (parse_list(json_object_get(d, "sender"), m->high, &m->by_sender) != 0 ||
	    parse_list(json_object_get(d, "subject"), m->high, &m->by_subject) != 0)
		return -1;
	return 0;
}

int
rp_mail_memo_parse(const char *s, struct rp_mail_memo *m)
{
	json_t *d = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	int rc;

	memset(m, 0, sizeof(*m));
	rc = d != NULL ? parse_doc(d, m) : -1;
	json_decref(d);
	if (rc != 0)
		rp_mail_memo_clear(m);
	return rc;
}

static json_t *
dump_list(const struct rp_mail_list *l)
{
	json_t *a = json_array();
	size_t i;

	if (l->n > RP_MAIL_MEMO_MAX) {
		json_decref(a);
		return NULL;
	}
	for (i = 0; i < l->n; i++) {
		const struct rp_imap_msg *m = &l->m[i];
		json_t *from, *subject;

		if (strlen(m->from) > HEADER_MAX || strlen(m->subject) > HEADER_MAX ||
		    (from = json_string(m->from)) == NULL) {
			json_decref(a);
			return NULL;
		}
		/* Headers are raw bytes; one that is not UTF-8 is not memoed. */
		if ((subject = json_string(m->subject)) == NULL) {
			json_decref(from);
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, json_pack("[I,I,o,o]", (json_int_t)m->uid,
		    (json_int_t)m->arrived, from, subject));
	}
	return a;
}

char *
rp_mail_memo_dump(const struct rp_mail_memo *m)
{
	json_t *sender = dump_list(&m->by_sender), *subject = dump_list(&m->by_subject), *d;
	char *s = NULL;

	if (sender == NULL || subject == NULL) {
		json_decref(sender);
		json_decref(subject);
		return NULL;
	}
	d = json_pack("{s:i,s:s,s:s,s:I,s:I,s:I,s:o,s:o}", "v", 1, "id", m->id, "day", m->day,
	    "uidvalidity", (json_int_t)m->uidvalidity, "high", (json_int_t)m->high, "exists",
	    (json_int_t)m->exists, "sender", sender, "subject", subject);
	if (d != NULL)
		s = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(d);
	if (s != NULL && strlen(s) > MEMO_MAX) {
		free(s);
		s = NULL;
	}
	return s;
}

void
rp_mail_list_take(struct rp_mail_list *l, struct rp_imap_msg *add, size_t n)
{
	if (n > 0) {
		l->m = rp_xrealloc(l->m, (l->n + n + 1) * sizeof(*l->m));
		memcpy(l->m + l->n, add, n * sizeof(*add));
		l->n += n;
	}
	free(add);
}

static int
by_uid(const void *a, const void *b)
{
	const struct rp_imap_msg *x = a, *y = b;

	return (x->uid > y->uid) - (x->uid < y->uid);
}

void
rp_mail_list_sort(struct rp_mail_list *l)
{
	if (l->n > 1)
		qsort(l->m, l->n, sizeof(*l->m), by_uid);
}

void
rp_mail_list_keep(struct rp_mail_list *l, const struct rp_check *c, time_t now)
{
	time_t delivery = rp_clock_today_at(now, c->delivery_time);
	size_t i, k = 0;

	for (i = 0; i < l->n; i++) {
		if (rp_eval_email_relevant(c, &l->m[i], delivery))
			l->m[k++] = l->m[i];
		else
			rp_imap_msgs_free_one(&l->m[i]);
	}
	l->n = k;
}
