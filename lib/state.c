#define _POSIX_C_SOURCE 200809L
#include "state.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN", "SKIPPED",
    "OFF"};

const char *
rp_status_name(enum rp_status s)
{
	return status_names[s];
}

int
rp_status_parse(const char *s, enum rp_status *out)
{
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum rp_status)i;
			return 0;
		}
	}
	return -1;
}

void
rp_state_clear(struct rp_check_state *st)
{
	free(st->summary);
	free(st->open_key);
	free(st->unknown_key);
	free(st->stale_key);
	free(st->success_day);
	free(st->mail_memo);
	free(st->announced);
	memset(st, 0, sizeof(*st));
}

void
rp_state_copy(struct rp_check_state *dst, const struct rp_check_state *src)
{
	*dst = *src;
	dst->summary = rp_xstrdup_or_null(src->summary);
	dst->open_key = rp_xstrdup_or_null(src->open_key);
	dst->unknown_key = rp_xstrdup_or_null(src->unknown_key);
	dst->stale_key = rp_xstrdup_or_null(src->stale_key);
	dst->success_day = rp_xstrdup_or_null(src->success_day);
	dst->mail_memo = rp_xstrdup_or_null(src->mail_memo);
	dst->announced = rp_xstrdup_or_null(src->announced);
}

void
rp_load_clear(struct rp_load *l)
{
	rp_state_clear(&l->st);
	rp_ping_rec_clear(&l->ping_rec);
	free(l->refused);
	l->refused = NULL;
}

void
rp_ob_entry_clear(struct rp_ob_entry *e)
{
	free(e->id);
	free(e->check);
	free(e->label);
	rp_free_secret(e->body); /* it holds a routing key */
	free(e->error);
	memset(e, 0, sizeof(*e));
}

void
rp_outbox_free(struct rp_outbox *ob)
{
	size_t i;

	for (i = 0; i < ob->n; i++)
		rp_ob_entry_clear(&ob->v[i]);
	free(ob->v);
	free(ob->rates);
	ob->v = NULL;
	ob->rates = NULL;
	ob->n = ob->nrates = 0;
	ob->owned = 0;
}

void
rp_rejected_clear(struct rp_rejected *x)
{
	free(x->id);
	free(x->check);
	free(x->message);
	free(x->event);
	free(x->fix);
	memset(x, 0, sizeof(*x));
}

void
rp_rejected_free(struct rp_rejected *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rp_rejected_clear(&v[i]);
	free(v);
}

void
rp_ob_update_free(struct rp_ob_update *u)
{
	size_t i;

	for (i = 0; i < u->ndone; i++)
		free(u->done[i]);
	for (i = 0; i < u->nadd; i++)
		rp_ob_entry_clear(&u->add[i]);
	for (i = 0; i < u->nretry; i++)
		rp_ob_entry_clear(&u->retry[i]);
	rp_rejected_free(u->rej, u->nrej);
	free(u->done);
	free(u->add);
	free(u->retry);
	free(u->sent);
	memset(u, 0, sizeof(*u));
}

#define MOVE(field, count)                                                          \
	do {                                                                         \
		if (src->count == 0)                                                     \
			break;                                                           \
		dst->field = rp_xrealloc(dst->field, (dst->count + src->count + 1) *     \
		    sizeof(*dst->field));                                                \
		memcpy(dst->field + dst->count, src->field, src->count * sizeof(*src->field)); \
		dst->count += src->count;                                                \
		free(src->field);                                                        \
		src->field = NULL;                                                       \
		src->count = 0;                                                          \
	} while (0)

void
rp_ob_update_merge(struct rp_ob_update *dst, struct rp_ob_update *src)
{
	MOVE(done, ndone);
	MOVE(add, nadd);
	MOVE(retry, nretry);
	MOVE(rej, nrej);
	MOVE(sent, nsent);
	if (dst->token == NULL)
		dst->token = src->token;
	if (dst->minute == 0)
		dst->minute = src->minute;
	rp_ob_update_free(src);
}

#undef MOVE

void
rp_ping_rec_clear(struct rp_ping_rec *r)
{
	free(r->tail);
	memset(r, 0, sizeof(*r));
	r->duration = -1;
}
