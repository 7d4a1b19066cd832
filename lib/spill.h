/*
 * spill: triggers a run sent while Redis was out of reach and could not
 * record before it exited. Without a record, nobody would resolve their
 * incidents (the heartbeat's own page, above all, goes out exactly when
 * Redis is away). They are kept in the cache directory (cachedir.h), one
 * file per run that spilled, naming its store, until a run of a checking
 * program or of rp-heartbeat that reaches that store records them
 * (rp_store_record_sent, the same merge as a late record) before it reads
 * the state, and removes the file. Not state of its own: what waits here
 * is what Redis would hold had it answered. A run that keeps triggers
 * folds its store's earlier files into its own, so that a store that never
 * comes back (a wrong port) leaves one file, as long as its triggers are
 * distinct.
 */
#ifndef RP_SPILL_H
#define RP_SPILL_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "state.h"

/* The identity of cfg's store ("host:port/db prefix", or the sentinels'
 * master name), in out (size n). */
void rp_spill_store_id(const struct rp_config *cfg, char *out, size_t n);

/* Writes the n triggers (sent at now) for the store store_id in dir. 0, or
 * -1 with why (size whylen). */
int rp_spill_write(const char *dir, const char *store_id, time_t now, const struct rp_sent *v,
    size_t n, char *why, size_t whylen);

/* Records every file of store_id in dir through s, each removed once
 * recorded. Returns the number of triggers recorded (0: none waited), or -1
 * with why (files not recorded stay for the next run). */
long rp_spill_merge(const char *dir, const char *store_id, struct rp_store *s,
    const struct rp_run_rec *run, char *why, size_t whylen);

/* At the start of a run that reached its store (not a dry one):
 * rp_spill_merge of cfg's cache directory (its name in where, size
 * wherelen) and store. */
long rp_spill_flush(const struct rp_config *cfg, struct rp_store *s, char *where,
    size_t wherelen, char *why, size_t whylen);

/* rp_spill_write into cfg's cache directory (its name in where, size
 * wherelen, "" for none). 0, or -1 with why. */
int rp_spill_keep(const struct rp_config *cfg, time_t now, const struct rp_sent *v, size_t n,
    char *where, size_t wherelen, char *why, size_t whylen);

/* A spill file's text (len bytes) parsed: 0 with its store and triggers
 * (free with rp_spill_free), -1 if it is not whole and well formed. For
 * the module, its tests and the fuzzer. */
struct rp_spill_entry {
	time_t now; /* when it was sent */
	const char *name, *dedup_key;
};
struct rp_spill {
	char *store;
	struct rp_spill_entry *v;
	size_t n;
	char *text; /* the store, names and keys point into it */
};
int rp_spill_parse(const char *text, size_t len, struct rp_spill *sp);
void rp_spill_free(struct rp_spill *sp);

#endif
