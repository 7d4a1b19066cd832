/*
 * cli: the options every Robopager program shares.
 *   -f/--config FILE  -y/--checklist FILE  -c/--check NAME  -n/--dry-run
 *   --now TIME  --json  --plugin  -q/--quiet  -v/--verbose  -h/--help  -V/--version
 */
#ifndef RP_CLI_H
#define RP_CLI_H

#include <stdio.h>

#include "util.h"

struct rp_opts {
	const char *config;      /* NULL: etl.cfg, then /etc/robopager/etl.cfg */
	const char *checklist;   /* NULL: checklist.yaml beside the config */
	const char *check;       /* -c: that check, now */
	const char *now;         /* --now */
	int dry_run;
	int json;
	int plugin;              /* --plugin, rp-status's alone */
	int quiet;
	int verbose;
	int help;
	int version;
	char **args;             /* the operands, with RP_CLI_OPERANDS only */
	int nargs;
	int after_dashdash;      /* the operands came after "--" (no NAME
	                          * before it: rp-ping -- cmd) */
};

/* Parses argv. Returns 0, or -1 with err (RP_EXIT_USAGE) for a bad option
 * or a stray argument. */
int rp_cli_parse(int argc, char **argv, struct rp_opts *o, struct rp_err *err);

/* Options a program refuses as meaningless for it (a bit set). */
enum {
	RP_CLI_NO_CHECK = 1 << 0,   /* -c */
	RP_CLI_NO_DRY_RUN = 1 << 1, /* -n */
	RP_CLI_NO_QUIET = 1 << 2,   /* -q */
	RP_CLI_NO_JSON = 1 << 3,    /* --json */
	/* Operands follow the options (rp-ping NAME -- CMD...): the options end
	 * at the first operand or at "--", and the operands are o->args. */
	RP_CLI_OPERANDS = 1 << 4,
	/* Not a refusal: --plugin is accepted (rp-status); without this bit it
	 * is an unknown option. */
	RP_CLI_PLUGIN = 1 << 5
};

/* The whole main() of a program that takes the shared options: turns core
 * dumps off (programs hold secrets), parses argv, refuses the options in
 * refuse, prints usage() on -h and the version on -V, else returns
 * body(o). A bad option prints one line and the usage on stderr and
 * returns 64. */
int rp_cli_main(int argc, char **argv, const char *program, void (*usage)(FILE *),
    unsigned refuse, int (*body)(const struct rp_opts *o));

/* Gives back the core file size limit the program started with, which
 * rp_cli_main() lowered: for a child about to run a command that is not
 * ours (rp-ping's wrapper), whose own crashes should dump as they would
 * without us. Async-signal-safe. */
void rp_cli_restore_core_limit(void);

/* The earlier Python tool's command line, for robopager only, rewritten in
 * place before rp_cli_main() parses it: "-p FILE" (its configuration)
 * becomes "-f FILE", and "-cf NAME" or "-cf=NAME" (its choice of
 * configuration reader, such as core) is taken out, wherever they are.
 * The value of an option that takes one is never rewritten, nor anything
 * after "--". *argc is updated and argv stays NULL-terminated; *cf points
 * to the last NAME taken out (inside argv), or is NULL. Returns 0, or -1
 * with err (RP_EXIT_USAGE) for a "-cf" without a NAME. */
int rp_cli_legacy_args(int *argc, char **argv, const char **cf, struct rp_err *err);

/* For a program with operands (rp-ping): the options written after the
 * first operand and before "--" (rp-ping NAME -q -- cmd) are moved, in
 * order and with their values, before it, so that they are read as if
 * written there. Nothing after "--" moves; argv is permuted in place. */
void rp_cli_hoist_options(int argc, char **argv);

/* Flushes and closes out (stdout, for a program's last act). When what was
 * printed could not be written (a full disk, a closed descriptor), says so
 * in one line on stderr and returns RP_EXIT_IOERR; otherwise returns rc. */
int rp_cli_close_out(FILE *out, const char *program, int rc);

/* The lines of --help that describe the shared options. */
extern const char rp_cli_common_help[];

#endif
