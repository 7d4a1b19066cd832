/*
 * run: the body every checking program shares, in the order of DESIGN.md:
 * options -> config and checklist -> due checks -> state (one round trip)
 * -> sources (concurrently) -> decisions -> PagerDuty -> state (one round
 * trip) -> output -> exit status. The programs in bin/ are thin mains
 * around it.
 */
#ifndef RP_RUN_H
#define RP_RUN_H

#include <stdio.h>

#include "checklist.h"
#include "cli.h"

/* Evaluates the checks of one type as o asks, prints, and returns the exit
 * status (0-3, 64, 78, 70). program names the run in state and logs. */
int rp_run(const char *program, enum rp_check_type type, const struct rp_opts *o);

/* The whole main() of a checking program: parses the shared options
 * (usage() prints the program's help to the stream it is given), answers
 * -h and -V, and runs. Returns the exit status. */
int rp_run_main(int argc, char **argv, const char *program, enum rp_check_type type,
    void (*usage)(FILE *));

#endif
