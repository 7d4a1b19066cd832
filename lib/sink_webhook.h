/*
 * sink_webhook: Robopager's versioned JSON events, signed with
 * HMAC-SHA256, to [webhook NAME] endpoints. The sink itself is
 * rp_sink_webhook (sink.h); these are its body and its signature, for the
 * tests and for anyone who builds a receiver from the source.
 */
#ifndef RP_SINK_WEBHOOK_H
#define RP_SINK_WEBHOOK_H

#include <stddef.h>

#include "sink.h"

/* The "version" of the body; a change that a receiver must know of (a key
 * removed or changing meaning) makes it 2. Keys may be added to version 1. */
#define RP_WEBHOOK_VERSION 1

/* The JSON body of ev, a new string. */
char *rp_webhook_body(const struct rp_sink_event *ev);

/* The HMAC-SHA256 of body with key, as 64 lowercase hex digits: the value
 * of X-Robopager-Signature. */
void rp_webhook_sign(const char *key, size_t keylen, const char *body, char hex[65]);

#endif
