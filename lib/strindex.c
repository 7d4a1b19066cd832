#define _POSIX_C_SOURCE 200809L
#include "strindex.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
rp_strindex_add(struct rp_strindex *x, const char *key, size_t pos)
{
	if (key == NULL)
		return;
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 16;
		x->v = rp_xrealloc(x->v, x->cap * sizeof(*x->v));
	}
	x->v[x->n].key = key;
	x->v[x->n++].pos = pos;
}

static int
cmp_ent(const void *a, const void *b)
{
	const struct rp_strindex_ent *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void
rp_strindex_sort(struct rp_strindex *x)
{
	if (x->n > 1)
		qsort(x->v, x->n, sizeof(*x->v), cmp_ent);
}

/* The first entry whose key is not below key (n if none). */
static size_t
lower_bound(const struct rp_strindex *x, const char *key)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(x->v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
rp_strindex_each(const struct rp_strindex *x, const char *key, size_t *first, size_t *count)
{
	size_t i = key != NULL ? lower_bound(x, key) : x->n, j = i;

	while (j < x->n && strcmp(x->v[j].key, key) == 0)
		j++;
	*first = i;
	*count = j - i;
}

long
rp_strindex_find(const struct rp_strindex *x, const char *key)
{
	size_t i = key != NULL ? lower_bound(x, key) : x->n;

	/* Not through rp_strindex_each: a key many share costs no more. */
	return i < x->n && strcmp(x->v[i].key, key) == 0 ? (long)x->v[i].pos : -1;
}

void
rp_strindex_free(struct rp_strindex *x)
{
	free(x->v);
	memset(x, 0, sizeof(*x));
}
