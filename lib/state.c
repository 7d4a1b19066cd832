#define _POSIX_C_SOURCE 200809L
#include "state.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN", "SKIPPED"};

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
	memset(st, 0, sizeof(*st));
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? rp_xstrdup(s) : NULL;
}

void
rp_state_copy(struct rp_check_state *dst, const struct rp_check_state *src)
{
	*dst = *src;
	dst->summary = dup_or_null(src->summary);
	dst->open_key = dup_or_null(src->open_key);
	dst->unknown_key = dup_or_null(src->unknown_key);
	dst->stale_key = dup_or_null(src->stale_key);
	dst->success_day = dup_or_null(src->success_day);
}
