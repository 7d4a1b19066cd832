/*
 * status: what rp-status prints. Read-only: one round trip to the state
 * store, no lock taken, nothing written, no source asked.
 */
#ifndef RP_STATUS_H
#define RP_STATUS_H

#include <stdio.h>

#include "cli.h"

/* One row per check of the checklist (or only o->check), as text or, with
 * o->json, one JSON object per line ("kind" check, then outbox and refused
 * events). Returns the exit status: the worst stored status of the checks
 * shown as a monitoring plugin gives it (0 OK, 1 WARNING, 2 CRITICAL, 3
 * UNKNOWN; OK < WARNING < UNKNOWN < CRITICAL; never evaluated is OK), 3
 * when the state store cannot be read, 64 or 78. With o->plugin (and
 * o->check), one line instead, "STATUS NAME: summary", also when the state
 * store cannot be read ("UNKNOWN NAME: state store unreachable (...)"). */
int rp_status_run(const struct rp_opts *o, FILE *out);

#endif
