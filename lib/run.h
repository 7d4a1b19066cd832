/*
 * run: the body every checking program shares, in the order of DESIGN.md:
 * options -> config and checklist -> due checks and state (one round trip,
 * on the store's clock) -> sources (concurrently; mailcheck.c for email)
 * -> decisions (eval.c) -> the decision written, delivered, recorded
 * (pages.c) -> output -> exit status. The programs in bin/ are thin mains
 * around it.
 */
#ifndef RP_RUN_H
#define RP_RUN_H

#include <stdio.h>
#include <time.h>

#include "checklist.h"
#include "cli.h"
#include "config.h"
#include "eval.h"
#include "state.h"

/* Evaluates the checks prog evaluates (rp_check_program) as o asks, prints,
 * and returns the exit status (0-3, 64, 78, 70). program names the run in
 * state and logs. */
int rp_run(const char *program, enum rp_program prog, const struct rp_opts *o);

/* The configuration to read: given, else RP_DEFAULT_CONFIG (never one in
 * the working directory, which another user may have planted there). */
const char *rp_default_config(const char *given);
/* checklist.yaml beside the configuration; the caller frees it. */
char *rp_default_checklist(const char *config);

/* Opens the state store the configuration names. NULL with err: code
 * RP_EXIT_CONFIG when [enable_redis] enable is False, RP_EXIT_UNKNOWN when
 * the store cannot be reached. */
struct rp_store *rp_config_store(const struct rp_config *cfg, struct rp_err *err);

/* Records the triggers earlier runs sent while the store was out of reach
 * and kept in the cache directory (spill.h); says on stderr what it did.
 * For a run that reached the store and is not a dry one, before it reads
 * the state. */
void rp_flush_spill(const struct rp_config *cfg, struct rp_store *s);

/* The earlier tool's command line: with o->check, that check through the
 * program of its type; without, every program [function_type] enables, one
 * after the other. Returns the worst exit status (a usage or configuration
 * error wins over any check status). */
int rp_run_all(const struct rp_opts *o);

/* Prints, one line each, what is unsafe in the configuration: it or the
 * checklist (may be NULL) readable by others while holding secrets, TLS
 * verification off, plain text to another host, no state store; and the
 * keys of the earlier tool it ignores (notices). quiet (-q, for cron,
 * which mails every line) keeps only the one that stops the job being
 * done: no state store. */
void rp_config_warn(const struct rp_config *cfg, const char *checklist, int quiet);

/* Milliseconds since t0 (CLOCK_MONOTONIC). */
long rp_elapsed_ms(const struct timespec *t0);

/* A token naming this run (host, pid, time) for the outbox lock. */
void rp_run_token(char *dst, size_t n, const char *host);

#endif
