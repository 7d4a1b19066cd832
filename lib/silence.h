/*
 * silence: what rp-silence does. A silenced check is still evaluated and
 * recorded, but its triggers are held (see run.c); when the silence ends
 * and the problem is still there, the next run pages. Silences live in the
 * state store and expire by themselves.
 *
 * A command names its checks by name, by glob pattern (fnmatch(3): *, ?,
 * [...], and \ to quote), by type (every check of that type) or all at
 * once; rp_silence_select() turns that into the checks meant.
 */
#ifndef RP_SILENCE_H
#define RP_SILENCE_H

#include <stddef.h>
#include <stdio.h>

#include "util.h"

enum rp_silence_cmd {
	RP_SILENCE_SET,
	RP_SILENCE_LIST,
	RP_SILENCE_CLEAR
};

/* The checks a command names. A name with none of the characters * ? [ \
 * is a plain name; any other is a pattern (which also matches a check
 * whose name it is exactly). */
struct rp_silence_sel {
	char *const *names;      /* plain names and patterns */
	size_t nnames;
	char *const *types;      /* --type: email, batchy... */
	size_t ntypes;
	int all;                 /* --all */
};

struct rp_silence_opts {
	enum rp_silence_cmd cmd;
	const char *config;      /* NULL: the default (see run.h) */
	const char *checklist;
	const char *now;         /* --now, or NULL */
	struct rp_silence_sel sel; /* SET, CLEAR */
	const char *duration;    /* SET: 30m, 2h, 1d */
	const char *reason;      /* SET: NULL keeps the reason of a silence in
	                          * force, if any */
	int json;                /* LIST */
};

/* Does it, printing to out and diagnostics to stderr; returns the exit
 * status (0; 64 usage, such as a name, pattern or type that names no
 * check; 78 configuration; 3 state store unreachable). SET prints one line
 * per check, saying where the end was when the check was silenced already;
 * LIST prints what a reason or a name holds with control characters
 * escaped (\n, \x1b), never raw. */
int rp_silence_run(const struct rp_silence_opts *o, FILE *out);

/* One check a selection may name: its name and type ("email", "batchy"),
 * or type NULL for a silence whose check is not in the checklist. */
struct rp_silence_cand {
	const char *name;
	const char *type;
};

/* What rp_silence_select() marks in pick[i]. */
enum {
	RP_PICKED = 1 << 0,      /* named by the selection in some way */
	RP_PICKED_BY_NAME = 1 << 1 /* named as a plain name */
};

/* Marks in pick (n entries, zeroed by the caller) the candidates sel
 * names. Returns 0, or -1 with err (RP_EXIT_USAGE) for a plain name that is
 * no candidate, a pattern that matches none, or a type no candidate has
 * ("no check of type \"x\" (here: email, batchy)"). */
int rp_silence_select(const struct rp_silence_cand *c, size_t n,
    const struct rp_silence_sel *sel, unsigned char *pick, struct rp_err *err);

/* Appends s for a terminal: valid UTF-8 (U+FFFD for the rest), with
 * control characters (C0, DEL, C1) written as \n, \r, \t, \xHH or \u00HH
 * and a backslash as \\, so that nothing stored can move the cursor,
 * change colours or forge a line. */
void rp_silence_escape(struct rp_buf *b, const char *s);

/* The longest silence, in seconds. */
#define RP_SILENCE_MAX (30L * 86400)

#endif
