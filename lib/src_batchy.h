/*
 * src_batchy: the batchy source (see source.h). GET
 * <server>:<port>/get_status/<wf_name> answers a JSON object whose member
 * "global" holds batch_start, batch_end (null while a batch runs) and
 * status (new, open, success, failure); times are naive UTC ISO-8601.
 */
#ifndef RP_SRC_BATCHY_H
#define RP_SRC_BATCHY_H

#include <stddef.h>

#include "source.h"

#define RP_BATCHY_MAX_BYTES (1024 * 1024)

/* The status URL of workflow wf on server:port; the caller frees it. A
 * server given as a URL (http://host:port/prefix) is used as the base. */
char *rp_batchy_url(const char *server, long port, const char *wf);

/* Parses a batchy answer into out (zeroed by the caller, or holding facts
 * to keep). Returns 0 with out->ok = 1, or -1 with out->ok = 0 and a
 * one-line reason in out->why. */
int rp_batchy_parse(const char *body, size_t len, struct rp_src_result *out);

extern const struct rp_source rp_src_batchy;

#endif
