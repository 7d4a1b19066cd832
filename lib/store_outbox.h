/*
 * store_outbox: the outbox and the refused events in Redis (private to the
 * store modules; the contract is state.h).
 */
#ifndef RP_STORE_OUTBOX_H
#define RP_STORE_OUTBOX_H

#include "store_redis.h"

/* An outbox entry as stored: JSON, so that a body of any bytes survives.
 * The caller wipes and frees it (it holds a routing key). */
char *rp_ob_entry_json(const struct rp_ob_entry *e);

/* The outbox part of an answer (owned, ids, entries, rates) into ob. */
int rp_outbox_fill(struct rp_outbox *ob, redisReply **part);

#endif
