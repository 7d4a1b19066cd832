/*
 * silence: what rp-silence does. A silenced check is still evaluated and
 * recorded, but its triggers are held (see run.c); when the silence ends
 * and the problem is still there, the next run pages. Silences live in the
 * state store and expire by themselves.
 */
#ifndef RP_SILENCE_H
#define RP_SILENCE_H

#include <stdio.h>

enum rp_silence_cmd {
	RP_SILENCE_SET,
	RP_SILENCE_LIST,
	RP_SILENCE_CLEAR
};

struct rp_silence_opts {
	enum rp_silence_cmd cmd;
	const char *config;      /* NULL: the default (see run.h) */
	const char *checklist;
	const char *now;         /* --now, or NULL */
	const char *name;        /* SET, CLEAR */
	const char *duration;    /* SET: 30m, 2h, 1d */
	const char *reason;      /* SET: may be NULL */
	int json;                /* LIST */
};

/* Does it, printing to out and diagnostics to stderr; returns the exit
 * status (0, 64 usage, 78 configuration, 3 state store unreachable). */
int rp_silence_run(const struct rp_silence_opts *o, FILE *out);

/* The longest silence, in seconds. */
#define RP_SILENCE_MAX (30L * 86400)

#endif
