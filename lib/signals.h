/*
 * signals: how a run stops early. SIGTERM (systemd stopping a unit) and
 * SIGINT (a person's Ctrl-C) ask the run to stop its network work at once,
 * record what it has decided and exit 128 + the signal; SIGPIPE is ignored,
 * so a closed stdout is an error to report, never a death that leaves a
 * decision unrecorded.
 *
 * The handler only records the signal and writes a byte to a pipe whose
 * read end the waits of the network code add to what they wait for
 * (rp_sig_fd), so a stop interrupts a wait at once without a timer.
 */
#ifndef RP_SIGNALS_H
#define RP_SIGNALS_H

/* Installs the handlers (once; later calls do nothing), SIGPIPE ignored
 * as rp_sig_ignore_pipe() does. */
void rp_sig_init(void);

/* Ignores SIGPIPE only: for a program that evaluates nothing (rp-status,
 * rp-silence), so that a reader gone away is a write error it reports
 * (rp_cli_close_out(): 74) rather than a silent death by signal, while
 * SIGTERM and SIGINT still end it at once, as by default. */
void rp_sig_ignore_pipe(void);

/* The signal that asked the run to stop, or 0. */
int rp_sig_stopped(void);

/* A descriptor that becomes readable when a stop is asked, or -1 before
 * rp_sig_init(). Never read it: it stays readable. */
int rp_sig_fd(void);

#endif
