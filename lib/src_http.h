/*
 * src_http: any HTTP JSON status (see source.h). GET <url> answers JSON;
 * the check's JSON pointers (RFC 6901, jsonptr.h) say where in it the last
 * completion is (completion), and optionally the latest run's state
 * (state, compared with failure_values) and start (started). Credentials
 * and TLS settings come from the [http NAME] section of etl.cfg its auth:
 * names: a bearer token, or a user and password (basic auth).
 */
#ifndef RP_SRC_HTTP_H
#define RP_SRC_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "source.h"

#define RP_SRC_HTTP_MAX_BYTES (1024 * 1024)
#define RP_SRC_HTTP_TIMEOUT_SEC 10

/* A JSON value as a time: an ISO-8601 string (rp_clock_parse_iso; without
 * an offset it is UTC), or seconds since the epoch as a number (integer
 * or real; fractions dropped) or a string of digits. Before 1970-01-02 or
 * after 9999 is not a time (epoch milliseconds are not seconds). Returns 0
 * or -1. */
int rp_src_http_time(json_t *v, time_t *t);

/* What an answer of url is called in messages: its host and path, never
 * its query (which may hold a key). */
void rp_src_http_what(const char *url, char *buf, size_t n);

/* Reads the answer body as check c's pointers say, into out (zeroed by
 * the caller, or holding facts to keep). Returns 0 with out->ok = 1, or -1
 * with out->why naming the pointer that found nothing or no time. */
int rp_src_http_parse(const struct rp_check *c, const char *body, size_t len,
    struct rp_src_result *out);

extern const struct rp_source rp_src_http;

#endif
