/*
 * strindex: which of n strings equal a given one, in O(log n), so that
 * matching a run's events against the outbox (thousands each in a mass
 * outage) is n log n rather than n squared.
 *
 * The index holds pointers to the caller's strings, which must outlive
 * it, each with the position the caller gave it. Build it with
 * rp_strindex_add() then rp_strindex_sort(); look up with
 * rp_strindex_find() (the smallest position of an equal string) and
 * rp_strindex_each() (all of them, smallest first).
 */
#ifndef RP_STRINDEX_H
#define RP_STRINDEX_H

#include <stddef.h>

struct rp_strindex_ent {
	const char *key;
	size_t pos;
};

struct rp_strindex {
	struct rp_strindex_ent *v;
	size_t n, cap;
};

/* Adds key (not copied; NULL is skipped) at position pos. */
void rp_strindex_add(struct rp_strindex *x, const char *key, size_t pos);

/* Orders the index by key, then position; call it before looking up. */
void rp_strindex_sort(struct rp_strindex *x);

/* The smallest position of a key equal to key, or -1 if none. */
long rp_strindex_find(const struct rp_strindex *x, const char *key);

/* Every position of a key equal to key, smallest first, into *first and
 * *count (0 if none): x->v[*first .. *first + *count). */
void rp_strindex_each(const struct rp_strindex *x, const char *key, size_t *first,
    size_t *count);

void rp_strindex_free(struct rp_strindex *x);

#endif
