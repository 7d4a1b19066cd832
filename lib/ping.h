/*
 * ping: rp-ping, how a cron job or a service reports in to its ping check.
 *
 * After the shared options, its operands are one of
 *   NAME                   a success
 *   NAME start             a run began
 *   NAME success           a success
 *   NAME fail              a failure
 *   NAME STATUS            an exit status: 0 a success, 1-255 a failure
 *   NAME SIGNAL            a failure by that signal: TERM or SIGTERM, as
 *                          systemd's $EXIT_STATUS names it
 *   NAME -- CMD [ARG...]   the wrapper: start, run CMD, then its success or
 *                          failure with its status, duration and output tail
 * Each is recorded in one round trip to the state store (rp_store_ping);
 * nothing pages from here: the next evaluation of the check decides.
 *
 * The wrapper runs CMD with rp-ping's stdin and environment (the TZ and
 * core size limit rp-ping started with, not the ones it set for itself),
 * passes its stdout and stderr through byte for byte as they come, forwards
 * the signals that stop a job (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
 * SIGUSR2; one rp-ping was started with ignored, as nohup's SIGHUP, stays
 * ignored, in the command too; SIGPIPE, which rp-ping ignores, is the
 * command's default) and keeps the last lines of both outputs, merged in
 * the order they are read, in bounded memory. Its exit status is always CMD's: a ping that
 * could not be recorded costs one line on stderr, never the job.
 */
#ifndef RP_PING_H
#define RP_PING_H

#include <stddef.h>

#include "cli.h"
#include "state.h"
#include "util.h"

/* The operands, as rp_ping_parse() read them. */
struct rp_ping_args {
	const char *name;
	struct rp_ping ping;     /* what to record, without a command */
	char **cmd;              /* the wrapper's command and its arguments
	                          * (inside the operands, NULL-terminated), or
	                          * NULL */
};

/* Parses the n operands args (NULL-terminated, as after getopt). Returns 0,
 * or -1 with err (RP_EXIT_USAGE): no NAME, a word that is none of the forms
 * ("to run a command, put -- before it"), "--" without a command, more
 * operands than a form takes (options go before NAME). */
int rp_ping_parse(char **args, int n, struct rp_ping_args *a, struct rp_err *err);

/* The output tail: the last bytes of a command's output, raw, in a ring
 * that holds enough of them to give RP_PING_TAIL_MAX bytes once made safe
 * to display (which may shrink them). Zero it before the first feed. */
#define RP_PING_RING (2 * RP_PING_TAIL_MAX + 4)
struct rp_ping_tail {
	char buf[RP_PING_RING];
	size_t len;
	int cut;                 /* earlier bytes were dropped */
};

/* Adds n bytes of output, however they are split (mid-line, mid-UTF-8). */
void rp_ping_tail_feed(struct rp_ping_tail *t, const void *p, size_t n);
/* What rp_ping_tail_of() makes of what was fed; NULL for no output at all.
 * The caller frees it. */
char *rp_ping_tail_text(const struct rp_ping_tail *t);

/* Appends the n bytes of s to b made safe to display: valid UTF-8 (a bad
 * byte becomes U+FFFD, as rp_buf_utf8 does), and every control character
 * but newline and tab (C0, DEL, C1; NUL included) a space. */
void rp_ping_clean(struct rp_buf *b, const char *s, size_t n);

/* The tail of the n bytes of s as it is stored: cleaned (rp_ping_clean),
 * without trailing newlines, its last RP_PING_TAIL_LINES lines, and of
 * those at most the last RP_PING_TAIL_MAX bytes, starting on a character.
 * Applied to its own result, it gives it back unchanged. The caller frees
 * it. */
char *rp_ping_tail_of(const char *s, size_t n);

/* Whether the record shows a run in progress: a start later than the last
 * success and the last failure (a start in the same second as one of them
 * counts as taken: see store_ping.c). */
int rp_ping_running(const struct rp_ping_rec *r);

/* What became of a command the wrapper ran. */
struct rp_ping_ran {
	int exit;                /* rp-ping's exit status: the command's, 128 +
	                          * the signal that killed it, or 126/127 when
	                          * it could not be run */
	int status;              /* its exit status, 0 when killed */
	int signal;              /* the signal that killed it, or 0 */
	long duration;           /* seconds from start to end, rounded */
	char *tail;              /* its output's tail (rp_ping_tail_text), or
	                          * why it could not be run; NULL if neither */
	int lost;                /* some of its output could not be passed on
	                          * (rp-ping's stdout or stderr closed): dropped */
	unsigned long passed;    /* the signals passed on (bit 1 << number) */
	unsigned long direct;    /* those a terminal sent it as well (Ctrl-C),
	                          * not passed on */
	char why[300];           /* why it could not be run, one line, like a
	                          * shell's ("pg_dump: command not found"), or "" */
};

/* Runs cmd (execvp) as described above and waits for it; tz is the TZ the
 * command gets (NULL: none). Returns when it has ended and its output has
 * been passed on: at its end-of-file, or when the command has exited and
 * its output has been idle for a second (a process it left behind may hold
 * the pipes open), or ten seconds after it exited. Never fails: a command
 * that cannot be run is r->exit 126 or 127 with r->why. Free r->tail. */
void rp_ping_wrap(char *const *cmd, const char *tz, struct rp_ping_ran *r);

/* rp-ping's body, after rp_cli_main: reads o->args, the configuration and
 * the checklist, records or runs and records, says what went wrong on
 * stderr, and returns the exit status: 0 recorded, 64 usage (or NAME not a
 * ping check of the checklist), 75 the state store not reached within
 * about two seconds, 78 configuration; in wrapper mode, the command's. */
int rp_ping_run(const struct rp_opts *o);

/* Whether rp_ping_run() started the command (wrapper mode). */
int rp_ping_command_ran(void);

/* The wrapper's last resort, when rp-ping's own command line is wrong: the
 * command (what follows "--") runs all the same, unrecorded, with one line
 * on stderr; returns its exit status. */
int rp_ping_run_unrecorded(char *const *cmd);

/* Connect and command timeout cap: rp-ping must not hold up a job. */
#define RP_PING_TIMEOUT_MS 2000

#endif
