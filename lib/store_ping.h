/*
 * store_ping: the ping records rp-ping writes (<prefix>:ping:<name>), for
 * the other modules of the store: a run's first round trip HGETALLs a ping
 * check's record inside its own script and fills it with
 * rp_ping_rec_fill(). The contract (rp_store_ping, rp_store_ping_read) is
 * state.h's.
 */
#ifndef RP_STORE_PING_H
#define RP_STORE_PING_H

#include <hiredis/hiredis.h>

#include "state.h"

/* Fills r (overwritten, not freed first: clear it with rp_ping_rec_clear)
 * from the reply of an HGETALL of a ping record. An empty or missing hash
 * leaves r->known 0; unknown fields, bad numbers and a tail longer than
 * RP_PING_TAIL_MAX are ignored, so that an older or newer record never
 * stops a run. duration is -1 unless the record has one. */
void rp_ping_rec_fill(struct rp_ping_rec *r, const redisReply *hgetall);

#endif
